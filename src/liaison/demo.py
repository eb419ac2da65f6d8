"""The embedded demo: authorities of several States on one node, with demo users.

Only for dev mode. Passwords are printed on purpose: the demo has nothing to protect.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.accounts import service as accounts
from liaison.accounts.schemas import UserCreate
from liaison.audit.context import AuditContext
from liaison.authorities import service as authorities
from liaison.authorities.models import Authority
from liaison.authorities.schemas import AuthorityCreate
from liaison.core.clock import Clock
from liaison.core.permissions import AuthorityRole, Role

DEMO_PASSWORD = "demo-Liaison-2026"  # noqa: S105 - printed to the demo user by design


@dataclass(frozen=True)
class DemoAuthority:
    id: str
    state: str
    names: dict[str, str]
    roles: tuple[AuthorityRole, ...]
    languages: tuple[str, ...]
    prefix: str


DEMO_AUTHORITIES = (
    DemoAuthority(
        "vn-mps",
        "VN",
        {"vi": "Bộ Công an", "en": "Ministry of Public Security of Viet Nam"},
        (AuthorityRole.central_authority, AuthorityRole.contact_24_7),
        ("vi", "en"),
        "vn",
    ),
    DemoAuthority(
        "ru-gpo",
        "RU",
        {
            "ru": "Генеральная прокуратура Российской Федерации",
            "en": "Prosecutor General's Office of the Russian Federation",
        },
        (AuthorityRole.central_authority, AuthorityRole.extradition_authority),
        ("ru", "en"),
        "ru",
    ),
    DemoAuthority(
        "by-mia",
        "BY",
        {
            "ru": "Министерство внутренних дел Республики Беларусь",
            "be": "Міністэрства ўнутраных спраў Рэспублікі Беларусь",
            "en": "Ministry of Internal Affairs of the Republic of Belarus",
        },
        (AuthorityRole.contact_24_7, AuthorityRole.competent_authority),
        ("ru", "be", "en"),
        "by",
    ),
    DemoAuthority(
        "de-bka",
        "DE",
        {"de": "Bundeskriminalamt", "en": "Federal Criminal Police Office of Germany"},
        (AuthorityRole.contact_24_7, AuthorityRole.competent_authority),
        ("de", "en"),
        "de",
    ),
)

DEMO_ROLES: dict[str, tuple[Role, ...]] = {
    "officer": (Role.officer,),
    "supervisor": (Role.supervisor,),
    "contact": (Role.contact_24_7,),
    "custodian": (Role.custodian,),
    "auditor": (Role.auditor,),
    "admin": (Role.admin,),
}


def seed_authority(
    *,
    session: Session,
    kek: bytes,
    demo: DemoAuthority,
    ctx: AuditContext,
    clock: Clock,
    users: bool = True,
) -> list[tuple[str, str]]:
    """Create the authority and its demo users where missing; return (username, authority)."""
    if session.get(Authority, demo.id) is None:
        authorities.create(
            session=session,
            data=AuthorityCreate(
                id=demo.id,
                state=demo.state,
                names=demo.names,
                roles=list(demo.roles),
                accepted_languages=list(demo.languages),
            ),
            kek=kek,
            ctx=ctx,
            clock=clock,
        )
    if not users:
        return []
    logins = []
    existing = {u.username for u in accounts.list_for(session=session, authority_id=demo.id)}
    for suffix, roles in DEMO_ROLES.items():
        username = f"{demo.prefix}.{suffix}"
        if username not in existing:
            accounts.create(
                session=session,
                authority_id=demo.id,
                data=UserCreate(
                    username=username,
                    display_name=f"{demo.names['en']} — {suffix}",
                    password=DEMO_PASSWORD,
                    roles=list(roles),
                ),
                ctx=ctx,
                node_admin=suffix == "admin",
                clock=clock,
            )
        logins.append((username, demo.id))
    return logins
