"""Marking a notification read: ids beyond what the database can hold are answered, not a 500
(PostgreSQL's INTEGER is 32 bits: 2**31 made the query itself fail)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Factory


def test_an_id_beyond_the_column_is_refused_plainly(client: TestClient, factory: Factory) -> None:
    factory.authority()
    factory.user("vn.officer")
    headers = factory.token(client, "vn.officer")
    for notification_id, status in ((2**31 - 1, 404), (2**31, 422), (2**63, 422)):
        answer = client.post(f"/api/v1/notifications/{notification_id}/read", headers=headers)
        assert answer.status_code == status, (notification_id, answer.text)
        assert "detail" in answer.json()
