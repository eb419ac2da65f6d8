"""`liaison evidence verify` and `liaison evidence custody`: checking evidence from outside.

``verify`` never claims more than it checked: a package is *authentic and intact* only when
the sender's signature was checked with a key that could sign at the time the package says it
was signed; without a sender key it is at best *intact, not authenticated*, which has its own
exit code (a re-made package passes every other check). It needs no configuration and no
database with ``--identity`` and ``--sender-key``, so the node is loaded only for the lookups
that need it (``--sender``, or no ``--identity``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from liaison.accounts.operator import acting
from liaison.authorities import service as authorities
from liaison.cli_support import fail, handle_errors, load_node, print_lines, unit_of_work
from liaison.core.errors import InvalidInput
from liaison.core.permissions import Permission
from liaison.crypto import keys as keycrypto
from liaison.evidence import chain, service
from liaison.evidence.package import (
    GivenKey,
    SenderKeys,
    Verdict,
    VerifyReport,
    verify_bag_dir,
    verify_package,
    verify_sealed_dir,
)
from liaison.evidence.package.judge import SIGNATURE_FILE
from liaison.evidence.senders import NodeSenderKeys
from liaison.keyring import service as keyring
from liaison.requests.models import Request

# Nothing failed, but nothing showed who made it: neither 0 (authentic) nor 1 (failed).
EXIT_UNAUTHENTICATED = 8


def _identities_from_node() -> list[str]:
    """Every encryption key of the authorities hosted here, newest first, as age identities."""
    node = load_node()
    with unit_of_work(node) as session:
        found = [
            keycrypto.age_identity(keyring.private_raw(kek=node.kek, key=key))
            for authority in authorities.list_all(session=session)
            for key in reversed(keyring.keys_of(session=session, authority_id=authority.id))
            if key.purpose == "encryption"
        ]
    if not found:
        raise InvalidInput("no authority is hosted here: give the age identity with --identity")
    return found


def _read_identity(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"identity file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"identity file {path} cannot be read: {exc}") from None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1 or not lines[0].startswith("AGE-SECRET-KEY-1"):
        raise InvalidInput(f"{path} is not an age identity file (one AGE-SECRET-KEY-1... line)")
    return lines[0]


def _parse_sender_key(text: str) -> bytes:
    try:
        raw = keycrypto.b64u_decode(text.strip())
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InvalidInput("--sender-key must be a 32-byte Ed25519 public key in base64url")
    return raw


def _verify_file(package: Path, identities: list[str], keys: SenderKeys | None) -> VerifyReport:
    """With the first identity the package is encrypted to (or the last report, saying why).
    The package names its signing key (the signature's kid): no key is guessed."""
    report = VerifyReport()
    for identity in identities:
        report = verify_package(package=package, identity=identity, sender_keys=keys)
        first = report.checks[0] if report.checks else None
        if not (first and first.ok is False and "not encrypted to this identity" in first.detail):
            break
    return report


def _headline(report: VerifyReport, path: Path) -> str:
    if report.verdict is Verdict.authentic:
        return f"AUTHENTIC {path}: authentic and intact, the sender's signature checked"
    if report.verdict is Verdict.unauthenticated:
        return (
            f"NOT AUTHENTICATED {path}: intact, but no sender key was given, so nothing shows "
            "who made it (give --sender or --sender-key)"
        )
    return f"FAILED {path}"


@handle_errors
def verify(
    path: Annotated[Path, typer.Argument(help="The package (.age), or a bag directory")],
    identity: Annotated[
        Path | None, typer.Option("--identity", help="age identity file of the recipient")
    ] = None,
    sender_key: Annotated[
        str | None, typer.Option("--sender-key", help="Sender's Ed25519 public key, base64url")
    ] = None,
    sender: Annotated[
        str | None, typer.Option("--sender", help="Sender authority, its keys judged here")
    ] = None,
    allow_unauthenticated: Annotated[
        bool,
        typer.Option(
            "--allow-unauthenticated", help="Exit 0 for an intact package no key authenticated"
        ),
    ] = False,
) -> None:
    """Check a package (decrypted here) or an unpacked bag directory; prints the verdict, then
    each check. Exit 0 authentic, 8 intact but not authenticated, 1 failed."""
    if sender_key is not None and sender is not None:
        raise InvalidInput("give --sender-key or --sender, not both")
    if not path.exists():
        raise InvalidInput(f"{path} does not exist")
    keys: SenderKeys | None = None
    if sender_key is not None:
        keys = GivenKey(_parse_sender_key(sender_key))
    elif sender is not None:
        keys = NodeSenderKeys(node=load_node(), expected=sender)
    try:
        if path.is_dir():
            if identity is not None:
                raise InvalidInput("a bag directory is not encrypted: --identity is for packages")
            sealed = (path / SIGNATURE_FILE).exists()
            report = verify_sealed_dir(path, sender_keys=keys) if sealed else verify_bag_dir(path)
        else:
            identities = [_read_identity(identity)] if identity else _identities_from_node()
            report = _verify_file(path, identities, keys)
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc}", 2) from None
    print_lines([_headline(report, path), *report.lines()])
    if report.verdict is Verdict.authentic:
        return
    if report.verdict is Verdict.unauthenticated:
        if allow_unauthenticated:
            return
        raise fail(f"{path}: intact, not authenticated", EXIT_UNAUTHENTICATED)
    failed = report.failures[0]
    where = f" on {failed.file}" if failed.file else ""
    detail = f": {failed.detail}" if failed.detail else ""
    raise fail(f"{path}: check '{failed.name}' failed{where}{detail}", 1)


def _request_ref(session: Session, holder: str, request_id: str) -> str:
    request = session.get(Request, (holder, request_id))
    return (request.reference or request.id) if request is not None else request_id


@handle_errors
def custody_command(
    item_id: Annotated[str, typer.Argument(help="Evidence item id")],
    username: Annotated[str, typer.Option("--as", help="As this user (who may see the item)")],
    case: Annotated[
        bool, typer.Option("--case", help="The chain as CASE/UCO JSON-LD (case_validate)")
    ] = False,
) -> None:
    """An item's chain of custody, oldest first (the sender's part first for an item that
    arrived in a package). Permission: evidence:item:read, and the item's request visible."""
    with acting(username, Permission.evidence_item_read) as actor:
        session, node = actor.session, actor.node
        item = service.get_item(session=session, user=actor.user, item_id=item_id)
        if case:
            ref = _request_ref(session, item.holder, item.request_id)
            document = chain.custody_case(
                session=session, item=item, request_ref=ref, clock=node.clock
            )
            typer.echo(document.decode("utf-8"))
            return
        for row, name in chain.named_events(session=session, item=item):
            by = row.detail.get("recorded_by") or item.holder
            typer.echo(
                f"{row.at.isoformat()}\t{row.event}\t{name}\t{by}\t"
                f"{chain.describe(row.event, row.detail)}"
            )
