"""The uses of a request and its results beyond the request, and the check of each against the
conditions that bind the copy (liaison.requests.contents.conditions) and the authorisations the
other side gave."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from liaison.core.errors import PermissionDenied
from liaison.requests.contents.conditions import Conditions


class Use(StrEnum):
    # Export for use in the proceeding the request was made for.
    same_proceeding = "same_proceeding"
    # Export for use in another proceeding: speciality.
    other_proceeding = "other_proceeding"
    # Give to another authority or State: onward transfer.
    forward = "forward"


class ConditionRefused(PermissionDenied):
    """A use the conditions forbid; the message names the condition."""

    def __init__(self, condition: str, message: str) -> None:
        super().__init__(message)
        self.condition = condition


def _authorised(authorisations: list[dict[str, Any]], condition: str, key: str, value: str) -> bool:
    return any(a.get("condition") == condition and a.get(key) == value for a in authorisations)


def check_use(
    *,
    bound: Conditions,
    authorisations: list[dict[str, Any]],
    use: Use,
    to: str | None = None,
    proceeding: str | None = None,
) -> None:
    """Raise ConditionRefused naming the condition, unless the use is allowed or authorised."""
    if use is Use.forward:
        if not to:
            raise ConditionRefused("no_onward_transfer", "forwarding needs a recipient authority")
        if bound.no_onward_transfer and not _authorised(
            authorisations, "no_onward_transfer", "to", to
        ):
            raise ConditionRefused(
                "no_onward_transfer",
                "refused by the condition no_onward_transfer: "
                f"the sender has not authorised transfer to {to}",
            )
    if use is Use.other_proceeding:
        if not proceeding:
            raise ConditionRefused(
                "speciality", "use in another proceeding needs that proceeding's reference"
            )
        if bound.speciality and not _authorised(
            authorisations, "speciality", "proceeding", proceeding
        ):
            raise ConditionRefused(
                "speciality",
                "refused by the condition speciality: "
                f"the sender has not consented to use in {proceeding}",
            )
