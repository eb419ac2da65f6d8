"""A supervisor's personal signing key and the certificate their authority issues for it.

Four eyes only mean something to the receiving State if it can tell that a second person
approved: the approval is signed with the approver's own key, not the authority's, and the key's
certificate, issued by the authority's signing key (which the directory publishes), names the
person, their function and their user id. The private half is wrapped under the KEK like every
other key; it is made on first use and replaced when its certificate nears its end or the
authority's signing key changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.accounts.models import User
from liaison.audit.context import AuditContext
from liaison.authorities.certificates import certificate_for
from liaison.authorities.models import Authority
from liaison.core.clock import Clock, system_clock
from liaison.core.errors import InvalidInput
from liaison.crypto import certificates
from liaison.crypto import keys as keycrypto
from liaison.keyring import service as keyring
from liaison.keyring.models import StoredKey

VALIDITY = timedelta(days=365)
# A key whose certificate ends sooner is replaced, so that a request approved today is still
# received within its certificate's validity.
RENEW_BEFORE = timedelta(days=30)


@dataclass(frozen=True)
class PersonalSigner:
    key: StoredKey
    private_raw: bytes
    certificate_pem: bytes  # the person's certificate
    chain_pem: bytes  # the person's certificate, then the authority's (the issuer)


def _serial(key_id: str) -> int:
    return int.from_bytes(hashlib.sha256(key_id.encode()).digest()[:15], "big") | 1


def personal_signer(
    *,
    session: Session,
    kek: bytes,
    user: User,
    title: str,
    ctx: AuditContext,
    clock: Clock = system_clock,
) -> PersonalSigner:
    """The user's personal key with a certificate valid now, made (or renewed) if needed."""
    authority = session.get_one(Authority, user.authority_id)
    issuing = keyring.active_key(session=session, authority_id=authority.id, purpose="signing")
    if issuing is None:
        raise InvalidInput(f"{authority.id} has no signing key to certify {user.username}")
    issuer_raw = keyring.private_raw(kek=kek, key=issuing)
    issuer_pem = certificate_for(authority=authority, key=issuing, private_raw=issuer_raw)
    now = clock.now()
    for key in session.scalars(
        select(StoredKey)
        .where(StoredKey.user_id == user.id, StoredKey.retired_at.is_(None))
        .order_by(StoredKey.created_at.desc())
    ):
        pem = (key.certificate or "").encode()
        person = certificates.read_person(pem)
        if (
            person.not_after - now > RENEW_BEFORE
            and person.title == title
            and person.name == user.display_name
            and certificates.issued_by(
                certificate_pem=pem, issuer_public_raw=keycrypto.b64u_decode(issuing.public_key)
            )
        ):
            return PersonalSigner(key, keyring.private_raw(kek=kek, key=key), pem, pem + issuer_pem)
        key.retired_at = now  # superseded: still verifies what it signed, signs nothing more
    key = keyring.create_key(
        session=session,
        kek=kek,
        authority_id=authority.id,
        purpose="personal",
        ctx=ctx,
        clock=clock,
    )
    pem = certificates.issue_personal_certificate(
        issuer_private_raw=issuer_raw,
        issuer_certificate_pem=issuer_pem,
        person=certificates.Person(
            name=user.display_name,
            title=title,
            user_id=user.id,
            authority_id=authority.id,
            public_raw=keycrypto.b64u_decode(key.public_key),
            not_before=now - timedelta(minutes=5),  # clocks of two nodes differ a little
            not_after=now + VALIDITY,
        ),
        country=authority.state,
        organization=authority.names.get("en") or next(iter(authority.names.values())),
        serial_number=_serial(key.id),
    )
    key.user_id, key.certificate = user.id, pem.decode()
    return PersonalSigner(key, keyring.private_raw(kek=kek, key=key), pem, pem + issuer_pem)


def signer_of_key(*, session: Session, kek: bytes, key_id: str) -> PersonalSigner | None:
    """The personal key `key_id` (the one an approval names) with its certificate chain; None
    if it is not a personal key held here. Retired keys are found too: the formal document of
    a request is signed by the key that approved it."""
    key = session.get(StoredKey, key_id)
    if key is None or key.purpose != "personal" or key.certificate is None:
        return None
    pem = key.certificate.encode()
    authority = session.get_one(Authority, key.authority_id)
    issuer_key = next(
        (
            k
            for k in keyring.keys_of(session=session, authority_id=authority.id)
            if k.purpose == "signing"
            and certificates.issued_by(
                certificate_pem=pem, issuer_public_raw=keycrypto.b64u_decode(k.public_key)
            )
        ),
        None,
    )
    if issuer_key is None:
        return None
    issuer_pem = certificate_for(
        authority=authority,
        key=issuer_key,
        private_raw=keyring.private_raw(kek=kek, key=issuer_key),
    )
    return PersonalSigner(key, keyring.private_raw(kek=kek, key=key), pem, pem + issuer_pem)
