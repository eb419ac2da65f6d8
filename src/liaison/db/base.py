"""Declarative base shared by every feature's models (which modules those are: liaison.composition).

A naming convention makes constraint names deterministic, so migrations generated on SQLite and
PostgreSQL agree and can be dropped by name on downgrade.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def mapped_name(name: str | None, _type: str, _parent: object = None) -> bool:
    """False for what the database holds outside the models (a feature lists it in
    `metadata.info["unmapped"]`: a full-text index, and the tables an index keeps under its
    name). The drift check and autogenerate skip those."""
    unmapped: set[str] = Base.metadata.info.get("unmapped", set())
    return name is None or not any(name == u or name.startswith(f"{u}_") for u in unmapped)
