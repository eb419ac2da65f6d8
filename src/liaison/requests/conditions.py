"""Conditions that travel with a request and its results (art. 36, 40): the receiver stores
them, and every later export or forwarding checks them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The fact and substance of the request stay confidential (art. 40).
    confidential: bool = True
    # Do not tell the account holder or user (preservation, art. 42).
    no_user_notice: bool = False
    # Use only in the proceeding named in the request, unless the sender consents (speciality).
    speciality: bool = True
    # No transfer to a third State or body without the sender's prior authorisation (art. 36).
    no_onward_transfer: bool = True
    # Personal data and evidence are deleted this many days after the request closes.
    retention_days: int | None = Field(default=None, ge=1, le=36500)
