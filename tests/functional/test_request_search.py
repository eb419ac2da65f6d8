"""Full-text search of requests in the database's own index (SQLite FTS5, or PostgreSQL's GIN
over tsvector when LIAISON_TEST_DATABASE_URL points at one; bin/tests runs both): words in any
script, with or without diacritics, Chinese inside a sentence, prefixes; an edit re-indexes
in the same transaction; and the search never reaches past what the user may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text as sql

from liaison.accounts.models import User
from liaison.core.permissions import Role
from liaison.node import Node
from liaison.requests import listing
from liaison.requests import service as requests
from liaison.requests.listing import Filters
from liaison.requests.schemas import RequestCreate, RequestUpdate
from tests.conftest import Factory, system_ctx
from tests.unit.requests.test_request_kinds import CASE, text

TEXTS = {
    "vi": ("Lừa đảo trực tuyến qua mạng xã hội", "vi"),
    "zh": ("网络诈骗团伙通过社交媒体实施犯罪", "zh"),
    "ar": ("احتيال إلكتروني عبر وسائل التواصل", "ar"),
    "ru": ("Мошенничество с банковскими картами", "ru"),  # noqa: RUF001 - Russian
    "de": ("Phishing-Angriff auf Überweisungen", "de"),
}


@pytest.fixture
def officer(node: Node, factory: Factory) -> User:
    factory.authority("vn-mps", "VN")
    factory.authority("de-bfj", "DE")
    return factory.user("vn.sup", "vn-mps", Role.supervisor)


def _draft(node: Node, user: User, reference: str, facts: str, lang: str) -> str:
    with node.db.session() as session:
        request = requests.create_draft(
            session=session,
            user=session.get_one(User, user.id),
            draft=RequestCreate(
                kind="preservation",
                to="de-bfj",
                language="en",
                reference=reference,
                content=CASE | {"facts": text(facts, lang)},
            ),
            ctx=system_ctx(),
            clock=node.clock,
        )
        session.commit()
        return request.id


def _found(node: Node, user: User, query: str, **filters: Any) -> set[str]:
    with node.db.session() as session:
        now = datetime(2026, 3, 1, tzinfo=UTC)
        page = listing.find(
            session=session,
            user=session.get_one(User, user.id),
            filters=Filters(q=query, **filters),
            now=now,
            day_end=now + timedelta(days=1),
            limit=100,
            offset=0,
        )
        assert page.total == len(page.items)
        return {r.reference for r in page.items}


@pytest.fixture
def drafted(node: Node, officer: User) -> dict[str, str]:
    return {
        lang: _draft(node, officer, f"REF-{lang}", t, code) for lang, (t, code) in TEXTS.items()
    }


def test_words_in_every_script(node: Node, officer: User, drafted: dict[str, str]) -> None:
    assert _found(node, officer, "trực tuyến") == {"REF-vi"}
    assert _found(node, officer, "truc tuyen") == {"REF-vi"}  # without the tones
    assert _found(node, officer, "诈骗") == {"REF-zh"}  # a word inside a sentence
    assert _found(node, officer, "社交") == {"REF-zh"}
    assert _found(node, officer, "احتيال") == {"REF-ar"}
    assert _found(node, officer, "МОШЕННИЧЕСТВО") == {"REF-ru"}  # case folded
    assert _found(node, officer, "банков") == {"REF-ru"}  # a prefix
    assert _found(node, officer, "uberweisungen") == {"REF-de"}
    assert _found(node, officer, "ref-zh") == {"REF-zh"}  # the reference
    # Every draft names its authority (CASE); all the words of a query must match.
    assert _found(node, officer, "ministry") == {f"REF-{lang}" for lang in TEXTS}
    assert _found(node, officer, "ministry 诈骗") == {"REF-zh"}
    assert _found(node, officer, "nothing-like-this") == set()


def test_punctuation_of_the_query_is_no_syntax(
    node: Node, officer: User, drafted: dict[str, str]
) -> None:
    for query in ('"', "a OR b", "NEAR(", "*", "'; --", "):*", "\\", "a & !b"):
        assert _found(node, officer, query) <= {f"REF-{lang}" for lang in TEXTS}, query


def test_an_edit_is_found_at_once_and_the_old_words_are_gone(
    node: Node, officer: User, drafted: dict[str, str]
) -> None:
    with node.db.session() as session:
        user = session.get_one(User, officer.id)
        requests.update_draft(
            session=session,
            request=requests.get_for(session=session, user=user, request_id=drafted["ru"]),
            update=RequestUpdate(content=CASE | {"facts": text("Кража криптовалюты", "ru")}),
            ctx=system_ctx(),
            clock=node.clock,
        )
        session.commit()
    assert _found(node, officer, "криптовалют") == {"REF-ru"}
    assert _found(node, officer, "мошенничество") == set()


def test_search_stays_within_what_the_user_may_see(
    node: Node, factory: Factory, officer: User, drafted: dict[str, str]
) -> None:
    factory.authority("th-dsi", "TH")
    stranger = factory.user("th.sup", "th-dsi", Role.supervisor)
    assert _found(node, stranger, "ministry") == set()
    assert _found(node, stranger, "") == set()
    # An officer of the same authority who neither drafted nor was assigned sees no draft.
    colleague = factory.user("vn.off2", "vn-mps", Role.officer)
    assert _found(node, colleague, "ministry") == set()


def test_the_index_is_the_databases_own(node: Node, drafted: dict[str, str]) -> None:
    with node.db.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            plan = "\n".join(
                session.scalars(
                    sql(
                        "EXPLAIN SELECT id FROM request_texts WHERE "
                        "to_tsvector('simple', body) @@ to_tsquery('simple', 'ministry')"
                    )
                )
            )
            assert "request_texts" in plan
            indexes = session.scalars(
                sql("SELECT indexname FROM pg_indexes WHERE tablename = 'request_texts'")
            ).all()
            assert "ix_request_texts_body_search" in indexes
        else:
            count = session.scalar(
                sql(
                    "SELECT count(*) FROM request_texts_fts "
                    "WHERE request_texts_fts MATCH 'ministry'"
                )
            )
            assert count == len(TEXTS)
