"""Sending notifications by e-mail when the node has SMTP configured (smtplib, STARTTLS)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.config import Settings
from liaison.core.clock import Clock, system_clock
from liaison.notifications import service

log = logging.getLogger("liaison.email")


def send_pending(*, session: Session, settings: Settings, clock: Clock = system_clock) -> int:
    """E-mail every notification not yet e-mailed to a user with an address; mark them sent.
    Returns how many went out. Without smtp_host nothing happens (in-app only)."""
    if not settings.smtp_host:
        return 0
    pending = service.unsent_email(session=session)
    if not pending:
        return 0
    sent = 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        for note in pending:
            user = session.get(User, note.user_id)
            note.emailed_at = clock.now()
            if user is None or not user.email or user.disabled:
                continue
            message = EmailMessage()
            message["From"] = settings.smtp_from
            message["To"] = user.email
            message["Subject"] = f"[Liaison] {note.subject}"
            message.set_content(f"{note.body}\n\n{note.target}\n")
            smtp.send_message(message)
            sent += 1
    log.info("e-mailed %d notifications", sent)
    return sent
