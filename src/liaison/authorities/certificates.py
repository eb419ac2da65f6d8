"""The certificate of an authority's signing key: what a PAdES signature of its documents names,
and what a counterpart validates them with. It also issues the personal certificates of the
authority's supervisors (accounts/signing.py), so it is the one trust root of both."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from liaison.authorities.models import Authority
from liaison.crypto.certificates import self_issued_certificate
from liaison.keyring.models import StoredKey


def certificate_for(*, authority: Authority, key: StoredKey, private_raw: bytes) -> bytes:
    """Reproducible: the same key always yields the same certificate (serial from the key id)."""
    serial = int.from_bytes(hashlib.sha256(key.id.encode()).digest()[:15], "big") | 1
    return self_issued_certificate(
        private_raw=private_raw,
        common_name=authority.names.get("en") or next(iter(authority.names.values())),
        country=authority.state,
        organization=authority.id,
        not_before=key.created_at,
        not_after=key.created_at + timedelta(days=3650),
        serial_number=serial,
        issues_people=True,
    )
