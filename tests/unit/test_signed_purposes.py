"""Each signed object's verifier refuses a signature made for another purpose by the same key
over the same bytes: an approval cannot pass as a deletion record, nor the reverse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liaison.crypto import certificates, jose, keys
from liaison.evidence import retention
from liaison.requests.lifecycle.approval import (
    APPROVAL_TYP,
    Approver,
    InvalidApprovalError,
    check_approval,
)

FIELDS = {"id": "0190f0c2-0000-7000-8000-000000000001", "version": 1}
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _certified(person_private: bytes, person_public: bytes) -> tuple[str, bytes]:
    """A supervisor's certificate issued by a fresh authority key; (PEM, authority public)."""
    authority = keys.generate("signing")
    issuer = certificates.self_issued_certificate(
        private_raw=authority.private_raw,
        common_name="MPS",
        country="VN",
        organization="vn-mps",
        not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=365),
        issues_people=True,
    )
    pem = certificates.issue_personal_certificate(
        issuer_private_raw=authority.private_raw,
        issuer_certificate_pem=issuer,
        person=certificates.Person(
            name="A. Nguyen",
            title="supervisor",
            user_id="approver",
            authority_id="vn-mps",
            public_raw=person_public,
            not_before=NOW - timedelta(days=1),
            not_after=NOW + timedelta(days=30),
        ),
        country="VN",
        organization="MPS",
    )
    return pem.decode(), authority.public_raw


def test_a_deletion_record_is_no_approval_and_an_approval_no_deletion_record() -> None:
    pair = keys.generate("personal")
    pem, authority_public = _certified(pair.private_raw, pair.public_raw)
    payload = {"request": FIELDS, "approver": "approver", "drafter": "d", "submitter": "s"}
    as_deletion = jose.sign_json(
        payload, private_raw=pair.private_raw, key_id="k", typ=retention.DELETION_TYP
    )
    as_approval = jose.sign_json(
        payload, private_raw=pair.private_raw, key_id="k", typ=APPROVAL_TYP
    )

    def check(token: str) -> Approver:
        return check_approval(
            token=token,
            certificate_pem=pem,
            fields=FIELDS,
            authority_id="vn-mps",
            issuer_keys=[authority_public],
            approved_at=NOW,
            now=NOW,
        )

    assert check(as_approval) == Approver("approver", "A. Nguyen")
    with pytest.raises(InvalidApprovalError, match="not signed by the certified key"):
        check(as_deletion)
    assert (
        retention.verify_deletion_record(token=as_deletion, key_id="k", public_raw=pair.public_raw)
        == payload
    )
    with pytest.raises(jose.TokenError):
        retention.verify_deletion_record(token=as_approval, key_id="k", public_raw=pair.public_raw)
