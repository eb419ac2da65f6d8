"""`liaison audit ...`: verify the log, sign a checkpoint, prove one entry, check a proof, and
what this node witnessed of the others."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select

from liaison.audit import refusals
from liaison.checkpoints import service as checkpoints
from liaison.cli_support import (
    console,
    err_console,
    fail,
    handle_errors,
    load_node,
    print_table,
    unit_of_work,
)
from liaison.config import load_settings
from liaison.crypto import keys
from liaison.directory import document
from liaison.protocol import errors
from liaison.transparency import proofs, trust
from liaison.transparency import verify as verifying
from liaison.transparency.client import HttpsWitnesses
from liaison.transparency.models import WitnessAlert, WitnessedCheckpoint

app = typer.Typer(help="The tamper-evident, witnessed audit log.", no_args_is_help=True)


@app.command("verify")
@handle_errors
def verify(
    witnesses: Annotated[
        bool, typer.Option("--witnesses", help="Also ask every witness what it cosigned")
    ] = False,
    max_age: Annotated[
        float | None,
        typer.Option("--max-age", min=1, help="Seconds the newest checkpoint may be old"),
    ] = None,
    max_unchecked: Annotated[
        int | None,
        typer.Option("--max-unchecked", min=0, help="Entries allowed after the newest checkpoint"),
    ] = None,
) -> None:
    """Check the chain, its seals, the Merkle tree and the signed checkpoints against the log key
    the directory publishes; exit 1 naming the first bad entry. With --witnesses, also that the
    log is the one the other nodes cosigned."""
    node = load_node()
    settings = node.settings
    with unit_of_work(node) as session:
        report = verifying.verify(
            session=session,
            settings=settings,
            now=node.clock.now(),
            max_age=timedelta(seconds=max_age or settings.audit_verify_max_age_seconds),
            max_unchecked=(
                settings.audit_verify_max_unchecked if max_unchecked is None else max_unchecked
            ),
            witnesses=HttpsWitnesses(settings) if witnesses else None,
        )
    for view in report.witnesses:
        if view.source != "asked":
            continue
        if view.size is None:
            line = f"witness {view.witness}: {view.unavailable}"
        else:
            at = view.cosigned_at.isoformat(timespec="seconds") if view.cosigned_at else "?"
            verdict = "confirms" if view.witness in report.confirmed else "CONTRADICTS"
            line = f"witness {view.witness}: {verdict} the log at {view.size} entries ({at})"
        console.print(line, highlight=False)
    local = report.local
    if report.ok:
        at = local.newest_at.isoformat(timespec="seconds") if local.newest_at else "?"
        console.print(
            f"audit log intact: {local.entries} entries, {local.checkpoints} checkpoints signed "
            f"by the log key the directory publishes; the newest covers {local.newest_size} "
            f"entries, signed at {at}",
            highlight=False,
        )
        return
    first = local.first or (report.problems[0] if report.problems else None)
    if first is not None and first.seq is not None:
        err_console.print(f"audit log NOT intact: first bad entry {first.seq}", highlight=False)
    else:
        err_console.print("audit log NOT verified", highlight=False)
    for problem in report.all_problems:
        err_console.print(f"  {problem}", highlight=False)
    raise typer.Exit(1)


@app.command("checkpoint")
@handle_errors
def checkpoint() -> None:
    """Sign the log as it stands with the node's log key now."""
    node = load_node()
    with unit_of_work(node) as session:
        cp = checkpoints.checkpoint(
            session=session,
            kek=node.kek,
            origin=node.settings.node_name,
            clock=node.clock,
            refresh_after=timedelta(0),
        )
        if cp is None:
            console.print("the log is empty: nothing to checkpoint")
        else:
            console.print(f"checkpoint of {cp.seq} entries signed by key {cp.key_id}")


