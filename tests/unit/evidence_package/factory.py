"""Keys, small sealed packages and hand-made tars for the package tests."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from liaison.crypto import keys
from liaison.crypto.age import decrypt_stream, encrypt_stream
from liaison.evidence.package import (
    Acquired,
    CustodyEvent,
    PayloadItem,
    SealResult,
    seal_package,
)

REQUEST = "REQ-2026-0042"
IMAGE = bytes(range(256)) * 4096  # 1 MiB, so it spans several age chunks and tar blocks
NOTES = "Saisie du 24/11 — téléphone n°2\n".encode()
ACQUIRED = Acquired(
    by="Lt. Durand",
    at="2026-11-24T09:30:00+01:00",
    method="logical extraction\nof the phone, second attempt",
    tool="Extractor 7.2",
    source="seized phone n°2",
)


@dataclass(frozen=True)
class Parties:
    recipient: keys.NewKeyPair
    stranger: keys.NewKeyPair
    signer: keys.NewKeyPair

    @property
    def identity(self) -> str:
        return keys.age_identity(self.recipient.private_raw)


def new_parties() -> Parties:
    return Parties(
        keys.generate("encryption"), keys.generate("encryption"), keys.generate("signing")
    )


def payload_items() -> list[PayloadItem]:
    return [
        PayloadItem(
            name="phone/image.bin",
            size=len(IMAGE),
            open=lambda: io.BytesIO(IMAGE),
            sha256="sha256:" + hashlib.sha256(IMAGE).hexdigest(),
            description="Image of the seized phone",
            acquired=ACQUIRED,
        ),
        # No digest from ingest: sealing computes it on the way.
        PayloadItem(name="notes é.txt", size=len(NOTES), open=lambda: io.BytesIO(NOTES)),
    ]


def custody_events() -> list[CustodyEvent]:
    digest = "sha256:" + hashlib.sha256(IMAGE).hexdigest()
    return [
        CustodyEvent(
            "ingested", "Marie Durand (fr.officer, fr-pnc)", "2026-11-24T10:02:11+01:00", digest
        ),
    ]


def seal_to(path: Path, parties: Parties, *, with_sha512: bool = False) -> SealResult:
    with path.open("wb") as out:
        return seal_package(
            out=out,
            items=payload_items(),
            request_ref=REQUEST,
            sender="fr-pnc",
            recipient="vn-mps",
            recipient_age=keys.age_recipient(parties.recipient.public_raw),
            signing_private_raw=parties.signer.private_raw,
            signing_key_id="fr-pnc-sig-1",
            custody=custody_events(),
            with_sha512=with_sha512,
        )


def decrypt_to_tar(package: Path, identity: str) -> bytes:
    out = io.BytesIO()
    with package.open("rb") as handle:
        decrypt_stream(reader=handle, writer=out, identity=identity)
    return out.getvalue()


def encrypt_tar(tar_bytes: bytes, path: Path, parties: Parties) -> Path:
    """What an attacker who knows the recipient's public key can do: age is not a signature."""
    with path.open("wb") as out:
        encrypt_stream(
            reader=io.BytesIO(tar_bytes),
            writer=out,
            recipient=keys.age_recipient(parties.recipient.public_raw),
        )
    return path


def member_offset(tar_bytes: bytes, suffix: str) -> tuple[int, int]:
    """(offset of the data, size) of the member whose name ends with ``suffix``."""
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
        for member in tar:
            if member.name.endswith(suffix):
                return member.offset_data, member.size
    raise AssertionError(f"no member {suffix}")


TarBuilder = Callable[[tarfile.TarFile], None]


def build_tar(fill: TarBuilder, *, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        fill(tar)
    return buffer.getvalue()


def add_file(tar: tarfile.TarFile, name: str, data: bytes = b"x") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
