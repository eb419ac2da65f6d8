"""Enrolling a TOTP second factor by oneself: a new secret is shown (QR code and text), and only
a code from it, typed back, makes it the user's. Until then nothing is stored, so an enrolment
left half-way never locks anyone out. Never commits."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.accounts.signin import TOTP_ISSUER
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput
from liaison.core.permissions import AuditAction
from liaison.crypto import keys as keycrypto


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def code_step(*, secret: str, code: str, clock: Clock) -> int | None:
    """The 30-second step ``code`` belongs to (previous, current or next), or None."""
    totp = pyotp.TOTP(secret)
    now = clock.now()
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=30 * drift)
        if totp.verify(code, for_time=at, valid_window=0):
            return int(at.timestamp()) // 30
    return None


def confirm(
    *,
    session: Session,
    kek: bytes,
    user: User,
    secret: str,
    code: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> None:
    """Make ``secret`` the user's second factor if ``code`` comes from it (InvalidInput
    otherwise); replaces any earlier one. The code is spent: it cannot sign in afterwards."""
    if user.disabled:
        raise InvalidInput("a disabled user cannot enrol a second factor")
    step = code_step(secret=secret, code=code.strip(), clock=clock)
    if step is None:
        raise InvalidInput("the code does not match; type the code your app shows now")
    user.totp_secret_enc = keycrypto.wrap(kek, f"totp:{user.id}", secret.encode())
    user.totp_last_step = step
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.auth_totp_enrolled,
        target=f"user:{user.id}",
        authority_id=user.authority_id,
        detail={"confirmed": True},
        clock=clock,
    )
