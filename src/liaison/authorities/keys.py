"""`liaison keys ...`: an authority's signing and encryption keys, by the node's operator."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from liaison.audit import service as audit
from liaison.audit.context import cli_context
from liaison.authorities import service as authorities
from liaison.cli_support import console, handle_errors, load_node, print_table, unit_of_work
from liaison.core.errors import InvalidInput
from liaison.core.permissions import AuditAction
from liaison.crypto import keys as keycrypto
from liaison.keyring import service

app = typer.Typer(help="Signing and encryption keys.", no_args_is_help=True)


@app.command("rotate")
@handle_errors
def rotate(authority: Annotated[str, typer.Argument(help="Authority id")]) -> None:
    """New signing and encryption keys; old public keys stay for verifying old data."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        fresh = service.rotate(
            session=session,
            kek=node.kek,
            authority_id=authority,
            ctx=cli_context(),
            clock=node.clock,
        )
        for key in fresh:
            console.print(f"{key.purpose}: new key {key.id} ({key.algorithm})", highlight=False)


@app.command("list")
@handle_errors
def list_keys(
    authority: Annotated[str, typer.Argument(help="Authority id")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document")] = False,
) -> None:
    """Keys of an authority, active and retired."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        found = service.keys_of(session=session, authority_id=authority)
    if as_json:
        listed = [
            {
                "id": key.id,
                "purpose": key.purpose,
                "algorithm": key.algorithm,
                "public_key": key.public_key,
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
            }
            for key in found
        ]
        typer.echo(json.dumps(listed))
        return
    print_table(
        ["id", "purpose", "algorithm", "public key", "state (UTC)"],
        [
            [
                key.id,
                key.purpose,
                key.algorithm,
                key.public_key,
                f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "active",
            ]
            for key in found
        ],
        empty=f"{authority} has no keys",
    )


@app.command("export-identity")
@handle_errors
def export_identity(
    authority: Annotated[str, typer.Argument(help="Authority id")],
    out: Annotated[Path, typer.Option("--out", help="File to create (never overwritten)")],
) -> None:
    """Write the authority's active encryption key as an age identity (AGE-SECRET-KEY-1...),
    for checking its packages offline with `liaison evidence verify` or `age -d -i`."""
    node = load_node()
    with unit_of_work(node) as session:
        authorities.get(session=session, authority_id=authority)
        key = service.active_key(session=session, authority_id=authority, purpose="encryption")
        if key is None:
            raise InvalidInput(f"{authority} has no encryption key; run 'liaison init'")
        private = service.private_raw(kek=node.kek, key=key)
        public = keycrypto.age_recipient(keycrypto.b64u_decode(key.public_key))
        # The export is recorded first: if the file cannot be written the unit of work rolls
        # back, and if recording fails no secret has left the database.
        audit.record(
            session=session,
            ctx=cli_context(),
            action=AuditAction.keyring_identity_exported,
            target=f"key:{key.id}",
            authority_id=authority,
            detail={"public_key": public, "file": str(out)},
            clock=node.clock,
        )
        text = (
            f"# Liaison age identity of {authority}, key {key.id}, "
            f"exported {node.clock.now():%Y-%m-%d}\n"
            f"# public key: {public}\n"
            f"{keycrypto.age_identity(private)}\n"
        )
        try:
            # O_EXCL: never replace a file (it may be another authority's identity); 0600 from
            # the start, so the secret is never readable by others even for a moment.
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InvalidInput(f"{out} already exists; it is not overwritten") from None
        except OSError as exc:
            raise InvalidInput(f"cannot create {out}: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text)
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    console.print(f"wrote the age identity of {authority} ({public}) to {out}", highlight=False)
