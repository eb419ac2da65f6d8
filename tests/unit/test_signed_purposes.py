"""Each signed object's verifier refuses a signature made for another purpose by the same key
over the same bytes: an approval cannot pass as a deletion record, nor the reverse."""

from __future__ import annotations

import pytest

from liaison.crypto import jose, keys
from liaison.evidence import retention
from liaison.requests.lifecycle.approval import APPROVAL_TYP, check_approval

FIELDS = {"id": "0190f0c2-0000-7000-8000-000000000001", "version": 1}


def test_a_deletion_record_is_no_approval_and_an_approval_no_deletion_record() -> None:
    pair = keys.generate("signing")
    as_deletion = jose.sign_json(
        FIELDS, private_raw=pair.private_raw, key_id="k", typ=retention.DELETION_TYP
    )
    as_approval = jose.sign_json(FIELDS, private_raw=pair.private_raw, key_id="k", typ=APPROVAL_TYP)

    assert check_approval(token=as_approval, key_id="k", public_raw=pair.public_raw, fields=FIELDS)
    assert not check_approval(
        token=as_deletion, key_id="k", public_raw=pair.public_raw, fields=FIELDS
    )
    assert (
        retention.verify_deletion_record(token=as_deletion, key_id="k", public_raw=pair.public_raw)
        == FIELDS
    )
    with pytest.raises(jose.TokenError):
        retention.verify_deletion_record(token=as_approval, key_id="k", public_raw=pair.public_raw)
