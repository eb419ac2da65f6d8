"""The signed directory document: signature, versions, key lookup, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from liaison.core.permissions import AuthorityRole
from liaison.crypto import jose, keys
from liaison.crypto.jose import sign as sign_compact
from liaison.directory.document import (
    DirectoryDocument,
    accept_update,
    encryption_key,
    search,
    sign_directory,
    signing_key,
    verify_directory,
)
from liaison.protocol import errors

T0 = datetime(2025, 6, 1, tzinfo=UTC)
OPERATOR = keys.generate("signing")


def _key(kid: str, use: str, **extra: Any) -> dict[str, Any]:
    pair = keys.generate("signing" if use == "sig" else "encryption")
    return {
        "kid": kid,
        "use": use,
        "alg": "Ed25519" if use == "sig" else "X25519",
        "public": keys.b64u(pair.public_raw),
        "not_before": "2025-01-01T00:00:00.000Z",
        "not_after": None,
    } | extra


def _authority(aid: str, state: str, roles: list[str], langs: list[str], **extra: Any) -> Any:
    return {
        "id": aid,
        "state": state,
        "names": {"en": aid.upper()},
        "roles": roles,
        "accepted_languages": langs,
        "kinds": ["ping", "note"],
        "endpoint": f"https://{aid}.example.org",
        "keys": [_key(f"{aid}-sig-1", "sig"), _key(f"{aid}-enc-1", "enc")],
    } | extra


def _raw(**extra: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "operator": "un-unodc",
        "version": 7,
        "issued_at": "2025-06-01T00:00:00.000Z",
        "authorities": [
            _authority("vn-mps", "VN", ["contact_24_7", "competent_authority"], ["vi", "en"]),
            _authority("ru-pgo", "RU", ["central_authority"], ["ru", "en-GB"], kinds=["note"]),
            _authority(
                "by-mvd",
                "BY",
                ["contact_24_7"],
                ["ru", "be"],
                keys=[
                    _key("by-sig-old", "sig", not_after="2025-03-01T00:00:00.000Z"),
                    _key("by-sig-new", "sig", not_before="2025-03-01T00:00:00.000Z"),
                    _key("by-sig-lost", "sig"),
                    _key("by-enc-old", "enc"),
                    _key("by-enc-new", "enc", not_before="2025-05-01T00:00:00.000Z"),
                    _key("by-enc-next", "enc", not_before="2025-09-01T00:00:00.000Z"),
                ],
            ),
        ],
        "revoked_keys": [
            {"kid": "by-sig-lost", "revoked_at": "2025-04-01T00:00:00.000Z", "reason": "stolen"}
        ],
    } | extra


@pytest.fixture
def doc() -> DirectoryDocument:
    return DirectoryDocument.model_validate(_raw())


def _signed(doc: DirectoryDocument, private_raw: bytes = OPERATOR.private_raw) -> str:
    return sign_directory(doc=doc, operator_private_raw=private_raw, operator_kid="op-1")


def test_signed_document_verifies_against_the_pinned_key(doc: DirectoryDocument) -> None:
    token = _signed(doc)
    assert verify_directory(token=token, pinned_operator_public_raw=OPERATOR.public_raw) == doc


def test_document_signed_by_someone_else_is_refused(doc: DirectoryDocument) -> None:
    token = _signed(doc, keys.generate("signing").private_raw)
    with pytest.raises(errors.BadSignatureError) as caught:
        verify_directory(token=token, pinned_operator_public_raw=OPERATOR.public_raw)
    assert caught.value.reason == "bad_signature"


def test_edited_document_is_refused(doc: DirectoryDocument) -> None:
    head, payload, sig = _signed(doc).split(".")
    edited = keys.b64u(keys.b64u_decode(payload).replace(b'"version":7', b'"version":9'))
    with pytest.raises(errors.BadSignatureError):
        verify_directory(
            token=f"{head}.{edited}.{sig}", pinned_operator_public_raw=OPERATOR.public_raw
        )


def test_other_token_types_are_not_directories(doc: DirectoryDocument) -> None:
    token = sign_compact(
        b"{}", private_raw=OPERATOR.private_raw, key_id="op-1", typ=jose.Typ.envelope
    )
    with pytest.raises(errors.MalformedError):
        verify_directory(token=token, pinned_operator_public_raw=OPERATOR.public_raw)


def test_same_or_older_version_is_refused(doc: DirectoryDocument) -> None:
    accept_update(current_version=None, new=doc)
    accept_update(current_version=6, new=doc)
    for current in (7, 8):
        with pytest.raises(errors.NotNewerError) as caught:
            accept_update(current_version=current, new=doc)
        assert caught.value.reason == "not_newer"


def test_signing_key_found_when_valid(doc: DirectoryDocument) -> None:
    key = signing_key(doc=doc, authority_id="vn-mps", kid="vn-mps-sig-1", at=T0)
    assert key.kid == "vn-mps-sig-1"
    assert len(key.public_raw) == 32


@pytest.mark.parametrize(
    ("authority_id", "kid", "reason"),
    [
        ("vn-mps", "nope", "unknown_key"),
        ("vn-mps", "ru-pgo-sig-1", "unknown_key"),  # exists, but speaks for another authority
        ("vn-mps", "vn-mps-enc-1", "unknown_key"),  # an encryption key never signs
        ("xx-none", "vn-mps-sig-1", "unknown_key"),
        ("by-mvd", "by-sig-old", "expired_key"),
        ("by-mvd", "by-sig-lost", "revoked_key"),
    ],
)
def test_signing_key_refusals(
    doc: DirectoryDocument, authority_id: str, kid: str, reason: str
) -> None:
    with pytest.raises(errors.ProtocolError) as caught:
        signing_key(doc=doc, authority_id=authority_id, kid=kid, at=T0)
    assert caught.value.reason == reason


def test_revocation_applies_from_its_time(doc: DirectoryDocument) -> None:
    before = datetime(2025, 3, 15, tzinfo=UTC)
    assert signing_key(doc=doc, authority_id="by-mvd", kid="by-sig-lost", at=before)
    with pytest.raises(errors.ExpiredKeyError):
        signing_key(doc=doc, authority_id="by-mvd", kid="by-sig-new", at=before - timedelta(30))


def test_encryption_key_is_the_newest_valid_one(doc: DirectoryDocument) -> None:
    assert encryption_key(doc=doc, authority_id="by-mvd", at=T0).kid == "by-enc-new"
    early = datetime(2025, 2, 1, tzinfo=UTC)
    assert encryption_key(doc=doc, authority_id="by-mvd", at=early).kid == "by-enc-old"
    raw = _raw()
    raw["revoked_keys"].append(
        {"kid": "by-enc-new", "revoked_at": "2025-05-20T00:00:00.000Z", "reason": "rotated"}
    )
    revoked = DirectoryDocument.model_validate(raw)
    assert encryption_key(doc=revoked, authority_id="by-mvd", at=T0).kid == "by-enc-old"
    with pytest.raises(errors.UnknownKeyError):
        encryption_key(doc=doc, authority_id="xx-none", at=T0)


def test_search_filters(doc: DirectoryDocument) -> None:
    def ids(**filters: Any) -> list[str]:
        return [a.id for a in search(doc=doc, **filters)]

    assert ids() == ["vn-mps", "ru-pgo", "by-mvd"]
    assert ids(state="vn") == ["vn-mps"]
    assert ids(role=AuthorityRole.contact_24_7) == ["vn-mps", "by-mvd"]
    assert ids(language="en") == ["vn-mps", "ru-pgo"]
    assert ids(language="ru", kind="ping") == ["by-mvd"]
    assert ids(state="RU", role=AuthorityRole.central_authority, kind="note") == ["ru-pgo"]
    assert ids(state="DE") == []


@pytest.mark.parametrize(
    "change",
    [
        {"state": "vn"},
        {"state": "XX"},
        {"endpoint": "http://vn.example.org"},
        {"endpoint": "https://vn.example.org/"},
        {"accepted_languages": ["klingon"]},
        {"kinds": ["Bad Kind"]},
        {"roles": ["judge"]},
        {"keys": [_key("k", "sig", alg="X25519")]},
        {"keys": [_key("k", "sig", not_after="2024-01-01T00:00:00.000Z")]},
        {"keys": [_key("k", "sig", public="short")]},
        {"surprise": True},
    ],
)
def test_invalid_authority_entries_are_refused(change: dict[str, Any]) -> None:
    raw = _raw()
    raw["authorities"][0] |= change
    with pytest.raises(ValidationError):
        DirectoryDocument.model_validate(raw)


def test_duplicate_ids_are_refused() -> None:
    raw = _raw()
    raw["authorities"][1]["keys"][0]["kid"] = "vn-mps-sig-1"
    with pytest.raises(ValidationError, match="key ids must be unique"):
        DirectoryDocument.model_validate(raw)
    raw = _raw()
    raw["authorities"][1]["id"] = "vn-mps"
    with pytest.raises(ValidationError, match="authority ids must be unique"):
        DirectoryDocument.model_validate(raw)


def test_loopback_http_endpoint_is_allowed_for_the_demo() -> None:
    raw = _raw()
    raw["authorities"][0]["endpoint"] = "http://127.0.0.1:8101"
    assert DirectoryDocument.model_validate(raw).authorities[0].endpoint.endswith(":8101")
