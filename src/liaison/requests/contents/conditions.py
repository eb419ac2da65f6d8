"""Conditions that travel with a request and its results (art. 36, 40): the receiver stores
them, and every later export or forwarding checks them (liaison.requests.sharing).

Each side sets conditions on what it gives: the requesting authority on its request (at
drafting), the requested authority on its results (when responding, `response.conditions`).
A copy is therefore bound by the conditions the *other* side set. A written authorisation from
that side lifts one condition for one use, and travels as a `request.authorisation` envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liaison.requests.contents.common import FreeText


class Conditions(BaseModel):
    """The one set of conditions of a request (and, set by the other side, of its results).
    The defaults are the protective choice; an officer relaxes them explicitly."""

    model_config = ConfigDict(extra="forbid")

    # The fact and substance of the request stay confidential (art. 40).
    confidential: bool = True
    # Do not tell the account holder or user (preservation, art. 42).
    no_user_notice: bool = True
    # Use only in the proceeding named in the request, unless the sender consents (speciality).
    speciality: bool = True
    # No transfer to a third State or body without the sender's prior authorisation (art. 36).
    no_onward_transfer: bool = True
    # Personal data and evidence are deleted this many days after the request closes.
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    # Terms of the requesting State's data protection the results are held under (art. 36).
    data_protection_terms: FreeText | None = None


def binding(
    *, holder_is_requesting: bool, conditions: dict[str, Any], response: dict[str, Any]
) -> Conditions:
    """The conditions this copy must respect: those the other side set."""
    raw = response.get("conditions") if holder_is_requesting else conditions
    return Conditions.model_validate(raw or {}) if raw is not None else Conditions()
