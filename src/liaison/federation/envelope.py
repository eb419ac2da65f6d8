"""Envelopes and receipts of the federation protocol v1: models, sealing, opening.

Pure functions, no database: the outbox seals, the inbox peeks, looks the signer's key up in the
directory, verifies, checks freshness and dedupes, decrypts, and answers a receipt.
The wire form of an envelope or receipt is a compact JWS string (docs/protocol.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from liaison.core.ids import new_id_str
from liaison.crypto import jose
from liaison.crypto.hashing import canonical_json, sha256_digest
from liaison.protocol import errors
from liaison.protocol.fields import (
    AuthorityId,
    Digest,
    EnvelopeId,
    Kind,
    UtcTime,
    Version,
    truncate_ms,
)

VERSION = 1
ENVELOPE_TYP = jose.Typ.envelope
RECEIPT_TYP = jose.Typ.receipt
# One envelope carries messages, not evidence (files travel separately, named by digest).
DEFAULT_MAX_WIRE_BYTES = 1024 * 1024
DEFAULT_WINDOW = timedelta(minutes=10)
DEFAULT_SKEW = timedelta(minutes=2)
MAX_BATCH_ENVELOPES = 100
DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024
_STRICT = ConfigDict(
    extra="forbid",
    frozen=True,
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
)


class Envelope(BaseModel):
    model_config = _STRICT

    v: Version
    id: EnvelopeId
    kind: Kind
    sender: AuthorityId = Field(alias="from")
    to: AuthorityId
    created_at: UtcTime
    in_reply_to: EnvelopeId | None
    thread: EnvelopeId
    # Compact JWE of the canonical JSON of the kind's payload (five base64url segments).
    body: str = Field(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+){3}$")

    @model_validator(mode="after")
    def _distinct(self) -> Envelope:
        if self.sender == self.to:
            raise ValueError("an envelope's from and to must be different authorities")
        if self.in_reply_to == self.id:
            raise ValueError("an envelope cannot reply to itself")
        return self


class Receipt(BaseModel):
    model_config = _STRICT

    v: Version
    # Null only when the wire was too broken to read an id from; the digest still names it.
    envelope_id: EnvelopeId | None
    envelope_digest: Digest
    received_at: UtcTime
    status: Literal["accepted", "rejected"]
    reason: str | None = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    receiver: AuthorityId

    @model_validator(mode="after")
    def _reason_iff_rejected(self) -> Receipt:
        if (self.status == "rejected") != (self.reason is not None):
            raise ValueError("a rejected receipt needs a reason, an accepted one has none")
        return self


class BatchRequest(BaseModel):
    """``POST /federation/v1/inbox`` body: envelope wires, delivered in this order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    envelopes: list[str] = Field(min_length=1, max_length=MAX_BATCH_ENVELOPES)


