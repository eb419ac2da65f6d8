"""Format validation of a request's content at the API boundary, via the contents library."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from liaison.core.errors import InvalidInput


def parse_content(kind: str, subtype: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised content (JSON-ready), or InvalidInput naming each bad field."""
    from liaison.requests import contents

    try:
        model = contents.parse_content(kind, data, subtype=subtype)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(f"invalid request content: {problems}") from None
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"invalid request: {exc}") from None
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped
