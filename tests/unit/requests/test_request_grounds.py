"""Refusal and postponement grounds: closed lists per kind, consultation and prosecution flags."""

from __future__ import annotations

import pytest

from liaison.core.errors import InvalidInput
from liaison.requests.contents import (
    Ground,
    GroundCode,
    RequestKind,
    ground,
    postponement_grounds,
    refusal_grounds,
)


def codes(grounds: tuple[Ground, ...]) -> set[str]:
    return {g.code.value for g in grounds}


def test_mla_refusal_grounds_are_those_of_art_40() -> None:
    assert codes(refusal_grounds(RequestKind.MLA)) == {
        "non_conforming_request",
        "essential_interests",
        "domestic_law_bars",
        "contrary_to_legal_system",
        "persecution",
    }
    assert codes(postponement_grounds("mla")) == {"interferes_with_proceedings"}


def test_extradition_grounds_include_each_persecution_reason_and_nationality() -> None:
    extradition = codes(refusal_grounds("extradition"))
    for reason in ("sex", "race", "religion", "nationality", "ethnic_origin", "political_opinion"):
        assert f"persecution_{reason}" in extradition
    assert "persecution_language" in extradition
    assert "national_of_requested_state" in extradition
    assert postponement_grounds("extradition") == ()


def test_consult_first_per_convention() -> None:
    # Art. 37: consult before refusing extradition, on any ground.
    assert all(g.consult_first for g in refusal_grounds(RequestKind.EXTRADITION))
    # Art. 40: consult before refusing on the listed grounds and before postponing.
    assert ground("non_conforming_request").consult_first
    assert ground("interferes_with_proceedings").consult_first
    assert not ground("persecution").consult_first
    assert not ground("no_consent_of_sentenced_person").consult_first


def test_refusing_a_national_triggers_prosecution() -> None:
    flagged = [g.code for g in refusal_grounds("extradition") if g.requires_prosecution]
    assert flagged == [GroundCode.NATIONAL_OF_REQUESTED_STATE]


def test_forbidden_grounds_are_not_in_any_list() -> None:
    everything: set[str] = set().union(*(codes(refusal_grounds(kind)) for kind in RequestKind))
    assert not any("fiscal" in code or "secrecy" in code for code in everything)
    with pytest.raises(InvalidInput, match="not a ground in the closed list"):
        ground("bank_secrecy")


def test_spontaneous_information_is_not_refused() -> None:
    assert refusal_grounds("spontaneous") == ()
    assert postponement_grounds("spontaneous") == ()


def test_every_kind_except_spontaneous_has_refusal_grounds() -> None:
    for kind in set(RequestKind) - {RequestKind.SPONTANEOUS}:
        assert refusal_grounds(kind), kind


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="not a valid RequestKind"):
        refusal_grounds("telepathy")
