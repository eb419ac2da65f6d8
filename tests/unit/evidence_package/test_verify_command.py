"""`liaison evidence verify` as a defence expert runs it, offline: the verdict's first line and
exit code (0 authentic, 8 intact but not authenticated, 1 failed), packages and bag folders."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from liaison.crypto import keys
from tests.cli import run_cli
from tests.unit.evidence_package.craft import Files, pack, remake, unpack
from tests.unit.evidence_package.factory import Parties

pytestmark = pytest.mark.slow  # each case starts the command in a process of its own


def _verify(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli({"HOME": "/nonexistent"}, "evidence", "verify", *args)


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory, parties: Parties) -> str:
    path = tmp_path_factory.mktemp("identity") / "identity.txt"
    path.write_text(parties.identity + "\n")
    return str(path)


def _key(parties: Parties) -> str:
    return keys.b64u(parties.signer.public_raw)


def _write(files: Files, folder: Path) -> Path:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def test_authentic_with_the_key_and_not_authenticated_without(
    sealed: Path, parties: Parties, identity: str
) -> None:
    signed = _verify(str(sealed), "--identity", identity, "--sender-key", _key(parties))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert signed.stdout.splitlines()[0].startswith("AUTHENTIC ")
    unsigned = _verify(str(sealed), "--identity", identity)
    assert unsigned.returncode == 8, unsigned.stdout + unsigned.stderr
    assert unsigned.stdout.splitlines()[0].startswith("NOT AUTHENTICATED ")
    assert "SKIP signature" in unsigned.stdout
    allowed = _verify(str(sealed), "--identity", identity, "--allow-unauthenticated")
    assert allowed.returncode == 0
    assert allowed.stdout.splitlines()[0].startswith("NOT AUTHENTICATED ")


def test_a_remade_package_never_exits_0(
    sealed: Path, parties: Parties, identity: str, tmp_path: Path
) -> None:
    """Payload replaced, manifests and tag manifest recomputed, the old signature kept,
    encrypted to the recipient again."""
    root, files = unpack(sealed, parties)
    files["data/phone/image.bin"] = b"something else entirely\n"
    forged = pack(root, remake(files, parties=parties, resign=False), tmp_path / "f.age", parties)
    with_key = _verify(str(forged), "--identity", identity, "--sender-key", _key(parties))
    assert with_key.returncode == 1
    assert with_key.stdout.splitlines()[0].startswith("FAILED ")
    assert "check 'signature' failed on tagmanifest-sha256.txt" in with_key.stderr
    without = _verify(str(forged), "--identity", identity)
    assert without.returncode == 8
    assert "not authenticated" in without.stderr


def test_an_unpacked_bag_folder_is_checked_by_the_package_rules(
    sealed: Path, parties: Parties, tmp_path: Path
) -> None:
    _root, files = unpack(sealed, parties)
    bag = _write(files, tmp_path / "bag")
    signed = _verify(str(bag), "--sender-key", _key(parties))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert _verify(str(bag)).returncode == 8
    (bag / "data" / "phone" / "image.bin").unlink()
    missing = _verify(str(bag), "--sender-key", _key(parties))
    assert missing.returncode == 1
    assert "data/phone/image.bin" in missing.stderr
    # a bag folder is not encrypted: an identity is a mistake, said so
    wrong = _verify(str(bag), "--identity", str(tmp_path / "x"))
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr


def test_a_plain_bag_from_elsewhere_is_at_best_intact(tmp_path: Path) -> None:
    bag = tmp_path / "plain"
    payload = b"hello\n"
    digest = hashlib.sha256(payload).hexdigest()
    _write(
        {
            "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "manifest-sha256.txt": f"{digest}  data/hello.txt\n".encode(),
            "data/hello.txt": payload,
        },
        bag,
    )
    result = _verify(str(bag))
    assert result.returncode == 8, result.stdout + result.stderr
    assert _verify(str(bag), "--allow-unauthenticated").returncode == 0
