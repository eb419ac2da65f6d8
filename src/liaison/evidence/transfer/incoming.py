"""The receiver's side of the wire: take the announcement, then the chunks.

The announcement (an ``evidence.package`` envelope, signed and encrypted like any other) is what
makes a package expected: chunks for a package nobody announced are refused, and the token on
each chunk must be signed by the authority that announced it. Each chunk is hashed before it is
written; the committed offset lives in the row, so a receiver killed mid-chunk resumes from the
last whole chunk (evidence/partial.py). When the last byte is in, the whole file must match the
digest that names it, or it is discarded and the sender starts over.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import LiaisonError, NotFound, PermissionDenied
from liaison.core.ids import new_id_str
from liaison.core.permissions import AuditAction
from liaison.crypto import jose
from liaison.crypto import keys as keycrypto
from liaison.crypto.hashing import file_sha256, same_digest, sha256_hex, sha256_label
from liaison.directory import service as directory
from liaison.evidence import partial
from liaison.evidence.schemas import check_name
from liaison.evidence.transfer import wire
from liaison.evidence.transfer.models import PackageTransfer
from liaison.evidence.transfer.outgoing import package_path
from liaison.federation import kinds
from liaison.node import Node
from liaison.protocol import errors
from liaison.requests.models import Request

IN_FOLDER = Path("packages") / "in"
_DIGEST = re.compile(r"\Asha256:[0-9a-f]{64}\Z")
_ITEM_KEYS = {
    "item": str,
    "name": str,
    "digest": str,
    "size": int,
    "description": str,
    "source": str,
    "acquired_by": str,
    "acquired_at": str,
    "acquisition_method": str,
    "acquisition_tool": str,
}


class ChunkDigestMismatch(partial.PieceRejected):
    pass


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("items")
    if not isinstance(items, list) or not items or len(items) > 100_000:
        raise errors.MalformedError("items must be a non-empty list")
    for entry in items:
        if not isinstance(entry, dict):
            raise errors.MalformedError("each item must be an object")
        for key, kind in _ITEM_KEYS.items():
            if not isinstance(entry.get(key), kind):
                raise errors.MalformedError(f"item field {key} is missing or not a {kind.__name__}")
        if not _DIGEST.match(entry["digest"]) or entry["size"] < 0:
            raise errors.MalformedError("item digest or size is invalid")
        try:
            check_name(entry["name"])
            dt.datetime.fromisoformat(entry["acquired_at"])
        except (LiaisonError, ValueError) as exc:
            raise errors.MalformedError(f"item {entry['item']}: {exc}") from exc
    return items


def on_package(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    """An announced package: expect its chunks."""
    body, envelope = incoming.body, incoming.envelope
    package, size = body.get("package"), body.get("size")
    if not isinstance(package, str) or not _DIGEST.match(package):
        raise errors.MalformedError("package must be sha256:<64 hex>")
    if not isinstance(size, int) or size <= 0:
        raise errors.MalformedError("size must be a positive integer")
    limit = hc.settings.transfer_max_package_bytes
    if size > limit:
        raise errors.TooLargeError(f"the package is larger than {limit} bytes")
    request_id, transfer_id = body.get("request_id"), body.get("transfer_id")
    key_id = body.get("signing_key")
    if not all(isinstance(v, str) for v in (request_id, transfer_id, key_id)):
        raise errors.MalformedError("request_id, transfer_id and signing_key are required")
    request = hc.session.get(Request, (envelope.to, request_id))
    if request is None or envelope.sender not in (request.requesting, request.requested):
        raise UnknownRequestError(f"{envelope.to} holds no request {request_id} with them")
    items = _items(body)
    hc.session.add(
        PackageTransfer(
            id=new_id_str(),
            direction="in",
            holder=envelope.to,
            peer=envelope.sender,
            request_id=request_id,
            status="expected",
            package_digest=package,
            size=size,
            offset=0,
            bytes_transferred=0,
            items=items,
            envelope_id=transfer_id,  # the sender's transfer id: the receipt names it
            signing_key=key_id,
            attempts=0,
            next_attempt_at=incoming.received_at,
            report=[],
            created_by=f"authority:{envelope.sender}",
            created_at=incoming.received_at,
        )
    )


class UnknownRequestError(errors.ProtocolError):
    reason = "unknown_request"
    status_code = 404


def part_path(node: Node, digest: str) -> Path:
    return Path(node.settings.data_dir) / IN_FOLDER / f"{sha256_hex(digest)}.part"


def received_path(node: Node, digest: str) -> Path:
    return package_path(node.settings.data_dir, digest, IN_FOLDER)


def _authenticate(session: Session, node: Node, hexdigest: str, token: str) -> PackageTransfer:
    """The row this token may write to; 403 for a bad token, 404 for a package not announced."""
    package = sha256_label(hexdigest)

    def public_for(sender: str, kid: str) -> bytes:
        key = directory.peer_signing_key(
            session=session, authority_id=sender, kid=kid, at=node.clock.now()
        )
        return keycrypto.b64u_decode(key.public)

    try:
        claims = wire.token_claims(token, public_for=public_for, now=node.clock.now().timestamp())
    except (jose.TokenError, errors.ProtocolError, ValueError) as exc:
        raise PermissionDenied(f"the transfer token is not valid: {exc}") from exc
    row = session.scalars(
        select(PackageTransfer).where(
            PackageTransfer.direction == "in", PackageTransfer.package_digest == package
        )
    ).first()
    if row is None or claims.get("package") != package:
        raise NotFound(f"no package {package} was announced to this node")
    if claims.get("from") != row.peer or claims.get("to") != row.holder:
        raise PermissionDenied("the transfer token was not issued for this package")
    return row


@dataclass(frozen=True)
class State:
    offset: int
    size: int
    status: str
    # Bytes this receiver took in, resends included: the sender records this figure, so the
    # two nodes' counts agree whatever broke in between.
    received: int


def _state(row: PackageTransfer) -> State:
    return State(
        offset=row.offset, size=row.size, status=row.status, received=row.bytes_transferred
    )


def state(*, node: Node, hexdigest: str, token: str) -> State:
    with node.db.session() as session:
        return _state(_authenticate(session, node, hexdigest, token))


def accept_chunk(
    *, node: Node, hexdigest: str, token: str, offset: int, digest_header: str | None, chunk: bytes
) -> State:
    """Store one chunk after checking its digest; complete the package on the last one."""
    if not wire.digest_matches(digest_header, chunk):
        raise ChunkDigestMismatch(
            "the chunk does not match its Content-Digest (sha-256); nothing was written"
        )
    with node.db.session() as session:
        row = _authenticate(session, node, hexdigest, token)
        if row.status != "expected":
            if row.offset == offset == row.size:
                return _state(row)
            raise partial.OffsetMismatch(f"the package is already {row.status}")
        committed, size, digest = row.offset, row.size, row.package_digest or ""
    path = part_path(node, digest)
    # The write happens outside any transaction: no database lock is held while it runs.
    # Not fsynced per chunk: the whole file is checked against its name at the end, so a power
    # cut can cost a resend but never pass a corrupt package (a killed process loses nothing).
    appender = partial.Appender(
        path, committed=committed, offset=offset, length=size, durable=False
    )
    with appender:
        appender.write(chunk)
    end = appender.end
    complete_ok: bool | None = None
    if end == size:
        complete_ok = same_digest(file_sha256(path), digest)
        if complete_ok:
            partial.make_durable(path)
            path.replace(received_path(node, digest))
        else:
            partial.discard(path)
    with node.db.session() as session:
        row = session.get_one(PackageTransfer, _row_id(session, digest))
        row.bytes_transferred += len(chunk)
        row.started_at = row.started_at or node.clock.now()
        if complete_ok is False:
            row.offset = 0
        else:
            row.offset = end
        if complete_ok:
            row.status, row.completed_at = "received", node.clock.now()
            row.received_at = row.next_attempt_at = row.completed_at
            audit.record(
                session=session,
                ctx=AuditContext(
                    actor=f"authority:{row.peer}", channel=Channel.system, authority_id=row.holder
                ),
                action=AuditAction.evidence_package_received,
                target=f"transfer:{row.id}",
                authority_id=row.holder,
                detail={
                    "package": digest,
                    "size": size,
                    "from": row.peer,
                    "request": row.request_id,
                    "bytes_transferred": row.bytes_transferred,
                },
                clock=node.clock,
            )
        result = _state(row)
    if complete_ok is False:
        raise partial.PieceRejected(
            f"the complete package does not match {digest}; it was discarded, send it again"
        )
    return result


def _row_id(session: Session, digest: str) -> str:
    row_id = session.scalar(
        select(PackageTransfer.id).where(
            PackageTransfer.direction == "in", PackageTransfer.package_digest == digest
        )
    )
    if row_id is None:
        raise NotFound(f"no package {digest} was announced to this node")
    return row_id
