"""Authorities as pages name them: by name and State in the reader's language, from the
authorities hosted here before any directory is imported, the identifier only when unknown."""

from __future__ import annotations

from liaison.node import Node
from liaison.web.formatting import Formats
from liaison.web.names import AuthorityNames
from tests.conftest import Factory


def test_an_authority_is_named_with_its_state_and_an_unknown_one_by_its_id(
    node: Node, factory: Factory
) -> None:
    factory.authority("de-bfj", "DE")
    with node.db.session() as session:
        english = AuthorityNames(session, Formats("en", "UTC"))
        assert english("de-bfj") == "Authority de-bfj (Germany)"
        assert english("xx-none") == "xx-none"
        assert english.choices(leaving_out=frozenset()) == []  # no directory yet: none to offer
        assert (
            AuthorityNames(session, Formats("fr", "UTC"))("de-bfj")
            == "Authority de-bfj (Allemagne)"
        )
