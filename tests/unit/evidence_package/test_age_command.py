"""Sealing through the `age` command (large packages) writes what pyrage and `age -d` read, and
a failure on either side of the pipe surfaces as itself."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from liaison.core.errors import InvalidInput
from liaison.crypto import keys
from liaison.crypto.age import AgeError, age_command, decrypt_stream, encrypt_chunks
from liaison.evidence.package import PayloadItem, SealResult, Verdict, seal_package, verify_package
from liaison.evidence.package import seal as seal_module
from liaison.evidence.store.direct import is_direct, open_new
from tests.unit.evidence_package.factory import REQUEST, Parties, custody_events

AGE = age_command()
pytestmark = pytest.mark.skipif(AGE is None, reason="the age command is not installed")


def _encrypt(chunks: Iterator[bytes], recipient: str) -> bytes:
    out = io.BytesIO()
    assert AGE is not None
    encrypt_chunks(chunks=chunks, writer=out.write, recipient=recipient, command=AGE)
    return out.getvalue()


def _seal_one(out: BinaryIO, name: str, data: bytes, parties: Parties) -> SealResult:
    return seal_package(
        out=out,
        items=[PayloadItem(name, len(data), lambda: io.BytesIO(data))],
        request_ref=REQUEST,
        sender="fr-pnc",
        recipient="vn-mps",
        recipient_age=keys.age_recipient(parties.recipient.public_raw),
        signing_private_raw=parties.signer.private_raw,
        signing_key_id="k1",
        custody=custody_events(),
    )


def test_age_command_output_decrypts_with_pyrage(parties: Parties) -> None:
    data = [os.urandom(1 << 20) for _ in range(5)] + [b"tail"]
    cipher = _encrypt(iter(data), keys.age_recipient(parties.recipient.public_raw))
    plain = io.BytesIO()
    decrypt_stream(reader=io.BytesIO(cipher), writer=plain, identity=parties.identity)
    assert plain.getvalue() == b"".join(data)


def test_a_failing_producer_surfaces_as_itself(parties: Parties) -> None:
    def chunks() -> Iterator[bytes]:
        yield os.urandom(1 << 20)
        raise InvalidInput("payload 'x' is shorter than its declared size")

    with pytest.raises(InvalidInput, match="shorter than its declared size"):
        _encrypt(chunks(), keys.age_recipient(parties.recipient.public_raw))


def test_a_bad_recipient_is_refused_before_anything_runs() -> None:
    with pytest.raises(InvalidInput, match="not an age X25519 recipient"):
        _encrypt(iter([b"x"]), "age1notarecipient")


def test_a_failing_command_is_an_age_error(tmp_path: Path, parties: Parties) -> None:
    fake = tmp_path / "age"
    fake.write_text("#!/bin/sh\necho 'age: something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    out = io.BytesIO()
    with pytest.raises(AgeError, match="something broke"):
        encrypt_chunks(
            chunks=iter([b"x" * 100]),
            writer=out.write,
            recipient=keys.age_recipient(parties.recipient.public_raw),
            command=str(fake),
        )


def test_a_package_sealed_through_the_command_verifies(
    tmp_path: Path, parties: Parties, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seal_module, "EXTERNAL_AGE_MIN", 0)
    calls: list[str] = []
    real = seal_module.encrypt_chunks

    def spy(**kwargs: object) -> None:
        calls.append(str(kwargs["command"]))
        real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(seal_module, "encrypt_chunks", spy)
    data = os.urandom(3 << 20)
    package = tmp_path / "p.age"
    with package.open("wb") as out:
        result = _seal_one(out, "big.bin", data, parties)
    assert calls == [AGE]
    assert result.digest == "sha256:" + hashlib.sha256(package.read_bytes()).hexdigest()
    assert result.size == package.stat().st_size
    report = verify_package(
        package=package, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert report.verdict is Verdict.authentic, report.lines()


@pytest.mark.parametrize("size", [1000, (3 << 20) + 17])
def test_a_package_written_with_direct_io_is_whole(
    tmp_path: Path, parties: Parties, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """The node seals into a file opened with O_DIRECT: the unaligned tail, the digest and the
    size must come out exactly as through the page cache (pyrage and age command alike)."""

    monkeypatch.setattr(seal_module, "EXTERNAL_AGE_MIN", 1 << 20)
    data = os.urandom(size)
    package = tmp_path / "direct.age"
    with open_new(package) as out:
        if not is_direct(out):
            pytest.skip("this file system refuses O_DIRECT")
        result = _seal_one(out, "evidence.bin", data, parties)
    raw = package.read_bytes()
    assert (result.size, result.digest) == (len(raw), "sha256:" + hashlib.sha256(raw).hexdigest())
    report = verify_package(
        package=package, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert report.verdict is Verdict.authentic, report.lines()
