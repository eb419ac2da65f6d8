"""Closed code lists validated against Babel's CLDR data: States and languages."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

# CLDR groupings and placeholders that are not States.
_NOT_STATES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


@lru_cache(maxsize=1)
def states() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (CLDR territories minus regions like "001" and "ZZ")."""
    return frozenset(
        code
        for code in map(str, Locale("en").territories)
        if len(code) == 2 and code.isalpha() and code not in _NOT_STATES
    )


@lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    """Two- and three-letter language codes CLDR knows."""
    return frozenset(
        code for code in map(str, Locale("en").languages) if code.isalpha() and len(code) in (2, 3)
    )


def is_state(code: str) -> bool:
    return code in states()


def is_language(code: str) -> bool:
    return code in languages()
