"""Receipts: the receiver's signed word that it accepted or rejected an envelope, made the same
way every time for the same envelope, and checked by the sender against the directory."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Literal

from pydantic import ValidationError

from liaison.crypto import jose
from liaison.crypto.hashing import canonical_json, same_digest
from liaison.federation.envelope import (
    RECEIPT_TYP,
    VERSION,
    Receipt,
    SignedReceipt,
    checked_header,
    verified_payload,
)
from liaison.protocol import errors
from liaison.protocol.fields import truncate_ms


def make_receipt(
    *,
    envelope_id: str | None,
    envelope_digest: str,
    received_at: datetime,
    status: Literal["accepted", "rejected"],
    reason: str | None,
    receiver: str,
    receiver_key_id: str,
    receiver_private_raw: bytes,
) -> SignedReceipt:
    """Deterministic: the same inputs give the byte-identical wire (Ed25519 is deterministic),
    so a duplicate delivery can be answered again even if the stored receipt were lost."""
    try:
        receipt = Receipt.model_validate(
            {
                "v": VERSION,
                "envelope_id": envelope_id,
                "envelope_digest": envelope_digest,
                "received_at": truncate_ms(received_at),
                "status": status,
                "reason": reason,
                "receiver": receiver,
            }
        )
    except ValidationError as exc:
        raise errors.MalformedError(f"receipt fields are invalid: {exc}") from exc
    wire = jose.sign(
        canonical_json(receipt.model_dump(mode="json")),
        private_raw=receiver_private_raw,
        key_id=receiver_key_id,
        typ=RECEIPT_TYP,
    )
    return SignedReceipt(wire=wire, receipt=receipt)


def receipt_signer(wire: str) -> tuple[str, str]:
    """(claimed receiver authority, kid), unverified: to find the key in the directory."""
    header = checked_header(wire, typ=RECEIPT_TYP, max_bytes=jose.DEFAULT_MAX_BYTES)
    try:
        payload = jose.jws_payload_unverified(wire)
        receipt = Receipt.model_validate_json(payload, strict=True, by_alias=True)
    except (jose.TokenMalformedError, ValidationError) as exc:
        raise errors.MalformedError("not a receipt") from exc
    return receipt.receiver, header["kid"]


def verify_receipt(
    wire: str,
    *,
    public_raw: bytes,
    expected_envelope_id: str,
    expected_digest: str | Collection[str],
) -> Receipt:
    """The receipt, if signed by this key and about this envelope.

    ``expected_digest`` may be several digests: an envelope re-sealed under the same id after a
    lost receipt has one digest per sealing, and the receiver answers with the first it accepted.
    """
    payload = verified_payload(
        wire, public_raw=public_raw, typ=RECEIPT_TYP, max_bytes=jose.DEFAULT_MAX_BYTES
    )
    try:
        receipt = Receipt.model_validate_json(payload, strict=True, by_alias=True)
    except ValidationError as exc:
        raise errors.MalformedError("receipt fields are invalid") from exc
    digests = [expected_digest] if isinstance(expected_digest, str) else list(expected_digest)
    if receipt.envelope_id is not None and receipt.envelope_id != expected_envelope_id:
        raise errors.ReceiptMismatchError("the receipt is for another envelope")
    if not any(same_digest(receipt.envelope_digest, d) for d in digests):
        raise errors.ReceiptMismatchError("the receipt names another envelope digest")
    return receipt
