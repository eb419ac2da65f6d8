"""What a verification may claim: authentic, intact but not authenticated, or failed (naming
the file and the check), each case a package crafted to break one rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from liaison.crypto import keys
from liaison.evidence.package import (
    KeyRejected,
    SenderKey,
    Verdict,
    read_provenance,
    verify_package,
    verify_sealed_dir,
)
from tests.unit.evidence_package.craft import Files, pack, remake, unpack
from tests.unit.evidence_package.factory import ACQUIRED, IMAGE, Parties

Change = Callable[[Files, Parties], Files]
FORGED = b"what the forger wants the court to see" * 1000


def _verify(path: Path, parties: Parties, *, key: bool = True) -> list[tuple[str, str | None]]:
    report = verify_package(
        package=path,
        identity=parties.identity,
        sender_public_raw=parties.signer.public_raw if key else None,
    )
    return [(c.name, c.file) for c in report.failures]


def test_a_rebagged_forgery_is_never_authentic(
    tmp_path: Path, sealed: Path, parties: Parties
) -> None:
    """Payload replaced, manifests, CASE hashes, bag-info and tag manifest recomputed, the old
    signature kept, encrypted to the recipient again: every BagIt check passes."""
    root, files = unpack(sealed, parties)
    files["data/phone/image.bin"] = FORGED
    forged = pack(root, remake(files, parties=parties, resign=False), tmp_path / "f.age", parties)

    with_key = verify_package(
        package=forged, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert with_key.verdict is Verdict.failed
    assert [(c.name, c.file) for c in with_key.failures] == [
        ("signature", "tagmanifest-sha256.txt")
    ]
    without = verify_package(package=forged, identity=parties.identity)
    assert without.verdict is Verdict.unauthenticated
    assert without.intact  # it is a well-formed bag: only the signature could tell


def test_without_a_key_the_verdict_says_so(sealed: Path, parties: Parties) -> None:
    report = verify_package(package=sealed, identity=parties.identity)
    assert report.verdict is Verdict.unauthenticated
    (skipped,) = [c for c in report.checks if c.ok is None]
    assert skipped.name == "signature"


def _fetch(files: Files, parties: Parties) -> Files:
    files["fetch.txt"] = b"https://example.org/image.bin 1048576 data/phone/image.bin\n"
    del files["data/phone/image.bin"]
    return remake(files, parties=parties, resign=True, keep_manifest=True)


def _unlisted(files: Files, parties: Parties) -> Files:
    remade = remake(files, parties=parties, resign=True)
    remade["notes-to-self.txt"] = b"added after signing\n"
    return remade


def _missing(files: Files, parties: Parties) -> Files:
    del files["data/notes é.txt"]
    return remake(files, parties=parties, resign=True, keep_manifest=True)


def _unsigned(name: str) -> Change:
    def change(files: Files, parties: Parties) -> Files:
        listed = [
            n
            for n in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "provenance.jsonld")
            if n != name
        ]
        return remake(files, parties=parties, resign=True, listed=listed)

    return change


def _acquisition_differs(files: Files, parties: Parties) -> Files:
    files["bag-info.txt"] = files["bag-info.txt"].replace(b"Lt. Durand", b"Lt. Dupont")
    return remake(files, parties=parties, resign=True)


CASES: dict[str, tuple[Change, list[tuple[str, str]]]] = {
    "fetch.txt": (
        _fetch,
        [("fetch.txt", "fetch.txt"), ("payload present", "data/phone/image.bin")],
    ),
    "unlisted tag file": (_unlisted, [("unlisted tag file", "notes-to-self.txt")]),
    "missing payload file": (_missing, [("payload present", "data/notes é.txt")]),
    "bag-info unsigned": (_unsigned("bag-info.txt"), [("signed tag manifest", "bag-info.txt")]),
    "provenance unsigned": (
        _unsigned("provenance.jsonld"),
        [("signed tag manifest", "provenance.jsonld")],
    ),
    "manifest unsigned": (
        _unsigned("manifest-sha256.txt"),
        [("signed tag manifest", "manifest-sha256.txt")],
    ),
    "acquisition differs": (_acquisition_differs, [("acquisition details", "bag-info.txt")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_signed_package_breaking_one_rule_fails_naming_it(
    tmp_path: Path, sealed: Path, parties: Parties, case: str
) -> None:
    """Signed again with the sender's own key, so the signature holds: the rule alone fails."""
    change, expected = CASES[case]
    root, files = unpack(sealed, parties)
    path = pack(root, change(files, parties), tmp_path / "p.age", parties)
    report = verify_package(
        package=path, identity=parties.identity, sender_public_raw=parties.signer.public_raw
    )
    assert report.verdict is Verdict.failed
    failures = [(c.name, c.file) for c in report.failures]
    for failure in expected:
        assert failure in failures, report.lines()
    assert ("signature", "signature.jws") not in failures, report.lines()


