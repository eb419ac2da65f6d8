"""At-rest encryption of evidence blobs: AES-256-GCM over 1 MiB chunks, one random key per blob.

File format (version 1), all integers big-endian::

    magic         8 bytes   b"LSNBLOB1"
    header_len    2 bytes   length of the header that follows
    header        JSON, UTF-8, sorted keys: {"alg": "A256GCM-CHUNKED", "chunk_size": 1048576,
                  "key_id": "<uuid>", "nonce_prefix": "<base64url, 8 bytes>",
                  "wrapped_key": "<base64url>"}
    chunk 0 … N-1 AES-256-GCM ciphertext of each plaintext chunk followed by its 16-byte tag

* Every chunk but the last holds exactly ``chunk_size`` plaintext bytes; the last holds 1 to
  ``chunk_size`` (empty blobs do not exist: zero-byte evidence is refused at ingest).
* Nonce of chunk *i*: the blob's random 8-byte prefix followed by *i* as 4 bytes. A key encrypts
  one blob only, so nonces never repeat under a key.
* Associated data: a flag byte, then the whole header as stored (magic to the end of the JSON),
  then for the last chunk only the blob's content address (``sha256:<hex>`` of the whole
  plaintext). The flag is ``b"\\x00"`` for every chunk but the last and ``b"\\x01"`` for the last.
  So an altered header, truncation at a chunk boundary, reordering, appended chunks, and a blob
  file moved under another name all fail authentication.
* ``wrapped_key`` is the blob key wrapped by the node key-encryption key with
  :func:`liaison.crypto.keys.wrap`, ``key_id`` as associated data. The blob therefore carries
  everything needed to read it with the KEK, and stays readable after deduplication.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from liaison.crypto import keys

MAGIC = b"LSNBLOB1"
ALG = "A256GCM-CHUNKED"
CHUNK_SIZE = 1 << 20
TAG_SIZE = 16
_PREFIX_SIZE = 8
_MAX_CHUNKS = 1 << 32
_HEADER_LEN = struct.Struct(">H")
_MAX_HEADER = 4096
_NOT_FINAL = b"\x00"


class BlobCipherError(Exception):
    """A blob fails authentication or its header cannot be read."""


@dataclass(frozen=True)
class BlobHeader:
    key_id: str
    wrapped_key: bytes
    nonce_prefix: bytes
    chunk_size: int = CHUNK_SIZE

    def encode(self) -> bytes:
        body = json.dumps(
            {
                "alg": ALG,
                "chunk_size": self.chunk_size,
                "key_id": self.key_id,
                "nonce_prefix": keys.b64u(self.nonce_prefix),
                "wrapped_key": keys.b64u(self.wrapped_key),
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        return MAGIC + _HEADER_LEN.pack(len(body)) + body


def header_size_prefix() -> int:
    """Bytes to read before :func:`header_body_len` tells how long the header is."""
    return len(MAGIC) + _HEADER_LEN.size


def header_body_len(prefix: bytes) -> int:
    if len(prefix) != header_size_prefix() or not prefix.startswith(MAGIC):
        raise BlobCipherError("not an encrypted evidence blob (bad magic)")
    (length,) = _HEADER_LEN.unpack(prefix[len(MAGIC) :])
    if not 0 < length <= _MAX_HEADER:
        raise BlobCipherError("encrypted blob header has an impossible length")
    return int(length)


def decode_header(body: bytes) -> BlobHeader:
    try:
        fields = json.loads(body)
        header = BlobHeader(
            key_id=str(fields["key_id"]),
            wrapped_key=keys.b64u_decode(fields["wrapped_key"]),
            nonce_prefix=keys.b64u_decode(fields["nonce_prefix"]),
            chunk_size=int(fields["chunk_size"]),
        )
        alg = fields["alg"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BlobCipherError("encrypted blob header is unreadable") from exc
    if alg != ALG or header.chunk_size != CHUNK_SIZE or len(header.nonce_prefix) != _PREFIX_SIZE:
        raise BlobCipherError(f"unsupported blob encryption {alg!r}")
    return header


def new_blob(*, kek: bytes, key_id: str) -> tuple[BlobHeader, bytes, BlobCipher]:
    """A fresh random key and nonce prefix for one blob, the key wrapped under ``kek``.

    Returns the header, its encoding (to write first) and the cipher for the chunks.
    """
    key = AESGCM.generate_key(bit_length=256)
    prefix = os.urandom(_PREFIX_SIZE)
    header = BlobHeader(key_id=key_id, wrapped_key=keys.wrap(kek, key_id, key), nonce_prefix=prefix)
    raw = header.encode()
    return header, raw, BlobCipher(key=key, nonce_prefix=prefix, raw_header=raw)


def open_blob_cipher(*, kek: bytes, header: BlobHeader, raw_header: bytes) -> BlobCipher:
    """The cipher of a stored blob; raises :class:`keys.KeyUnwrapError` for a wrong KEK.

    ``raw_header`` is the header exactly as read from the blob: it is authenticated with
    every chunk.
    """
    key = keys.unwrap(kek, header.key_id, header.wrapped_key)
    return BlobCipher(key=key, nonce_prefix=header.nonce_prefix, raw_header=raw_header)


class BlobCipher:
    """Seals and opens the chunks of one blob. Thread-safe: AESGCM holds no per-call state."""

    def __init__(self, *, key: bytes, nonce_prefix: bytes, raw_header: bytes) -> None:
        self._aead = AESGCM(key)
        self._prefix = nonce_prefix
        self._not_final = _NOT_FINAL + raw_header
        self._final = b"\x01" + raw_header

    def _aad(self, final_digest: str | None) -> bytes:
        if final_digest is None:
            return self._not_final
        return self._final + final_digest.encode("ascii")

    def _nonce(self, index: int) -> bytes:
        if not 0 <= index < _MAX_CHUNKS:
            raise BlobCipherError("blob too large for its nonce counter")
        return self._prefix + index.to_bytes(4, "big")

    def seal_into(
        self, *, index: int, plaintext: memoryview, out: memoryview, final_digest: str | None
    ) -> int:
        """Encrypt chunk ``index`` into ``out``; returns the ciphertext length (plaintext + tag).

        ``final_digest`` is given for the last chunk only: the blob's content address.
        """
        size = len(plaintext) + TAG_SIZE
        self._aead.encrypt_into(self._nonce(index), plaintext, self._aad(final_digest), out[:size])
        return size

    def open_into(
        self, *, index: int, ciphertext: memoryview, out: memoryview, final_digest: str | None
    ) -> int:
        """Decrypt and authenticate chunk ``index`` into ``out``; returns the plaintext length."""
        size = len(ciphertext) - TAG_SIZE
        if size <= 0:
            raise BlobCipherError(f"chunk {index} is shorter than its tag")
        try:
            self._aead.decrypt_into(
                self._nonce(index), ciphertext, self._aad(final_digest), out[:size]
            )
        except InvalidTag:
            where = "last chunk" if final_digest is not None else f"chunk {index}"
            raise BlobCipherError(
                f"{where} fails authentication (altered, truncated, reordered or misnamed)"
            ) from None
        return size
