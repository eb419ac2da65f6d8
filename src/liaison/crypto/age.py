"""age v1 encryption to X25519 recipients, streaming; the only module that calls pyrage.

pyrage reads its input through ``read(n)`` and writes its output through ``write(b)``, so the
caller decides where bytes come from and go to: nothing is held whole in memory.
"""

from __future__ import annotations

from typing import Protocol

import pyrage
from pyrage import x25519

from liaison.core.errors import InvalidInput, LiaisonError


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class AgeError(LiaisonError):
    """The ciphertext is not a well-formed age file, or it was altered or truncated."""


class NotEncryptedToIdentityError(AgeError):
    """The package was encrypted to somebody else."""


def parse_recipient(recipient: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(recipient.strip())
    except pyrage.RecipientError as exc:
        raise InvalidInput(f"not an age X25519 recipient: {recipient[:12]}...") from exc


def parse_identity(identity: str) -> x25519.Identity:
    # Identity files from age-keygen carry comment lines; keep the key line only.
    lines = [ln.strip() for ln in identity.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1:
        raise InvalidInput("an age identity must hold exactly one AGE-SECRET-KEY line")
    try:
        return x25519.Identity.from_str(lines[0])
    except pyrage.IdentityError as exc:
        raise InvalidInput("not an age X25519 identity (AGE-SECRET-KEY-1...)") from exc


def encrypt_stream(*, reader: Readable, writer: Writable, recipient: str) -> None:
    """Encrypt all ``reader`` yields to ``recipient``; age v1 binary goes to ``writer``."""
    try:
        pyrage.encrypt_io(reader, writer, [parse_recipient(recipient)])
    except pyrage.EncryptError as exc:
        raise AgeError(f"age encryption failed: {exc}") from exc


def decrypt_stream(*, reader: Readable, writer: Writable, identity: str) -> None:
    """Decrypt age v1 from ``reader`` into ``writer``; each 64 KiB chunk is authenticated first.

    Raises NotEncryptedToIdentityError when no recipient stanza opens with the identity,
    AgeError when the header or any chunk fails authentication or the file is truncated.
    """
    parsed = parse_identity(identity)
    try:
        pyrage.decrypt_io(reader, writer, [parsed])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise NotEncryptedToIdentityError(
                "the package is not encrypted to this identity (no recipient stanza matches)"
            ) from exc
        raise AgeError(f"age decryption failed, the package is altered or damaged: {exc}") from exc
    except OSError as exc:
        # pyrage reports a failed chunk tag or a truncated stream as a bare OSError.
        if isinstance(exc, LiaisonError):
            raise
        raise AgeError(
            f"age decryption failed, the package is altered or truncated: {exc}"
        ) from exc
