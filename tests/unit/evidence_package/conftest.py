"""Session fixtures: one set of keys and one sealed package, reused read-only by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.evidence_package.factory import Parties, new_parties, seal_to


@pytest.fixture(scope="session")
def parties() -> Parties:
    return new_parties()


@pytest.fixture(scope="session")
def sealed(tmp_path_factory: pytest.TempPathFactory, parties: Parties) -> Path:
    path = tmp_path_factory.mktemp("sealed") / "package.age"
    seal_to(path, parties)
    return path
