"""On arrival: verify the package, put its items on the receiver's copy of the request, record
their custody, and tell the sender the outcome (which it records on its own items).

Verification runs in the receiver's worker, outside any transaction: decrypting and hashing a
large package takes seconds. The items are ingested into the receiver's own encrypted store (the
extracted plaintext lives only in a private folder for the length of this step).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext, Channel
from liaison.core.errors import LiaisonError
from liaison.core.permissions import AuditAction
from liaison.crypto import keys as keycrypto
from liaison.evidence import chain, custody
from liaison.evidence.custody import Event
from liaison.evidence.ingest import IngestResult, ingest
from liaison.evidence.models import EvidenceItem
from liaison.evidence.package import (
    FileProvenance,
    Provenance,
    SenderKeys,
    Verdict,
    VerifyReport,
    baginfo,
    read_provenance,
    verify_package,
)
from liaison.evidence.package.caseread import ProvenanceError
from liaison.evidence.schemas import Acquisition
from liaison.evidence.senders import NodeSenderKeys
from liaison.evidence.service import MAX_ITEM_BYTES, attach_item, discard_stored, store_for
from liaison.evidence.store import BlobNotFoundError, StoreError
from liaison.evidence.transfer import kept
from liaison.evidence.transfer.incoming import IN_FOLDER, received_path
from liaison.evidence.transfer.models import PackageTransfer
from liaison.evidence.transfer.outgoing import claim, remove_package_file
from liaison.federation import kinds, outbox
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.protocol import errors
from liaison.requests.models import Request

KIND_VERIFIED = "evidence.package.verified"
_WORKER = "system:transfer"


def _identities(session: Session, node: Node, row: PackageTransfer) -> list[str]:
    """Our age identities, newest first (the sender used one of them)."""
    return [
        keycrypto.age_identity(keyring.private_raw(kek=node.kek, key=key))
        for key in reversed(keyring.keys_of(session=session, authority_id=row.holder))
        if key.purpose == "encryption"
    ]


def _verify(path: Path, folder: Path, identities: list[str], keys: SenderKeys) -> VerifyReport:
    report = VerifyReport()
    for identity in identities:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(mode=0o700, parents=True)
        report = verify_package(
            package=path, identity=identity, sender_keys=keys, extract_to=folder
        )
        first = report.checks[0] if report.checks else None
        if not (first and first.name == "age decryption" and first.ok is False):
            break
    if report.verdict is Verdict.unauthenticated:
        # Nothing failed, yet nothing showed who made it: not evidence from the sender.
        report.add("signature", False, None, "the sender's signature was not checked")
    return report


def _provenance(folder: Path, report: VerifyReport) -> Provenance | None:
    """The sender's signed account of each file (checked by the verifier already)."""
    try:
        return read_provenance((folder / "provenance.jsonld").read_bytes())
    except (OSError, ProvenanceError) as exc:
        report.add("CASE provenance", False, "provenance.jsonld", str(exc))
        return None


def _ingest_all(
    node: Node, folder: Path, items: list[dict[str, Any]], report: VerifyReport
) -> list[IngestResult]:
    """Each announced file into our store, checked against the digest the sender announced."""
    payload = folder / "data"
    found = {p.relative_to(payload).as_posix() for p in payload.rglob("*") if p.is_file()}
    announced = {entry["name"] for entry in items}
    if found != announced:
        report.add("announced items", False, None, "the bag's files differ from the announcement")
        return []
    results: list[IngestResult] = []
    store = store_for(node)
    try:
        for entry in items:
            with (payload / entry["name"]).open("rb") as handle:
                results.append(
                    ingest(
                        source=handle,
                        store=store,
                        kek=node.kek,
                        max_bytes=MAX_ITEM_BYTES,
                        declared_digest=entry["digest"],
                    )
                )
    except StoreError:
        # Our disk, not the package: drop what was stored and let the lease bring it back.
        _drop(node, results)
        raise
    except LiaisonError as exc:
        report.add("announced items", False, None, str(exc))
        _drop(node, results)
        return []
    report.add("announced items", True, None, f"{len(items)} files as announced")
    return results


