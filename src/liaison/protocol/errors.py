"""Why a federation message was refused: one exception per machine-readable ``reason``.

The inbox puts ``reason`` into the signed receipt, so these codes are part of the protocol
(docs/protocol.md lists them); add new ones, never rename.
"""

from __future__ import annotations

from typing import ClassVar

from liaison.core.errors import LiaisonError


class ProtocolError(LiaisonError):
    reason: ClassVar[str] = "rejected"


class MalformedError(ProtocolError):
    reason = "malformed"


class TooLargeError(ProtocolError):
    reason = "too_large"
    status_code = 413


class BadSignatureError(ProtocolError):
    reason = "bad_signature"
    status_code = 401


class UnknownKeyError(ProtocolError):
    reason = "unknown_key"
    status_code = 401


class ExpiredKeyError(ProtocolError):
    reason = "expired_key"
    status_code = 401


class RevokedKeyError(ProtocolError):
    reason = "revoked_key"
    status_code = 401


class StaleError(ProtocolError):
    reason = "stale"


class DecryptFailedError(ProtocolError):
    reason = "decrypt_failed"


class ReceiptMismatchError(ProtocolError):
    """A receipt that verifies but names another envelope or digest than the one we sent."""

    reason = "receipt_mismatch"


class NotNewerError(ProtocolError):
    """A directory document whose version is not above the one already imported."""

    reason = "not_newer"
    status_code = 409


class NotHostedError(ProtocolError):
    """The envelope's ``to`` is not an authority of this node (the inbox checks this)."""

    reason = "not_hosted"
    status_code = 404


class UnknownKindError(ProtocolError):
    """The recipient does not handle this kind (the inbox checks this)."""

    reason = "unknown_kind"
