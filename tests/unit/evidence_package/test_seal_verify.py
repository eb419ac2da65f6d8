"""Sealing then verifying a package, and what verification says when something is wrong."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest

from liaison.core.errors import InvalidInput
from liaison.crypto import keys
from liaison.evidence.package import (
    Limits,
    PayloadItem,
    SealResult,
    Verdict,
    seal_package,
    verify_package,
)
from tests.unit.evidence_package.factory import (
    IMAGE,
    NOTES,
    REQUEST,
    Parties,
    custody_events,
    decrypt_to_tar,
    encrypt_tar,
    member_offset,
    seal_to,
)


def test_round_trip_passes_every_check(sealed: Path, parties: Parties) -> None:
    report = verify_package(
        package=sealed, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert report.verdict is Verdict.authentic, report.lines()
    names = {c.name for c in report.checks if c.ok}
    assert {"age decryption", "payload digests", "Payload-Oxum", "tag manifest"} <= names
    assert {"signature", "CASE hashes", "archive safety", "bag declaration"} <= names
    assert ("Liaison-Request", REQUEST) in report.bag_info
    assert report.warnings == []


def test_seal_result_names_the_ciphertext(tmp_path: Path, parties: Parties) -> None:
    path = tmp_path / "p.age"
    result = seal_to(path, parties)
    raw = path.read_bytes()
    assert result.digest == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert result.size == len(raw)
    assert result.payload_oxum == f"{len(IMAGE) + len(NOTES)}.2"
    assert [f.path for f in result.files] == ["data/phone/image.bin", "data/notes é.txt"]
    # The digest ingest did not supply was computed while sealing.
    assert result.files[1].digests["sha256"] == hashlib.sha256(NOTES).hexdigest()


def test_extract_writes_the_bag(tmp_path: Path, sealed: Path, parties: Parties) -> None:
    out = tmp_path / "bag"
    out.mkdir()
    report = verify_package(
        package=sealed, identity=parties.identity, sender_public_raw=None, extract_to=out
    )
    assert (out / "data/phone/image.bin").read_bytes() == IMAGE
    skipped = [c for c in report.checks if c.ok is None]
    assert [c.name for c in skipped] == ["signature"]
    assert "no sender key given" in skipped[0].detail
    assert report.verdict is Verdict.unauthenticated


def test_sha512_option_adds_manifests(tmp_path: Path, parties: Parties) -> None:
    path = tmp_path / "p.age"
    seal_to(path, parties, with_sha512=True)
    report = verify_package(
        package=path, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert report.verdict is Verdict.authentic, report.lines()
    assert any(c.file == "tagmanifest-sha512.txt" and c.ok for c in report.checks)

    strict = verify_package(
        package=path,
        identity=parties.identity,
        sender_public_raw=parties.signer.public_raw,
        limits=Limits(payload_algorithms=("sha256", "sha512")),
    )
    assert strict.verdict is Verdict.authentic, strict.lines()
    assert all(c.ok is not None for c in strict.checks), strict.lines()


def test_wrong_identity_is_named(sealed: Path, parties: Parties) -> None:
    report = verify_package(
        package=sealed,
        identity=keys.age_identity(parties.stranger.private_raw),
        sender_public_raw=parties.signer.public_raw,
    )
    assert not report.intact
    assert report.failures[0].name == "age decryption"
    assert "not encrypted to this identity" in report.failures[0].detail


def test_wrong_sender_key_fails_signature(sealed: Path, parties: Parties) -> None:
    other = keys.generate("signing")
    report = verify_package(
        package=sealed, identity=parties.identity, sender_public_raw=other.public_raw
    )
    assert [(c.name, c.file) for c in report.failures] == [("signature", "signature.jws")]


@pytest.mark.parametrize("where", [0, 40, 200, -1, -20000])
def test_flipped_ciphertext_byte_fails_decryption(
    tmp_path: Path, sealed: Path, parties: Parties, where: int
) -> None:
    raw = bytearray(sealed.read_bytes())
    raw[where] ^= 0x01
    path = tmp_path / "x.age"
    path.write_bytes(bytes(raw))
    report = verify_package(
        package=path, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert not report.intact
    assert report.failures[0].name == "age decryption"
    assert report.failures[0].file == "package"


def test_truncated_package_fails(tmp_path: Path, sealed: Path, parties: Parties) -> None:
    path = tmp_path / "t.age"
    path.write_bytes(sealed.read_bytes()[:-100])
    report = verify_package(package=path, identity=parties.identity, sender_public_raw=None)
    assert report.failures[0].name == "age decryption"


# (member whose byte is flipped, check expected to fail, file it must name)
TAMPER = [
    ("data/phone/image.bin", "payload digest", "data/phone/image.bin"),
    ("data/notes é.txt", "payload digest", "data/notes é.txt"),
    ("manifest-sha256.txt", "tag manifest digest", "manifest-sha256.txt"),
    ("bag-info.txt", "tag manifest digest", "bag-info.txt"),
    ("bagit.txt", "tag manifest digest", "bagit.txt"),
    ("provenance.jsonld", "tag manifest digest", "provenance.jsonld"),
    ("tagmanifest-sha256.txt", "signature", "tagmanifest-sha256.txt"),
    ("signature.jws", "signature", "signature.jws"),
]


@pytest.mark.parametrize(("member", "check", "file"), TAMPER)
def test_one_changed_byte_inside_the_bag_is_named(
    tmp_path: Path, sealed: Path, parties: Parties, member: str, check: str, file: str
) -> None:
    tar = bytearray(decrypt_to_tar(sealed, parties.identity))
    offset, size = member_offset(bytes(tar), member)
    # A byte in the middle for data, in the digest/signature part for the tag files.
    tar[offset + size // 2] ^= 0x04
    path = encrypt_tar(bytes(tar), tmp_path / "tampered.age", parties)
    report = verify_package(
        package=path, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert not report.intact
    assert (check, file) in [(c.name, c.file) for c in report.failures], report.lines()


def test_payload_longer_than_declared_is_refused(tmp_path: Path, parties: Parties) -> None:
    item = PayloadItem(name="a.bin", size=3, open=lambda: io.BytesIO(b"abcd"))
    with (
        (tmp_path / "p.age").open("wb") as out,
        pytest.raises(InvalidInput, match="longer than its declared size"),
    ):
        seal_package(
            out=out,
            items=[item],
            request_ref=REQUEST,
            sender="fr-pnc",
            recipient="vn-mps",
            recipient_age=keys.age_recipient(parties.recipient.public_raw),
            signing_private_raw=parties.signer.private_raw,
            signing_key_id="k",
            custody=custody_events(),
        )


def test_payload_shorter_than_declared_is_refused(tmp_path: Path, parties: Parties) -> None:
    item = PayloadItem(name="a.bin", size=10, open=lambda: io.BytesIO(b"abcd"))
    with (
        (tmp_path / "p.age").open("wb") as out,
        pytest.raises(InvalidInput, match="shorter than its declared size"),
    ):
        seal_package(
            out=out,
            items=[item],
            request_ref=REQUEST,
            sender="fr-pnc",
            recipient="vn-mps",
            recipient_age=keys.age_recipient(parties.recipient.public_raw),
            signing_private_raw=parties.signer.private_raw,
            signing_key_id="k",
            custody=[],
        )


@pytest.mark.parametrize(
    "names",
    [
        ["../evil"],
        ["/etc/passwd"],
        ["a/../../b"],
        ["a\x00b"],
        [""],
        ["x\ny"],
        ["a", "A"],
        ["a/b", "a"],
        ["d/e/f", "D/e"],
        [],
    ],
)
def test_bad_payload_names_are_refused(tmp_path: Path, parties: Parties, names: list[str]) -> None:
    items = [PayloadItem(name=name, size=1, open=lambda: io.BytesIO(b"a")) for name in names]
    with (tmp_path / "p.age").open("wb") as out, pytest.raises(InvalidInput):
        seal_package(
            out=out,
            items=items,
            request_ref=REQUEST,
            sender="fr-pnc",
            recipient="vn-mps",
            recipient_age=keys.age_recipient(parties.recipient.public_raw),
            signing_private_raw=parties.signer.private_raw,
            signing_key_id="k",
            custody=[],
        )


class _Trickle(io.RawIOBase):
    """A raw stream returning at most 1000 bytes per read, as sockets and pipes may."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(min(len(buffer), 1000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


BIG = bytes(range(251)) * (5 * 4096 + 17)  # over 4 MiB: read ahead by a second thread


@pytest.mark.parametrize(
    ("data", "declared", "error"),
    [
        (BIG, len(BIG), None),
        (BIG, len(BIG) + 1, "shorter"),
        (BIG, len(BIG) - 1, "longer"),
        (NOTES, len(NOTES), None),
        (NOTES, len(NOTES) + 1, "shorter"),
    ],
)
def test_payload_length_is_enforced_on_both_read_paths(
    tmp_path: Path, parties: Parties, data: bytes, declared: int, error: str | None
) -> None:
    item = PayloadItem(name="f.bin", size=declared, open=lambda: _Trickle(data))
    path = tmp_path / "p.age"
    with path.open("wb") as out:

        def call() -> SealResult:
            return seal_package(
                out=out,
                items=[item],
                request_ref=REQUEST,
                sender="fr-pnc",
                recipient="vn-mps",
                recipient_age=keys.age_recipient(parties.recipient.public_raw),
                signing_private_raw=parties.signer.private_raw,
                signing_key_id="k",
                custody=[],
            )

        if error:
            with pytest.raises(InvalidInput, match=error):
                call()
            return
        result = call()
    assert result.files[0].digests["sha256"] == hashlib.sha256(data).hexdigest()
    report = verify_package(
        package=path, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert report.verdict is Verdict.authentic, report.lines()


def test_line_break_in_a_reference_is_refused(tmp_path: Path, parties: Parties) -> None:
    item = PayloadItem(name="a", size=1, open=lambda: io.BytesIO(b"a"))
    with (tmp_path / "p.age").open("wb") as out, pytest.raises(InvalidInput, match="line break"):
        seal_package(
            out=out,
            items=[item],
            request_ref="REQ-1\nPayload-Oxum: 0.0",
            sender="fr-pnc",
            recipient="vn-mps",
            recipient_age=keys.age_recipient(parties.recipient.public_raw),
            signing_private_raw=parties.signer.private_raw,
            signing_key_id="k",
            custody=[],
        )
