"""Checking a signed document that arrives with an act: it must be its author's, whole, and
about this act, or the envelope is refused (`invalid_document`, final for the sender).

The author is the envelope's sender. A response is signed with its authority key, whose
certificate is self-issued (authorities/certificates.py); a request with the personal key of the
supervisor who approved it, whose certificate the authority key issued (accounts/signing.py).
The receiver cannot rebuild either, but need not: it reads the certificate the signature names,
requires its key to be one of the author's signing keys in the directory (not revoked) or to be
certified by one as a supervisor of the author, and validates the PAdES signature trusting that
certificate alone.
Then the last signature must cover the whole file (the bytes are exactly what the author
signed, nothing appended) and its reason must name this request and this act (a genuine
document of another request cannot be passed off as this one's).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from liaison.core.permissions import Role
from liaison.crypto.certificates import (
    CertificateError,
    Person,
    issued_by,
    public_key_raw,
    read_person,
)
from liaison.directory import service as directory
from liaison.directory.document import DirectoryDocument, signing_keys
from liaison.documents.sign import signer_certificate, validate_pdf
from liaison.protocol import errors


class InvalidDocumentError(errors.ProtocolError):
    """The signed formal document carried by a request envelope is missing, not the sender's,
    altered, or about another act."""

    reason = "invalid_document"
    status_code = 422


def check(
    *, session: Session, author: str, pdf: bytes | None, marker: str, at: datetime
) -> Person | None:
    """Raise InvalidDocumentError unless `pdf` is a document `author` signed, whole, whose
    signature reason contains `marker`. Signed by a person (a supervisor's personal key,
    certified by one of the author's signing keys): that person; by the authority key: None."""
    if pdf is None:
        raise InvalidDocumentError(f"the act arrived without the document {author} signed")
    certificate = signer_certificate(pdf)
    if certificate is None:
        raise InvalidDocumentError("the document is not a signed PDF")
    person = _check_key(session=session, author=author, certificate=certificate, at=at)
    result = validate_pdf(pdf=pdf, trust_pem=certificate)
    if not result.valid:
        raise InvalidDocumentError(f"the document's signature does not verify: {result.detail}")
    if not result.whole_file:
        raise InvalidDocumentError("the document was changed after it was signed")
    if marker not in (result.reason or ""):
        raise InvalidDocumentError(f"the document is not the one of this act ({marker})")
    return person


def _check_key(*, session: Session, author: str, certificate: bytes, at: datetime) -> Person | None:
    try:
        public = public_key_raw(certificate)
    except CertificateError as exc:
        raise InvalidDocumentError(f"unusable signer certificate: {exc}") from exc
    doc = directory.current(session=session)
    entry = doc.authority(author) if doc is not None else None
    if doc is None or entry is None or public is None:
        raise InvalidDocumentError(f"the document is not signed by a key of {author}")
    key = next((k for k in entry.keys if k.use == "sig" and k.public_raw == public), None)
    if key is None:
        return _check_person(doc, author=author, certificate=certificate, at=at)
    revoked = doc.revocation(key.kid)
    # A key that has merely expired since the author signed still vouches for what it signed
    # then; a revoked one vouches for nothing any more.
    if revoked is not None and revoked.revoked_at <= at:
        raise InvalidDocumentError(f"the document is signed with the revoked key {key.kid}")
    return None


def _check_person(
    doc: DirectoryDocument, *, author: str, certificate: bytes, at: datetime
) -> Person:
    """A supervisor's personal certificate, issued by a signing key of `author` usable at `at`."""
    try:
        person = read_person(certificate)
    except CertificateError:
        raise InvalidDocumentError(f"the document is not signed by a key of {author}") from None
    issuers = signing_keys(doc=doc, authority_id=author, at=at)
    if (
        person.authority_id != author
        or person.title != Role.supervisor.value
        or not any(
            issued_by(certificate_pem=certificate, issuer_public_raw=k.public_raw) for k in issuers
        )
    ):
        raise InvalidDocumentError(
            f"the document is signed by no supervisor certified by a key of {author}"
        )
    if not person.not_before <= at <= person.not_after:
        raise InvalidDocumentError("the signer's certificate is not valid now")
    return person
