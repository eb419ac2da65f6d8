"""`liaison audit verify`: the log against the keys the directory publishes and, with
witnesses, against what the other nodes cosigned of it.

Locally (liaison.checkpoints.verify) an edit, a deletion, a reordering or a rewrite without the
KEK is found at the entry it touched; a rewrite made with the KEK and the node's own log key
passes every local check, and only the witnesses can tell: they cosigned the tree as it was,
and the rewritten tree has another root at that size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.chain import Problem
from liaison.checkpoints import tree
from liaison.checkpoints import verify as local
from liaison.config import Settings
from liaison.crypto import notes
from liaison.directory.document import DirectoryDocument, DirectoryLog
from liaison.transparency import trust
from liaison.transparency.client import WitnessSource, WitnessUnavailable
from liaison.transparency.models import LogCosignature


@dataclass(frozen=True)
class Witnessed:
    """One witness's view of this log: a tree it cosigned, or why there is none."""

    witness: str
    size: int | None = None
    root: bytes | None = None
    cosigned_at: datetime | None = None
    unavailable: str | None = None
    source: str = "asked"  # "asked" (live) or "kept" (a cosignature stored here)


@dataclass
class Report:
    local: local.VerifyReport
    problems: list[Problem] = field(default_factory=list)
    witnesses: list[Witnessed] = field(default_factory=list)
    confirmed: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.local.ok and not self.problems

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.local.problems, *self.problems]


def _cosigned_view(
    doc: DirectoryDocument, own: DirectoryLog, witness: DirectoryLog, wire: str, source: str
) -> Witnessed:
    """What `wire` (a checkpoint of our log with the witness's cosignature) says, if both the
    log's signature and the witness's cosignature verify against the directory's keys."""
    try:
        note = notes.parse(wire)
        body = notes.parse_checkpoint(note.text)
    except notes.NoteError as exc:
        return Witnessed(witness.origin, unavailable=f"answered no checkpoint: {exc}")
    if body.origin != own.origin or not any(
        _verifies(note, own.origin, k.public_raw) for k in doc.usable_keys(own, "log")
    ):
        return Witnessed(witness.origin, unavailable="answered a checkpoint this log did not sign")
    for sig in note.signatures:
        for key in doc.usable_keys(witness, "witness"):
            try:
                at = notes.verify_cosignature(
                    note.text, sig, name=witness.origin, public_raw=key.public_raw
                )
            except notes.NoteError:
                continue
            return Witnessed(
                witness.origin,
                size=body.size,
                root=body.root,
                cosigned_at=datetime.fromtimestamp(at, UTC),
                source=source,
            )
    return Witnessed(witness.origin, unavailable="answered without a valid cosignature")


def _verifies(note: notes.Note, name: str, public_raw: bytes) -> bool:
    try:
        notes.verify(note, name=name, public_raw=public_raw)
    except notes.NoteError:
        return False
    return True


def _views(
    session: Session,
    doc: DirectoryDocument,
    own: DirectoryLog,
    source: WitnessSource | None,
) -> list[Witnessed]:
    views = []
    by_name = {log.origin: log for log in doc.logs}
    for row in session.scalars(select(LogCosignature).order_by(LogCosignature.id)):
        witness = by_name.get(row.witness)
        if witness is not None:
            text = notes.parse(row.note).text
            views.append(_cosigned_view(doc, own, witness, f"{text}\n{row.line}", "kept"))
    if source is None:
        return views
    for witness in doc.logs:
        if witness.origin == own.origin:
            continue
        try:
            wire = source.latest(endpoint=witness.endpoint, origin=own.origin)
        except WitnessUnavailable as exc:
            views.append(Witnessed(witness.origin, unavailable=str(exc)))
            continue
        if wire is None:
            views.append(Witnessed(witness.origin, unavailable="has cosigned nothing of this log"))
        else:
            views.append(_cosigned_view(doc, own, witness, wire, "asked"))
    return views


def verify(
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    max_age: timedelta,
    max_unchecked: int,
    witnesses: WitnessSource | None = None,
) -> Report:
    """The whole verdict. With `witnesses`, each witness in the directory is asked what it
    cosigned, and the verdict fails unless at least one of them confirms the log."""
    try:
        doc = trust.pinned_directory(session=session, settings=settings)
        own = trust.own_log(doc, settings)
    except trust.Untrusted as exc:
        # The chain is still walked: its own problems are named first.
        report = Report(local.check_chain(session=session))
        report.problems.append(Problem(None, exc.message))
        return report
    views = _views(session, doc, own, witnesses)
    sizes = {v.size for v in views if v.size is not None}
    report = Report(
        local.verify(
            session=session,
            origin=own.origin,
            log_keys=trust.log_keys(doc, own),
            now=now,
            max_age=max_age,
            max_unchecked=max_unchecked,
            sizes=sizes,
        ),
        witnesses=views,
    )
    entries = report.local.entries
    for view in views:
        if view.size is None or view.root is None or report.local.first is not None:
            continue
        if view.size > entries:
            report.problems.append(
                Problem(
                    entries + 1,
                    f"witness {view.witness} cosigned a log of {view.size} entries; this log "
                    f"holds {entries}: entries were removed",
                )
            )
        elif report.local.roots.get(view.size) != view.root:
            report.problems.append(
                Problem(
                    None,
                    f"the log differs from what witness {view.witness} cosigned at "
                    f"{view.size} entries: its history was rewritten (among entries 1-"
                    f"{view.size})",
                )
            )
        elif view.source == "asked":
            report.confirmed.add(view.witness)
    if witnesses is not None and not report.confirmed:
        report.problems.append(
            Problem(None, "no witness confirmed the log (see each witness's answer above)")
        )
    return report


def root_label(root: bytes | None) -> str:
    return tree.label(root) if root is not None else "-"
