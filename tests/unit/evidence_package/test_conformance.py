"""The Library of Congress BagIt conformance suite, read where CI mounts it (never copied here).

Each bag sits in v<version>/<valid|invalid|warning|linux-only|windows-only>/<name>; we must
classify it the same way. windows-only bags are invalid only on Windows file systems.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.evidence.package import verify_bag_dir

# ../shared/conformance/bagit/ seen from the repository root.
SUITE = (Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "bagit").resolve()
EXPECTED = {"valid": "valid", "invalid": "invalid", "warning": "warning", "linux-only": "invalid"}


def _bags() -> list[tuple[str, Path]]:
    if not SUITE.is_dir():
        return []
    return [
        (EXPECTED[kind.name], bag)
        for version in sorted(SUITE.glob("v*"))
        for kind in sorted(version.iterdir())
        if kind.name in EXPECTED
        for bag in sorted(kind.iterdir())
        if bag.is_dir()  # the suite also keeps a Makefile beside the bags
    ]


BAGS = _bags()


def _classify(bag: Path) -> str:
    report = verify_bag_dir(bag)
    if not report.intact:
        return "invalid"
    return "warning" if report.warnings else "valid"


@pytest.mark.skipif(not BAGS, reason=f"BagIt conformance suite not found at {SUITE}")
@pytest.mark.parametrize(
    ("expected", "bag"), BAGS, ids=[str(b.relative_to(SUITE)) for _, b in BAGS] or None
)
def test_suite_bag_is_classified_as_the_suite_says(expected: str, bag: Path) -> None:
    assert _classify(bag) == expected, verify_bag_dir(bag).lines()


@pytest.mark.skipif(not BAGS, reason=f"BagIt conformance suite not found at {SUITE}")
def test_suite_covers_v097_and_v10() -> None:
    seen = {(bag.parents[1].name, expected) for expected, bag in BAGS}
    for version in ("v0.97", "v1.0"):
        assert (version, "valid") in seen
        assert (version, "invalid") in seen
    assert ("v0.97", "warning") in seen
