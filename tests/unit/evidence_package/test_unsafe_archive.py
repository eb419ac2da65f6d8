"""Hostile tars inside a correctly encrypted package: refused, nothing written outside."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from liaison.evidence.package import Limits, verify_package
from tests.unit.evidence_package.factory import Parties, add_file, build_tar, encrypt_tar

# An absolute name at the root of the file system, where a test run could never write.
ABSOLUTE = "/liaison-evil-absolute-entry"


def _link(name: str, kind: bytes, target: str = "/etc/passwd") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def _bomb(tar: tarfile.TarFile) -> None:
    # A header declaring 1 TiB: refused from the header, before any byte is read.
    info = tarfile.TarInfo("bag/data/huge.bin")
    info.size = 1 << 40
    assert tar.fileobj is not None
    tar.fileobj.write(info.tobuf(tarfile.PAX_FORMAT))


def _two_roots(tar: tarfile.TarFile) -> None:
    add_file(tar, "bag/a")
    add_file(tar, "other/b")


def _duplicate(tar: tarfile.TarFile) -> None:
    add_file(tar, "bag/a")
    add_file(tar, "bag/a")


CASES = {
    "dot-dot": (lambda t: add_file(t, "bag/../evil"), "outside the bag"),
    "parent-only": (lambda t: add_file(t, "../evil"), "outside the bag"),
    "absolute": (lambda t: add_file(t, ABSOLUTE), "outside the bag"),
    "symlink": (lambda t: t.addfile(_link("bag/data/l", tarfile.SYMTYPE)), "link"),
    "hardlink": (lambda t: t.addfile(_link("bag/data/h", tarfile.LNKTYPE)), "link"),
    "device": (lambda t: t.addfile(_link("bag/data/d", tarfile.CHRTYPE, "")), "special"),
    "fifo": (lambda t: t.addfile(_link("bag/data/f", tarfile.FIFOTYPE, "")), "special"),
    "two roots": (_two_roots, "outside the bag"),
    "duplicate": (_duplicate, "appears twice"),
    "bomb": (_bomb, "tar bomb"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_entries_are_refused(tmp_path: Path, parties: Parties, case: str) -> None:
    fill, message = CASES[case]
    package = encrypt_tar(build_tar(fill), tmp_path / "p.age", parties)
    out = tmp_path / "extract"
    out.mkdir()
    report = verify_package(
        package=package, identity=parties.identity, sender_public_raw=None, extract_to=out
    )
    assert not report.intact
    failure = report.failures[0]
    assert failure.name == "archive safety"
    assert message in failure.detail
    assert not (tmp_path / "evil").exists()
    assert not Path(ABSOLUTE).exists()
    assert {p.name for p in tmp_path.iterdir()} == {"p.age", "extract"}


def test_invalid_utf8_name_is_refused(tmp_path: Path, parties: Parties) -> None:
    # GNU format stores the raw bytes; tarfile decodes them with surrogate escapes.
    tar = build_tar(lambda t: add_file(t, "bag/data/\udcff.bin"), fmt=tarfile.GNU_FORMAT)
    package = encrypt_tar(tar, tmp_path / "p.age", parties)
    report = verify_package(package=package, identity=parties.identity, sender_public_raw=None)
    assert "not valid UTF-8" in report.failures[0].detail


def test_too_many_entries_is_refused(tmp_path: Path, parties: Parties) -> None:
    def fill(tar: tarfile.TarFile) -> None:
        for index in range(50):
            add_file(tar, f"bag/data/{index}", b"")

    package = encrypt_tar(build_tar(fill), tmp_path / "p.age", parties)
    report = verify_package(
        package=package,
        identity=parties.identity,
        sender_public_raw=None,
        limits=Limits(max_entries=20),
    )
    assert "more than 20 entries" in report.failures[0].detail


def test_not_a_tar(tmp_path: Path, parties: Parties) -> None:
    package = encrypt_tar(b"\x01" * 5000, tmp_path / "p.age", parties)
    report = verify_package(package=package, identity=parties.identity, sender_public_raw=None)
    assert report.failures[0].name == "archive format"


def test_not_an_age_file(tmp_path: Path, parties: Parties) -> None:
    path = tmp_path / "p.age"
    path.write_bytes(b"plain text, not age")
    report = verify_package(package=path, identity=parties.identity, sender_public_raw=None)
    assert report.failures[0].name == "age decryption"
