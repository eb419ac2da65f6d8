"""BagIt text files: our writing and the strict parts of our reading."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from liaison.evidence.package import verify_bag_dir
from liaison.evidence.package.bag import (
    BAGIT_TXT,
    BagFormatError,
    decode_path,
    encode_path,
    format_manifest,
    parse_bagit_txt,
    parse_manifest,
    safe_relative,
)


def test_paths_with_line_breaks_and_percent_round_trip() -> None:
    name = "data/100% sure\nline\r.txt"
    assert encode_path(name) == "data/100%25 sure%0Aline%0D.txt"
    assert decode_path(encode_path(name)) == name
    assert decode_path("data/%7Etest.txt") == "data/%7Etest.txt"  # only %25 %0A %0D decode


@pytest.mark.parametrize("path", ["../x", "/x", "~/x", "data/../../x", "C:/x", "a\x00b", "."])
def test_escaping_paths_are_refused(path: str) -> None:
    assert safe_relative(path) is None


def test_duplicate_entry_is_an_error_in_1_0_and_a_warning_before() -> None:
    digest = "a" * 64
    text = f"{digest}  data/x\n{digest}  data/x\n"
    with pytest.raises(BagFormatError, match="listed twice"):
        parse_manifest(text, name="manifest-sha256.txt", algorithm="sha256", version="1.0")
    old = parse_manifest(text, name="manifest-sha256.txt", algorithm="sha256", version="0.97")
    assert old.warnings


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf" + BAGIT_TXT,
        b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n",
        b"BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n",
        b"BagIt-Version: 1.0\n",
    ],
)
def test_bad_bagit_txt_is_refused(raw: bytes) -> None:
    with pytest.raises(BagFormatError):
        parse_bagit_txt(raw)


def _make_bag(root: Path, payload: bytes, oxum: str) -> None:
    (root / "data").mkdir(parents=True)
    (root / "data" / "f.bin").write_bytes(payload)
    (root / "bagit.txt").write_bytes(BAGIT_TXT)
    (root / "bag-info.txt").write_text(f"Payload-Oxum: {oxum}\n")
    digest = hashlib.sha256(payload).hexdigest()
    (root / "manifest-sha256.txt").write_bytes(format_manifest([("data/f.bin", digest)]))


def test_directory_bag_checks_oxum_and_symlinks(tmp_path: Path) -> None:
    _make_bag(tmp_path / "good", b"abc", "3.1")
    assert verify_bag_dir(tmp_path / "good").intact
    _make_bag(tmp_path / "oxum", b"abc", "4.1")
    failures = verify_bag_dir(tmp_path / "oxum").failures
    assert [(c.name, c.file) for c in failures] == [("Payload-Oxum", "bag-info.txt")]
    _make_bag(tmp_path / "link", b"abc", "3.1")
    (tmp_path / "link" / "data" / "l").symlink_to("/etc/passwd")
    assert ("file type", "data/l") in [
        (c.name, c.file) for c in verify_bag_dir(tmp_path / "link").failures
    ]
    assert not verify_bag_dir(tmp_path / "missing").intact
