"""The directory on a node: importing signed versions, peer key lookup, search over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.audit.models import AuditEntry
from liaison.core.clock import FakeClock
from liaison.core.permissions import AuthorityRole, Role
from liaison.crypto import keys
from liaison.directory import operator as publishing
from liaison.directory import service
from liaison.directory.document import DirectoryAuthority, RevokedKey, sign_directory
from liaison.directory.models import DirectoryVersion
from liaison.keyring import service as keyring
from liaison.node import Node
from liaison.protocol import errors
from tests.conftest import Factory, system_ctx

OPERATOR = keys.generate("signing")
ENDPOINT = "http://127.0.0.1:8101"
ISSUED_AT = datetime(2026, 3, 1, tzinfo=UTC)


def signed(
    session: Session,
    version: int,
    *,
    revoked: list[RevokedKey] | None = None,
    entries: list[DirectoryAuthority] | None = None,
    private_raw: bytes = OPERATOR.private_raw,
) -> str:
    if entries is None:
        entries = publishing.local_entries(
            session=session, endpoint=ENDPOINT, kinds=["ping", "note"]
        )
    doc = publishing.build_document(
        operator="un-unodc",
        version=version,
        entries=entries,
        revoked=revoked or [],
        issued_at=ISSUED_AT,
    )
    return sign_directory(doc=doc, operator_private_raw=private_raw, operator_kid="op-test")


def import_token(session: Session, token: str, clock: FakeClock) -> DirectoryVersion:
    # One session per test: SQLite allows one writer, and the test's session is it.
    row = service.import_document(
        session=session,
        token=token,
        pinned_operator_public_raw=OPERATOR.public_raw,
        ctx=system_ctx(),
        clock=clock,
    )
    session.commit()
    return row


def stored_versions(session: Session) -> list[int]:
    return list(
        session.scalars(select(DirectoryVersion.version).order_by(DirectoryVersion.version))
    )


def signing_kid(session: Session, authority_id: str) -> str:
    key = keyring.active_key(session=session, authority_id=authority_id, purpose="signing")
    assert key is not None
    return key.id


@pytest.fixture
def hosted(factory: Factory) -> None:
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")


def test_import_of_a_good_document(session: Session, clock: FakeClock, hosted: None) -> None:
    row = import_token(session, signed(session, 1), clock)
    assert (row.version, row.operator) == (1, "un-unodc")
    assert row.digest.startswith("sha256:")
    doc = service.current(session=session)
    assert doc is not None
    assert {a.id for a in doc.authorities} == {"vn-mps", "ru-gpo"}
    assert all(a.endpoint == ENDPOINT for a in doc.authorities)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "directory:version:imported")
    ).all()
    assert len(entries) == 1
    assert entries[0].target == "directory:1"


def test_document_of_another_operator_is_refused(
    session: Session, clock: FakeClock, hosted: None
) -> None:
    rogue = keys.generate("signing")
    with pytest.raises(errors.BadSignatureError) as caught:
        import_token(session, signed(session, 1, private_raw=rogue.private_raw), clock)
    assert "pinned operator key" in caught.value.message
    assert stored_versions(session) == []
    assert service.current(session=session) is None


@pytest.mark.parametrize("version", [2, 1])
def test_same_or_older_version_is_refused(
    session: Session, clock: FakeClock, hosted: None, version: int
) -> None:
    import_token(session, signed(session, 2), clock)
    with pytest.raises(errors.NotNewerError) as caught:
        import_token(session, signed(session, version), clock)
    assert caught.value.message == (f"directory version {version} is not newer than the imported 2")
    assert stored_versions(session) == [2]


def test_revoked_key_stops_being_accepted_at_once(
    session: Session, clock: FakeClock, hosted: None
) -> None:
    kid = signing_kid(session, "vn-mps")
    import_token(session, signed(session, 1), clock)
    clock.advance(timedelta(minutes=5))
    at = clock.now()
    assert service.peer_signing_key(session=session, authority_id="vn-mps", kid=kid, at=at)
    revocation = RevokedKey(kid=kid, revoked_at=at, reason="laptop stolen")
    import_token(session, signed(session, 2, revoked=[revocation]), clock)
    # The same session, right after the import: the cached version 1 must not be used.
    with pytest.raises(errors.RevokedKeyError) as caught:
        service.peer_signing_key(session=session, authority_id="vn-mps", kid=kid, at=at)
    assert caught.value.reason == "revoked_key"
    assert "laptop stolen" in caught.value.message
    # What was signed before the revocation still verifies as of its time.
    earlier = at - timedelta(minutes=1)
    assert service.peer_signing_key(session=session, authority_id="vn-mps", kid=kid, at=earlier)


def test_key_validity_windows_follow_rotation(
    node: Node, session: Session, clock: FakeClock, hosted: None
) -> None:
    created = clock.now()
    old_kid = signing_kid(session, "ru-gpo")
    clock.advance(timedelta(days=30))
    rotated_at = clock.now()
    keyring.rotate(
        session=session, kek=node.kek, authority_id="ru-gpo", ctx=system_ctx(), clock=clock
    )
    session.commit()
    new_kid = signing_kid(session, "ru-gpo")
    import_token(session, signed(session, 1), clock)

    def lookup(kid: str, at_offset: timedelta) -> object:
        return service.peer_signing_key(
            session=session, authority_id="ru-gpo", kid=kid, at=rotated_at + at_offset
        )

    assert lookup(old_kid, -timedelta(seconds=1))
    with pytest.raises(errors.ExpiredKeyError):
        lookup(old_kid, timedelta(0))
    with pytest.raises(errors.ExpiredKeyError):
        lookup(new_kid, -timedelta(seconds=1))
    assert lookup(new_kid, timedelta(0))
    with pytest.raises(errors.ExpiredKeyError):
        service.peer_signing_key(
            session=session, authority_id="ru-gpo", kid=old_kid, at=created - timedelta(days=1)
        )
    before = service.peer_encryption_key(
        session=session, authority_id="ru-gpo", at=rotated_at - timedelta(seconds=1)
    )
    after = service.peer_encryption_key(session=session, authority_id="ru-gpo", at=rotated_at)
    assert before.kid != after.kid
    assert after.not_after is None
    with pytest.raises(errors.UnknownKeyError):
        lookup("no-such-kid", timedelta(0))


def test_lookups_before_any_import_say_so(session: Session, clock: FakeClock, hosted: None) -> None:
    now = clock.now()
    with pytest.raises(errors.UnknownKeyError, match="no directory imported"):
        service.peer_signing_key(session=session, authority_id="vn-mps", kid="k", at=now)
    with pytest.raises(errors.UnknownKeyError, match="no directory imported"):
        service.peer_encryption_key(session=session, authority_id="vn-mps", at=now)
    with pytest.raises(errors.UnknownKeyError, match="no directory imported"):
        service.search(session=session)
    import_token(session, signed(session, 1), clock)
    with pytest.raises(errors.UnknownKeyError, match="not in the directory"):
        service.peer_authority(session=session, authority_id="by-mvd")
    assert service.peer_authority(session=session, authority_id="vn-mps").endpoint == ENDPOINT


def _foreign(session: Session) -> list[DirectoryAuthority]:
    """vn-mps and ru-gpo from this node, by-mvd as another node would publish it."""
    local = publishing.local_entries(session=session, endpoint=ENDPOINT, kinds=["ping", "note"])
    by = local[0].model_copy(
        update={
            "id": "by-mvd",
            "state": "BY",
            "roles": [AuthorityRole.contact_24_7],
            "accepted_languages": ["ru", "be"],
            "kinds": ["ping"],
            "endpoint": "https://liaison.mvd.example.by",
            "keys": [
                k.model_copy(update={"kid": f"by-{k.kid}"})
                for k in next(a for a in local if a.id == "ru-gpo").keys
            ],
        }
    )
    ru = next(a for a in local if a.id == "ru-gpo").model_copy(
        update={"accepted_languages": ["ru", "en-GB"], "kinds": ["note"]}
    )
    vn = next(a for a in local if a.id == "vn-mps").model_copy(
        update={"roles": [AuthorityRole.contact_24_7, AuthorityRole.central_authority]}
    )
    return [vn, ru, by]


def test_api_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.get("/api/v1/directory").status_code == 401
    assert client.get("/api/v1/directory/authorities").status_code == 401


def test_api_before_any_import_is_503(client: TestClient, factory: Factory, hosted: None) -> None:
    factory.user("vn.officer", "vn-mps", Role.officer)
    headers = factory.token(client, "vn.officer")
    for url in ("/api/v1/directory", "/api/v1/directory/authorities"):
        response = client.get(url, headers=headers)
        assert response.status_code == 503
        assert "no directory imported" in response.json()["detail"]


def test_api_search_filters(
    client: TestClient, factory: Factory, node: Node, clock: FakeClock, hosted: None
) -> None:
    with node.db.session() as session:
        import_token(session, signed(session, 3, entries=_foreign(session)), clock)
    factory.user("ru.custodian", "ru-gpo", Role.custodian)
    headers = factory.token(client, "ru.custodian")

    info = client.get("/api/v1/directory", headers=headers)
    assert info.status_code == 200
    assert (info.json()["version"], info.json()["operator"]) == (3, "un-unodc")

    def ids(**params: str) -> list[str]:
        response = client.get("/api/v1/directory/authorities", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return sorted(a["id"] for a in response.json())

    assert ids() == ["by-mvd", "ru-gpo", "vn-mps"]
    assert ids(state="by") == ["by-mvd"]
    assert ids(role="contact_24_7") == ["by-mvd", "vn-mps"]
    assert ids(language="ru") == ["by-mvd", "ru-gpo"]
    assert ids(language="en") == ["ru-gpo", "vn-mps"]  # en matches en-GB
    assert ids(kind="note") == ["ru-gpo", "vn-mps"]
    assert ids(state="RU", kind="ping") == []
    assert ids(state="FR") == []
    bad = client.get("/api/v1/directory/authorities", headers=headers, params={"role": "president"})
    assert bad.status_code == 422
    first = client.get("/api/v1/directory/authorities", headers=headers).json()[0]
    assert {"id", "state", "names", "roles", "endpoint", "keys", "kinds"} <= set(first)


def test_import_is_audited_in_the_same_transaction(
    node: Node, session: Session, hosted: None
) -> None:
    with node.db.session() as work:
        token = signed(work, 1)
        service.import_document(
            session=work,
            token=token,
            pinned_operator_public_raw=OPERATOR.public_raw,
            ctx=system_ctx(),
            clock=node.clock,
        )
        work.rollback()
    count = session.scalar(
        select(func.count()).where(AuditEntry.action == "directory:version:imported")
    )
    assert count == 0
    assert stored_versions(session) == []
