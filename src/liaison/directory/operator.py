"""Publishing: each node describes its own authorities; the operator merges and signs.

A node never signs the directory itself: it exports its entries (public keys only) and sends
them to the operator, who checks them out of band, merges every node's entries, lists the
revocations and signs one document for all.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from liaison.authorities import service as authorities
from liaison.core.permissions import AuthorityRole
from liaison.crypto import keys
from liaison.directory.document import (
    DirectoryAuthority,
    DirectoryDocument,
    DirectoryKey,
    DirectoryLog,
    RevokedKey,
)
from liaison.keyring import service as keyring
from liaison.keyring.models import StoredKey
from liaison.protocol.fields import truncate_ms

_USE = {"signing": ("sig", "Ed25519"), "encryption": ("enc", "X25519")}
# The node's own keys: its signing key signs the audit log's checkpoints.
_NODE_USE = {"signing": ("log", "Ed25519"), "witness": ("witness", "Ed25519")}


def _entry_key(key: StoredKey) -> DirectoryKey | None:
    # The document carries milliseconds; truncating here keeps the entry equal to itself after
    # a round trip through the signed JSON.
    not_before = truncate_ms(key.created_at)
    not_after = truncate_ms(key.retired_at) if key.retired_at is not None else None
    if not_after is not None and not_after <= not_before:
        # Retired within the millisecond it was made: it never signed or received anything.
        return None
    use, alg = (_USE if key.authority_id is not None else _NODE_USE)[key.purpose]
    return DirectoryKey.model_validate(
        {
            "kid": key.id,
            "use": use,
            "alg": alg,
            "public": key.public_key,
            "not_before": not_before,
            "not_after": not_after,
        }
    )


def local_entries(*, session: Session, endpoint: str, kinds: list[str]) -> list[DirectoryAuthority]:
    """The directory entries of every authority hosted here.

    Retired keys stay listed with ``not_after`` = the moment they were retired, so a peer can
    still verify what they signed before; it is the operator's ``revoked_keys`` that makes a
    key unusable for its whole past.
    """
    entries = []
    for authority in authorities.list_all(session=session):
        entry_keys = [
            k
            for k in (
                _entry_key(s) for s in keyring.keys_of(session=session, authority_id=authority.id)
            )
            if k is not None
        ]
        entries.append(
            DirectoryAuthority(
                id=authority.id,
                state=authority.state,
                names=dict(authority.names),
                roles=[AuthorityRole(r) for r in authority.roles],
                accepted_languages=list(authority.accepted_languages),
                kinds=list(kinds),
                endpoint=endpoint,
                keys=entry_keys,
            )
        )
    return entries


def local_log(*, session: Session, origin: str, endpoint: str) -> DirectoryLog:
    """The directory entry of this node's audit log: its log and witness keys (retired ones too,
    so that old checkpoints and cosignatures still verify)."""
    found = [k for k in (_entry_key(s) for s in keyring.node_keys(session=session)) if k]
    return DirectoryLog(origin=origin, endpoint=endpoint, keys=found)


def build_document(
    *,
    operator: str,
    version: int,
    entries: list[DirectoryAuthority],
    revoked: list[RevokedKey],
    issued_at: datetime,
    logs: list[DirectoryLog] | None = None,
) -> DirectoryDocument:
    """One document from the entries of every node, validated (unique ids and kids) as a whole."""
    return DirectoryDocument(
        v=1,
        operator=operator,
        version=version,
        issued_at=truncate_ms(issued_at),
        authorities=sorted(entries, key=lambda a: a.id),
        revoked_keys=sorted(revoked, key=lambda r: r.kid),
        logs=sorted(logs or [], key=lambda log: log.origin),
    )


def operator_kid(public_raw: bytes) -> str:
    """A key id derived from the public key, so the key file needs to hold only the private key."""
    return "op-" + hashlib.sha256(public_raw).hexdigest()[:16]


def operator_public_raw(private_raw: bytes) -> bytes:
    return keys.signing_key(private_raw).public_key().public_bytes_raw()


def new_operator_key() -> tuple[bytes, str, str]:
    """A fresh operator key pair: (private raw, public base64url to pin, kid)."""
    pair = keys.generate("signing")
    return pair.private_raw, keys.b64u(pair.public_raw), operator_kid(pair.public_raw)
