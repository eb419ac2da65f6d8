"""Envelopes and receipts: seal, peek, verify against the directory, decrypt; every refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from liaison.core.ids import new_id_str
from liaison.crypto import keys
from liaison.crypto.hashing import canonical_json
from liaison.crypto.jose import sign as sign_compact
from liaison.directory.document import DirectoryDocument, signing_key
from liaison.federation.envelope import (
    ENVELOPE_TYP,
    BatchRequest,
    BatchResponse,
    Envelope,
    body_key_id,
    check_fresh,
    decrypt_body,
    is_fresh,
    peek,
    seal,
    verify,
)
from liaison.federation.receipts import make_receipt, verify_receipt
from liaison.protocol import errors

NOW = datetime(2025, 6, 1, 12, 0, 0, 123000, tzinfo=UTC)
VN_SIG, VN_ENC = keys.generate("signing"), keys.generate("encryption")
RU_SIG, RU_ENC = keys.generate("signing"), keys.generate("encryption")
ROGUE = keys.generate("signing")


def _key(kid: str, pair: keys.NewKeyPair, use: str, not_after: str | None = None) -> Any:
    return {
        "kid": kid,
        "use": use,
        "alg": "Ed25519" if use == "sig" else "X25519",
        "public": keys.b64u(pair.public_raw),
        "not_before": "2025-01-01T00:00:00.000Z",
        "not_after": not_after,
    }


def _authority(aid: str, state: str, keys_: list[Any]) -> Any:
    return {
        "id": aid,
        "state": state,
        "names": {"en": aid},
        "roles": ["contact_24_7"],
        "accepted_languages": ["en"],
        "kinds": ["ping", "note"],
        "endpoint": f"https://{aid}.example.org",
        "keys": keys_,
    }


DIRECTORY = DirectoryDocument.model_validate(
    {
        "v": 1,
        "operator": "un-unodc",
        "version": 1,
        "issued_at": "2025-01-01T00:00:00.000Z",
        "authorities": [
            _authority(
                "vn-mps",
                "VN",
                [
                    _key("vn-sig", VN_SIG, "sig"),
                    _key("vn-enc", VN_ENC, "enc"),
                    _key("vn-sig-old", ROGUE, "sig", not_after="2025-02-01T00:00:00.000Z"),
                    _key("vn-sig-lost", VN_ENC, "enc"),
                ],
            ),
            _authority(
                "ru-pgo", "RU", [_key("ru-sig", RU_SIG, "sig"), _key("ru-enc", RU_ENC, "enc")]
            ),
        ],
        "revoked_keys": [{"kid": "vn-sig-lost", "revoked_at": NOW, "reason": "lost"}],
    }
)


def _seal(body: dict[str, Any] | None = None, **overrides: Any) -> Any:
    args: dict[str, Any] = {
        "kind": "note",
        "sender": "vn-mps",
        "recipient": "ru-pgo",
        "body": {"text": "Xin chào"} if body is None else body,
        "sender_key_id": "vn-sig",
        "sender_private_raw": VN_SIG.private_raw,
        "recipient_key_id": "ru-enc",
        "recipient_public_raw": RU_ENC.public_raw,
        "now": NOW,
    } | overrides
    return seal(**args)


def _open(wire: str, *, now: datetime = NOW) -> dict[str, Any]:
    """What the inbox does, in order."""
    peeked = peek(wire)
    key = signing_key(
        doc=DIRECTORY, authority_id=peeked.unverified.sender, kid=peeked.signer_kid, at=now
    )
    envelope = verify(wire, signer_public_raw=key.public_raw)
    check_fresh(envelope, now=now)
    assert body_key_id(envelope) == "ru-enc"
    return decrypt_body(envelope, recipient_private_raw=RU_ENC.private_raw)


def _flip_bit(wire: str, segment: int, byte: int = 5) -> str:
    parts = wire.split(".")
    raw = bytearray(keys.b64u_decode(parts[segment]))
    raw[byte % len(raw)] ^= 0x01
    parts[segment] = keys.b64u(bytes(raw))
    return ".".join(parts)


def _signed_payload(payload: dict[str, Any], private_raw: bytes = VN_SIG.private_raw) -> str:
    return sign_compact(
        canonical_json(payload), private_raw=private_raw, key_id="vn-sig", typ=ENVELOPE_TYP
    )


def test_round_trip() -> None:
    sealed = _seal()
    assert _open(sealed.wire) == {"text": "Xin chào"}
    assert sealed.digest.startswith("sha256:")
    env = sealed.envelope
    assert (env.sender, env.to, env.kind, env.thread, env.in_reply_to) == (
        "vn-mps",
        "ru-pgo",
        "note",
        env.id,
        None,
    )
    assert env.created_at == NOW
    reply = _seal(thread=env.thread, in_reply_to=env.id)
    assert (reply.envelope.thread, reply.envelope.in_reply_to) == (env.id, env.id)


def test_wire_is_a_jws_with_the_documented_headers() -> None:
    wire = _seal().wire
    head, payload, _ = wire.split(".")
    assert json.loads(keys.b64u_decode(head)) == {
        "alg": "Ed25519",
        "kid": "vn-sig",
        "typ": "liaison-envelope+jws",
    }
    fields = json.loads(keys.b64u_decode(payload))
    assert sorted(fields) == sorted(
        ["v", "id", "kind", "from", "to", "created_at", "in_reply_to", "thread", "body"]
    )
    assert canonical_json(fields) == keys.b64u_decode(payload)
    jwe_head = json.loads(keys.b64u_decode(fields["body"].split(".")[0]))
    assert (jwe_head["alg"], jwe_head["enc"], jwe_head["kid"]) == ("ECDH-ES", "A256GCM", "ru-enc")
    assert jwe_head["epk"]["crv"] == "X25519"


def test_wrong_recipient_key_cannot_decrypt() -> None:
    envelope = verify(_seal().wire, signer_public_raw=VN_SIG.public_raw)
    with pytest.raises(errors.DecryptFailedError) as caught:
        decrypt_body(envelope, recipient_private_raw=VN_ENC.private_raw)
    assert caught.value.reason == "decrypt_failed"


@pytest.mark.parametrize(("segment", "byte"), [(2, 0), (2, 63), (1, 30), (1, 200)])
def test_one_bit_flipped_in_signature_or_payload(segment: int, byte: int) -> None:
    wire = _flip_bit(_seal().wire, segment, byte)
    with pytest.raises(errors.ProtocolError) as caught:
        _open(wire)
    assert caught.value.reason in {"bad_signature", "malformed"}
    with pytest.raises(errors.ProtocolError) as again:
        verify(wire, signer_public_raw=VN_SIG.public_raw)
    assert again.value.reason == "bad_signature"


def test_one_bit_flipped_in_ciphertext_under_a_valid_signature() -> None:
    fields = _seal().envelope.model_dump(mode="json")
    fields["body"] = _flip_bit(fields["body"], 3, 0)
    with pytest.raises(errors.DecryptFailedError):
        _open(_signed_payload(fields))


@pytest.mark.parametrize(
    ("kid", "private_raw", "reason"),
    [
        ("rogue", ROGUE.private_raw, "unknown_key"),
        ("ru-sig", RU_SIG.private_raw, "unknown_key"),  # a real key, of another authority
        ("vn-sig-old", ROGUE.private_raw, "expired_key"),
        ("vn-sig-lost", VN_ENC.private_raw, "unknown_key"),  # an enc key never signs
        ("vn-sig", ROGUE.private_raw, "bad_signature"),  # a directory kid, a stranger's key
    ],
)
def test_signer_refusals(kid: str, private_raw: bytes, reason: str) -> None:
    wire = _seal(sender_key_id=kid, sender_private_raw=private_raw).wire
    with pytest.raises(errors.ProtocolError) as caught:
        _open(wire)
    assert caught.value.reason == reason


def test_revoked_signing_key_is_refused() -> None:
    raw = DIRECTORY.model_dump(mode="json")
    raw["revoked_keys"].append({"kid": "vn-sig", "revoked_at": NOW, "reason": "x"})
    revoked = DirectoryDocument.model_validate(raw)
    with pytest.raises(errors.RevokedKeyError) as caught:
        signing_key(doc=revoked, authority_id="vn-mps", kid="vn-sig", at=NOW)
    assert caught.value.reason == "revoked_key"


@pytest.mark.parametrize("age", [timedelta(minutes=11), timedelta(minutes=-3)])
def test_stale_or_future_envelope(age: timedelta) -> None:
    wire = _seal(now=NOW - age).wire
    with pytest.raises(errors.StaleError) as caught:
        _open(wire)
    assert caught.value.reason == "stale"
    envelope = peek(wire).unverified
    assert is_fresh(envelope, now=NOW, window=timedelta(minutes=12), skew=timedelta(minutes=4))


def test_oversize_wire_is_refused_before_parsing() -> None:
    with pytest.raises(errors.TooLargeError) as caught:
        peek("x" * 2_000_000)
    assert caught.value.reason == "too_large"
    with pytest.raises(errors.TooLargeError):
        peek(_seal().wire, max_bytes=500)
    with pytest.raises(errors.TooLargeError):
        _seal(body={"text": "a" * 5000}, max_bytes=4000)


@pytest.mark.parametrize(
    "wire",
    [
        "",
        "not a jws",
        "a.b.c",
        "eyJhbGciOiJFZDI1NTE5In0.e30.AAAA",  # header without kid and typ
        "é.é.é",
    ],
)
def test_malformed_wire(wire: str) -> None:
    with pytest.raises(errors.MalformedError) as caught:
        peek(wire)
    assert caught.value.reason == "malformed"


def test_malformed_json_payload_under_valid_signature() -> None:
    wire = sign_compact(b"{not json", private_raw=VN_SIG.private_raw, key_id="k", typ=ENVELOPE_TYP)
    with pytest.raises(errors.MalformedError):
        peek(wire)
    with pytest.raises(errors.MalformedError):
        verify(wire, signer_public_raw=VN_SIG.public_raw)


def test_receipt_is_not_an_envelope() -> None:
    receipt = make_receipt(
        envelope_id=None,
        envelope_digest="sha256:" + "0" * 64,
        received_at=NOW,
        status="rejected",
        reason="malformed",
        receiver="ru-pgo",
        receiver_key_id="ru-sig",
        receiver_private_raw=RU_SIG.private_raw,
    )
    with pytest.raises(errors.MalformedError):
        verify(receipt.wire, signer_public_raw=RU_SIG.public_raw)


@pytest.mark.parametrize(
    "change",
    [
        {"to": "vn-mps"},
        {"id": "not-a-uuid"},
        {"id": "01890a5d-ac96-4000-8000-000000000000"},  # a UUIDv4 shape, not v7
        {"thread": "01890A5D-AC96-7000-8000-000000000000"},  # upper case is not canonical
        {"kind": "Note"},
        {"kind": "n"},
        {"v": 2},
        {"v": True},
        {"created_at": "2025-06-01T12:00:00+00:00"},
        {"created_at": 1748779200},
        {"extra": "field"},
        {"body": "not-a-jwe"},
    ],
)
def test_invalid_fields_are_malformed(change: dict[str, Any]) -> None:
    fields = _seal().envelope.model_dump(mode="json") | change
    wire = _signed_payload(fields)
    with pytest.raises(errors.MalformedError):
        verify(wire, signer_public_raw=VN_SIG.public_raw)


def test_seal_refuses_bad_input() -> None:
    with pytest.raises(errors.MalformedError, match="different authorities"):
        _seal(recipient="vn-mps")
    with pytest.raises(errors.MalformedError):
        _seal(kind="Bad Kind")
    with pytest.raises(errors.MalformedError, match="floating-point"):
        _seal(body={"amount": {"eur": 1.5}})
    # Beyond ±(2^53 - 1) canonical JSON is not exact: refused, not signed approximately.
    with pytest.raises(errors.MalformedError, match="integers within"):
        _seal(body={"bytes": [2**53]})


def test_receipts_verify_and_are_byte_identical_when_remade() -> None:
    sealed = _seal()
    args: dict[str, Any] = {
        "envelope_id": sealed.envelope.id,
        "envelope_digest": sealed.digest,
        "received_at": NOW,
        "status": "accepted",
        "reason": None,
        "receiver": "ru-pgo",
        "receiver_key_id": "ru-sig",
        "receiver_private_raw": RU_SIG.private_raw,
    }
    first, second = make_receipt(**args), make_receipt(**args)
    assert first.wire == second.wire
    receipt = verify_receipt(
        first.wire,
        public_raw=RU_SIG.public_raw,
        expected_envelope_id=sealed.envelope.id,
        expected_digest=sealed.digest,
    )
    assert (receipt.status, receipt.reason, receipt.received_at) == ("accepted", None, NOW)
    with pytest.raises(errors.ReceiptMismatchError):
        verify_receipt(
            first.wire,
            public_raw=RU_SIG.public_raw,
            expected_envelope_id=new_id_str(),
            expected_digest=sealed.digest,
        )
    with pytest.raises(errors.ReceiptMismatchError):
        verify_receipt(
            first.wire,
            public_raw=RU_SIG.public_raw,
            expected_envelope_id=sealed.envelope.id,
            expected_digest=["sha256:" + "1" * 64],
        )
    with pytest.raises(errors.BadSignatureError):
        verify_receipt(
            first.wire,
            public_raw=VN_SIG.public_raw,
            expected_envelope_id=sealed.envelope.id,
            expected_digest=sealed.digest,
        )
    with pytest.raises(errors.MalformedError):
        make_receipt(**(args | {"status": "rejected"}))  # a rejection needs its reason


def test_batch_models() -> None:
    wire = _seal().wire
    batch = BatchRequest.model_validate_json(json.dumps({"envelopes": [wire, wire]}))
    assert batch.envelopes == [wire, wire]
    bad_batches: list[dict[str, Any]] = [{"envelopes": []}, {"envelopes": [wire], "x": 1}]
    for bad in [*bad_batches, {"envelopes": [1]}]:
        with pytest.raises(ValidationError):
            BatchRequest.model_validate_json(json.dumps(bad), strict=True)
    assert BatchResponse(receipts=["a.b.c"]).model_dump() == {"receipts": ["a.b.c"]}


def test_envelope_model_uses_the_wire_name_from() -> None:
    envelope = _seal().envelope
    dumped = envelope.model_dump(mode="json")
    assert dumped["from"] == "vn-mps"
    assert "sender" not in dumped
    assert Envelope.model_validate(dumped) == envelope


_values = st.one_of(
    st.text(max_size=40), st.integers(-(2**53 - 1), 2**53 - 1), st.booleans(), st.none()
)


@settings(max_examples=60, deadline=None)
@given(
    body=st.dictionaries(
        st.text(max_size=20), st.one_of(_values, st.lists(_values, max_size=4)), max_size=8
    )
)
def test_any_json_body_without_floats_round_trips(body: dict[str, Any]) -> None:
    assert _open(_seal(body=body).wire) == body
