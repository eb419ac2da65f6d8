"""Sign-in, identity, tokens, and the users of one's own authority."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from liaison.accounts import service, signin, tokens
from liaison.accounts.models import ApiToken, User
from liaison.accounts.schemas import (
    LoginRequest,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
    WhoAmI,
)
from liaison.api.deps import (
    NodeDep,
    PermissionDeniedLogged,
    Principal,
    SessionDep,
    anonymous_context,
    require,
)
from liaison.audit import service as audit
from liaison.core.permissions import Action, Permission

router = APIRouter(tags=["accounts"])


def user_read(user: User) -> UserRead:
    read = UserRead.model_validate(user)
    return read.model_copy(update={"totp_enabled": user.totp_secret_enc is not None})


@router.post("/auth/login", response_model=TokenIssued)
def login(body: LoginRequest, request: Request, session: SessionDep, node: NodeDep) -> TokenIssued:
    """Exchange username, password (and TOTP code) for a session token. Public."""
    signed = signin.sign_in(
        session=session,
        settings=node.settings,
        kek=node.kek,
        username=body.username,
        password=body.password,
        totp=body.totp,
        ctx=anonymous_context(request),
        clock=node.clock,
    )
    record = session.get(ApiToken, signed.token_id)
    return TokenIssued(
        id=signed.token_id,
        token=signed.token,
        kind=tokens.SESSION,
        expires_at=record.expires_at if record else None,
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    principal: Annotated[Principal, Depends(require(Permission.own_token_manage))],
    session: SessionDep,
    node: NodeDep,
) -> None:
    """End the session whose token made this call. Permission: self:token:manage."""
    tokens.revoke(
        session=session,
        user=principal.user,
        token_id=principal.token_id,
        ctx=principal.ctx,
        clock=node.clock,
    )


@router.get("/whoami", response_model=WhoAmI)
def whoami(
    principal: Annotated[Principal, Depends(require(Permission.own_profile_read))],
) -> WhoAmI:
    """The signed-in user, their authority and permissions. Permission: self:profile:read."""
    return WhoAmI(
        user=user_read(principal.user),
        authority_id=principal.authority_id,
        permissions=sorted(str(p) for p in principal.permissions),
    )


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(
    principal: Annotated[Principal, Depends(require(Permission.own_token_manage))],
    session: SessionDep,
) -> list[TokenRead]:
    """Your tokens (never the secrets). Permission: self:token:manage."""
    return [
        TokenRead.model_validate(t) for t in tokens.list_for(session=session, user=principal.user)
    ]


@router.post("/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenCreate,
    principal: Annotated[Principal, Depends(require(Permission.own_token_manage))],
    session: SessionDep,
    node: NodeDep,
) -> TokenIssued:
    """A named API token for scripts; the secret is shown once. Permission: self:token:manage."""
    lifetime = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    record, secret = tokens.issue(
        session=session,
        user=principal.user,
        name=body.name,
        kind=tokens.API,
        lifetime=lifetime,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return TokenIssued(id=record.id, token=secret, kind=record.kind, expires_at=record.expires_at)


@router.delete("/tokens/{token_id}", response_model=TokenRead)
def revoke_token(
    token_id: str,
    principal: Annotated[Principal, Depends(require(Permission.own_token_manage))],
    session: SessionDep,
    node: NodeDep,
) -> TokenRead:
    """Revoke one of your tokens at once. Permission: self:token:manage."""
    record = tokens.revoke(
        session=session, user=principal.user, token_id=token_id, ctx=principal.ctx, clock=node.clock
    )
    return TokenRead.model_validate(record)


def _own_authority(
    principal: Principal, authority_id: str, session: SessionDep, node: NodeDep
) -> None:
    """Tenancy: an authority's admins act on their own authority only."""
    if principal.authority_id != authority_id:
        audit.record(
            session=session,
            ctx=principal.ctx,
            action=Action.authz_access_denied,
            target=f"authority:{authority_id}",
            clock=node.clock,
        )
        raise PermissionDeniedLogged(f"you are not a member of authority {authority_id!r}")


@router.get("/authorities/{authority_id}/users", response_model=list[UserRead])
def list_users(
    authority_id: str,
    principal: Annotated[Principal, Depends(require(Permission.authority_user_read))],
    session: SessionDep,
    node: NodeDep,
) -> list[UserRead]:
    """Users of your authority. Permission: authority:user:read."""
    _own_authority(principal, authority_id, session, node)
    return [user_read(u) for u in service.list_for(session=session, authority_id=authority_id)]


@router.post(
    "/authorities/{authority_id}/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
)
def create_user(
    authority_id: str,
    body: UserCreate,
    principal: Annotated[Principal, Depends(require(Permission.authority_user_manage))],
    session: SessionDep,
    node: NodeDep,
) -> UserRead:
    """Add a user to your authority. Permission: authority:user:manage."""
    _own_authority(principal, authority_id, session, node)
    user = service.create(
        session=session, authority_id=authority_id, data=body, ctx=principal.ctx, clock=node.clock
    )
    return user_read(user)


@router.get("/authorities/{authority_id}/users/{user_id}", response_model=UserRead)
def read_user(
    authority_id: str,
    user_id: str,
    principal: Annotated[Principal, Depends(require(Permission.authority_user_read))],
    session: SessionDep,
    node: NodeDep,
) -> UserRead:
    """One user of your authority. Permission: authority:user:read."""
    _own_authority(principal, authority_id, session, node)
    return user_read(service.get(session=session, authority_id=authority_id, user_id=user_id))


@router.patch("/authorities/{authority_id}/users/{user_id}", response_model=UserRead)
def update_user(
    authority_id: str,
    user_id: str,
    body: UserUpdate,
    principal: Annotated[Principal, Depends(require(Permission.authority_user_manage))],
    session: SessionDep,
    node: NodeDep,
) -> UserRead:
    """Change a user's name, roles or disabled flag. Permission: authority:user:manage."""
    _own_authority(principal, authority_id, session, node)
    user = service.update(
        session=session,
        authority_id=authority_id,
        user_id=user_id,
        data=body,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return user_read(user)
