"""Whose key signed a package, judged at the time the package says it was signed.

A sealed package names its key (the JWS ``kid``) and its signing time (bag-info.txt). This node
finds that key where it knows the sender: its own keyring when the sender is hosted here (a
key signs from its creation until it is retired), otherwise the directory versions it imported
(validity period and revocations, directory/service.signing_key_as_of). A key that could not
sign at that time never authenticates the package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.authorities.models import Authority
from liaison.crypto import keys as keycrypto
from liaison.directory import service as directory
from liaison.evidence.package import KeyRejected, SenderKey
from liaison.keyring.models import StoredKey
from liaison.node import Node
from liaison.protocol import errors


@dataclass(frozen=True)
class NodeSenderKeys:
    """``package.SenderKeys`` answered from this node; each lookup is a short transaction of
    its own, so none is held while a package streams.

    ``expected`` is the sender the caller expects (the announcing peer, ``--sender``): a
    package claiming another is refused. ``also_at`` (the moment a package arrived) must find
    the key usable then too: a key revoked before a package reached us does not vouch for it,
    whatever time the package claims.
    """

    node: Node
    expected: str | None = None
    also_at: dt.datetime | None = None

    def __call__(self, *, sender: str, kid: str, signed_at: dt.datetime) -> SenderKey:
        if self.expected is not None and sender != self.expected:
            raise KeyRejected(f"the package says it is from {sender}, not {self.expected}")
        if signed_at > self.node.clock.now() + dt.timedelta(minutes=5):
            raise KeyRejected(f"the package claims a signing time in the future ({signed_at})")
        with self.node.db.session() as session:
            if session.get(Authority, sender) is not None:
                return _hosted(session, sender, kid, signed_at)
            return self._directory(session, sender, kid, signed_at)

    def _directory(
        self, session: Session, sender: str, kid: str, signed_at: dt.datetime
    ) -> SenderKey:
        try:
            key, version = directory.signing_key_as_of(
                session=session, authority_id=sender, kid=kid, at=signed_at
            )
            if self.also_at is not None:
                directory.peer_signing_key(
                    session=session, authority_id=sender, kid=kid, at=self.also_at
                )
        except errors.ProtocolError as exc:
            raise KeyRejected(exc.message) from None
        until = key.not_after.isoformat() if key.not_after else "open-ended"
        basis = (
            f"directory version {version}: valid from {key.not_before.isoformat()} to {until}, "
            "not revoked at the signing time"
        )
        if self.also_at is not None:
            basis += f" nor when the package arrived ({self.also_at.isoformat()})"
        return SenderKey(keycrypto.b64u_decode(key.public), basis)


def _hosted(session: Session, sender: str, kid: str, signed_at: dt.datetime) -> SenderKey:
    key = session.get(StoredKey, kid)
    if key is None or key.authority_id != sender or key.purpose != "signing":
        raise KeyRejected(f"{sender} (hosted here) has no signing key {kid}")
    if signed_at < key.created_at or (key.retired_at is not None and signed_at >= key.retired_at):
        until = key.retired_at.isoformat() if key.retired_at else "now"
        raise KeyRejected(
            f"{sender}'s key {kid} signed from {key.created_at.isoformat()} to {until}, "
            f"not at {signed_at.isoformat()}"
        )
    return SenderKey(
        keycrypto.b64u_decode(key.public_key),
        f"{sender}'s own key, held by this node, in use at the signing time",
    )
