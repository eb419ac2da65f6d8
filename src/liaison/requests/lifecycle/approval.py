"""The approval: the requesting authority's signature over exactly what was approved.

The payload is the canonical JSON of the fields that make the request; the receiver recomputes
it from what it received and checks the signature with the key the directory lists, so neither
a changed field nor an unapproved request can pass as approved.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from liaison.core.errors import InvalidInput
from liaison.crypto import jose
from liaison.crypto.hashing import canonical_json
from liaison.keyring import service as keyring
from liaison.requests.models import Request

APPROVAL_TYP = jose.Typ.approval


def approved_fields(request: Request) -> dict[str, Any]:
    return {
        "id": request.id,
        "version": request.version,
        "kind": request.kind,
        "subtype": request.subtype,
        "requesting": request.requesting,
        "requested": request.requested,
        "reference": request.reference,
        "language": request.language,
        "content": request.content,
        "conditions": request.conditions,
        "urgent": request.urgent,
        "wished_deadline": request.wished_deadline.isoformat() if request.wished_deadline else None,
        "preservation_days": request.preservation_days,
        "linked_request": request.linked_request,
    }


def sign_approval(*, session: Session, kek: bytes, request: Request) -> str:
    key = keyring.active_key(session=session, authority_id=request.requesting, purpose="signing")
    if key is None:
        raise InvalidInput(f"{request.requesting} has no signing key")
    return jose.sign_json(
        approved_fields(request),
        private_raw=keyring.private_raw(kek=kek, key=key),
        key_id=key.id,
        typ=APPROVAL_TYP,
    )


def approval_key_id(token: str) -> str:
    """The kid the approval names, to find the key to check it with; '' if it is no JWS."""
    try:
        return str(jose.jws_header(token)["kid"])
    except jose.TokenError:
        return ""


def check_approval(*, token: str, key_id: str, public_raw: bytes, fields: dict[str, Any]) -> bool:
    """True when the token is an approval signed by key ``key_id`` over exactly these fields."""
    try:
        payload = jose.verify(token, public_raw=public_raw, typ=APPROVAL_TYP, key_id=key_id)
    except jose.TokenError:
        return False
    return canonical_json(json.loads(payload)) == canonical_json(fields)