class BatchResponse(BaseModel):
    """``receipts[i]`` is the receipt wire for ``envelopes[i]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    receipts: list[str]


@dataclass(frozen=True)
class SealedEnvelope:
    wire: str
    envelope: Envelope
    # sha256 of the wire's ASCII bytes: what receipts name, what the outbox keys on.
    digest: str


@dataclass(frozen=True)
class Peeked:
    """What an envelope claims before its signature is checked: for key lookup only."""

    unverified: Envelope
    signer_kid: str
    digest: str


@dataclass(frozen=True)
class SignedReceipt:
    wire: str
    receipt: Receipt


def wire_digest(wire: str) -> str:
    return sha256_digest(wire.encode())


# RFC 8785 (canonical JSON) represents integers exactly only within this range.
_SAFE_INTEGER = 2**53 - 1


def _check_no_floats(value: Any) -> None:
    # Floats are where JSON implementations disagree; integers beyond ±(2^53 - 1) are not
    # exact in canonical JSON. Keep both out of what is signed.
    if isinstance(value, float):
        raise errors.MalformedError(
            "bodies carry no floating-point numbers; use strings or integers"
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SAFE_INTEGER:
        raise errors.MalformedError(
            f"bodies carry integers within ±{_SAFE_INTEGER} only; send a larger one as a string"
        )
    if isinstance(value, dict):
        for item in value.values():
            _check_no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _check_no_floats(item)


def seal(
    *,
    kind: str,
    sender: str,
    recipient: str,
    body: dict[str, Any],
    sender_key_id: str,
    sender_private_raw: bytes,
    recipient_key_id: str,
    recipient_public_raw: bytes,
    now: datetime,
    thread: str | None = None,
    in_reply_to: str | None = None,
    envelope_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_WIRE_BYTES,
) -> SealedEnvelope:
    """Encrypt ``body`` to the recipient, sign the whole with the sender's key.

    A new envelope starts its own thread (``thread`` = its id) unless one is given.
    ``envelope_id`` is for re-sealing a queued envelope under its original id.
    """
    _check_no_floats(body)
    new_id = envelope_id or new_id_str()
    ciphertext = jose.encrypt_to(
        canonical_json(body),
        recipient_key_id=recipient_key_id,
        recipient_public_raw=recipient_public_raw,
        max_bytes=max_bytes,
    )
    try:
        envelope = Envelope.model_validate(
            {
                "v": VERSION,
                "id": new_id,
                "kind": kind,
                "from": sender,
                "to": recipient,
                "created_at": truncate_ms(now),
                "in_reply_to": in_reply_to,
                "thread": thread or new_id,
                "body": ciphertext,
            }
        )
    except ValidationError as exc:
        raise errors.MalformedError(f"envelope fields are invalid: {exc}") from exc
    wire = jose.sign(
        canonical_json(envelope.model_dump(mode="json")),
        private_raw=sender_private_raw,
        key_id=sender_key_id,
        typ=ENVELOPE_TYP,
        max_bytes=max_bytes,
    )
    if len(wire) > max_bytes:
        raise errors.TooLargeError(f"sealed envelope is {len(wire)} bytes, over {max_bytes}")
    return SealedEnvelope(wire=wire, envelope=envelope, digest=wire_digest(wire))


def _b64_length(n: int) -> int:
    return -(-n * 4 // 3)  # base64url without padding: ceil(4n/3)


# Upper bounds of what sealing adds around the body, from the formats in docs/protocol.md
# with every id and kid at its longest: the JWE header (with the epk), IV and tag; the envelope
# fields around the body; the JWS header and signature.
_JWE_HEADER_MAX = 200
_ENVELOPE_FIELDS_MAX = 600
_JWS_HEADER_MAX = 150


def sealed_size_bound(body: dict[str, Any]) -> int:
    """At least the length of the wire that sealing `body` gives, computed without any key: the
    body's canonical JSON is encrypted and base64url-encoded inside a payload that is
    base64url-encoded again, so n bytes of body make a wire of about 16n/9 (plus a few hundred
    bytes). For refusing, before anything is queued, what could never be sealed within a limit."""
    plaintext = len(canonical_json(body))
    jwe = _b64_length(_JWE_HEADER_MAX) + 4 + _b64_length(12) + _b64_length(plaintext)
    jwe += _b64_length(16)
    return _b64_length(_JWS_HEADER_MAX) + 2 + _b64_length(_ENVELOPE_FIELDS_MAX + jwe) + 86


def _parse_envelope(payload: bytes) -> Envelope:
    try:
        return Envelope.model_validate_json(payload, strict=True, by_alias=True, by_name=False)
    except ValidationError as exc:
        raise errors.MalformedError(
            f"envelope fields are invalid: {exc.errors()[0]['msg']}"
        ) from exc


def checked_header(wire: str, *, typ: jose.Typ, max_bytes: int) -> dict[str, Any]:
    try:
        header = jose.jws_header(wire, max_bytes=max_bytes)
    except jose.TokenTooLargeError as exc:
        raise errors.TooLargeError(str(exc)) from exc
    except jose.TokenMalformedError as exc:
        raise errors.MalformedError(str(exc)) from exc
    if header["typ"] != typ:
        raise errors.MalformedError(f"typ is {header['typ']!r}, expected {str(typ)!r}")
    return header


def peek(wire: str, *, max_bytes: int = DEFAULT_MAX_WIRE_BYTES) -> Peeked:
    """Size check first, then parse without verifying: who claims to send, with which key."""
    header = checked_header(wire, typ=ENVELOPE_TYP, max_bytes=max_bytes)
    try:
        payload = jose.jws_payload_unverified(wire, max_bytes=max_bytes)
    except jose.TokenMalformedError as exc:
        raise errors.MalformedError(str(exc)) from exc
    return Peeked(
        unverified=_parse_envelope(payload), signer_kid=header["kid"], digest=wire_digest(wire)
    )


def verified_payload(wire: str, *, public_raw: bytes, typ: jose.Typ, max_bytes: int) -> bytes:
    checked_header(wire, typ=typ, max_bytes=max_bytes)
    try:
        # key_id None: the caller found this key by the token's own kid, through the directory,
        # which also ties that kid to the sender (directory.document.signing_key).
        return jose.verify(wire, public_raw=public_raw, typ=typ, key_id=None, max_bytes=max_bytes)
    except jose.TokenMalformedError as exc:
        raise errors.MalformedError(str(exc)) from exc
    except jose.SignatureInvalidError as exc:
        raise errors.BadSignatureError(
            "the signature does not verify with the sender's key"
        ) from exc


def verify(
    wire: str, *, signer_public_raw: bytes, max_bytes: int = DEFAULT_MAX_WIRE_BYTES
) -> Envelope:
    """The envelope, if signed by this key. The caller found the key via ``peek`` and the
    directory (``directory.document.signing_key``), which also ties the kid to ``from``."""
    payload = verified_payload(
        wire, public_raw=signer_public_raw, typ=ENVELOPE_TYP, max_bytes=max_bytes
    )
    return _parse_envelope(payload)


def is_fresh(
    envelope: Envelope,
    *,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    skew: timedelta = DEFAULT_SKEW,
) -> bool:
    """Created no longer than ``window`` ago and no more than ``skew`` in the future."""
    return now - window <= envelope.created_at <= now + skew


def check_fresh(
    envelope: Envelope,
    *,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    skew: timedelta = DEFAULT_SKEW,
) -> None:
    if not is_fresh(envelope, now=now, window=window, skew=skew):
        raise errors.StaleError(
            f"envelope created at {envelope.created_at.isoformat()} is outside the window"
        )


def body_key_id(envelope: Envelope) -> str:
    """The recipient key id the body is encrypted to, so the inbox can pick its private key."""
    try:
        kid: str = jose.jwe_header(envelope.body)["kid"]
    except jose.TokenError as exc:
        raise errors.MalformedError(str(exc)) from exc
    return kid


def decrypt_body(envelope: Envelope, *, recipient_private_raw: bytes) -> dict[str, Any]:
    try:
        plaintext = jose.decrypt(envelope.body, recipient_private_raw=recipient_private_raw)
    except jose.TokenMalformedError as exc:
        raise errors.MalformedError(str(exc)) from exc
    except jose.TokenError as exc:
        raise errors.DecryptFailedError(
            "the body does not decrypt with the recipient's key"
        ) from exc
    try:
        body = json.loads(plaintext, parse_float=_refuse_float)
    except ValueError as exc:
        raise errors.MalformedError("the decrypted body is not JSON without floats") from exc
    if not isinstance(body, dict):
        raise errors.MalformedError("the decrypted body is not a JSON object")
    return body


def _refuse_float(text: str) -> float:
    raise ValueError(f"float {text} in body")
