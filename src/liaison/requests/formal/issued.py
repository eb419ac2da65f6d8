"""Issuing a formal document: render, sign with the author's key, keep, and carry in the envelope.

Only the author of a document signs it: the requesting authority its request (when it sends
it: workflow.send; the key is the approving supervisor's own, certified by the authority, so
the signature names who approved it), the requested authority its decision (when it responds,
partly responds, refuses or postpones: workflow.act). The signed PDF travels inside the
envelope that carries the act (`request.transmit`, `request.state`) as `document`, base64url,
so the other node holds the original from the moment it holds the act; received.py checks it
before anything is kept.
Each node then serves the document it holds; nobody re-renders another authority's act.

Rendering and signing take about 0.3 s, inside the transaction of the act: on SQLite that holds
the write lock as long (acts are rare and human-paced), in exchange for the document, the
transition and the envelope committing together or not at all.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from typing import Any

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts import signing
from liaison.authorities.certificates import certificate_for
from liaison.authorities.models import Authority
from liaison.core.clock import Clock
from liaison.core.errors import InvalidInput, NotFound
from liaison.crypto import certificates, jose
from liaison.crypto.hashing import sha256_digest
from liaison.documents.model import FormalDocument
from liaison.documents.render import render_pdf
from liaison.documents.sign import sign_pdf
from liaison.federation.envelope import sealed_size_bound
from liaison.keyring import service as keyring
from liaison.requests.formal.document import TITLES, build
from liaison.requests.formal.models import RequestDocument
from liaison.requests.formal.parties import SessionParties
from liaison.requests.formal.response import RESPONSE_TITLES, Decision, build_response
from liaison.requests.models import Request

REQUEST = "request"
RESPONSE = "response"
# The envelope field that carries the signed PDF.
FIELD = "document"


def request_marker(request_id: str, version: int) -> str:
    """What the signature of a request document says about which request it is."""
    return f"Liaison request {request_id}, version {version}"


def response_marker(request_id: str, seq: int) -> str:
    """What the signature of a decision says about which step of which request it is."""
    return f"Liaison request {request_id}, step {seq}"


@dataclass(frozen=True)
class Signer:
    """Who signs a document, with what: a private key, the certificate chain that certifies it
    (signer's certificate first), and the name and place the signature panel shows."""

    private_raw: bytes
    certificate_chain_pem: bytes
    name: str
    location: str


def authority_signer(*, session: Session, kek: bytes, author: str) -> Signer:
    """The active signing key of `author`, hosted here, with its self-issued certificate."""
    authority = session.get(Authority, author)
    key = keyring.active_key(session=session, authority_id=author, purpose="signing")
    if authority is None or key is None:
        raise NotFound(f"{author} is not hosted here with a signing key")
    private_raw = keyring.private_raw(kek=kek, key=key)
    return Signer(
        private_raw=private_raw,
        certificate_chain_pem=certificate_for(
            authority=authority, key=key, private_raw=private_raw
        ),
        name=authority.names.get("en") or next(iter(authority.names.values())),
        # Where the act was signed, for a reader of the signature panel: the author's State.
        location=str(Locale.parse("en").territories.get(authority.state, authority.state)),
    )


def approver_signer(*, session: Session, kek: bytes, request: Request) -> Signer:
    """The personal key that signed the request's approval, with its certificate chain (the
    approver's certificate, then the authority's): the signature panel names the supervisor."""
    kid = str(jose.jws_header(request.approval or "").get("kid", "")) if request.approval else ""
    personal = signing.signer_of_key(session=session, kek=kek, key_id=kid) if kid else None
    if personal is None:
        raise InvalidInput("the request's approval was not signed by a personal key held here")
    authority = session.get_one(Authority, request.requesting)
    person = certificates.read_person(personal.certificate_pem)
    return Signer(
        private_raw=personal.private_raw,
        certificate_chain_pem=personal.chain_pem,
        name=f"{person.name}, {authority.names.get('en') or next(iter(authority.names.values()))}",
        location=str(Locale.parse("en").territories.get(authority.state, authority.state)),
    )


def sign_document(*, doc: FormalDocument, signer: Signer, reason: str) -> bytes:
    """Render `doc` and sign it as `signer`: the one place a formal document is signed."""
    unsigned = io.BytesIO()
    render_pdf(doc, out=unsigned)
    signed = io.BytesIO()
    sign_pdf(
        pdf_in=unsigned.getvalue(),
        out=signed,
        signer_private_raw=signer.private_raw,
        certificate_chain_pem=signer.certificate_chain_pem,
        reason=reason,
        location=signer.location,
        name=signer.name,
    )
    return signed.getvalue()


def issue_request(*, session: Session, kek: bytes, request: Request, clock: Clock) -> bytes:
    """The request document, dated now (its sending), signed by the supervisor who approved it
    with their personal key, certified by the requesting authority."""
    doc = build(request, SessionParties(session), issued_at=clock.now())
    marker = request_marker(request.id, request.version)
    reason = f"{TITLES.get(request.kind, request.kind)} {doc.reference} ({marker})"
    signer = approver_signer(session=session, kek=kek, request=request)
    return sign_document(doc=doc, signer=signer, reason=reason)


def issue_response(
    *, session: Session, kek: bytes, request: Request, decision: Decision, seq: int
) -> bytes:
    """The decision document, signed by the requested authority; `seq` is the step it takes."""
    doc = build_response(request, decision, SessionParties(session))
    title = RESPONSE_TITLES[decision.status]
    reason = f"{title} {doc.reference} ({response_marker(request.id, seq)})"
    signer = authority_signer(session=session, kek=kek, author=request.requested)
    return sign_document(doc=doc, signer=signer, reason=reason)


def preview(*, session: Session, request: Request, clock: Clock) -> FormalDocument:
    """What the request document will say, marked on every page as an unsigned preview."""
    return build(request, SessionParties(session), issued_at=clock.now(), preview=True)


def keep(
    *,
    session: Session,
    request: Request,
    role: str,
    seq: int,
    author: str,
    pdf: bytes,
    clock: Clock,
) -> RequestDocument:
    row = RequestDocument(
        holder=request.holder,
        request_id=request.id,
        role=role,
        seq=seq,
        author=author,
        digest=sha256_digest(pdf),
        pdf=pdf,
        issued_at=clock.now(),
    )
    session.add(row)
    return row


def held(*, session: Session, request: Request, role: str) -> RequestDocument | None:
    """The latest document of `role` this copy holds (a later decision follows an earlier)."""
    return session.scalar(
        select(RequestDocument)
        .where(
            RequestDocument.holder == request.holder,
            RequestDocument.request_id == request.id,
            RequestDocument.role == role,
        )
        .order_by(RequestDocument.seq.desc())
        .limit(1)
    )


def encode(pdf: bytes) -> str:
    return base64.urlsafe_b64encode(pdf).rstrip(b"=").decode("ascii")


def decode(text: Any) -> bytes | None:
    """The PDF bytes of an envelope's `document`; None when it is absent or not base64url."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def check_fits(*, body: dict[str, Any], pdf: bytes, limit: int) -> None:
    """Refuse, before anything changes, an act whose envelope could not be sealed within the
    envelope limit (`federation_max_envelope_bytes`, 1 MiB by default) because of its document.

    A PDF grows by about 2.4 times on the wire (base64url in the body, which is encrypted and
    base64url-encoded inside a payload that is base64url-encoded again): a 100 kB document takes
    about 240 kB, and about 400 kB of document fits in 1 MiB beside the request. Past that the
    officer shortens the texts or attaches the long material as evidence, which travels in
    packages of its own."""
    bound = sealed_size_bound(body)
    if bound > limit:
        raise InvalidInput(
            f"the signed formal document is {len(pdf) // 1024} kB; with the request it would "
            f"make an envelope of about {bound // 1024} kB, over the {limit // 1024} kB that "
            "nodes accept (federation_max_envelope_bytes). Shorten the texts, or attach long "
            "material as evidence, and try again"
        )
