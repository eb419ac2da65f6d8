"""The formal document of a request: a PDF/A in the recipient's language, signed (PAdES) with
the holder authority's key under a certificate the node re-issues reproducibly for that key."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.authorities.certificates import certificate_for
from liaison.authorities.models import Authority
from liaison.core.errors import InvalidInput, NotFound
from liaison.crypto.hashing import sha256_digest
from liaison.directory import service as directory
from liaison.documents.model import (
    Approval,
    FormalDocument,
    FreeText,
    Kind,
    Party,
    Section,
    SectionLabel,
)
from liaison.documents.render import render_pdf
from liaison.documents.sign import sign_pdf
from liaison.i18n import translator
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.requests import service
from liaison.requests.contents import OffenceCode, offence_label
from liaison.requests.formal.labels import KIND_FIELD_LABELS, field_label, is_free_text
from liaison.requests.formal.translation import Words
from liaison.requests.table import Side

TITLES = {
    "mla": Kind.MLA_REQUEST,
    "preservation": Kind.PRESERVATION_REQUEST,
    "disclosure": Kind.DISCLOSURE_REQUEST,
    "extradition": Kind.EXTRADITION_REQUEST,
    "sentenced_person_transfer": Kind.SENTENCED_PERSONS_TRANSFER,
    "proceedings_transfer": Kind.PROCEEDINGS_TRANSFER,
    "spontaneous": Kind.SPONTANEOUS_INFORMATION,
}
# Content fields with a label of their own in the documents catalog; others print their name.
LABELS = {
    "requesting_authority": SectionLabel.REQUESTING_AUTHORITY,
    "conducting_authority": SectionLabel.CONDUCTING_AUTHORITY,
    "legal_basis": SectionLabel.LEGAL_BASIS,
    "subject_matter": SectionLabel.SUBJECT_MATTER,
    "offences": SectionLabel.OFFENCES,
    "facts": SectionLabel.SUMMARY_OF_FACTS,
    "assistance_sought": SectionLabel.ASSISTANCE_SOUGHT,
    "persons": SectionLabel.PERSONS_CONCERNED,
    "person": SectionLabel.PERSON_SOUGHT,
    "purpose": SectionLabel.PURPOSE,
    "identifiers": SectionLabel.ITEMS_CONCERNED,
    "data_to_preserve": SectionLabel.DATA_TO_PRESERVE,
    "relation_to_offence": SectionLabel.RELATION_TO_OFFENCE,
    "custodian": SectionLabel.CUSTODIAN,
    "necessity": SectionLabel.NECESSITY,
    "mla_intended": SectionLabel.INTENDED_MLA,
    "urgency_reason": SectionLabel.URGENCY_REASONS,
    "deadline": SectionLabel.DEADLINE,
    "deadline_reason": SectionLabel.DEADLINE_REASONS,
}


def _is_text(value: Any) -> bool:
    return is_free_text(value)


def _party(session: Session, authority_id: str) -> Party:
    local = session.get(Authority, authority_id)
    if local is not None:
        return Party(names=local.names, state=local.state)
    entry = directory.peer_authority(session=session, authority_id=authority_id)
    return Party(names=dict(entry.names), state=entry.state)


def _recipient_language(session: Session, authority_id: str, fallback: str) -> str:
    local = session.get(Authority, authority_id)
    languages = (
        local.accepted_languages
        if local
        else list(
            directory.peer_authority(session=session, authority_id=authority_id).accepted_languages
        )
    )
    return (languages or [fallback])[0].split("-", 1)[0]


def _offence(value: Any, words: Words) -> str:
    """An offence in the document's language: the convention's label, then the domestic law."""
    if not isinstance(value, dict) or "code" not in value:
        return words.value("offences", value)
    try:
        label = translator(words.lang, "validation")(offence_label(OffenceCode(value["code"])))
    except ValueError:
        label = str(value["code"])
    penalty = value.get("max_penalty") or {}
    parts = [label, str(value.get("domestic_provision") or "")]
    if penalty:
        parts.append(words.penalty(penalty))
    return " — ".join(p for p in parts if p)


def _value(name: str, value: Any, words: Words) -> str | list[str]:
    """A section's value in the document's language: one line, or one per listed object."""
    if name == "offences" and isinstance(value, list):
        return [_offence(v, words) for v in value]
    if isinstance(value, list):
        return [words.value(name, v) for v in value if v not in (None, "", {})]
    return words.value(name, value)


def build(session: Session, request: Any, node_name: str) -> FormalDocument:
    lang = _recipient_language(session, request.requested, request.language)
    words = Words(lang)
    sections, texts = [], []
    for name, value in request.content.items():
        if value in (None, "", [], {}):
            continue
        label = KIND_FIELD_LABELS.get((request.kind, name)) or LABELS.get(name) or field_label(name)
        if _is_text(value):
            texts.append(
                FreeText(
                    label=label,
                    original=value["original"],
                    original_language=value["original_language"],
                    translations=value.get("translations") or {},
                )
            )
        else:
            sections.append(Section(label=label, value=_value(name, value, words)))
    approval = None
    if request.approval and request.approved_at:
        approval = Approval(
            approver=request.approved_by or "",
            role="Supervisor",
            approved_at=request.approved_at,
            signature_fingerprint=sha256_digest(request.approval.encode()),
        )
    return FormalDocument(
        kind=TITLES.get(request.kind, Kind.MLA_REQUEST),
        reference=request.reference or request.id,
        request_id=request.id,
        version=request.version,
        language=lang,
        sender=_party(session, request.requesting),
        recipient=_party(session, request.requested),
        issued_at=request.approved_at or request.created_at,
        legal_basis=words.value("legal_basis", request.content.get("legal_basis")),
        sections=sections,
        texts=texts,
        approval=approval,
        footer=node_name,
    )


RESPONSE_TITLES = {
    "executed": Kind.RESPONSE,
    "partially_executed": Kind.RESPONSE,
    "refused": Kind.REFUSAL,
    "postponed": Kind.POSTPONEMENT,
}


def build_response(session: Session, request: Any, node_name: str) -> FormalDocument:
    """The requested authority's answer: result, or ground and reasons, in the requesting
    authority's language. Only the requested side's node can issue it (it signs it)."""
    if request.side is not Side.requested or request.status not in RESPONSE_TITLES:
        raise InvalidInput(
            "a response document is issued by the requested authority once it has "
            "executed, refused or postponed the request"
        )
    lang = _recipient_language(session, request.requesting, request.language)
    words = Words(lang)
    sections = [Section(label=SectionLabel.RELATED_REQUEST, value=request.reference or request.id)]
    result = {k: v for k, v in (request.response or {}).items() if k != "conditions"}
    if result:
        sections.append(Section(label=SectionLabel.RESULT, value=words.pairs(result)))
    if request.status in ("refused", "postponed"):
        label = (
            SectionLabel.REFUSAL_GROUND
            if request.status == "refused"
            else SectionLabel.POSTPONEMENT_GROUND
        )
        sections.append(Section(label=label, value=words.ground(request.ground or "")))
        sections.append(Section(label=SectionLabel.REASONS, value=request.status_reason or ""))
    conditions = (request.response or {}).get("conditions")
    if conditions:
        sections.append(
            Section(label=SectionLabel.CONDITIONS, value=words.value("conditions", conditions))
        )
    return FormalDocument(
        kind=RESPONSE_TITLES[request.status],
        reference=request.reference or request.id,
        request_id=request.id,
        version=request.version,
        language=lang,
        sender=_party(session, request.requested),
        recipient=_party(session, request.requesting),
        issued_at=request.executed_at or request.updated_at,
        legal_basis=words.value("legal_basis", request.content.get("legal_basis")),
        sections=sections,
        footer=node_name,
    )


@dataclass(frozen=True)
class Prepared:
    doc: FormalDocument
    private_raw: bytes
    certificate: bytes
    reason: str
    location: str
    name: str


def prepare(
    *, session: Session, node: Node, user: User, request_id: str, response: bool = False
) -> Prepared:
    """Everything the document needs from the database (read in the caller's transaction)."""
    request = service.get_for(session=session, user=user, request_id=request_id)
    doc = (build_response if response else build)(session, request, node.settings.node_name)
    authority = session.get(Authority, request.holder)
    key = keyring.active_key(session=session, authority_id=request.holder, purpose="signing")
    if authority is None or key is None:
        raise NotFound(f"{request.holder} is not hosted here with a signing key")
    private_raw = keyring.private_raw(kek=node.kek, key=key)
    return Prepared(
        doc=doc,
        private_raw=private_raw,
        certificate=certificate_for(authority=authority, key=key, private_raw=private_raw),
        reason=f"{request.kind} request {doc.reference}",
        location=node.settings.node_name,
        name=authority.names.get("en", authority.id),
    )


def render_signed(prepared: Prepared) -> bytes:
    """Render and sign: slow (about a second), so callers run it outside any transaction."""
    unsigned = io.BytesIO()
    render_pdf(prepared.doc, out=unsigned)
    signed = io.BytesIO()
    sign_pdf(
        pdf_in=unsigned.getvalue(),
        out=signed,
        signer_private_raw=prepared.private_raw,
        certificate_pem=prepared.certificate,
        reason=prepared.reason,
        location=prepared.location,
        name=prepared.name,
    )
    return signed.getvalue()
