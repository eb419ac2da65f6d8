"""`liaison directory ...`: publish this node's entries, sign (operator), import, show."""

from __future__ import annotations

import binascii
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from liaison.audit.context import cli_context
from liaison.cli_support import console, fail, handle_errors, load_node, print_table, unit_of_work
from liaison.config import load_settings
from liaison.core.clock import system_clock
from liaison.core.permissions import AuthorityRole
from liaison.crypto import keys
from liaison.directory import operator as publishing
from liaison.directory import service
from liaison.directory.document import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    DirectoryAuthority,
    DirectoryLog,
    RevokedKey,
    sign_directory,
    verify_directory,
)
from liaison.protocol import errors

app = typer.Typer(help="The signed directory of authorities.", no_args_is_help=True)
operator_key_app = typer.Typer(help="The directory operator's signing key.", no_args_is_help=True)
app.add_typer(operator_key_app, name="operator-key")

# The kinds every node handles today; later issues add request kinds.
DEFAULT_KINDS = ["ping", "note"]
_AUTHORITIES = TypeAdapter(list[DirectoryAuthority])


class EntriesFile(BaseModel):
    """What a node sends the operator: its authorities and its audit log (the log is absent
    from files written before nodes published their logs, which were a bare list)."""

    model_config = ConfigDict(extra="forbid")

    authorities: list[DirectoryAuthority]
    log: DirectoryLog | None = None


def _read_entries(path: Path) -> EntriesFile:
    text = _read_text(path, "entries file")
    try:
        if text.lstrip().startswith("["):
            return EntriesFile(authorities=_AUTHORITIES.validate_json(text))
        return EntriesFile.model_validate_json(text)
    except ValidationError as exc:
        raise fail(f"{path} is not an entries file: {_first_error(exc)}", 2) from None


def _read_text(path: Path, what: str) -> str:
    """A small text file, or exit 2 with a sentence: never a traceback for a bad path."""
    try:
        if path.stat().st_size > DEFAULT_MAX_DOCUMENT_BYTES:
            raise fail(f"{what} {path} is larger than {DEFAULT_MAX_DOCUMENT_BYTES} bytes", 2)
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {what} {path}: {exc.strerror}", 2) from None
    except UnicodeDecodeError:
        raise fail(f"{what} {path} is not UTF-8 text", 2) from None


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror}", 2) from None


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    return f"{where}: {first['msg']}"


