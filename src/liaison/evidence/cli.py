"""`liaison evidence seal|verify|custody`: sealed packages from the command line.

``seal`` is here; ``verify`` (meant for any machine that has the package, needing no node
with ``--identity`` and ``--sender-key``) and ``custody`` are in checkcli.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, overload

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liaison.accounts.operator import Actor, acting
from liaison.audit import service as audit
from liaison.authorities.models import Authority
from liaison.cli_support import console, err_console, handle_errors
from liaison.core.errors import InvalidInput
from liaison.core.permissions import AuditAction, Permission
from liaison.crypto import keys as keycrypto
from liaison.crypto.hashing import sha256_label
from liaison.directory import service as directory
from liaison.evidence import checkcli
from liaison.evidence.custody import record_sealed
from liaison.evidence.files import collect_files
from liaison.evidence.package import (
    CustodyEvent,
    PayloadItem,
    PayloadStream,
    seal_package,
)
from liaison.keyring import service as keyring
from liaison.requests import service as requests
from liaison.requests.models import Request

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from liaison.evidence.package import SealResult
    from liaison.node import Node

app = typer.Typer(help="Sealed evidence packages: make and check them.", no_args_is_help=True)


class _HashingStream:
    """A payload file read by the seal: hashes what passes (for the custody events) and moves
    the progress bar. The seal hashes too, but only exposes its digests once the package is
    written, after the provenance that needs them; hashing twice is cheaper than reading twice
    and, unlike a separate first pass, hashes exactly the bytes that were sealed."""

    def __init__(self, path: Path, done: Callable[[str], None], advance: Callable[[int], None]):
        self._file = path.open("rb")
        self._hash = hashlib.sha256()
        self._done, self._advance = done, advance

    def read(self, size: int = -1, /) -> bytes:
        data = self._file.read(size)
        if data:
            self._hash.update(data)
            self._advance(len(data))
        else:
            self._done(sha256_label(self._hash.hexdigest()))
        return data

    def close(self) -> None:
        self._file.close()


class _AcquiredEvents(Sequence[CustodyEvent]):
    """One "acquired" event per file, whose digest is known once the seal has read the file.

    The seal builds the provenance after the whole payload has streamed (the manifests follow
    the payload in the tar), so every digest is set by the time this is read.
    """

    def __init__(self, names: Sequence[str], actor: str, time: str) -> None:
        self.digests: dict[str, str] = {}
        self._names, self._actor, self._time = names, actor, time

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, index: int) -> CustodyEvent: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[CustodyEvent]: ...
    def __getitem__(self, index: int | slice) -> CustodyEvent | Sequence[CustodyEvent]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        name = self._names[index]
        digest = self.digests.get(name)
        if digest is None:
            raise RuntimeError(f"custody of {name!r} read before the file was sealed")
        return CustodyEvent("acquired", self._actor, self._time, digest)


@contextmanager
def _progress(total: int, files: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal; one plain line otherwise (logs, pipes, tests)."""
    if not sys.stderr.isatty():
        typer.echo(f"sealing {files} file(s), {total} bytes", err=True)
        yield lambda _n: None
        return

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("sealing", total=total)
        yield lambda n: bar.advance(task, n)


