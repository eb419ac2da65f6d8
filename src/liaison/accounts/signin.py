"""Sign-in: throttling per account and per address, password, TOTP second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.accounts import tokens
from liaison.accounts.models import LoginFailure, User
from liaison.audit import service as audit
from liaison.audit.context import AuditContext
from liaison.config import Settings
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import AuthenticationFailed, InvalidInput, RateLimited
from liaison.core.permissions import AuditAction
from liaison.crypto import keys as keycrypto
from liaison.crypto.passwords import hash_password, needs_rehash, verify_password

_FAILED = "wrong username, password or code"
TOTP_ISSUER = "Liaison"


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    token_id: str


def _failures_since(session: Session, column: object, value: str, since: object) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(column == value, LoginFailure.at > since)  # type: ignore[arg-type]
        )
        or 0
    )


def _throttle(
    *, session: Session, settings: Settings, username: str, ctx: AuditContext, clock: Clock
) -> None:
    since = clock.now() - timedelta(seconds=settings.login_window_seconds)
    by_account = _failures_since(session, LoginFailure.username, username, since)
    by_address = (
        _failures_since(session, LoginFailure.address, ctx.address, since) if ctx.address else 0
    )
    if (
        by_account >= settings.login_max_failures_account
        or by_address >= settings.login_max_failures_address
    ):
        which = "account" if by_account >= settings.login_max_failures_account else "address"
        audit.record(
            session=session,
            ctx=ctx,
            action=AuditAction.auth_login_throttled,
            target=f"username:{username}",
            detail={"by": which},
            clock=clock,
        )
        raise RateLimited(
            f"too many failed sign-ins for this {which}; try again later",
            retry_after=settings.login_window_seconds,
        )


def _fail(
    *,
    session: Session,
    username: str,
    reason: str,
    ctx: AuditContext,
    clock: Clock,
    authority_id: str | None,
) -> AuthenticationFailed:
    session.add(LoginFailure(username=username, address=ctx.address, at=clock.now()))
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.auth_login_failed,
        target=f"username:{username}",
        authority_id=authority_id,
        detail={"reason": reason},
        clock=clock,
    )
    return AuthenticationFailed(_FAILED)


def totp_secret(*, kek: bytes, user: User) -> str | None:
    if user.totp_secret_enc is None:
        return None
    return keycrypto.unwrap(kek, f"totp:{user.id}", user.totp_secret_enc).decode()


def _totp_ok(*, kek: bytes, user: User, code: str | None, clock: Clock) -> bool:
    secret = totp_secret(kek=kek, user=user)
    if secret is None or code is None:
        return False
    totp = pyotp.TOTP(secret)
    now = clock.now()
    # Accept the previous, current and next 30 s step, each at most once (no replay).
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=30 * drift)
        step = int(at.timestamp()) // 30
        if totp.verify(code, for_time=at, valid_window=0):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def sign_in(
    *,
    session: Session,
    settings: Settings,
    kek: bytes,
    username: str,
    password: str,
    totp: str | None,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> SignedIn:
    _throttle(session=session, settings=settings, username=username, ctx=ctx, clock=clock)
    user = session.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise _fail(
            session=session,
            username=username,
            reason="password",
            ctx=ctx,
            clock=clock,
            authority_id=user.authority_id if user else None,
        )
    if user.disabled:
        raise _fail(
            session=session,
            username=username,
            reason="disabled",
            ctx=ctx,
            clock=clock,
            authority_id=user.authority_id,
        )
    needs_totp = user.authority.require_totp or user.totp_secret_enc is not None
    if needs_totp and user.totp_secret_enc is None:
        raise _fail(
            session=session,
            username=username,
            reason="totp not enrolled",
            ctx=ctx,
            clock=clock,
            authority_id=user.authority_id,
        )
    if needs_totp and not _totp_ok(kek=kek, user=user, code=totp, clock=clock):
        raise _fail(
            session=session,
            username=username,
            reason="totp",
            ctx=ctx,
            clock=clock,
            authority_id=user.authority_id,
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record, secret = tokens.issue(
        session=session,
        user=user,
        name="sign-in",
        kind=tokens.SESSION,
        lifetime=timedelta(minutes=settings.session_minutes),
        ctx=ctx,
        clock=clock,
    )
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.auth_login_succeeded,
        target=f"user:{user.id}",
        authority_id=user.authority_id,
        clock=clock,
    )
    return SignedIn(user=user, token=secret, token_id=record.id)


def enroll_totp(
    *, session: Session, kek: bytes, user: User, ctx: AuditContext, clock: Clock = system_clock
) -> str:
    """Give the user a new TOTP secret; returns the otpauth:// URI for an authenticator app."""
    if user.disabled:
        raise InvalidInput("a disabled user cannot enrol a second factor")
    secret = pyotp.random_base32()
    user.totp_secret_enc = keycrypto.wrap(kek, f"totp:{user.id}", secret.encode())
    user.totp_last_step = None
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action=AuditAction.auth_totp_enrolled,
        target=f"user:{user.id}",
        authority_id=user.authority_id,
        clock=clock,
    )
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)