def _drop(node: Node, results: list[IngestResult]) -> None:
    store = store_for(node)
    for result in results:
        if result.stored:
            with contextlib.suppress(BlobNotFoundError):
                store.delete(result.digest)


def verify_next(node: Node) -> bool:
    """Verify one received package; True if there was one. A verified package is kept in the
    evidence store (transfer/kept.py), so its signature can be checked again later."""
    transfer_id = claim(node, "in", "received")
    if transfer_id is None:
        return False
    with node.db.session() as session:
        row = session.get_one(PackageTransfer, transfer_id)
        identities = _identities(session, node, row)
        digest, items = row.package_digest or "", list(row.items)
        # The sender's key must have been good both when it signed and when the package
        # reached us: a key revoked in between does not vouch for what arrived after.
        keys = NodeSenderKeys(
            node=node, expected=row.peer, also_at=row.received_at or row.completed_at
        )
    folder = Path(node.settings.data_dir) / IN_FOLDER / f"{transfer_id}.d"
    path = received_path(node, digest)
    stored: IngestResult | None = None
    results: list[IngestResult] = []
    provenance = None
    try:
        report = _verify(path, folder, identities, keys)
        provenance = _provenance(folder, report) if report.intact else None
        results = _ingest_all(node, folder, items, report) if report.intact else []
        if report.intact:
            stored = kept.keep(node=node, path=path, digest=digest)
    except BaseException:
        _drop(node, results)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        with node.db.session() as session:
            row = session.get_one(PackageTransfer, transfer_id)
            _record(session, node, row, report, results, provenance=provenance)
    except BaseException:
        _drop(node, results)
        if stored is not None:
            discard_stored(node=node, result=stored)
        raise
    if report.intact:
        path.unlink(missing_ok=True)
    return True


def _checks(report: VerifyReport) -> list[dict[str, Any]]:
    return [
        {"check": c.name, "ok": c.ok, "file": c.file, "detail": c.detail} for c in report.checks
    ]


def _record(
    session: Session,
    node: Node,
    row: PackageTransfer,
    report: VerifyReport,
    results: list[IngestResult],
    *,
    provenance: Provenance | None,
) -> None:
    now = node.clock.now()
    # When the last byte arrived (set by the chunk that completed it), before it becomes the
    # time verification ended.
    received_at = row.received_at or row.completed_at or now
    checks = _checks(report)
    row.report, row.completed_at = checks, now
    ctx = AuditContext(actor=_WORKER, channel=Channel.system, authority_id=row.holder)
    failures = [c for c in checks if c["ok"] is False]
    row.status = "verified" if not failures else "failed"
    row.last_error = "; ".join(f"{c['check']}: {c['detail']}" for c in failures)[:2000] or None
    if not failures and provenance is not None:
        request = session.get_one(Request, (row.holder, row.request_id))
        row.item_ids = [
            _arrived_item(
                session,
                node,
                row,
                request,
                entry=entry,
                found=provenance.files.get(f"data/{entry['name']}"),
                result=result,
                ctx=ctx,
                at=received_at,
            )
            for entry, result in zip(row.items, results, strict=True)
        ]
        row.kept_at = now
        sealed_at = baginfo.first(report.bag_info, baginfo.SEALED_AT)
        row.sealed_at = dt.datetime.fromisoformat(sealed_at) if sealed_at else None
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.evidence_package_verified
        if not failures
        else AuditAction.evidence_package_failed,
        target=f"transfer:{row.id}",
        authority_id=row.holder,
        detail={"package": row.package_digest, "from": row.peer, "failed": failures},
        clock=node.clock,
    )
    outbox.enqueue(
        session=session,
        sender=row.holder,
        recipient=row.peer,
        kind=KIND_VERIFIED,
        body={
            "transfer_id": row.envelope_id,
            "package": row.package_digest,
            "ok": not failures,
            "checks": checks,
            "at": now.isoformat(),
        },
        thread=row.envelope_id,
        clock=node.clock,
    )


