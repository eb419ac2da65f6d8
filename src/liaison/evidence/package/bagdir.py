"""Verify a BagIt bag unpacked in a directory: any producer's (BagIt 0.93 to 1.0), or an
unpacked sealed package, which is then judged by the package rules (judge.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from liaison.crypto.hashing import file_digests
from liaison.evidence.package.bag import manifest_kind
from liaison.evidence.package.checks import BagFacts, VerifyReport, check_bag
from liaison.evidence.package.judge import SenderKeys, judge

MAX_TAG_FILE = 256 << 20  # tag files are read whole; a larger one is not a plausible tag file


def verify_bag_dir(path: Path | str) -> VerifyReport:
    """Check a bag directory: structure, every manifest and tag manifest digest, Payload-Oxum.

    Symbolic links and special files are reported as failures and never followed.
    """
    report = VerifyReport()
    facts = _facts(Path(path), report)
    if facts is not None:
        check_bag(facts, report)
    return report


def verify_sealed_dir(path: Path | str, *, sender_keys: SenderKeys | None) -> VerifyReport:
    """Check an unpacked sealed package (the bag directory inside the tar) as the package
    verifier does, but for age: the whole payload, the signed tag manifest, the signature,
    the CASE provenance."""
    report = VerifyReport()
    facts = _facts(Path(path), report)
    if facts is not None:
        judge(facts, report, sender_keys)
    return report


def _facts(root: Path, report: VerifyReport) -> BagFacts | None:
    if not root.is_dir():
        report.add("bag structure", False, str(root), "not a directory")
        return None
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
    return BagFacts(tags=tags, sizes=sizes, digests=digests)
