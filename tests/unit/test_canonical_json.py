"""Canonical JSON is RFC 8785's, checked against the RFC's own examples: what we hash and sign
is what any other implementation reproduces."""

from __future__ import annotations

import json

import pytest

from liaison.crypto.hashing import NotCanonicalizable, canonical_json


def test_keys_sort_by_utf16_code_units_as_rfc_8785_3_2_3() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonical_json(value)))
    # By code point the emoji (U+1F600) would come last; by UTF-16 units (D83D DE00) it comes
    # before U+FB33. That is where a sort_keys implementation disagrees with the RFC.
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_numbers_and_strings_as_rfc_8785_3_2_2() -> None:
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    assert (
        canonical_json(value)
        == (
            '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
        ).encode()
    )


@pytest.mark.parametrize("number", [2**53, -(2**53), 10**20])
def test_integers_beyond_the_exact_range_are_refused(number: int) -> None:
    with pytest.raises(NotCanonicalizable):
        canonical_json({"n": number})
    assert canonical_json({"n": 2**53 - 1}) == b'{"n":9007199254740991}'
