"""JOSE: every signature Liaison makes or checks (compact JWS, Ed25519), and the federation's
encryption (compact JWE, ECDH-ES + X25519, A256GCM).

The only module that signs or encrypts with JOSE. Callers pass raw keys and bytes; algorithms
and header shapes are fixed here so a peer cannot steer us to another algorithm (no "alg"
agility: a token whose header is not exactly what we would have produced is refused before any
key is used). Every signed object has its own ``typ`` (`Typ`), and a verifier names the one it
expects, so a signature made for one purpose (an approval) can never be presented as another
(a deletion record).

Size limits are ours, not joserfc's defaults (128 kB JWS payload, 64 kB JWE ciphertext), so the
caller's limit on the wire is the one that applies, and it applies before anything is parsed.
"""

from __future__ import annotations

import binascii
import json
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from joserfc.errors import JoseError

from liaison.crypto.hashing import canonical_json
from liaison.crypto.keys import (
    b64u_decode,
    encryption_private,
    encryption_public,
    signing_key,
    verifying_key,
)

if TYPE_CHECKING:
    from joserfc import jwe, jws

# joserfc's JWS, JWE and key modules are imported by the functions that use them: loading them
# costs a tenth of a second, which every `liaison` command would pay through the modules that
# import this one (the directory, approvals) even when it signs and verifies nothing.

SIG_ALG = "Ed25519"
KEY_ALG = "ECDH-ES"
ENC = "A256GCM"
# Generous by default; the federation layer passes its configured limit.
DEFAULT_MAX_BYTES = 1024 * 1024
_JWS_HEADER_KEYS = frozenset({"alg", "kid", "typ"})
_JWE_HEADER_KEYS = frozenset({"alg", "enc", "kid", "epk"})


class Typ(StrEnum):
    """What a signature is for: the JWS ``typ`` header. Append; never rename a value (stored
    signatures carry it)."""

    envelope = "liaison-envelope+jws"
    receipt = "liaison-receipt+jws"
    directory = "liaison-directory+jws"
    approval = "liaison-request-approval+jws"
    checkpoint = "audit-checkpoint"
    bag_signature = "liaison-bag-signature+jws"
    deletion = "liaison-evidence-deletion+jws"
    transfer_token = "liaison-transfer+jws"  # noqa: S105 - a media type, not a secret


class TokenError(Exception):
    """Base of the failures below; the message says what was wrong, never key material."""


class TokenMalformedError(TokenError):
    """Not a token of the shape we accept (segments, base64url, JSON, headers)."""


class TokenTooLargeError(TokenError):
    """Longer than the limit; refused before parsing."""


class SignatureInvalidError(TokenError):
    """Well formed, but the signature does not verify with the given key."""


class DecryptError(TokenError):
    """Well formed, but the ciphertext does not decrypt (wrong key, or altered)."""


@lru_cache(maxsize=8)
def _jws_registry(max_bytes: int) -> jws.JWSRegistry:
    from joserfc import jws  # noqa: PLC0415 - loaded on first use, see top

    # joserfc refuses Ed25519 by default as "not recommended"; we name it explicitly.
    registry = jws.JWSRegistry(algorithms=[SIG_ALG])
    registry.max_payload_length = max_bytes
    return registry


@lru_cache(maxsize=8)
def _jwe_registry(max_bytes: int) -> jwe.JWERegistry:
    from joserfc import jwe  # noqa: PLC0415 - loaded on first use, see top

    registry = jwe.JWERegistry(algorithms=[KEY_ALG, ENC])
    registry.max_ciphertext_length = max_bytes
    return registry


def _check_size(token: str, max_bytes: int) -> None:
    if len(token) > max_bytes:
        raise TokenTooLargeError(f"token of {len(token)} bytes exceeds the limit of {max_bytes}")


def _segments(token: str, count: int, what: str) -> list[str]:
    if not token.isascii():
        raise TokenMalformedError(f"{what} is not ASCII")
    parts = token.split(".")
    if len(parts) != count:
        raise TokenMalformedError(f"{what} has {len(parts)} segments, expected {count}")
    return parts


def _json_segment(segment: str, what: str) -> Any:
    try:
        return json.loads(b64u_decode(segment))
    except (ValueError, binascii.Error) as exc:
        raise TokenMalformedError(f"{what} is not base64url JSON") from exc