@app.command("entries")
@handle_errors
def entries(
    out: Annotated[Path, typer.Option("--out", help="Where to write the entries (JSON)")],
    endpoint: Annotated[
        str | None,
        typer.Option(help="This node's federation base URL; default LIAISON_PUBLIC_URL"),
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="A kind handled; repeat (default ping, note)")
    ] = None,
) -> None:
    """Write the directory entries of the authorities hosted here and of this node's audit log
    (its log and witness keys), to send to the operator."""
    node = load_node()
    url = endpoint or node.settings.public_url
    if not url:
        raise fail("give --endpoint URL or set LIAISON_PUBLIC_URL", 2)
    with unit_of_work(node) as session:
        try:
            found = publishing.local_entries(
                session=session, endpoint=url, kinds=kind or DEFAULT_KINDS
            )
            log = publishing.local_log(
                session=session, origin=node.settings.node_name, endpoint=url
            )
        except ValidationError as exc:
            raise fail(f"cannot describe this node: {_first_error(exc)}", 2) from None
    payload = EntriesFile(authorities=found, log=log).model_dump(mode="json")
    _write_text(out, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    console.print(
        f"{len(found)} authorities and the log {log.origin} written to {out}", highlight=False
    )


def _read_operator_key(path: Path) -> bytes:
    text = _read_text(path, "operator key file").strip()
    try:
        raw = keys.b64u_decode(text)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise fail(f"{path} does not hold a base64url Ed25519 private key (32 bytes)", 2)
    return raw


def _revocations(values: list[str], at: datetime) -> list[RevokedKey]:
    revoked = []
    for value in values:
        kid, sep, reason = value.partition("=")
        if not sep or not kid.strip() or not reason.strip():
            raise fail(f"--revoke takes KID=REASON, got {value!r}", 2)
        try:
            revoked.append(RevokedKey(kid=kid.strip(), revoked_at=at, reason=reason.strip()))
        except ValidationError as exc:
            raise fail(f"--revoke {value!r}: {_first_error(exc)}", 2) from None
    return revoked


@app.command("export")
@handle_errors
def export(
    entries_files: Annotated[list[Path], typer.Argument(help="Entries files from the nodes")],
    operator_key: Annotated[
        Path, typer.Option("--operator-key", help="File with the operator's private key")
    ],
    operator: Annotated[str, typer.Option("--operator", help="Operator id, e.g. un-unodc")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the signed document")],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="Default: --previous's version + 1")
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The last signed document: its revocations carry over"),
    ] = None,
    revoke: Annotated[
        list[str] | None, typer.Option("--revoke", help="KID=REASON, revoked from now; repeat")
    ] = None,
) -> None:
    """(Operator) merge the nodes' entries and sign one directory document."""
    private_raw = _read_operator_key(operator_key)
    public_raw = publishing.operator_public_raw(private_raw)
    now = system_clock.now()
    carried: list[RevokedKey] = []
    if previous is not None:
        try:
            before = verify_directory(
                token=_read_text(previous, "previous document").strip(),
                pinned_operator_public_raw=public_raw,
            )
        except errors.ProtocolError as exc:
            raise fail(f"--previous {previous}: {exc.message}", 2) from None
        carried = list(before.revoked_keys)
        version = version if version is not None else before.version + 1
        if version <= before.version:
            raise fail(f"--version {version} must be above the previous {before.version}", 2)
    if version is None:
        raise fail("give --version N (or --previous FILE to continue from the last one)", 2)
    merged: list[DirectoryAuthority] = []
    logs: list[DirectoryLog] = []
    for path in entries_files:
        entries_file = _read_entries(path)
        merged += entries_file.authorities
        logs += [entries_file.log] if entries_file.log is not None else []
    fresh = _revocations(revoke or [], now)
    already = {r.kid for r in fresh}
    revoked = fresh + [r for r in carried if r.kid not in already]
    try:
        doc = publishing.build_document(
            operator=operator,
            version=version,
            entries=merged,
            revoked=revoked,
            issued_at=now,
            logs=logs,
        )
    except ValidationError as exc:
        raise fail(f"the merged directory is invalid: {_first_error(exc)}", 2) from None
    token = sign_directory(
        doc=doc,
        operator_private_raw=private_raw,
        operator_kid=publishing.operator_kid(public_raw),
    )
    _write_text(out, token + "\n")
    console.print(
        f"directory version {doc.version} by {operator}: {len(doc.authorities)} authorities, "
        f"{len(doc.logs)} audit logs, {len(doc.revoked_keys)} revoked keys, written to {out}",
        highlight=False,
    )


@app.command("import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="The signed directory document")],
) -> None:
    """Import a directory signed by the pinned operator key, if newer than the one in force."""
    settings = load_settings()
    if not settings.directory_operator_key:
        raise fail(
            "no directory operator key is pinned: set LIAISON_DIRECTORY_OPERATOR_KEY to the "
            "operator's public key (obtained out of band)",
            2,
        )
    token = _read_text(file, "directory document")
    node = load_node()
    try:
        with unit_of_work(node) as session:
            row = service.import_document(
                session=session,
                token=token,
                pinned_operator_public_raw=keys.b64u_decode(settings.directory_operator_key),
                ctx=cli_context("directory-import"),
                clock=node.clock,
            )
            version, operator = row.version, row.operator
    except errors.ProtocolError as exc:
        raise fail(f"{file} not imported: {exc.message}", 2) from None
    console.print(f"directory version {version} by {operator} imported", highlight=False)


@app.command("show")
@handle_errors
def show(
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166-1 alpha-2")] = None,
    role: Annotated[AuthorityRole | None, typer.Option("--role")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Accepted language")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="A kind handled, e.g. note")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of lines")] = False,
) -> None:
    """Authorities in the directory in force, filtered."""
    node = load_node()
    with unit_of_work(node) as session:
        row = service.current_row(session=session)
        found = service.search(
            session=session, state=country, role=role, language=language, kind=kind
        )
        version, operator = row.version, row.operator
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in found], ensure_ascii=False))
        return
    console.print(f"directory version {version} by {operator}", highlight=False)
    print_table(
        ["id", "state", "name", "roles", "languages", "endpoint", "kinds handled"],
        [
            [
                a.id,
                a.state,
                a.names.get("en") or next(iter(a.names.values())),
                ", ".join(a.roles),
                ", ".join(a.accepted_languages),
                a.endpoint,
                ", ".join(a.kinds),
            ]
            for a in found
        ],
        empty="no authority in the directory matches",
    )


@operator_key_app.command("new")
@handle_errors
def new_operator_key(
    out: Annotated[Path, typer.Option("--out", help="New file for the private key")],
) -> None:
    """(Operator) create a signing key; prints the public key every node pins."""
    private_raw, public, kid = publishing.new_operator_key()
    try:
        # O_EXCL: never overwrite an operator key, which would orphan every node's pin.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise fail(f"{out} already exists; choose another file", 2) from None
    except OSError as exc:
        raise fail(f"cannot create {out}: {exc.strerror}", 2) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(keys.b64u(private_raw) + "\n")
    console.print(f"operator key {kid} written to {out}", highlight=False)
    console.print("pin on every node: LIAISON_DIRECTORY_OPERATOR_KEY=", end="", highlight=False)
    typer.echo(public)
