"""Reminders reach the assigned users by e-mail when SMTP is configured (a local SMTP server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from liaison.accounts import service as accounts
from liaison.accounts.schemas import UserUpdate
from liaison.core.clock import FakeClock
from liaison.core.permissions import Role
from liaison.node import Node
from liaison.notifications import email, service
from tests.conftest import Factory, system_ctx


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_notifications_are_emailed_once(
    node: Node, factory: Factory, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    factory.authority("ru-gpo", "RU")
    officer = factory.user("ru.officer", "ru-gpo", Role.officer)
    silent = factory.user("ru.silent", "ru-gpo", Role.officer)
    with node.db.session() as session:
        accounts.update(
            session=session,
            authority_id="ru-gpo",
            user_id=officer.id,
            data=UserUpdate(email="officer@gpo.example"),
            actor=None,
            ctx=system_ctx(),
            clock=clock,
        )
        for user in (officer, silent):
            service.notify(
                session=session,
                user_id=user.id,
                category="reminder",
                subject="Acknowledge VN-1",
                body="Due in 6 hours",
                target="request:ru-gpo:x",
                dedupe="x",
                clock=clock,
            )
    settings = node.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with node.db.session() as session:
        assert email.send_pending(session=session, settings=settings, clock=clock) == 1
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "officer@gpo.example"
    assert "Acknowledge VN-1" in inbox.messages[0]["Subject"]
    clock.advance(timedelta(minutes=1))
    with node.db.session() as session:
        assert email.send_pending(session=session, settings=settings, clock=clock) == 0
    assert len(inbox.messages) == 1


def test_without_smtp_nothing_is_sent(node: Node) -> None:
    with node.db.session() as session:
        assert email.send_pending(session=session, settings=node.settings) == 0
