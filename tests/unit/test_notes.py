"""Signed notes, checkpoints and cosignatures in the C2SP formats."""

from __future__ import annotations

import base64
import hashlib

import pytest

from liaison.crypto import keys, notes


def pair() -> tuple[bytes, bytes]:
    generated = keys.generate("signing")
    return generated.private_raw, generated.public_raw


def test_key_ids_follow_the_signed_note_rule() -> None:
    _, public = pair()
    assert (
        notes.key_id("log.example/a", 0x01, public)
        == (hashlib.sha256(b"log.example/a\n\x01" + public).digest()[:4])
    )
    assert notes.key_id("log.example/a", 0x04, public) != notes.key_id("log.example/a", 1, public)
    for bad in ("with space", "plus+sign", ""):
        with pytest.raises(notes.NoteError):
            notes.key_id(bad, 0x01, public)


def test_a_checkpoint_round_trips_and_any_change_breaks_its_signature() -> None:
    private, public = pair()
    cp = notes.Checkpoint("node-a", 42, hashlib.sha256(b"x").digest(), ("time 1700000000",))
    note = notes.sign(cp.text(), name="node-a", private_raw=private)
    wire = note.render()
    assert wire.startswith("node-a\n42\n")
    assert "\n\n\u2014 node-a " in wire
    parsed = notes.parse(wire)
    notes.verify(parsed, name="node-a", public_raw=public)
    assert notes.parse_checkpoint(parsed.text) == cp
    tampered = notes.parse(wire.replace("\n42\n", "\n43\n"))
    with pytest.raises(notes.NoteError, match="does not verify"):
        notes.verify(tampered, name="node-a", public_raw=public)
    _, other = pair()
    with pytest.raises(notes.NoteError, match="no signature"):
        notes.verify(parsed, name="node-a", public_raw=other)
    with pytest.raises(notes.NoteError, match="no signature"):
        notes.verify(parsed, name="node-b", public_raw=public)


def test_cosignatures_carry_their_time_and_cover_the_checkpoint() -> None:
    log_private, _ = pair()
    w_private, w_public = pair()
    text = notes.Checkpoint("node-a", 7, bytes(32)).text()
    sig = notes.cosign(text, name="node-b", private_raw=w_private, timestamp=1_700_000_123)
    assert len(sig.key_id + sig.blob) == 4 + 8 + 64
    assert notes.verify_cosignature(text, sig, name="node-b", public_raw=w_public) == 1_700_000_123
    note = notes.Note(
        text, (*notes.sign(text, name="node-a", private_raw=log_private).signatures, sig)
    )
    again = notes.parse(note.render())
    assert again.signatures[1] == sig
    other = notes.Checkpoint("node-a", 7, b"\x01" * 32).text()
    with pytest.raises(notes.NoteError):
        notes.verify_cosignature(other, sig, name="node-b", public_raw=w_public)
    # An Ed25519 note signature by the same key is not a cosignature (different key id).
    plain = notes.sign(text, name="node-b", private_raw=w_private).signatures[0]
    with pytest.raises(notes.NoteError):
        notes.verify_cosignature(text, plain, name="node-b", public_raw=w_public)


@pytest.mark.parametrize(
    "wire",
    [
        "no blank line\n\u2014 a AAAAAAA=\n",
        "text\n\nnot a signature\n",
        "text\n\n\u2014 a !!!\n",
        "text\n\n\u2014 a AAAA\n",
        "te\x07xt\n\n\u2014 a AAAAAAA=\n",
        "text\n\n",
    ],
)
def test_malformed_notes_are_refused(wire: str) -> None:
    with pytest.raises(notes.NoteError):
        notes.parse(wire)


@pytest.mark.parametrize(
    "text",
    [
        "origin\n",
        "origin\n01\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\nnot-base64\n",
        "origin\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "origin\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(notes.NoteError):
        notes.parse_checkpoint(text)
