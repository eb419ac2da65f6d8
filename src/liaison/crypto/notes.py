"""Signed notes, checkpoints and cosignatures in the C2SP formats transparency logs use
(c2sp.org/signed-note, c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature), Ed25519 only.

A note is UTF-8 text of newline-terminated lines, a blank line, then one line per signature:
"— <key name> <base64(4-byte key id || signature)>". A checkpoint is a note whose text is the
log's origin, its size in decimal, its root hash in base64, then optional extension lines. A
cosignature/v1 is a witness's timestamped signature over "cosignature/v1\\ntime <t>\\n" and
the checkpoint text: the witness says that, as of t, this is the largest tree it has seen of
that log and that it is consistent with every earlier one it saw. Pure functions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from liaison.crypto.keys import signing_key, verifying_key

# The signature types of the key id (c2sp.org/signed-note): Ed25519 notes, cosignature/v1.
ED25519 = 0x01
COSIGNATURE_V1 = 0x04
_DASH = "\u2014 "
_NAME = re.compile(r"^[^\s+]{1,255}$")
MAX_NOTE_BYTES = 64 * 1024
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """Not a well-formed note, or no valid signature by the key asked for."""


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    blob: bytes  # what follows the key id: the signature (with a timestamp for a cosignature)

    def line(self) -> str:
        return f"{_DASH}{self.name} {base64.b64encode(self.key_id + self.blob).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str  # every line of the text, each ending in "\n"
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise NoteError(f"{name!r} cannot name a key: 1-255 characters, no spaces or '+'")
    return name


def key_id(name: str, signature_type: int, public_raw: bytes) -> bytes:
    data = check_name(name).encode() + b"\n" + bytes([signature_type]) + public_raw
    return hashlib.sha256(data).digest()[:4]


def _check_text(text: str) -> None:
    if not text.endswith("\n") or text == "\n":
        raise NoteError("a note's text is lines, each ending with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text has no control characters but newlines")


def parse(note: str) -> Note:
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError(f"a note is at most {MAX_NOTE_BYTES} bytes")
    # The last blank line separates the text (which may hold blank lines) from the signatures.
    text, sep, rest = note.rpartition("\n\n")
    if not sep or not rest.endswith("\n"):
        raise NoteError("a note is text, a blank line and signature lines")
    text += "\n"
    _check_text(text)
    signatures = []
    for line in rest[:-1].split("\n"):
        if not line.startswith(_DASH):
            raise NoteError("every line after the blank line must be a signature")
        name, _, b64 = line[len(_DASH) :].partition(" ")
        try:
            blob = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise NoteError(f"the signature by {name!r} is not base64") from None
        if len(blob) < 5:
            raise NoteError(f"the signature by {name!r} is too short")
        signatures.append(Signature(check_name(name), blob[:4], blob[4:]))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"a note carries 1-{MAX_SIGNATURES} signatures")
    return Note(text, tuple(signatures))


def sign(text: str, *, name: str, private_raw: bytes) -> Note:
    _check_text(text)
    public_raw = signing_key(private_raw).public_key().public_bytes_raw()
    blob = signing_key(private_raw).sign(text.encode())
    return Note(text, (Signature(name, key_id(name, ED25519, public_raw), blob),))


def verify(note: Note, *, name: str, public_raw: bytes) -> None:
    """Raises NoteError unless the note carries a valid signature by (name, key)."""
    expected = key_id(name, ED25519, public_raw)
    for sig in note.signatures:
        if sig.name == name and sig.key_id == expected and len(sig.blob) == 64:
            try:
                verifying_key(public_raw).verify(sig.blob, note.text.encode())
            except InvalidSignature:
                raise NoteError(f"the signature by {name} does not verify") from None
            return
    raise NoteError(f"the note carries no signature by {name} with the published key")


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, *, name: str, private_raw: bytes, timestamp: int) -> Signature:
    _check_text(text)
    public_raw = signing_key(private_raw).public_key().public_bytes_raw()
    sig = signing_key(private_raw).sign(_cosigned_message(text, timestamp))
    return Signature(
        name, key_id(name, COSIGNATURE_V1, public_raw), struct.pack(">Q", timestamp) + sig
    )


def verify_cosignature(text: str, sig: Signature, *, name: str, public_raw: bytes) -> int:
    """The cosignature's timestamp, if `sig` is a valid cosignature/v1 by (name, key)."""
    if sig.name != name or sig.key_id != key_id(name, COSIGNATURE_V1, public_raw):
        raise NoteError(f"not a cosignature by {name} with the published key")
    if len(sig.blob) != 8 + 64:
        raise NoteError(f"the cosignature by {name} is not 72 bytes")
    (timestamp,) = struct.unpack(">Q", sig.blob[:8])
    if timestamp >= 1 << 63:
        raise NoteError(f"the cosignature by {name} has an impossible time")
    try:
        verifying_key(public_raw).verify(sig.blob[8:], _cosigned_message(text, timestamp))
    except InvalidSignature:
        raise NoteError(f"the cosignature by {name} does not verify") from None
    return int(timestamp)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "".join(line + "\n" for line in [*lines, *self.extensions])


def parse_checkpoint(text: str) -> Checkpoint:
    _check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    if any(not line for line in lines):
        raise NoteError("a checkpoint has no empty lines")
    origin, size, root_b64, *extensions = lines
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size):
        raise NoteError("a checkpoint's size is a decimal number without leading zeros")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError("a checkpoint's root hash is not base64") from None
    if len(root) != 32:
        raise NoteError("a checkpoint's root hash is 32 bytes")
    return Checkpoint(origin, int(size), root, tuple(extensions))
