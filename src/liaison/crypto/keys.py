"""Key pairs, their wrapping at rest, signatures.

Signing keys are Ed25519; encryption keys are X25519 and double as age recipients/identities.
Private keys are stored as AES-256-GCM ciphertext under the node key-encryption key (KEK), with
the key id as associated data so a wrapped key cannot be swapped onto another record.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Literal

from bech32 import bech32_decode, bech32_encode, convertbits
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# "witness": the node's own second Ed25519 key, for cosigning other nodes' audit checkpoints
# (c2sp.org/tlog-cosignature wants a cosigner key of its own, apart from the log key).
Purpose = Literal["signing", "encryption", "witness", "personal"]
ALGORITHMS: dict[str, str] = {
    "signing": "Ed25519",
    "encryption": "X25519",
    "witness": "Ed25519",
    "personal": "Ed25519",
}
_NONCE = 12


class KeyUnwrapError(Exception):
    """A key cannot be unwrapped or parsed: wrong KEK, altered record, or bad encoding."""


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class NewKeyPair:
    public_raw: bytes
    private_raw: bytes


def generate(purpose: Purpose) -> NewKeyPair:
    raw = serialization.Encoding.Raw
    if purpose != "encryption":
        sk = Ed25519PrivateKey.generate()
        return NewKeyPair(
            sk.public_key().public_bytes(raw, serialization.PublicFormat.Raw),
            sk.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
        )
    xk = X25519PrivateKey.generate()
    return NewKeyPair(
        xk.public_key().public_bytes(raw, serialization.PublicFormat.Raw),
        xk.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
    )


def wrap(kek: bytes, key_id: str, secret: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(kek).encrypt(nonce, secret, key_id.encode())


def unwrap(kek: bytes, key_id: str, wrapped: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], key_id.encode())
    except InvalidTag as exc:
        raise KeyUnwrapError(
            f"key {key_id} cannot be unwrapped: wrong key-encryption key or altered record"
        ) from exc


def signing_key(private_raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(private_raw)


def verifying_key(public_raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(public_raw)


def encryption_private(private_raw: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(private_raw)


def encryption_public(public_raw: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(public_raw)


# age encodes X25519 keys as Bech32 (BIP 173) strings; the key bytes are the same.
def age_recipient(public_raw: bytes) -> str:
    return _bech32("age", public_raw)


def age_identity(private_raw: bytes) -> str:
    return _bech32("age-secret-key-", private_raw).upper()


def raw_from_age_recipient(recipient: str) -> bytes:
    return _unbech32("age", recipient)


def raw_from_age_identity(identity: str) -> bytes:
    return _unbech32("age-secret-key-", identity.strip().lower())


def _bech32(hrp: str, data: bytes) -> str:
    words = convertbits(data, 8, 5)
    if words is None:  # pragma: no cover - 32 bytes always convert
        raise KeyUnwrapError("cannot encode key")
    result: str = bech32_encode(hrp, words)
    return result


def _unbech32(hrp: str, text: str) -> bytes:
    found_hrp, words = bech32_decode(text)
    if found_hrp != hrp or words is None:
        raise KeyUnwrapError(f"not an age key with prefix {hrp!r}")
    data = convertbits(words, 5, 8, False)
    if data is None or len(data) != 32:
        raise KeyUnwrapError("age key does not hold 32 bytes")
    return bytes(data)
