"""The BagIt checks shared by the package verifier and the directory verifier.

Both sides first gather the same facts (tag file bytes, payload sizes, payload digests they
computed); the rules below then decide, so a bag on disk and a sealed package are judged alike.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from liaison.crypto.hashing import same_digest
from liaison.evidence.package.bag import (
    BagFormatError,
    Manifest,
    decode_tag,
    manifest_kind,
    parse_bag_info,
    parse_bagit_txt,
    parse_manifest,
    safe_relative,
)

_SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", ".spotlight-v100", ".trashes"}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: could not be checked (and says why in detail)
    file: str | None = None
    detail: str = ""

    def line(self) -> str:
        status = {True: "PASS", False: "FAIL", None: "SKIP"}[self.ok]
        where = f" [{self.file}]" if self.file else ""
        return f"{status} {self.name}{where}" + (f": {self.detail}" if self.detail else "")


class Verdict(StrEnum):
    """What a verification may claim, and no more."""

    authentic = "authentic and intact"  # every check passed, the sender's signature included
    unauthenticated = "intact, not authenticated"  # nothing failed, but no signature was checked
    failed = "failed"


SIGNATURE = "signature"


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: str | None = None
    bag_info: list[tuple[str, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """No check failed (a skipped one, the signature included, is not a failure)."""
        return bool(self.checks) and all(c.ok is not False for c in self.checks)

    @property
    def verdict(self) -> Verdict:
        if not self.intact:
            return Verdict.failed
        signed = any(c.name == SIGNATURE and c.ok is True for c in self.checks)
        return Verdict.authentic if signed else Verdict.unauthenticated

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]

    def add(self, name: str, ok: bool | None, file: str | None = None, detail: str = "") -> None:
        self.checks.append(Check(name=name, ok=ok, file=file, detail=detail))

    def lines(self) -> list[str]:
        return [c.line() for c in self.checks] + [f"WARN {w}" for w in self.warnings]


@dataclass
class BagFacts:
    tags: dict[str, bytes]  # every file outside data/, by path relative to the bag root
    sizes: dict[str, int]  # every payload file, "data/..." -> size
    digests: dict[str, dict[str, str]]  # "data/..." -> {algorithm: hex} as computed


def check_bag(
    facts: BagFacts, report: VerifyReport, *, strict: bool = False
) -> dict[str, Manifest]:
    """Judge a bag; every failure names its file. Returns the parsed manifests by file name.

    ``strict`` is for sealed packages, which carry their whole payload: a ``fetch.txt`` fails,
    and so does every listed file that is absent (a bag from elsewhere may lack some, with a
    warning, where the BagIt conformance suite says so).
    """
    if "bagit.txt" not in facts.tags:
        report.add("bag structure", False, "bagit.txt", "missing")
        return {}
    try:
        version, encoding = parse_bagit_txt(facts.tags["bagit.txt"])
    except BagFormatError as exc:
        report.add("bag declaration", False, "bagit.txt", str(exc))
        # Go on as a BagIt 1.0 bag in UTF-8, so the other damaged files are named too.
        version, encoding = "1.0", "utf-8"
    else:
        report.add("bag declaration", True, "bagit.txt", f"BagIt {version}, {encoding}")
    report.version = version
    manifests: dict[str, Manifest] = {}
    tag_manifests: dict[str, Manifest] = {}
    for name, raw in sorted(facts.tags.items()):
        kind = manifest_kind(name)
        if kind is None:
            continue
        is_tag, algorithm = kind
        if algorithm not in hashlib.algorithms_available:
            report.warnings.append(f"{name}: unknown algorithm {algorithm}, not checked")
            continue
        try:
            parsed = parse_manifest(
                decode_tag(raw, encoding=encoding, name=name),
                name=name,
                algorithm=algorithm,
                version=version,
            )
        except BagFormatError as exc:
            report.add("manifest syntax", False, name, str(exc))
            continue
        report.warnings.extend(parsed.warnings)
        (tag_manifests if is_tag else manifests)[name] = parsed
    if not manifests and not report.failures:
        report.add("bag structure", False, "manifest-<alg>.txt", "no payload manifest")
    _check_bag_info(facts, report, encoding)
    if strict and "fetch.txt" in facts.tags:
        report.add(
            "fetch.txt", False, "fetch.txt", "a sealed package carries its whole payload: no fetch"
        )
    fetched = set() if strict else _fetch_paths(facts, report, encoding)
    absent = _check_payload(facts, report, manifests, fetched, strict=strict)
    _check_oxum(facts, report, absent)
    _check_tags(facts, report, tag_manifests)
    _payload_warnings(facts, report)
    return {**manifests, **tag_manifests}


def _check_bag_info(facts: BagFacts, report: VerifyReport, encoding: str) -> None:
    raw = facts.tags.get("bag-info.txt")
    if raw is None:
        return
    try:
        report.bag_info = parse_bag_info(decode_tag(raw, encoding=encoding, name="bag-info.txt"))
    except BagFormatError as exc:
        report.add("bag-info syntax", False, "bag-info.txt", str(exc))
        return


def _check_oxum(facts: BagFacts, report: VerifyReport, absent: int) -> None:
    oxum = [v for k, v in report.bag_info if k.lower() == "payload-oxum"]
    if not oxum:
        return
    octets, count = sum(facts.sizes.values()), len(facts.sizes)
    expected = f"{octets}.{count}"
    declared = oxum[0].strip()
    if declared == expected:
        report.add("Payload-Oxum", True, "bag-info.txt", expected)
    elif absent and declared == f"{octets}.{count + absent}":
        report.warnings.append(
            f"bag-info.txt: Payload-Oxum {declared} counts tolerated absent files"
        )
    else:
        report.add("Payload-Oxum", False, "bag-info.txt", f"declared {declared}, found {expected}")


def _fetch_paths(facts: BagFacts, report: VerifyReport, encoding: str) -> set[str]:
    raw = facts.tags.get("fetch.txt")
    if raw is None:
        return set()
    paths: set[str] = set()
    for line in decode_tag(raw, encoding=encoding, name="fetch.txt").splitlines():
        parts = line.split(None, 2)
        if not line.strip():
            continue
        path = safe_relative(parts[2]) if len(parts) == 3 else None
        if path is None or not path.startswith("data/"):
            report.add("fetch.txt", False, "fetch.txt", f"entry outside the payload: {line!r}")
            continue
        paths.add(path)
    return paths


def _check_payload(
    facts: BagFacts,
    report: VerifyReport,
    manifests: Mapping[str, Manifest],
    fetched: set[str],
    *,
    strict: bool,
) -> int:
    """Check payload digests and completeness; return the count of tolerated absent files.

    A file named in ``fetched`` is to be fetched from elsewhere: absent, it is neither a failure
    nor tolerated, and its digest is not checked (so the bag is complete only once fetched)."""
    before = len(report.failures)
    checked = 0
    present = {_fold(path): path for path in facts.sizes}
    tolerated: set[str] = set()
    skipped: set[str] = set()
    for name, manifest in manifests.items():
        for path, digest in manifest.entries.items():
            if not path.startswith("data/"):
                report.add("payload manifest", False, name, f"{path} is not under data/")
            elif path not in facts.sizes:
                if path not in fetched and _absent_tolerated(path, name, present, report, strict):
                    tolerated.add(path)
            elif manifest.algorithm not in facts.digests.get(path, {}):
                skipped.add(name)
            elif not same_digest(facts.digests[path][manifest.algorithm], digest):
                report.add(
                    "payload digest", False, path, f"{manifest.algorithm} differs from {name}"
                )
            else:
                checked += 1
        for path in facts.sizes:
            if path not in manifest.entries:
                report.add("payload manifest", False, path, f"present but not listed in {name}")
    if len(report.failures) == before and manifests:
        report.add("payload digests", True, None, f"{checked} digests match")
    for name in sorted(skipped):
        report.add("payload digests", None, name, "algorithm not recomputed; bound by tag manifest")
    return len(tolerated)


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _absent_tolerated(
    path: str, manifest: str, present: Mapping[str, str], report: VerifyReport, strict: bool
) -> bool:
    reason = None if strict else _absent_reason(path, present)
    if reason is None:
        report.add("payload present", False, path, f"listed in {manifest}, missing")
        return False
    report.warnings.append(f"{path}: listed in {manifest}, absent: {reason}")
    return True


def _absent_reason(path: str, present: Mapping[str, str]) -> str | None:
    """Why a listed file may be absent without the bag being invalid (a warning), else None.

    Case-insensitive or Unicode-normalising file systems merge two names into one, and copying
    tools often drop operating-system files (.DS_Store, Thumbs.db): the bag was valid where it
    was made and says so with a warning here, as the BagIt conformance suite expects.
    """
    if _fold(path) in present:
        return f"its name collides with {present[_fold(path)]} on case-insensitive file systems"
    if path.rsplit("/", 1)[-1].lower() in _SYSTEM_FILES:
        return "operating-system file, often dropped by copies"
    return None


def _check_tags(
    facts: BagFacts, report: VerifyReport, tag_manifests: Mapping[str, Manifest]
) -> None:
    for name, manifest in tag_manifests.items():
        before = len(report.failures)
        for path, digest in manifest.entries.items():
            raw = facts.tags.get(path)
            if raw is None:
                report.add("tag file present", False, path, f"listed in {name}, missing")
            elif not same_digest(hashlib.new(manifest.algorithm, raw).hexdigest(), digest):
                report.add(
                    "tag manifest digest", False, path, f"{manifest.algorithm} differs from {name}"
                )
        if len(report.failures) == before:
            report.add("tag manifest", True, name, f"{len(manifest.entries)} tag files match")


def _payload_warnings(facts: BagFacts, report: VerifyReport) -> None:
    folded: dict[str, str] = {}
    for path in facts.sizes:
        if path.rsplit("/", 1)[-1].lower() in _SYSTEM_FILES:
            report.warnings.append(f"{path}: operating-system file in the payload")
        key = _fold(path)
        if key in folded:
            report.warnings.append(f"{path}: same name as {folded[key]} but for case or form")
        folded[key] = path
