"""Full-text search over requests' words (requests.texts), in the database's own index: SQLite's
FTS5 table `request_texts_fts`, PostgreSQL's GIN index over `to_tsvector('simple', body)`
(migration 0013). Both receive words already cut the same way, so they find the same requests;
each query term matches as a prefix ("preserv" finds "preservation"), a run of Chinese
characters as a phrase.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, literal_column, select, text
from sqlalchemy.orm import Session

from liaison.requests.models import Request, RequestText
from liaison.requests.texts import phrases, unspaced

FTS_TABLE = "request_texts_fts"
PG_INDEX = "ix_request_texts_body_search"


def fts5_query(terms: list[list[str]]) -> str:
    # Terms are letters and digits only (texts.words), so quoting them is safe.
    parts = []
    for phrase in terms:
        quoted = '"' + " ".join(phrase) + '"'
        parts.append(quoted if unspaced(phrase[-1]) else quoted + "*")
    return " AND ".join(parts)


def ts_query(terms: list[list[str]]) -> str:
    parts = []
    for phrase in terms:
        words = [f"'{w}'" for w in phrase]
        if not unspaced(phrase[-1]):
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


def restrict(session: Session, statement: Select[Any], query: str) -> Select[Any]:
    """``statement`` (over `requests`) narrowed to the copies whose words match ``query``;
    unchanged when the query holds no word at all."""
    terms = phrases(query)
    if not terms:
        return statement
    if session.get_bind().dialect.name == "postgresql":
        found = select(RequestText.id).where(
            func.to_tsvector(literal_column("'simple'"), RequestText.body).op("@@")(
                func.to_tsquery(literal_column("'simple'"), ts_query(terms))
            )
        )
    else:
        found = (
            select(literal_column("rowid"))
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts").bindparams(fts=fts5_query(terms)))
        )
    return statement.join(
        RequestText,
        and_(RequestText.holder == Request.holder, RequestText.request_id == Request.id),
    ).where(RequestText.id.in_(found))
