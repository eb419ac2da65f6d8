"""The directory in force on this node: importing signed versions and looking peers up. Never
commits.

The inbox and the outbox call ``peer_signing_key``, ``peer_encryption_key`` and
``peer_authority`` for every envelope, so the parsed document is cached in process; the cache
is keyed by the digest of the newest stored version, read on every call, so a newer import
(by this process or another) is seen at once and a revocation applies to the next envelope.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.permissions import AuditAction, AuthorityRole
from liaison.crypto import jose
from liaison.crypto.hashing import same_digest, sha256_digest
from liaison.db.session import forget_per_transaction, per_transaction
from liaison.directory import document
from liaison.directory.document import DirectoryAuthority, DirectoryDocument, DirectoryKey
from liaison.directory.models import DirectoryVersion
from liaison.protocol import errors


class NoDirectoryError(errors.UnknownKeyError):
    """No directory has been imported yet: no peer key can be trusted, nobody can be found.

    An ``unknown_key`` to the federation layer; to the API the node is not ready (503).
    """

    status_code = 503
    exit_code = 3


_NO_DIRECTORY = (
    "no directory imported: ask the directory operator for the signed document and run "
    "'liaison directory import FILE'"
)

# A handful of entries: normally one node process has one database, tests have a few.
_CACHE_SIZE = 4
_cache: dict[str, DirectoryDocument] = {}
_cache_lock = threading.Lock()


def current_version(*, session: Session) -> int | None:
    return session.scalar(select(func.max(DirectoryVersion.version)))


def _newest(session: Session) -> DirectoryVersion | None:
    return session.scalars(
        select(DirectoryVersion).order_by(DirectoryVersion.version.desc()).limit(1)
    ).first()


def import_document(
    *,
    session: Session,
    token: str,
    pinned_operator_public_raw: bytes,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> DirectoryVersion:
    """Verify ``token`` against the pinned operator key and store it as the directory in force.

    Refused (nothing stored): not signed by the pinned key (``BadSignatureError``), not a valid
    document (``MalformedError``, ``TooLargeError``), or a version not above the imported one
    (``NotNewerError``, which names both versions).
    """
    token = token.strip()
    doc = document.verify_directory(
        token=token, pinned_operator_public_raw=pinned_operator_public_raw
    )
    document.accept_update(current_version=current_version(session=session), new=doc)
    digest = sha256_digest(token.encode())
    row = DirectoryVersion(
        version=doc.version,
        operator=doc.operator,
        issued_at=doc.issued_at,
        imported_at=clock.now(),
        token=token,
        digest=digest,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.directory_version_imported,
        target=f"directory:{doc.version}",
        detail={
            "operator": doc.operator,
            "version": doc.version,
            "issued_at": doc.issued_at.isoformat(),
            "digest": digest,
            "authorities": len(doc.authorities),
            "revoked_keys": [r.kid for r in doc.revoked_keys],
        },
        clock=clock,
    )
    _remember(digest, doc)
    forget_per_transaction(session, "directory.current")
    return row


def _remember(digest: str, doc: DirectoryDocument) -> None:
    with _cache_lock:
        _cache.pop(digest, None)
        _cache[digest] = doc
        while len(_cache) > _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))


def _parse_stored(row: DirectoryVersion) -> DirectoryDocument:
    # The signature was verified against the pin when the row was imported; the pin may have
    # changed since (operator key rotation), which must not un-import the directory in force.
    # The digest check catches a row whose token no longer matches what was imported.
    if not same_digest(sha256_digest(row.token.encode()), row.digest):
        raise errors.MalformedError(
            f"stored directory version {row.version} does not match its digest; re-import it"
        )
    payload = jose.jws_payload_unverified(row.token, max_bytes=document.DEFAULT_MAX_DOCUMENT_BYTES)
    return DirectoryDocument.model_validate_json(payload, strict=True)


def current(*, session: Session) -> DirectoryDocument | None:
    """The newest imported document, or None before the first import (once per transaction)."""
    return per_transaction(session, "directory.current", lambda: _current(session))


def _current(session: Session) -> DirectoryDocument | None:
    head = session.execute(
        select(DirectoryVersion.version, DirectoryVersion.digest)
        .order_by(DirectoryVersion.version.desc())
        .limit(1)
    ).first()
    if head is None:
        return None
    with _cache_lock:
        cached = _cache.get(head.digest)
    if cached is not None:
        return cached
    row = _newest(session)
    if row is None:  # deleted between the two reads
        return None
    doc = _parse_stored(row)
    _remember(row.digest, doc)
    return doc


def current_row(*, session: Session) -> DirectoryVersion:
    """The stored row of the directory in force (version, operator, dates, digest)."""
    row = _newest(session)
    if row is None:
        raise NoDirectoryError(_NO_DIRECTORY)
    return row


def _required(session: Session) -> DirectoryDocument:
    doc = current(session=session)
    if doc is None:
        raise NoDirectoryError(_NO_DIRECTORY)
    return doc


def peer_signing_key(
    *, session: Session, authority_id: str, kid: str, at: datetime
) -> DirectoryKey:
    """The Ed25519 key ``kid`` of ``authority_id``, usable at ``at``.

    Raises ``UnknownKeyError`` (also when no directory is imported), ``ExpiredKeyError`` or
    ``RevokedKeyError``; each carries the protocol ``reason``.
    """
    return document.signing_key(doc=_required(session), authority_id=authority_id, kid=kid, at=at)


def peer_signing_keys(*, session: Session, authority_id: str, at: datetime) -> list[DirectoryKey]:
    """The Ed25519 keys of ``authority_id`` usable at ``at`` (none when it has none)."""
    return document.signing_keys(doc=_required(session), authority_id=authority_id, at=at)


def peer_encryption_key(*, session: Session, authority_id: str, at: datetime) -> DirectoryKey:
    """The X25519 key to encrypt to ``authority_id`` at ``at`` (newest valid, unrevoked)."""
    return document.encryption_key(doc=_required(session), authority_id=authority_id, at=at)


def peer_authority(*, session: Session, authority_id: str) -> DirectoryAuthority:
    """The directory entry of ``authority_id``: its endpoint, kinds, languages."""
    entry = _required(session).authority(authority_id)
    if entry is None:
        raise errors.UnknownKeyError(f"{authority_id} is not in the directory")
    return entry


def endpoint_of(*, session: Session, authority_id: str) -> str:
    """Where envelopes and packages for ``authority_id`` are delivered (its node's base URL)."""
    return peer_authority(session=session, authority_id=authority_id).endpoint


def search(
    *,
    session: Session,
    state: str | None = None,
    role: AuthorityRole | None = None,
    language: str | None = None,
    kind: str | None = None,
) -> list[DirectoryAuthority]:
    """Authorities matching every filter given (an empty list when none does)."""
    return document.search(
        doc=_required(session), state=state, role=role, language=language, kind=kind
    )


def _stored(session: Session) -> list[tuple[int, DirectoryDocument]]:
    """Every imported version, oldest first (parsed once per digest while cached)."""
    found = []
    for row in session.scalars(select(DirectoryVersion).order_by(DirectoryVersion.version)):
        with _cache_lock:
            doc = _cache.get(row.digest)
        if doc is None:
            doc = _parse_stored(row)
            _remember(row.digest, doc)
        found.append((row.version, doc))
    return found


def signing_key_as_of(
    *, session: Session, authority_id: str, kid: str, at: datetime
) -> tuple[DirectoryKey, int]:
    """The Ed25519 key ``kid`` of ``authority_id`` judged at ``at`` (a signature made then, read
    today), and the directory version that vouched for it.

    The key is taken from the version in force at ``at`` (the newest issued by then that lists
    it; else the first that does), so a key rotated out and dropped since still checks what it
    signed. A revocation in any version counts from its ``revoked_at``, whether published
    before or after ``at``: a key compromised before ``at`` never vouches for it.
    """
    versions = _stored(session)
    if not versions:
        raise NoDirectoryError(_NO_DIRECTORY)
    listing = []
    for number, doc in versions:
        entry = doc.authority(authority_id)
        key = next(
            (k for k in (entry.keys if entry else []) if k.kid == kid and k.use == "sig"), None
        )
        if key is not None:
            listing.append((number, doc, key))
    if not listing:
        raise errors.UnknownKeyError(
            f"{authority_id} has no signing key {kid} in any directory version imported here"
        )
    issued = [entry for entry in listing if entry[1].issued_at <= at]
    number, _doc, key = issued[-1] if issued else listing[0]
    revocations = [r for _n, doc in versions if (r := doc.revocation(kid)) is not None]
    earliest = min(revocations, key=lambda r: r.revoked_at, default=None)
    if earliest is not None and earliest.revoked_at <= at:
        raise errors.RevokedKeyError(
            f"key {kid} was revoked from {earliest.revoked_at.isoformat()}: {earliest.reason}"
        )
    if not key.valid_at(at):
        until = key.not_after.isoformat() if key.not_after else "open-ended"
        raise errors.ExpiredKeyError(
            f"key {kid} is valid from {key.not_before.isoformat()} to {until} (directory "
            f"version {number}), not at {at.isoformat()}"
        )
    return key, number
