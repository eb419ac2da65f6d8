"""Field types shared by every request kind (CONVENTION.md, "Records the software keeps").

Format rules hold even in a draft, so a stored draft is never malformed: codes come from closed
lists, texts have size limits, periods run forwards. Whether a field is *filled in* is a
separate question, answered by the submission checks (`registry.check_submission`).
"""

from __future__ import annotations

import ipaddress
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self
from zoneinfo import available_timezones

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from liaison.core.codes import is_language, is_state

# Limits keep one request renderable as a formal document and transportable as one federation
# message; a statement of facts longer than this belongs in an attached document.
MAX_TEXT = 20_000
MAX_SHORT = 500
MAX_ITEMS = 200


class RequestKind(StrEnum):
    MLA = "mla"  # art. 40
    PRESERVATION = "preservation"  # art. 42
    DISCLOSURE = "disclosure"  # art. 43
    EXTRADITION = "extradition"  # art. 37
    SENTENCED_PERSON_TRANSFER = "sentenced_person_transfer"  # art. 38
    PROCEEDINGS_TRANSFER = "proceedings_transfer"  # art. 39
    SPONTANEOUS = "spontaneous"  # art. 40, information sent without a request


class MlaSubtype(StrEnum):
    STORED_DATA = "stored_data"  # art. 44
    REAL_TIME_TRAFFIC = "real_time_traffic"  # art. 45
    INTERCEPTION = "interception"  # art. 46
    ASSETS = "assets"  # art. 50-52: freezing, seizure, confiscation
    OTHER = "other"  # art. 40 assistance of any other type


class DataCategory(StrEnum):
    """Categories of data as the Convention defines them (art. 2)."""

    SUBSCRIBER = "subscriber"
    TRAFFIC = "traffic"
    CONTENT = "content"


def _language(code: str) -> str:
    if not is_language(code):
        raise ValueError(f"unknown language code {code!r} (expected a CLDR code such as 'en')")
    return code


def _state(code: str) -> str:
    if not is_state(code):
        raise ValueError(f"unknown State code {code!r} (expected ISO 3166-1 alpha-2)")
    return code


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str) -> str:
    if name not in _zones():
        raise ValueError(
            f"unknown time zone {name!r} (expected an IANA name such as 'Asia/Ho_Chi_Minh')"
        )
    return name


# Each names, in its JSON Schema, the code list a form offers for it (GET /api/v1/codes/{name}).
LanguageCode = Annotated[
    str, AfterValidator(_language), Field(json_schema_extra={"x-code-list": "languages"})
]
StateCode = Annotated[
    str, AfterValidator(_state), Field(json_schema_extra={"x-code-list": "states"})
]
TimeZoneName = Annotated[
    str, AfterValidator(_zone), Field(json_schema_extra={"x-code-list": "time-zones"})
]
ShortText = Annotated[str, Field(min_length=1, max_length=MAX_SHORT)]
Reference = Annotated[str, Field(min_length=1, max_length=100)]


class Strict(BaseModel):
    """Base of every content model: unknown keys are errors, so a misspelt field is not lost.

    Validators are built on first use, not at import: a command that validates no contents
    (`liaison request list`) does not build those of every kind."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class FreeText(Strict):
    """A text written by an officer, in its original language, with the translations supplied.

    Structured fields are rendered in the recipient's language from the catalogs; free texts
    cannot be, so they carry their own translations (issue part 7).
    """

    original: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    original_language: LanguageCode
    translations: dict[LanguageCode, Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]] = (
        Field(default_factory=dict, max_length=20)
    )

    @model_validator(mode="after")
    def _no_translation_into_original(self) -> Self:
        if self.original_language in self.translations:
            raise ValueError(
                f"a translation into {self.original_language!r} duplicates the original text"
            )
        return self

    def languages(self) -> frozenset[str]:
        return frozenset({self.original_language, *self.translations})


class Period(Strict):
    """A period of data or of collection; both ends given, inclusive, running forwards."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _forwards(self) -> Self:
        if self.end <= self.start:
            raise ValueError("the end of the period must be after its start")
        return self


class AuthorityRef(Strict):
    """An authority as the request names it: its name, State and function."""

    name: ShortText
    state: StateCode
    function: ShortText | None = None
    directory_id: Reference | None = Field(
        default=None, description="The authority's identifier in the directory, if it is listed"
    )


class LegalBasis(Strict):
    """The convention article relied on, or a bilateral/multilateral treaty, or both."""

    convention_article: int | None = Field(default=None, ge=35, le=52)
    treaty: ShortText | None = Field(
        default=None,
        description="A bilateral or multilateral treaty relied on, besides or instead of the "
        "Convention",
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.convention_article is None and self.treaty is None:
            raise ValueError("a legal basis names a convention article or a treaty")
        return self


class PersonRole(StrEnum):
    SUSPECT = "suspect"
    ACCUSED = "accused"
    SENTENCED = "sentenced"
    VICTIM = "victim"
    WITNESS = "witness"
    ACCOUNT_HOLDER = "account_holder"
    OTHER = "other"


class Person(Strict):
    """A person concerned: identity, location and nationality where possible (art. 40(e)); only
    the procedural status is required.

    Kinds that need more (extradition, transfers) say so in their checks."""

    role: PersonRole
    name: ShortText | None = None
    aliases: list[ShortText] = Field(default_factory=list, max_length=20)
    date_of_birth: date | None = None
    nationalities: list[StateCode] = Field(default_factory=list, max_length=5)
    identity_documents: list[ShortText] = Field(default_factory=list, max_length=10)
    description: FreeText | None = None
    location: ShortText | None = None
    location_state: StateCode | None = None


class IdentifierKind(StrEnum):
    ACCOUNT = "account"
    IP_ADDRESS = "ip_address"
    DEVICE = "device"
    PHONE = "phone"
    EMAIL = "email"
    DOMAIN = "domain"
    WALLET = "wallet"  # property includes virtual assets (art. 2)
    OTHER = "other"


class Identifier(Strict):
    """An account, IP address, device or other identifier, with the service or provider that
    holds the data.

    An IP address needs its timestamp and time zone: an address alone names no one behind a
    NAT."""

    kind: IdentifierKind
    value: ShortText
    provider: ShortText | None = None
    timestamp: AwareDatetime | None = Field(
        default=None, description="When it was in use; required for an IP address"
    )
    timezone: TimeZoneName | None = Field(
        default=None, description="The time zone of that time; required for an IP address"
    )

    @model_validator(mode="after")
    def _ip_format(self) -> Self:
        if self.kind is IdentifierKind.IP_ADDRESS:
            try:
                ipaddress.ip_address(self.value)
            except ValueError:
                raise ValueError(f"{self.value!r} is not an IPv4 or IPv6 address") from None
        return self


class TransmissionChannel(StrEnum):
    FEDERATION = "federation"
    NETWORK_24_7 = "24_7_network"
    INTERPOL = "interpol"  # art. 40: urgent requests may go through INTERPOL
    DIPLOMATIC = "diplomatic"
