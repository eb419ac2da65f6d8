"""Why a federation message was refused: one exception per machine-readable ``reason``.

The inbox puts ``reason`` into the signed receipt, so these codes are part of the protocol
(docs/protocol.md lists them); add new ones, never rename.
"""

from __future__ import annotations

from typing import ClassVar

from liaison.core.errors import LiaisonError


class ProtocolError(LiaisonError):
    reason: ClassVar[str] = "rejected"


class Malformed(ProtocolError):
    reason = "malformed"


class TooLarge(ProtocolError):
    reason = "too_large"
    status_code = 413


class BadSignature(ProtocolError):
    reason = "bad_signature"
    status_code = 401


class UnknownKey(ProtocolError):
    reason = "unknown_key"
    status_code = 401


class ExpiredKey(ProtocolError):
    reason = "expired_key"
    status_code = 401


class RevokedKey(ProtocolError):
    reason = "revoked_key"
    status_code = 401


class Stale(ProtocolError):
    reason = "stale"


class DecryptFailed(ProtocolError):
    reason = "decrypt_failed"


class ReceiptMismatch(ProtocolError):
    """A receipt that verifies but names another envelope or digest than the one we sent."""

    reason = "receipt_mismatch"


class NotNewer(ProtocolError):
    """A directory document whose version is not above the one already imported."""

    reason = "not_newer"
    status_code = 409