def jws_header(token: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    """The protected header, checked for shape only: use it to find the key, trust nothing yet."""
    _check_size(token, max_bytes)
    header = _json_segment(_segments(token, 3, "JWS")[0], "JWS header")
    if not isinstance(header, dict) or set(header) != _JWS_HEADER_KEYS:
        raise TokenMalformedError(f"JWS header must have exactly {sorted(_JWS_HEADER_KEYS)}")
    if header["alg"] != SIG_ALG:
        raise TokenMalformedError(f"JWS alg must be {SIG_ALG!r}")
    if not isinstance(header["kid"], str) or not isinstance(header["typ"], str):
        raise TokenMalformedError("JWS kid and typ must be strings")
    return header


def jws_payload_unverified(token: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The payload bytes without checking the signature: for routing and key lookup only."""
    _check_size(token, max_bytes)
    try:
        return b64u_decode(_segments(token, 3, "JWS")[1])
    except (ValueError, binascii.Error) as exc:
        raise TokenMalformedError("JWS payload is not base64url") from exc


def sign(
    payload: bytes,
    *,
    private_raw: bytes,
    key_id: str,
    typ: Typ,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    from joserfc import jws  # noqa: PLC0415 - loaded on first use, see top
    from joserfc.jwk import OKPKey  # noqa: PLC0415 - idem

    header = {"alg": SIG_ALG, "kid": key_id, "typ": str(typ)}
    key = OKPKey.import_key(signing_key(private_raw))
    return jws.serialize_compact(header, payload, key, registry=_jws_registry(max_bytes))


def sign_json(
    value: Any, *, private_raw: bytes, key_id: str, typ: Typ, max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """A signature over the canonical JSON of ``value``."""
    return sign(
        canonical_json(value), private_raw=private_raw, key_id=key_id, typ=typ, max_bytes=max_bytes
    )


def verify(
    token: str,
    *,
    public_raw: bytes,
    typ: Typ,
    key_id: str | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> bytes:
    """The payload, if the header is ours (Ed25519) with this ``typ``, names ``key_id`` (the id
    the caller found the key by; None when the key was given directly, e.g. pinned), and the
    signature verifies with ``public_raw``."""
    header = jws_header(token, max_bytes=max_bytes)
    if header["typ"] != typ:
        raise TokenMalformedError(f"JWS typ is {header['typ']!r}, expected {str(typ)!r}")
    if key_id is not None and header["kid"] != key_id:
        raise TokenMalformedError(f"JWS kid is {header['kid']!r}, expected {key_id!r}")
    from joserfc import jws  # noqa: PLC0415 - loaded on first use, see top
    from joserfc.jwk import OKPKey  # noqa: PLC0415 - idem

    # Decode every segment ourselves first, so a broken one is "malformed", not a bad signature.
    for segment in _segments(token, 3, "JWS")[1:]:
        try:
            b64u_decode(segment)
        except (ValueError, binascii.Error) as exc:
            raise TokenMalformedError("JWS segment is not base64url") from exc
    try:
        key = OKPKey.import_key(verifying_key(public_raw))
        result = jws.deserialize_compact(token, key, registry=_jws_registry(max_bytes))
    except (JoseError, ValueError) as exc:
        raise SignatureInvalidError("signature does not verify") from exc
    payload: bytes = result.payload
    return payload


def encrypt_to(
    plaintext: bytes,
    *,
    recipient_key_id: str,
    recipient_public_raw: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Compact JWE: a fresh ephemeral X25519 key per message (ECDH-ES), so no state is kept."""
    from joserfc import jwe  # noqa: PLC0415 - loaded on first use, see top
    from joserfc.jwk import OKPKey  # noqa: PLC0415 - idem

    header = {"alg": KEY_ALG, "enc": ENC, "kid": recipient_key_id}
    key = OKPKey.import_key(encryption_public(recipient_public_raw))
    return jwe.encrypt_compact(header, plaintext, key, registry=_jwe_registry(max_bytes))


def jwe_header(token: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    """The protected header, checked for shape: ECDH-ES with an X25519 epk, A256GCM, a kid."""
    _check_size(token, max_bytes)
    header = _json_segment(_segments(token, 5, "JWE")[0], "JWE header")
    if not isinstance(header, dict) or set(header) != _JWE_HEADER_KEYS:
        raise TokenMalformedError(f"JWE header must have exactly {sorted(_JWE_HEADER_KEYS)}")
    epk = header["epk"]
    if header["alg"] != KEY_ALG or header["enc"] != ENC or not isinstance(header["kid"], str):
        raise TokenMalformedError(f"JWE must be alg {KEY_ALG!r}, enc {ENC!r}, with a string kid")
    if not isinstance(epk, dict) or epk.get("kty") != "OKP" or epk.get("crv") != "X25519":
        raise TokenMalformedError("JWE epk must be an OKP X25519 key")
    return header


def decrypt(
    token: str, *, recipient_private_raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes:
    from joserfc import jwe  # noqa: PLC0415 - loaded on first use, see top
    from joserfc.jwk import OKPKey  # noqa: PLC0415 - idem

    jwe_header(token, max_bytes=max_bytes)
    try:
        key = OKPKey.import_key(encryption_private(recipient_private_raw))
        result = jwe.decrypt_compact(token, key, registry=_jwe_registry(max_bytes))
    except (JoseError, ValueError) as exc:
        raise DecryptError("body does not decrypt with this key") from exc
    plaintext = result.plaintext
    if plaintext is None:  # pragma: no cover - joserfc sets it on success
        raise DecryptError("body decrypted to nothing")
    return plaintext
