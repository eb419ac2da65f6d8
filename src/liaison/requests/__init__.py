"""Requests under the convention (art. 37-46, 50): kinds, their contents, and the rules on them.

`liaison.requests.contents` is a pure library (no database, no clock, no network): typed content
models per request kind, format validation on parse, completeness checks before submission,
refusal and postponement grounds, preservation date rules and translation gaps.
"""
