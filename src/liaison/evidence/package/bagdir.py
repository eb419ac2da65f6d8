"""Verify a BagIt bag unpacked in a directory (any producer, BagIt 0.93 to 1.0)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from liaison.crypto.hashing import file_digests
from liaison.evidence.package.bag import manifest_kind
from liaison.evidence.package.checks import BagFacts, VerifyReport, check_bag

MAX_TAG_FILE = 256 << 20  # tag files are read whole; a larger one is not a plausible tag file


def verify_bag_dir(path: Path | str) -> VerifyReport:
    """Check a bag directory: structure, every manifest and tag manifest digest, Payload-Oxum.

    Symbolic links and special files are reported as failures and never followed.
    """
    root = Path(path)
    report = VerifyReport()
    if not root.is_dir():
        report.add("bag structure", False, str(root), "not a directory")
        return report
    tags: dict[str, bytes] = {}
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = Path(dirpath, name)
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                report.add("file type", False, rel, "symbolic link")
            elif full.is_file():
                files.append(rel)
            elif not full.is_dir():
                report.add("file type", False, rel, "not a regular file")
    algorithms: set[str] = set()
    for rel in files:
        if rel.startswith("data/"):
            continue
        size = (root / rel).stat().st_size
        if size > MAX_TAG_FILE:
            report.add("tag file size", False, rel, f"{size} bytes")
            continue
        tags[rel] = (root / rel).read_bytes()
        kind = manifest_kind(rel)
        if kind and not kind[0] and kind[1] in hashlib.algorithms_available:
            algorithms.add(kind[1])
    sizes = {rel: (root / rel).stat().st_size for rel in files if rel.startswith("data/")}
    digests = {rel: file_digests(root / rel, sorted(algorithms)) for rel in sizes}
    check_bag(BagFacts(tags=tags, sizes=sizes, digests=digests), report)
    return report
