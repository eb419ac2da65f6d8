from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest

from liaison.crypto import jose, keys
from liaison.crypto.passwords import hash_password, verify_password

KEK = b"k" * 32


def test_wrapped_private_key_needs_the_right_kek_and_key_id() -> None:
    pair = keys.generate("signing")
    wrapped = keys.wrap(KEK, "key-1", pair.private_raw)
    assert pair.private_raw not in wrapped
    assert keys.unwrap(KEK, "key-1", wrapped) == pair.private_raw
    with pytest.raises(keys.KeyUnwrapError, match="wrong key-encryption key"):
        keys.unwrap(b"x" * 32, "key-1", wrapped)
    # a wrapped key moved onto another record does not unwrap
    with pytest.raises(keys.KeyUnwrapError):
        keys.unwrap(KEK, "key-2", wrapped)


def test_x25519_key_is_an_age_recipient_and_identity() -> None:
    pair = keys.generate("encryption")
    recipient = keys.age_recipient(pair.public_raw)
    identity = keys.age_identity(pair.private_raw)
    assert recipient.startswith("age1")
    assert identity.startswith("AGE-SECRET-KEY-1")
    ciphertext = pyrage.encrypt(b"evidence", [pyrage.x25519.Recipient.from_str(recipient)])
    assert pyrage.decrypt(ciphertext, [pyrage.x25519.Identity.from_str(identity)]) == b"evidence"
    assert str(pyrage.x25519.Identity.from_str(identity).to_public()) == recipient
    assert keys.raw_from_age_recipient(recipient) == pair.public_raw
    assert keys.raw_from_age_identity(identity) == pair.private_raw


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command is not installed")
def test_the_age_command_decrypts_to_our_identity(tmp_path: Path) -> None:
    pair = keys.generate("encryption")
    (tmp_path / "id.txt").write_text(keys.age_identity(pair.private_raw) + "\n")
    ciphertext = pyrage.encrypt(
        b"hello", [pyrage.x25519.Recipient.from_str(keys.age_recipient(pair.public_raw))]
    )
    (tmp_path / "m.age").write_bytes(ciphertext)
    out = subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "id.txt"), str(tmp_path / "m.age")],
        capture_output=True,
        check=True,
    )
    assert out.stdout == b"hello"


def test_signatures_verify_only_with_the_signers_key() -> None:
    pair, other = keys.generate("signing"), keys.generate("signing")
    token = jose.sign_json(
        {"a": 1}, private_raw=pair.private_raw, key_id="k1", typ=jose.Typ.checkpoint
    )
    assert jose.jws_header(token)["kid"] == "k1"
    good = jose.verify(token, public_raw=pair.public_raw, typ=jose.Typ.checkpoint, key_id="k1")
    assert good == b'{"a":1}'
    with pytest.raises(jose.SignatureInvalidError):
        jose.verify(token, public_raw=other.public_raw, typ=jose.Typ.checkpoint, key_id="k1")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(jose.SignatureInvalidError):
        jose.verify(tampered, public_raw=pair.public_raw, typ=jose.Typ.checkpoint, key_id="k1")
    # The key id the caller found the key by must be the one the token names.
    with pytest.raises(jose.TokenMalformedError, match="kid"):
        jose.verify(token, public_raw=pair.public_raw, typ=jose.Typ.checkpoint, key_id="k2")


@pytest.mark.parametrize("made_as", list(jose.Typ))
def test_every_verifier_refuses_a_signature_made_for_another_purpose(made_as: jose.Typ) -> None:
    """A signature made for one purpose (say an approval) can never pass as another (say a
    deletion record), even over the very same bytes by the very same key."""
    pair = keys.generate("signing")
    token = jose.sign(b'{"x":1}', private_raw=pair.private_raw, key_id="k", typ=made_as)
    for expected in jose.Typ:
        if expected is made_as:
            assert jose.verify(token, public_raw=pair.public_raw, typ=expected, key_id="k")
            continue
        with pytest.raises(jose.TokenMalformedError, match="typ"):
            jose.verify(token, public_raw=pair.public_raw, typ=expected, key_id="k")


def test_every_signed_object_has_its_own_typ() -> None:
    values = [str(t) for t in jose.Typ]
    assert len(values) == len(set(values))


def test_passwords() -> None:
    stored = hash_password("a-long-passphrase-1")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a-long-passphrase-1")
    assert not verify_password(stored, "a-long-passphrase-2")
    assert not verify_password(None, "anything")
