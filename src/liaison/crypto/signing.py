"""Compact JWS with Ed25519 (RFC 8037; the fully-specified "Ed25519" alg of RFC 9864)."""

from __future__ import annotations

import json
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from liaison.crypto.hashing import canonical_json
from liaison.crypto.keys import b64u_decode, signing_key, verifying_key

ALG = "Ed25519"
# joserfc refuses Ed25519 by default as "not recommended"; we name it explicitly.
_REGISTRY = jws.JWSRegistry(algorithms=[ALG])


class SignatureInvalid(Exception):
    """The token is not a valid signature by the given key."""


def sign_bytes(payload: bytes, *, private_raw: bytes, key_id: str, typ: str | None = None) -> str:
    header: dict[str, Any] = {"alg": ALG, "kid": key_id}
    if typ:
        header["typ"] = typ
    key = OKPKey.import_key(signing_key(private_raw))
    return jws.serialize_compact(header, payload, key, registry=_REGISTRY)


def sign_json(value: Any, *, private_raw: bytes, key_id: str, typ: str | None = None) -> str:
    return sign_bytes(canonical_json(value), private_raw=private_raw, key_id=key_id, typ=typ)


def unverified_header(token: str) -> dict[str, Any]:
    """The protected header, to find which key to verify with. Trust nothing in it yet."""
    try:
        head = token.split(".", 1)[0]
        header = json.loads(b64u_decode(head))
    except (ValueError, IndexError) as exc:
        raise SignatureInvalid("not a compact JWS") from exc
    if not isinstance(header, dict):
        raise SignatureInvalid("JWS header is not an object")
    return header


def verify(token: str, *, public_raw: bytes) -> bytes:
    """Return the payload if the signature verifies with this key, else raise SignatureInvalid."""
    try:
        key = OKPKey.import_key(verifying_key(public_raw))
        result = jws.deserialize_compact(token, key, registry=_REGISTRY)
    except (JoseError, ValueError) as exc:
        raise SignatureInvalid(f"signature does not verify: {exc}") from exc
    payload: bytes = result.payload
    return payload
