"""An item's chain of custody as others read it: in words, in a package, and as CASE/UCO.

- ``package_chain``: what a package carries of each item's chain (every event after the
  acquisition, whose details travel with the file itself), actors named;
- ``custody_case``: the whole chain of one item as a CASE/UCO JSON-LD document (the same
  vocabulary as a package's provenance), which ``case_validate`` accepts. Events the sender
  recorded, continued here after a package arrived, come first, marked as recorded by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liaison.audit.context import AuditContext
from liaison.core.clock import Clock
from liaison.evidence import custody
from liaison.evidence.actors import actor_names
from liaison.evidence.models import CustodyEvent as CustodyRow
from liaison.evidence.models import EvidenceItem
from liaison.evidence.package import Acquired, CustodyEvent, FileProvenance, FileRecord
from liaison.evidence.package.case import Graph, Ids, file_node, ref

_SENTENCES = {
    "ingested": "ingested into the evidence store as {name!r}, {size} bytes",
    "sealed": "sealed into package {package} for {for}",
    "sent": "sent in package {package} to {to}",
    "received": "received in package {package} from {from}",
    "opened": "package {package} decrypted and unpacked",
    "deleted": "content deleted: {reason}",
}


class _Detail(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "(not recorded)"


def describe(event: str, detail: dict[str, Any]) -> str:
    """One sentence of what the event was, from what its row records."""
    if "description" in detail and detail.get("recorded_by"):
        return str(detail["description"])  # the sender's own words, as its package said
    package = detail.get("package")
    if event in _SENTENCES:
        return _SENTENCES[event].format_map(_Detail(detail))
    if event == "verified":
        outcome = "verified" if detail.get("ok", True) else "failed verification"
        by = f" by {detail['by']}" if detail.get("by") else ""
        return f"package {package} {outcome}{by}"
    if event == "downloaded":
        return f"sealed package {package} downloaded" if package else "content downloaded"
    if event == "exported":
        to = f" to {detail['to']}" if detail.get("to") else ""
        return f"released for use {detail.get('use')}{to}"
    return event


def _acquired(item: EvidenceItem, row: CustodyRow | None) -> Acquired:
    return Acquired(
        by=item.acquired_by,
        at=item.acquired_at_local.isoformat(),
        method=item.acquisition_method,
        tool=item.acquisition_tool,
        source=item.source,
        recorded_by=str(row.detail.get("recorded_by", "")) if row is not None else "",
    )


def _names(session: Session, rows: Sequence[CustodyRow], holder: str) -> dict[str, str]:
    # Only this node's rows are resolved: an actor the sender named is shown as it named it
    # (a crafted "user:<id>" must never become one of our users' names).
    own = [row.actor for row in rows if not row.detail.get("recorded_by")]
    names = actor_names(session=session, actors=own, holder=holder)
    return {row.actor: names.get(row.actor, row.actor) for row in rows}


def named_events(*, session: Session, item: EvidenceItem) -> list[tuple[CustodyRow, str]]:
    """The item's chain, oldest first, each event with its actor's name."""
    rows = custody.events(session=session, item=item)
    names = _names(session, rows, item.holder)
    return [(row, names[row.actor]) for row in rows]


def package_chain(*, session: Session, items: Sequence[EvidenceItem]) -> list[CustodyEvent]:
    """Each item's chain so far, for a package: everything after the acquisition, named."""
    found: list[CustodyEvent] = []
    for item in items:
        rows = custody.events(session=session, item=item)
        names = _names(session, rows, item.holder)
        found.extend(
            CustodyEvent(
                action=row.event,
                actor=names[row.actor],
                time=row.at.isoformat(),
                digest=row.digest,
                description=describe(row.event, row.detail),
                file=item.name,
                recorded_by=str(row.detail.get("recorded_by", "")),
            )
            for row in rows
            if row.event != custody.Event.acquired
        )
    return found


def acquisition_of(item: EvidenceItem, rows: Sequence[CustodyRow]) -> Acquired:
    first = next((row for row in rows if row.event == custody.Event.acquired), None)
    return _acquired(item, first)


def custody_case(*, session: Session, item: EvidenceItem, request_ref: str, clock: Clock) -> bytes:
    """The item's chain of custody on this node as CASE/UCO JSON-LD."""
    rows = custody.events(session=session, item=item)
    names = _names(session, rows, item.holder)
    graph = Graph(Ids(item.id))
    record = FileRecord(
        path=item.name,
        size=item.size,
        digests={"sha256": item.digest.removeprefix("sha256:")},
        description=item.description,
    )
    graph.nodes.append(file_node(graph.ids, 0, record))
    file_id = graph.ids("file", 0)
    graph.nodes.append(
        {
            "@id": graph.ids("provenancerecord"),
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": f"{request_ref} / {item.name}",
            "uco-core:description": (
                f"Chain of custody of evidence item {item.id} held by {item.holder}, "
                f"exported {clock.now().isoformat(timespec='seconds')}"
            ),
            "uco-core:object": [ref(file_id)],
        }
    )
    for row in rows:
        recorder = str(row.detail.get("recorded_by") or item.holder)
        if row.event == custody.Event.acquired:
            graph.acquisition(acquired=_acquired(item, row), file_id=file_id, recorder=recorder)
            continue
        graph.action(
            name=row.event,
            performer=names[row.actor],
            recorder=recorder,
            time=row.at.isoformat(),
            description=describe(row.event, row.detail),
            objects=[file_id],
        )
    return graph.document()


def continue_sender_chain(
    *,
    session: Session,
    item: EvidenceItem,
    found: FileProvenance,
    sender: str,
    package: str,
    ctx: AuditContext,
    clock: Clock,
) -> None:
    """Put the chain the sender signed into its package at the head of ``item``'s: the
    acquisition and every event after it, each marked as recorded by the node that did.

    Only a package whose signature was checked gets here, so these are the sender's words;
    they are kept as it wrote them (names, times with their offsets, descriptions). An action
    this version does not know is left out of the rows (the kept package still carries it).
    """
    known = {event.value for event in custody.Event}
    for event in found.events:
        if event.action not in known:
            continue
        custody.record(
            session=session,
            item=item,
            event=custody.Event(event.action),
            ctx=ctx,
            actor=event.actor,
            at=datetime.fromisoformat(event.time),
            detail={"description": event.description, "package": package},
            clock=clock,
            recorded_by=event.recorded_by or sender,
        )
