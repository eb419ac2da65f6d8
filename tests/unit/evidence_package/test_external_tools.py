"""Tools nobody here wrote accept a decrypted package: age, bagit.py, case_validate."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from liaison.evidence.package import verify_bag_dir
from tests.unit.evidence_package.factory import REQUEST, Parties

BIN = Path(sys.executable).parent
AGE = shutil.which("age")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory, sealed: Path, parties: Parties) -> Path:
    if AGE is None:
        pytest.skip("the age command is not installed (Debian package 'age')")
    work = tmp_path_factory.mktemp("external")
    identity = work / "identity.txt"
    identity.write_text(parties.identity + "\n")
    plain = work / "package.tar"
    subprocess.run([AGE, "-d", "-i", str(identity), "-o", str(plain), str(sealed)], check=True)
    with tarfile.open(plain) as tar:
        tar.extractall(work / "out", filter="data")
    return work / "out" / REQUEST


def test_age_command_decrypts_to_a_tar_of_the_bag(unpacked: Path) -> None:
    names = sorted(p.name for p in unpacked.iterdir())
    assert names == [
        "bag-info.txt",
        "bagit.txt",
        "data",
        "manifest-sha256.txt",
        "provenance.jsonld",
        "signature.jws",
        "tagmanifest-sha256.txt",
    ]


def test_bagit_py_validates(unpacked: Path) -> None:
    run = subprocess.run(
        [str(BIN / "bagit.py"), "--validate", str(unpacked)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "is valid" in run.stderr


def test_bagit_py_notices_a_changed_payload(tmp_path: Path, unpacked: Path) -> None:
    copy = tmp_path / "bag"
    shutil.copytree(unpacked, copy)
    target = copy / "data" / "notes é.txt"
    target.write_bytes(target.read_bytes().replace(b"n", b"N", 1))
    run = subprocess.run(
        [str(BIN / "bagit.py"), "--validate", str(copy)], capture_output=True, check=False
    )
    assert run.returncode != 0
    assert not verify_bag_dir(copy).intact


def test_case_validate_accepts_the_provenance(unpacked: Path) -> None:
    run = subprocess.run(
        [str(BIN / "case_validate"), "--allow-info", str(unpacked / "provenance.jsonld")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Conforms: True" in run.stdout


def test_our_directory_verifier_agrees(unpacked: Path) -> None:
    report = verify_bag_dir(unpacked)
    assert report.intact, report.lines()
    assert report.version == "1.0"


def test_bagit_python_misreads_percent_in_names_and_the_documented_workaround_reads_it(
    tmp_path: Path,
) -> None:
    """RFC 8493 writes `%` as `%25` in manifest paths; bagit-python decodes only %0A and %0D
    (docs/evidence-package.md gives the workaround checked here)."""
    bag = tmp_path / "bag"
    (bag / "data").mkdir(parents=True)
    (bag / "data" / "50%off.txt").write_bytes(b"x\n")
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    digest = hashlib.sha256(b"x\n").hexdigest()
    (bag / "manifest-sha256.txt").write_text(f"{digest}  data/50%25off.txt\n")
    assert verify_bag_dir(bag).intact
    plain = subprocess.run(
        [str(BIN / "bagit.py"), "--validate", str(bag)], capture_output=True, text=True, check=False
    )
    assert plain.returncode != 0
    assert "not found on filesystem" in plain.stderr
    workaround = (
        "import sys, urllib.parse, bagit\n"
        "bagit._decode_filename = urllib.parse.unquote\n"
        "bagit.Bag(sys.argv[1]).validate(); print('valid')\n"
    )
    fixed = subprocess.run(
        [sys.executable, "-c", workaround, str(bag)], capture_output=True, text=True, check=False
    )
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip() == "valid"
