"""The rules of a sealed package beyond BagIt: what its signature must cover, whose key made it
and whether that key could sign at the time the package says, and that its CASE provenance
agrees with its manifests and its bag-info.txt.

Shared by the package verifier (verify.py) and the check of an unpacked package (bagdir.py),
so a package and the same bag on disk are judged alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from liaison.crypto import jose
from liaison.crypto.hashing import same_digest
from liaison.evidence.package import baginfo
from liaison.evidence.package.bag import Manifest, manifest_kind
from liaison.evidence.package.caseread import Provenance, ProvenanceError, read_provenance
from liaison.evidence.package.checks import SIGNATURE, BagFacts, VerifyReport, check_bag

SIGNATURE_FILE = "signature.jws"
PROVENANCE_FILE = "provenance.jsonld"
SIGNED_MANIFEST = "tagmanifest-sha256.txt"
# What the signed tag manifest must pin, besides every payload manifest.
MUST_BE_SIGNED = ("bagit.txt", "bag-info.txt", PROVENANCE_FILE)


@dataclass(frozen=True)
class SenderKey:
    public_raw: bytes
    basis: str  # how the key was found and judged, as the report says it


class KeyRejected(Exception):
    """No key of the sender could sign this package at its time; the message says why."""


class SenderKeys(Protocol):
    """Finds the key ``kid`` of ``sender`` and judges it at ``signed_at`` (raises KeyRejected)."""

    def __call__(self, *, sender: str, kid: str, signed_at: dt.datetime) -> SenderKey: ...


@dataclass(frozen=True)
class GivenKey:
    """A key handed over by the caller (``--sender-key``): nothing says when it was valid."""

    public_raw: bytes

    def __call__(self, *, sender: str, kid: str, signed_at: dt.datetime) -> SenderKey:
        return SenderKey(
            self.public_raw, "the key given by the caller (its validity and revocation unchecked)"
        )


def judge(facts: BagFacts, report: VerifyReport, keys: SenderKeys | None) -> None:
    """Everything a sealed package must satisfy once its files are known: BagIt (strictly:
    the whole payload present, no fetch.txt), the package profile, the signature and the CASE
    provenance, each failure named."""
    manifests = check_bag(facts, report, strict=True)
    _check_profile(facts, report, manifests)
    _check_signature(facts, report, keys)
    _check_case(facts, report, manifests)


def _check_profile(
    facts: BagFacts, report: VerifyReport, manifests: Mapping[str, Manifest]
) -> None:
    """The signature covers the tag manifest only: whatever it must vouch for must be listed in
    it, and a tag file it does not list is something nobody signed."""
    before = len(report.failures)
    signed = manifests.get(SIGNED_MANIFEST)
    if signed is None:
        report.add("signed tag manifest", False, SIGNED_MANIFEST, "missing")
        return
    payload_manifests = [
        name for name in facts.tags if (kind := manifest_kind(name)) and not kind[0]
    ]
    for name in (*MUST_BE_SIGNED, *sorted(payload_manifests)):
        if name not in signed.entries:
            report.add(
                "signed tag manifest", False, name, f"not listed in {SIGNED_MANIFEST}: unsigned"
            )
    for name in sorted(facts.tags):
        kind = manifest_kind(name)
        if name == SIGNATURE_FILE or (kind is not None and kind[0]):
            continue
        if name not in signed.entries:
            report.add("unlisted tag file", False, name, f"not in {SIGNED_MANIFEST}, so not signed")
    if len(report.failures) == before:
        report.add("signed tag manifest", True, SIGNED_MANIFEST, "lists every tag file")


def signing_facts(
    fields: list[tuple[str, str]], header_kid: str
) -> tuple[str, dt.datetime, str | None]:
    """(sender, signing time, problem) from bag-info.txt; the problem, if any, fails the check."""
    sender = baginfo.first(fields, baginfo.SENDER) or ""
    named_key = baginfo.first(fields, baginfo.SIGNING_KEY)
    text = baginfo.first(fields, baginfo.SEALED_AT) or ""
    try:
        signed_at = dt.datetime.fromisoformat(text)
    except ValueError:
        return (
            sender,
            dt.datetime.min.replace(tzinfo=dt.UTC),
            (
                f"bag-info.txt records no signing time ({baginfo.SEALED_AT}): the key cannot be "
                "judged at it"
            ),
        )
    if signed_at.tzinfo is None:
        return sender, signed_at.replace(tzinfo=dt.UTC), f"{baginfo.SEALED_AT} has no offset"
    if not sender:
        return sender, signed_at, f"bag-info.txt names no sender ({baginfo.SENDER})"
    if named_key is not None and named_key != header_kid:
        return sender, signed_at, f"bag-info.txt names key {named_key}, the signature {header_kid}"
    return sender, signed_at, None


def _check_signature(facts: BagFacts, report: VerifyReport, keys: SenderKeys | None) -> None:
    found = _token(facts, report)
    if found is None:
        return
    token, kid = found
    sender, signed_at, problem = signing_facts(report.bag_info, kid)
    if problem is not None:
        report.add(SIGNATURE, False, "bag-info.txt", problem)
        return
    if keys is None:
        report.add(
            SIGNATURE,
            None,
            SIGNATURE_FILE,
            "not checked: no sender key given, so nothing shows who made this package",
        )
        return
    try:
        key = keys(sender=sender, kid=kid, signed_at=signed_at)
        payload = jose.verify(
            token, public_raw=key.public_raw, typ=jose.Typ.bag_signature, key_id=kid
        )
    except KeyRejected as exc:
        report.add(SIGNATURE, False, SIGNATURE_FILE, str(exc))
        return
    except jose.TokenError as exc:
        report.add(SIGNATURE, False, SIGNATURE_FILE, f"{exc} with {sender}'s key {kid}")
        return
    body = facts.tags[SIGNED_MANIFEST]
    if not same_digest(hashlib.sha256(payload).hexdigest(), hashlib.sha256(body).hexdigest()):
        report.add(SIGNATURE, False, SIGNED_MANIFEST, "signed bytes differ from it")
        return
    report.add(
        SIGNATURE,
        True,
        SIGNATURE_FILE,
        f"{sender}'s Ed25519 key {kid} over {SIGNED_MANIFEST}, signed at "
        f"{signed_at.isoformat()}; key: {key.basis}",
    )


def _token(facts: BagFacts, report: VerifyReport) -> tuple[str, str] | None:
    """The signature and the key id its protected header names, or None (the failure added)."""
    token_raw = facts.tags.get(SIGNATURE_FILE)
    if token_raw is None or SIGNED_MANIFEST not in facts.tags:
        missing = SIGNATURE_FILE if token_raw is None else SIGNED_MANIFEST
        report.add(SIGNATURE, False, missing, "missing")
        return None
    try:
        token = token_raw.decode("ascii").strip()
        header = jose.jws_header(token)
    except (jose.TokenError, UnicodeDecodeError) as exc:
        report.add(SIGNATURE, False, SIGNATURE_FILE, f"not a JWS: {exc}")
        return None
    return token, str(header["kid"])


def _check_case(facts: BagFacts, report: VerifyReport, manifests: Mapping[str, Manifest]) -> None:
    raw = facts.tags.get(PROVENANCE_FILE)
    if raw is None:
        report.add("CASE hashes", False, PROVENANCE_FILE, "missing")
        return
    try:
        provenance = read_provenance(raw)
    except ProvenanceError as exc:
        report.add("CASE hashes", False, PROVENANCE_FILE, str(exc))
        return
    hashes = {path: found.hashes for path, found in provenance.files.items()}
    for algorithm in ("sha256", "sha512"):
        manifest = manifests.get(f"manifest-{algorithm}.txt")
        if manifest is None:
            continue
        if set(hashes) != set(manifest.entries):
            report.add("CASE hashes", False, PROVENANCE_FILE, f"files differ from {manifest.name}")
            return
        for path, digests in hashes.items():
            if not same_digest(digests.get(algorithm, ""), manifest.entries[path]):
                report.add(
                    "CASE hashes",
                    False,
                    PROVENANCE_FILE,
                    f"{algorithm} of {path} differs from {manifest.name}",
                )
                return
    report.add("CASE hashes", True, PROVENANCE_FILE, f"{len(hashes)} files agree")
    _check_acquisitions(report, provenance)


def _check_acquisitions(report: VerifyReport, provenance: Provenance) -> None:
    """bag-info.txt repeats each file's description and acquisition for human readers; a copy
    that disagrees with the provenance would leave a court two versions: it fails."""
    written = baginfo.read_items(report.bag_info)
    for path, found in sorted(provenance.files.items()):
        expected = baginfo.ItemInfo(path, found.description, found.acquired).values()
        if written.pop(path, {}) != expected:
            report.add(
                "acquisition details", False, "bag-info.txt", f"{path} differs from the provenance"
            )
            return
    if written:
        report.add("acquisition details", False, "bag-info.txt", f"{sorted(written)[0]} is no file")
        return
    acquired = sum(1 for f in provenance.files.values() if f.acquired is not None)
    report.add(
        "acquisition details", True, PROVENANCE_FILE, f"{acquired} of {len(provenance.files)} files"
    )