def _write_new(out: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write to a temporary file beside ``out``, then link it into place: ``out`` appears
    complete or not at all, and an existing file is never replaced."""
    if out.exists() or out.is_symlink():
        raise InvalidInput(f"{out} already exists; choose another --out")
    part = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        with part.open("xb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(part, out)  # fails if out appeared meanwhile, unlike a rename
        except FileExistsError:
            raise InvalidInput(f"{out} already exists; choose another --out") from None
    except OSError as exc:  # unreadable evidence, missing folder, full disk: one sentence
        raise InvalidInput(f"cannot seal into {out}: {exc.strerror or exc}") from None
    finally:
        part.unlink(missing_ok=True)


def _recipient_age(session: Session, node: Node, recipient: str) -> str:
    """The age recipient of ``recipient``: its own key when hosted here, else the directory's."""

    if session.get(Authority, recipient) is not None:
        key = keyring.active_key(session=session, authority_id=recipient, purpose="encryption")
        if key is None:
            raise InvalidInput(f"{recipient} has no encryption key; run 'liaison init'")
        public = key.public_key
    else:
        public = directory.peer_encryption_key(
            session=session, authority_id=recipient, at=node.clock.now()
        ).public
    return keycrypto.age_recipient(keycrypto.b64u_decode(public))


def _check_request(session: Session, actor: Actor, reference: str) -> None:
    """A request of the sender's authority named by --request (id or reference) must be one the
    user may see, as in the API; a reference that names no request here is only a label."""
    for found in session.scalars(
        select(Request).where(
            Request.holder == actor.user.authority_id,
            or_(Request.id == reference, Request.reference == reference),
        )
    ):
        requests.get_for(session=session, user=actor.user, request_id=found.id)


@app.command("seal")
@handle_errors
def seal(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to seal")],
    request: Annotated[str, typer.Option("--request", help="Request reference")],
    recipient: Annotated[str, typer.Option("--recipient", help="Receiving authority id")],
    out: Annotated[Path, typer.Option("--out", help="Package file to create")],
    username: Annotated[
        str, typer.Option("--as", help="Seal as this user; the package is their authority's")
    ],
    sha512: Annotated[bool, typer.Option("--sha512", help="Add SHA-512 manifests")] = False,
) -> None:
    """Seal files into a BagIt package signed by your authority and encrypted to the recipient
    (permission evidence:item:write; a request named by --request must be one you may see)."""
    files = collect_files(paths)
    with acting(username, Permission.evidence_item_write) as actor:
        session, node, ctx = actor.session, actor.node, actor.ctx
        sender = actor.user.authority_id
        now = node.clock.now().astimezone(dt.UTC)
        _check_request(session, actor, request)
        signing = keyring.active_key(session=session, authority_id=sender, purpose="signing")
        if signing is None:
            raise InvalidInput(f"{sender} has no signing key; run 'liaison init'")
        signing_raw = keyring.private_raw(kek=node.kek, key=signing)
        recipient_age = _recipient_age(session, node, recipient)
        custody = _AcquiredEvents(
            [name for name, _, _ in files], ctx.actor, now.isoformat(timespec="seconds")
        )
        total = sum(size for _, _, size in files)
        with ExitStack() as stack:
            advance = stack.enter_context(_progress(total, len(files)))

            def opener(name: str, path: Path) -> Callable[[], PayloadStream]:
                def done(digest: str) -> None:
                    custody.digests[name] = digest

                return lambda: _HashingStream(path, done, advance)

            items = [PayloadItem(name, size, opener(name, path)) for name, path, size in files]
            results: list[SealResult] = []

            def write(handle: BinaryIO) -> None:
                results.append(
                    seal_package(
                        out=handle,
                        items=items,
                        request_ref=request,
                        sender=sender,
                        recipient=recipient,
                        recipient_age=recipient_age,
                        signing_private_raw=signing_raw,
                        signing_key_id=signing.id,
                        custody=custody,
                        with_sha512=sha512,
                        now=now,
                    )
                )

            _write_new(out, write)
        result = results[0]
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.evidence_custody_recorded,
            target=f"package:{result.digest}",
            authority_id=sender,
            detail={
                "event": "sealed",
                "request": request,
                "recipient": recipient,
                "files": len(files),
                "payload_oxum": result.payload_oxum,
            },
            clock=node.clock,
        )
        recorded = record_sealed(
            session=session,
            holder=sender,
            request=request,
            digests=set(custody.digests.values()),
            package=result.digest,
            recipient=recipient,
            ctx=ctx,
            clock=node.clock,
        )
    console.print(f"sealed {len(files)} file(s) for {recipient} into {out}", highlight=False)
    if recorded:
        console.print(
            f"custody: sealed recorded on {recorded} evidence item(s) of request {request}",
            highlight=False,
        )
    else:
        console.print(
            f"custody: no file is an evidence item of request {request} here; "
            "the seal is in the audit log only",
            highlight=False,
        )
    typer.echo(f"{result.digest}  {result.size} bytes")


app.command("verify")(checkcli.verify)
app.command("custody")(checkcli.custody_command)
