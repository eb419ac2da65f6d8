"""The signed directory document: who is who, where they listen, which keys speak for them.

An operator signs it; a node pins the operator's public key, imports only a newer version, and
looks every peer key up here at the moment it is used, so a revocation applies at once.
Pure functions, no database: the directory service stores the token and the parsed document.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from liaison.core.codes import is_language, is_state
from liaison.core.permissions import AuthorityRole
from liaison.crypto import jose
from liaison.crypto.hashing import canonical_json
from liaison.crypto.keys import b64u_decode
from liaison.protocol import errors
from liaison.protocol.fields import AuthorityId, KeyId, Kind, UtcTime, Version

DIRECTORY_TYP = jose.Typ.directory
# Room for every State's authorities several times over; refused before parsing beyond this.
DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_CONFIG = ConfigDict(extra="forbid", frozen=True)


def _check_language_tag(tag: str) -> str:
    if not _LANGUAGE_TAG.match(tag) or not is_language(tag.split("-", 1)[0]):
        raise ValueError(f"{tag!r} is not a BCP 47 language tag with a known language")
    return tag


# An authority's keys sign envelopes ("sig") and receive them ("enc"); a node's log keys sign
# its audit checkpoints ("log") and cosign other nodes' checkpoints ("witness").
_USES = {("sig", "Ed25519"), ("enc", "X25519"), ("log", "Ed25519"), ("witness", "Ed25519")}


class DirectoryKey(BaseModel):
    model_config = _CONFIG

    kid: KeyId
    use: Literal["sig", "enc", "log", "witness"]
    alg: Literal["Ed25519", "X25519"]
    # Raw 32-byte public key, base64url without padding (43 characters).
    public: str = Field(pattern=r"^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$")
    not_before: UtcTime
    not_after: UtcTime | None

    @model_validator(mode="after")
    def _consistent(self) -> DirectoryKey:
        if (self.use, self.alg) not in _USES:
            raise ValueError("an enc key is X25519, a sig, log or witness key Ed25519")
        if self.not_after is not None and self.not_after <= self.not_before:
            raise ValueError(f"key {self.kid}: not_after must be after not_before")
        return self

    @property
    def public_raw(self) -> bytes:
        return b64u_decode(self.public)

    def valid_at(self, at: datetime) -> bool:
        return self.not_before <= at and (self.not_after is None or at < self.not_after)


class DirectoryAuthority(BaseModel):
    model_config = _CONFIG

    id: AuthorityId
    state: str
    # {BCP 47 tag: name}.
    names: dict[str, str] = Field(min_length=1)
    roles: list[AuthorityRole] = Field(min_length=1)
    accepted_languages: list[str] = Field(min_length=1)
    kinds: list[Kind]
    # Base URL of the node's federation API; the inbox is <endpoint>/federation/v1/inbox.
    endpoint: str = Field(max_length=500)
    keys: list[DirectoryKey] = Field(min_length=1)

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        if not is_state(value):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 code (upper case)")
        return value

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for tag, name in value.items():
            _check_language_tag(tag)
            if not name.strip() or len(name) > 300:
                raise ValueError(f"the {tag} name must be 1-300 characters")
        return value

    @field_validator("accepted_languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return [_check_language_tag(tag) for tag in value]

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return _check_endpoint(value)

    @field_validator("keys")
    @classmethod
    def _keys(cls, value: list[DirectoryKey]) -> list[DirectoryKey]:
        if any(k.use not in ("sig", "enc") for k in value):
            raise ValueError("an authority's keys are sig and enc keys")
        return value


def _check_endpoint(value: str) -> str:
    # HTTPS only, except loopback for the demo and tests: a directory must not route another
    # State's messages over plain HTTP.
    parts = urlsplit(value)
    loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise ValueError(f"endpoint {value!r} must be https:// (http:// only on loopback)")
    if parts.query or parts.fragment or value.endswith("/"):
        raise ValueError(f"endpoint {value!r} must be a base URL without / ? # at the end")
    return value


class DirectoryLog(BaseModel):
    """A node's audit log, published so that anyone holding the directory can check its
    checkpoints without trusting the node: the origin its checkpoints name (the node's name),
    the node's federation base URL, and its log and witness keys."""

    model_config = _CONFIG

    origin: str = Field(pattern=r"^[^\s+]{1,100}$")
    endpoint: str = Field(max_length=500)
    keys: list[DirectoryKey] = Field(min_length=1)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return _check_endpoint(value)

    @field_validator("keys")
    @classmethod
    def _keys(cls, value: list[DirectoryKey]) -> list[DirectoryKey]:
        if any(k.use not in ("log", "witness") for k in value):
            raise ValueError("a log's keys are log and witness keys")
        return value

    def keys_for(self, use: str, at: datetime | None = None) -> list[DirectoryKey]:
        return [k for k in self.keys if k.use == use and (at is None or k.valid_at(at))]


class RevokedKey(BaseModel):
    model_config = _CONFIG

    kid: KeyId
    revoked_at: UtcTime
    reason: str = Field(min_length=1, max_length=300)


class DirectoryDocument(BaseModel):
    model_config = _CONFIG

    v: Version
    # Who operates (and signs) this directory, e.g. "un-unodc".
    operator: AuthorityId
    version: int = Field(ge=1)
    issued_at: UtcTime
    authorities: list[DirectoryAuthority]
    revoked_keys: list[RevokedKey]
    # Absent from documents signed before nodes published their audit logs.
    logs: list[DirectoryLog] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> DirectoryDocument:
        ids = [a.id for a in self.authorities]
        if len(ids) != len(set(ids)):
            raise ValueError("authority ids must be unique")
        # A kid names one key in the whole document, so a signature cannot be attributed twice.
        owners: list[DirectoryAuthority | DirectoryLog] = [*self.authorities, *self.logs]
        kids = [k.kid for owner in owners for k in owner.keys]
        if len(kids) != len(set(kids)):
            raise ValueError("key ids must be unique across the document")
        for what in ("origin", "endpoint"):
            values = [getattr(log, what) for log in self.logs]
            if len(values) != len(set(values)):
                raise ValueError(f"each log needs an {what} of its own")
        return self

    def authority(self, authority_id: str) -> DirectoryAuthority | None:
        return next((a for a in self.authorities if a.id == authority_id), None)

    def revocation(self, kid: str) -> RevokedKey | None:
        return next((r for r in self.revoked_keys if r.kid == kid), None)

    def log(self, origin: str) -> DirectoryLog | None:
        return next((log for log in self.logs if log.origin == origin), None)

    def log_at(self, endpoint: str) -> DirectoryLog | None:
        """The log of the node at `endpoint` (whose authorities have that endpoint)."""
        return next((log for log in self.logs if log.endpoint == endpoint), None)

    def usable_keys(self, log: DirectoryLog, use: str) -> list[DirectoryKey]:
        """A log's keys of one use that are not revoked. Validity windows are not applied: a
        checkpoint signed with a key since retired still verifies; a revoked key never does,
        since its private half may be in other hands."""
        return [k for k in log.keys_for(use) if self.revocation(k.kid) is None]


def sign_directory(
    *, doc: DirectoryDocument, operator_private_raw: bytes, operator_kid: str
) -> str:
    payload = canonical_json(doc.model_dump(mode="json"))
    return jose.sign(
        payload,
        private_raw=operator_private_raw,
        key_id=operator_kid,
        typ=DIRECTORY_TYP,
        max_bytes=DEFAULT_MAX_DOCUMENT_BYTES,
    )


def verify_directory(
    *,
    token: str,
    pinned_operator_public_raw: bytes,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> DirectoryDocument:
    """The document, only if the pinned operator key signed it; the kid in the header is
    informational (the pin decides), so an operator key rotation is a new pin."""
    try:
        # key_id None: the key is the pinned operator key, whatever id the document names.
        payload = jose.verify(
            token,
            public_raw=pinned_operator_public_raw,
            typ=DIRECTORY_TYP,
            key_id=None,
            max_bytes=max_bytes,
        )
    except jose.TokenTooLargeError as exc:
        raise errors.TooLargeError(str(exc)) from exc
    except jose.TokenMalformedError as exc:
        raise errors.MalformedError(f"not a directory document: {exc}") from exc
    except jose.SignatureInvalidError as exc:
        raise errors.BadSignatureError(
            "the directory is not signed by the pinned operator key"
        ) from exc
    try:
        return DirectoryDocument.model_validate_json(payload, strict=True)
    except ValidationError as exc:
        raise errors.MalformedError(f"directory document is invalid: {exc}") from exc


def accept_update(*, current_version: int | None, new: DirectoryDocument) -> None:
    """Refuse a replay of an old document (which could resurrect a revoked key)."""
    if current_version is not None and new.version <= current_version:
        raise errors.NotNewerError(
            f"directory version {new.version} is not newer than the imported {current_version}"
        )


def _check_usable(doc: DirectoryDocument, key: DirectoryKey, at: datetime) -> DirectoryKey:
    revoked = doc.revocation(key.kid)
    # Revoked from revoked_at on: data signed earlier can still be checked as of its time.
    if revoked is not None and revoked.revoked_at <= at:
        raise errors.RevokedKeyError(f"key {key.kid} was revoked: {revoked.reason}")
    if not key.valid_at(at):
        raise errors.ExpiredKeyError(f"key {key.kid} is not valid at {at.isoformat()}")
    return key


def signing_key(
    *, doc: DirectoryDocument, authority_id: str, kid: str, at: datetime
) -> DirectoryKey:
    """The authority's Ed25519 key ``kid``, if it is valid at ``at`` and not revoked."""
    authority = doc.authority(authority_id)
    key = None
    if authority is not None:
        key = next((k for k in authority.keys if k.kid == kid and k.use == "sig"), None)
    if key is None:
        raise errors.UnknownKeyError(f"{authority_id} has no signing key {kid} in the directory")
    return _check_usable(doc, key, at)


def signing_keys(*, doc: DirectoryDocument, authority_id: str, at: datetime) -> list[DirectoryKey]:
    """Every Ed25519 key of the authority valid at ``at`` and not revoked (what may have
    issued a certificate of one of its officials)."""
    authority = doc.authority(authority_id)
    usable = []
    for key in authority.keys if authority is not None else []:
        if key.use != "sig":
            continue
        try:
            usable.append(_check_usable(doc, key, at))
        except errors.ProtocolError:
            continue
    return usable


def encryption_key(*, doc: DirectoryDocument, authority_id: str, at: datetime) -> DirectoryKey:
    """The key to encrypt to now: the newest valid, unrevoked X25519 key of the authority.

    During a rotation both keys are valid; senders move to the new one as soon as its
    not_before passes, and the recipient keeps the old private key until old messages are read.
    """
    authority = doc.authority(authority_id)
    candidates: list[DirectoryKey] = []
    for key in authority.keys if authority is not None else []:
        if key.use != "enc":
            continue
        try:
            candidates.append(_check_usable(doc, key, at))
        except errors.ProtocolError:
            continue
    if not candidates:
        raise errors.UnknownKeyError(f"{authority_id} has no valid encryption key in the directory")
    return max(candidates, key=lambda k: k.not_before)


def _speaks(authority: DirectoryAuthority, language: str) -> bool:
    wanted = language.lower()
    return any(
        tag.lower() == wanted or tag.lower().startswith(wanted + "-")
        for tag in authority.accepted_languages
    )


def search(
    *,
    doc: DirectoryDocument,
    state: str | None = None,
    role: AuthorityRole | None = None,
    language: str | None = None,
    kind: str | None = None,
) -> list[DirectoryAuthority]:
    """Authorities matching every filter given; ``language`` "en" also matches "en-GB"."""
    return [
        a
        for a in doc.authorities
        if (state is None or a.state == state.upper())
        and (role is None or role in a.roles)
        and (language is None or _speaks(a, language))
        and (kind is None or kind in a.kinds)
    ]
