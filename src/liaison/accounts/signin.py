"""Sign-in: throttling per address and per account, password, TOTP second factor.

Throttling never locks out the holder of the right credentials: an address that fails too often
(on any accounts) is refused, and an account that fails too often is open only to addresses it
was signed in from before, or to a sign-in with the second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.accounts import tokens
from liaison.accounts.models import LoginFailure, LoginSource, User
from liaison.audit import refusals
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


def _refuse(session: Session, *, which: str, retry_after: int, clock: Clock) -> RateLimited:
    # Counted, not logged one entry each: whoever sprays sign-ins must not grow the audit log.
    refusals.count(session=session, channel="auth", reason=f"throttled_{which}", clock=clock)
    if which == "address":
        message = "too many failed sign-ins from this address; try again later"
    else:
        message = (
            "too many failed sign-ins for this account: sign in from an address you used before, "
            "or with your second factor, or try again later"
        )
    return RateLimited(message, retry_after=retry_after)


def _check_address(
    *, session: Session, settings: Settings, ctx: AuditContext, clock: Clock
) -> None:
    """Password spraying: an address failing on any accounts is refused outright."""
    if not ctx.address:
        return
    since = clock.now() - timedelta(seconds=settings.login_window_seconds)
    if _failures_since(session, LoginFailure.address, ctx.address, since) >= (
        settings.login_max_failures_address
    ):
        raise _refuse(
            session, which="address", retry_after=settings.login_window_seconds, clock=clock
        )


def _under_attack(*, session: Session, settings: Settings, username: str, clock: Clock) -> bool:
    since = clock.now() - timedelta(seconds=settings.login_window_seconds)
    failures = _failures_since(session, LoginFailure.username, username, since)
    return failures >= settings.login_max_failures_account


def _known_source(session: Session, user: User | None, address: str) -> bool:
    return (
        user is not None
        and bool(address)
        and session.get(LoginSource, (user.id, address)) is not None
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


def _remember_source(session: Session, user: User, address: str, now: datetime) -> None:
    if not address:
        return
    known = session.get(LoginSource, (user.id, address))
    if known is None:
        session.add(LoginSource(user_id=user.id, address=address[:64], last_success_at=now))
    else:
        known.last_success_at = now


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
    kind: str = tokens.SESSION,
) -> SignedIn:
    """A session token of ``kind`` (the API's bearer session, or a browser's) for the holder
    of the credentials; AuthenticationFailed (recorded) for anyone else, RateLimited when
    throttled."""
    _check_address(session=session, settings=settings, ctx=ctx, clock=clock)
    user = session.scalar(select(User).where(User.username == username))
    # An account others are guessing at no longer weighs a password alone: it admits its
    # holder from an address they signed in from before, or with the second factor. Nobody
    # can lock the holder out by failing on purpose, and a guess of the password alone from
    # elsewhere is refused before it is checked (no answer says whether it was right).
    if (
        _under_attack(session=session, settings=settings, username=username, clock=clock)
        and not _known_source(session, user, ctx.address)
        and not (totp and user is not None and user.totp_secret_enc is not None)
    ):
        raise _refuse(
            session, which="account", retry_after=settings.login_window_seconds, clock=clock
        )
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
    _remember_source(session, user, ctx.address, clock.now())
    record, secret = tokens.issue(
        session=session,
        user=user,
        name="sign-in",
        kind=kind,
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
