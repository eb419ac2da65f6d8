"""What goes in and out of the evidence API, and the checks on an item's name."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from liaison.core.errors import InvalidInput
from liaison.requests.sharing.uses import Use

# A name becomes a file name when the item is downloaded or sealed into a package (BagIt data/).
NAME_MAX_BYTES = 255
Reference = Annotated[str, StringConstraints(min_length=1, max_length=200)]


# Bidirectional controls reorder what is displayed: "report\u202egpj.exe" shows as
# "reportexe.jpg". A name that does not read as it is could fake an extension in front of a
# custodian or a court, so such names are refused (not silently altered: evidence keeps its
# name).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def has_bidi_control(name: str) -> bool:
    return any(c in BIDI_CONTROLS for c in name)


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe single file name, else raise InvalidInput saying why."""
    if not name or not name.strip():
        raise InvalidInput("an evidence item needs a name")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates: what undecodable bytes become when a file name was not UTF-8.
        raise InvalidInput("the item name is not valid UTF-8") from None
    if "\ufffd" in name:
        # The replacement character: the name was not valid UTF-8 when it was decoded.
        raise InvalidInput("the item name is not valid UTF-8")
    if "\x00" in name:
        raise InvalidInput("the item name contains a NUL character")
    if "/" in name or "\\" in name:
        raise InvalidInput(
            f"the item name {name!r} contains a path separator; give a file name only"
        )
    if name in (".", ".."):
        raise InvalidInput(f"the item name {name!r} is not a file name")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInput("the item name contains control characters")
    if has_bidi_control(name):
        raise InvalidInput(
            "the item name contains a bidirectional control character (it would not read as "
            "it is, and could disguise its extension); rename the file"
        )
    if len(encoded) > NAME_MAX_BYTES:
        raise InvalidInput(f"the item name is longer than {NAME_MAX_BYTES} bytes in UTF-8")
    return name


class Acquisition(BaseModel):
    """How the evidence was obtained: the first link of its chain of custody."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    at: AwareDatetime
    how: Annotated[str, StringConstraints(max_length=5000)] = ""
    tool: Annotated[str, StringConstraints(max_length=200)] = ""


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    holder: str
    request_id: str
    digest: str
    size: int
    name: str
    description: str
    source: str
    acquired_by: str
    # With the acquirer's own UTC offset, as it was given.
    acquired_at: datetime = Field(validation_alias=AliasChoices("acquired_at_local", "acquired_at"))
    acquisition_method: str
    acquisition_tool: str
    created_by: str
    created_at: datetime
    retention_until: datetime | None
    deleted_at: datetime | None


class CustodyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: str
    event: str
    actor: str
    at: datetime
    digest: str
    detail: dict[str, Any]


class ItemExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    use: Use = Use.same_proceeding
    # The other proceeding (use other_proceeding) or the recipient authority (use forward).
    proceeding: Reference | None = None
    to: Reference | None = None


class ItemExportRead(BaseModel):
    item: ItemRead
    use: Use
    proceeding: str | None
    to: str | None
    # The conditions the item stays bound by wherever it is used.
    conditions: dict[str, Any]