def test_the_key_is_looked_up_by_the_package_and_judged_at_its_signing_time(
    sealed: Path, parties: Parties
) -> None:
    asked: list[tuple[str, str, dt.datetime]] = []

    def lookup(*, sender: str, kid: str, signed_at: dt.datetime) -> SenderKey:
        asked.append((sender, kid, signed_at))
        return SenderKey(parties.signer.public_raw, "test directory")

    report = verify_package(package=sealed, identity=parties.identity, sender_keys=lookup)
    assert report.verdict is Verdict.authentic, report.lines()
    ((sender, kid, signed_at),) = asked
    assert (sender, kid) == ("fr-pnc", "fr-pnc-sig-1")
    assert abs(dt.datetime.now(dt.UTC) - signed_at) < dt.timedelta(hours=1)
    assert signed_at.tzinfo is not None

    def revoked(*, sender: str, kid: str, signed_at: dt.datetime) -> SenderKey:
        raise KeyRejected(f"key {kid} was revoked before {signed_at:%Y-%m-%d}")

    refused = verify_package(package=sealed, identity=parties.identity, sender_keys=revoked)
    assert refused.verdict is Verdict.failed
    (failure,) = refused.failures
    assert (failure.name, failure.file) == ("signature", "signature.jws")
    assert "revoked" in failure.detail


def test_another_key_fails_even_when_the_lookup_accepts_it(sealed: Path, parties: Parties) -> None:
    other = keys.generate("signing")
    report = verify_package(
        package=sealed,
        identity=parties.identity,
        sender_keys=lambda **_: SenderKey(other.public_raw, "wrong"),
    )
    assert [(c.name, c.file) for c in report.failures] == [("signature", "signature.jws")]


def test_the_acquisition_travels_with_its_offset_method_tool_and_source(
    sealed: Path, parties: Parties
) -> None:
    _root, files = unpack(sealed, parties)
    info = files["bag-info.txt"].decode()
    assert "Liaison-Item: data/phone/image.bin\n" in info
    assert "Liaison-Acquired-At: 2026-11-24T09:30:00+01:00\n" in info
    # one line in bag-info.txt; the exact text in the provenance
    assert "Liaison-Acquisition-Method: logical extraction of the phone, second attempt\n" in info
    assert "Liaison-Acquisition-Tool: Extractor 7.2\n" in info
    assert "Liaison-Sealed-At: " in info
    found = read_provenance(files["provenance.jsonld"]).files["data/phone/image.bin"]
    assert found.acquired == dataclasses.replace(ACQUIRED, recorded_by="fr-pnc")
    assert found.description == "Image of the seized phone"
    assert [e.action for e in found.events] == ["acquired", "ingested", "sealed"]
    assert found.events[1].actor == "Marie Durand (fr.officer, fr-pnc)"
    assert {e.recorded_by for e in found.events} == {"fr-pnc"}
    graph = json.loads(files["provenance.jsonld"])["@graph"]
    assert "2026-11-24T09:30:00+01:00" in json.dumps(graph)
    assert len(IMAGE) == 1 << 20


def test_an_unpacked_package_is_judged_by_the_same_rules(
    tmp_path: Path, sealed: Path, parties: Parties
) -> None:
    root, files = unpack(sealed, parties)
    bag = tmp_path / root
    for name, data in files.items():
        (bag / name).parent.mkdir(parents=True, exist_ok=True)
        (bag / name).write_bytes(data)
    key = lambda **_: SenderKey(parties.signer.public_raw, "given")  # noqa: E731 - a stub
    assert verify_sealed_dir(bag, sender_keys=key).verdict is Verdict.authentic
    assert verify_sealed_dir(bag, sender_keys=None).verdict is Verdict.unauthenticated
    (bag / "fetch.txt").write_text("https://example.org/x 1 data/x\n")
    failed = verify_sealed_dir(bag, sender_keys=key)
    assert ("unlisted tag file", "fetch.txt") in [(c.name, c.file) for c in failed.failures]
    assert ("fetch.txt", "fetch.txt") in [(c.name, c.file) for c in failed.failures]