@app.command("prove")
@handle_errors
def prove(
    entry: Annotated[int, typer.Argument(min=1, help="The entry's number (seq)")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the proof (JSON)")],
) -> None:
    """Write an inclusion proof of one entry against a checkpoint a witness cosigned, for a
    counterpart to check with `liaison audit check-proof` and the directory alone."""
    node = load_node()
    with unit_of_work(node) as session:
        proof = proofs.prove(session=session, origin=node.settings.node_name, seq=entry)
    try:
        out.write_text(json.dumps(proof, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}", 2) from None
    console.print(
        f"entry {entry} ({proof['entry']['action']}) proven against the checkpoint of "
        f"{proof['tree_size']} entries; written to {out}",
        highlight=False,
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > 1 << 20:
            raise fail(f"{path} is larger than 1 MiB: not a proof", 2)
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", 2) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise fail(f"{path} is not JSON", 2) from None
    if not isinstance(data, dict):
        raise fail(f"{path} is not a proof", 2)
    return data


def _directory(path: Path | None, operator_key: str | None) -> document.DirectoryDocument:
    if path is None:
        node = load_node()
        with unit_of_work(node) as session:
            return trust.pinned_directory(session=session, settings=node.settings)
    pin = operator_key or load_settings().directory_operator_key
    if not pin:
        raise fail("give --operator-key (the directory operator's public key, base64url)", 2)
    try:
        text = path.read_text(encoding="utf-8").strip()
        return document.verify_directory(
            token=text, pinned_operator_public_raw=keys.b64u_decode(pin)
        )
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", 2) from None
    except (errors.ProtocolError, ValueError) as exc:
        raise fail(f"{path} is not a directory signed by that operator key: {exc}", 2) from None


@app.command("check-proof")
@handle_errors
def check_proof(
    file: Annotated[Path, typer.Argument(help="A proof from `liaison audit prove`")],
    directory_file: Annotated[
        Path | None,
        typer.Option("--directory", help="The signed directory (default: this node's)"),
    ] = None,
    operator_key: Annotated[
        str | None, typer.Option("--operator-key", help="The operator's public key to pin")
    ] = None,
) -> None:
    """Verify a proof offline: the entry, its path to the checkpoint, the log's signature and
    the witnesses' cosignatures against the directory's keys. Exit 1 if it does not hold."""
    proof = _read_json(file)
    verdict = proofs.check(proof=proof, doc=_directory(directory_file, operator_key))
    console.print(
        f"proof holds: entry {verdict.seq} ({verdict.action}, {verdict.at.isoformat()}) is in "
        f"the audit log of {verdict.origin} as signed at {verdict.tree_size} entries, "
        f"cosigned by {', '.join(verdict.cosigners)}",
        highlight=False,
    )


@app.command("witness")
@handle_errors
def witness() -> None:
    """What this node witnessed of the other nodes' logs, and every alert."""
    node = load_node()
    with unit_of_work(node) as session:
        newest = session.execute(
            select(
                WitnessedCheckpoint.origin,
                func.max(WitnessedCheckpoint.size),
                func.max(WitnessedCheckpoint.received_at),
            ).group_by(WitnessedCheckpoint.origin)
        ).all()
        alerts = list(session.scalars(select(WitnessAlert).order_by(WitnessAlert.id)))
    print_table(
        ["log of", "entries", "last cosigned (UTC)"],
        [[origin, str(size), f"{at:%Y-%m-%d %H:%M:%S}"] for origin, size, at in newest],
        empty="this node has witnessed no other log yet",
    )
    for alert in alerts:
        err_console.print(
            f"ALERT {alert.at.isoformat(timespec='seconds')} {alert.origin}: {alert.reason}",
            highlight=False,
        )
    if alerts:
        raise typer.Exit(1)


@app.command("refusals")
@handle_errors
def refusals_command(
    hours: Annotated[int, typer.Option("--hours", min=1, max=24 * 366, help="How far back")] = 24,
) -> None:
    """Refusals of unauthenticated input (junk at the inbox, throttled sign-ins), counted per
    hour: what anonymous callers tried, without an audit entry each."""
    node = load_node()
    with unit_of_work(node) as session:
        rows = refusals.since(session=session, start=node.clock.now() - timedelta(hours=hours))
    print_table(
        ["hour (UTC)", "channel", "reason", "refused"],
        [[f"{row.hour:%Y-%m-%d %H:00}", row.channel, row.reason, str(row.count)] for row in rows],
        empty=f"no refusals in the last {hours} hours",
    )
