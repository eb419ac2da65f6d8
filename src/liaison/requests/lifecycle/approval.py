"""The approval: the approving supervisor's own signature over exactly what was approved.

The payload is the canonical JSON of the fields that make the request, with the ids of the
approver, the drafter and the submitter; it is signed with the approver's personal key
(accounts/signing.py), whose certificate, issued by the requesting authority's signing key,
travels with it. The receiver recomputes the fields from what it received and checks, without
trusting the sending node's word: the certificate was issued by a key the directory lists for
the requesting authority, it names a supervisor of that authority and was valid when approved
and now, the signature is by the certified key, and the approver neither drafted nor submitted
the request. So neither a changed field, an unapproved request, nor an approval the node made up
with its own authority key can pass as a second person's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liaison.accounts import signing
from liaison.accounts.models import User
from liaison.audit.context import AuditContext
from liaison.core.clock import Clock
from liaison.core.permissions import Role
from liaison.crypto import certificates, jose
from liaison.crypto.hashing import canonical_json
from liaison.protocol import errors
from liaison.requests.models import Request

APPROVAL_TYP = jose.Typ.approval
APPROVER_TITLE = Role.supervisor.value
_PAYLOAD = {"request", "approver", "drafter", "submitter"}


class InvalidApprovalError(errors.ProtocolError):
    reason = "invalid_approval"
    status_code = 422


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


def sign_approval(
    *,
    session: Session,
    kek: bytes,
    request: Request,
    approver: User,
    ctx: AuditContext,
    clock: Clock,
) -> tuple[str, str]:
    """The approval token and the approver's certificate (PEM), both to travel."""
    signer = signing.personal_signer(
        session=session, kek=kek, user=approver, title=APPROVER_TITLE, ctx=ctx, clock=clock
    )
    payload = {
        "request": approved_fields(request),
        "approver": approver.id,
        "drafter": request.created_by,
        "submitter": request.submitted_by,
    }
    token = jose.sign_json(
        payload, private_raw=signer.private_raw, key_id=signer.key.id, typ=APPROVAL_TYP
    )
    return token, signer.certificate_pem.decode()


@dataclass(frozen=True)
class Approver:
    """Who approved, as the verified certificate names them."""

    user_id: str
    name: str


def check_approval(
    *,
    token: str,
    certificate_pem: str,
    fields: dict[str, Any],
    authority_id: str,
    issuer_keys: list[bytes],
    approved_at: datetime,
    now: datetime,
) -> Approver:
    """Verify an approval received for `fields` from `authority_id`; raise
    InvalidApprovalError with what does not hold. `issuer_keys`: the authority's signing keys
    the directory lists as usable now."""
    try:
        person = certificates.read_person(certificate_pem.encode())
    except (certificates.CertificateError, ValueError):
        raise InvalidApprovalError("the approval carries no personal certificate") from None
    if person.authority_id != authority_id:
        raise InvalidApprovalError("the approver's certificate is of another authority")
    if person.title != APPROVER_TITLE:
        raise InvalidApprovalError("the approver's certificate does not name a supervisor")
    for moment in (approved_at, now):
        if not person.not_before <= moment <= person.not_after:
            raise InvalidApprovalError(
                f"the approver's certificate is not valid at {moment.isoformat()}"
            )
    pem = certificate_pem.encode()
    if not any(
        certificates.issued_by(certificate_pem=pem, issuer_public_raw=k) for k in issuer_keys
    ):
        raise InvalidApprovalError(
            f"the approver's certificate was not issued by a signing key of {authority_id} "
            "in the directory"
        )
    try:
        kid = str(jose.jws_header(token)["kid"])
        payload = json.loads(
            jose.verify(token, public_raw=person.public_raw, typ=APPROVAL_TYP, key_id=kid)
        )
    except jose.TokenError:
        raise InvalidApprovalError("the approval is not signed by the certified key") from None
    if not isinstance(payload, dict) or set(payload) != _PAYLOAD:
        raise InvalidApprovalError("the approval does not say who approved, drafted, submitted")
    if canonical_json(payload["request"]) != canonical_json(fields):
        raise InvalidApprovalError("the approval signature does not cover this request")
    if payload["approver"] != person.user_id:
        raise InvalidApprovalError("the approval names another approver than its certificate")
    drafter, submitter = payload["drafter"], payload["submitter"]
    if not isinstance(drafter, str) or not isinstance(submitter, str) or not drafter:
        raise InvalidApprovalError("the approval does not name the drafter and the submitter")
    if person.user_id in (drafter, submitter):
        raise InvalidApprovalError("four-eyes rule: the approver drafted or submitted the request")
    return Approver(person.user_id, person.name)