def _arrived_item(
    session: Session,
    node: Node,
    row: PackageTransfer,
    request: Request,
    *,
    entry: dict[str, Any],
    found: FileProvenance | None,
    result: IngestResult,
    ctx: AuditContext,
    at: dt.datetime,
) -> str:
    """The receiver's item: its acquisition and the sender's chain as the package's signed
    provenance gives them, then what this node did with it."""
    origin = {"from": row.peer, "package": row.package_digest, "transfer": row.id}
    acquired = found.acquired if found is not None else None
    item = attach_item(
        session=session,
        node=node,
        request=request,
        result=result,
        name=entry["name"],
        description=found.description if found and found.description else entry["description"],
        source_label=acquired.source if acquired and acquired.source else entry["source"],
        acquisition=Acquisition(
            by=acquired.by if acquired else entry["acquired_by"],
            at=dt.datetime.fromisoformat(acquired.at if acquired else entry["acquired_at"]),
            how=acquired.method if acquired else entry["acquisition_method"],
            tool=acquired.tool if acquired else entry["acquisition_tool"],
        ),
        ctx=ctx,
        created_by=f"authority:{row.peer}",
        acquired_detail=None if found is not None else origin,
    )
    if found is not None:
        chain.continue_sender_chain(
            session=session,
            item=item,
            found=found,
            sender=row.peer,
            package=row.package_digest or "",
            ctx=ctx,
            clock=node.clock,
        )
    custody.record(
        session=session,
        item=item,
        event=Event.received,
        ctx=ctx,
        actor=f"authority:{row.peer}",
        at=at,
        detail={**origin, "sender_item": entry["item"], "bytes": row.size},
        clock=node.clock,
    )
    # Decrypted with this authority's identity and unpacked: the package's content was opened.
    custody.record(
        session=session,
        item=item,
        event=Event.opened,
        ctx=ctx,
        detail={**origin, "path": f"data/{item.name}"},
        clock=node.clock,
    )
    custody.record(
        session=session,
        item=item,
        event=Event.verified,
        ctx=ctx,
        detail={**origin, "checks": len(row.report)},
        clock=node.clock,
    )
    custody.record(
        session=session,
        item=item,
        event=Event.ingested,
        ctx=ctx,
        detail={"name": item.name, "size": item.size, "deduplicated": not result.stored},
        clock=node.clock,
    )
    return item.id


def on_verified(incoming: kinds.Incoming, hc: kinds.HandlerContext) -> None:
    """The receiver's verdict on a package we sent: recorded on our items' custody."""
    body, envelope = incoming.body, incoming.envelope
    row = hc.session.get(PackageTransfer, body.get("transfer_id") or "")
    if (
        row is None
        or row.direction != "out"
        or row.peer != envelope.sender
        or row.holder != envelope.to
        or row.package_digest != body.get("package")
    ):
        raise errors.MalformedError("no package of ours matches this verdict")
    ok, checks = body.get("ok"), body.get("checks")
    if not isinstance(ok, bool) or not isinstance(checks, list):
        raise errors.MalformedError("ok and checks are required")
    row.report, row.status = checks, "confirmed" if ok else "failed"
    row.completed_at = incoming.received_at
    if not ok:
        row.last_error = f"{row.peer} could not verify the package"
    for entry in row.items:
        item = hc.session.get(EvidenceItem, entry["item"])
        if item is None:
            continue
        custody.record(
            session=hc.session,
            item=item,
            event=Event.verified,
            ctx=hc.ctx,
            actor=f"authority:{row.peer}",
            at=incoming.received_at,
            detail={"package": row.package_digest, "by": row.peer, "ok": ok, "transfer": row.id},
            clock=hc.clock,
        )
    # The receiver holds its own copy now, or could not verify this one (sending the same bytes
    # again would not help): ours has done its job. A redelivered verdict finds it gone: fine.
    remove_package_file(hc.settings.data_dir, row.package_digest)
