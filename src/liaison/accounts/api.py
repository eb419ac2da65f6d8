"""Sign-in, identity, tokens, and the users of one's own authority."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from liaison.accounts import access, service, signin, tokens
from liaison.accounts.deps import Principal, require
from liaison.accounts.models import ApiToken, User
from liaison.accounts.schemas import (
    IssuedTokenRead,
    LoginCreate,
    ProfileRead,
    TokenCreate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from liaison.api.deps import NodeDep, SessionDep, anonymous_context
from liaison.authorities import service as authorities
from liaison.authorities.schemas import AuthorityRead
from liaison.core.permissions import Permission

router = APIRouter(tags=["accounts"])


def user_read(user: User) -> UserRead:
    read = UserRead.model_validate(user)
    return read.model_copy(update={"totp_enabled": user.totp_secret_enc is not None})


@router.post("/auth/login", response_model=IssuedTokenRead)
def login(
    body: LoginCreate, request: Request, session: SessionDep, node: NodeDep
) -> IssuedTokenRead:
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
    return IssuedTokenRead(
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


@router.get("/whoami", response_model=ProfileRead)
def whoami(
    principal: Annotated[Principal, Depends(require(Permission.own_profile_read))],
) -> ProfileRead:
    """The signed-in user, their authority and permissions. Permission: self:profile:read."""
    return ProfileRead(
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


@router.post("/tokens", response_model=IssuedTokenRead, status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenCreate,
    principal: Annotated[Principal, Depends(require(Permission.own_token_manage))],
    session: SessionDep,
    node: NodeDep,
) -> IssuedTokenRead:
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
    return IssuedTokenRead(
        id=record.id, token=secret, kind=record.kind, expires_at=record.expires_at
    )


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
    access.authorize_authority(
        session=session,
        ctx=principal.ctx,
        member_of=principal.authority_id,
        authority_id=authority_id,
        clock=node.clock,
    )


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
        actor=principal.user,
        ctx=principal.ctx,
        clock=node.clock,
    )
    return user_read(user)


@router.get("/authorities", response_model=list[AuthorityRead])
def list_authorities(
    _: Annotated[Principal, Depends(require(Permission.node_authority_read))], session: SessionDep
) -> list[AuthorityRead]:
    """Every authority on this node. Permission: node:authority:read."""
    return [AuthorityRead.model_validate(a) for a in authorities.list_all(session=session)]


@router.get("/authorities/{authority_id}", response_model=AuthorityRead)
def read_authority(
    authority_id: str,
    _: Annotated[Principal, Depends(require(Permission.node_authority_read))],
    session: SessionDep,
) -> AuthorityRead:
    """One authority. Permission: node:authority:read."""
    return AuthorityRead.model_validate(authorities.get(session=session, authority_id=authority_id))
