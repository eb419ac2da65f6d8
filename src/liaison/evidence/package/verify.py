"""Offline verification of a sealed package: decrypt, untar safely, check everything, in one pass.

Nothing is written to disk unless ``extract_to`` is given; payload files are hashed as they
stream past, tag files (small) are kept in memory. The tar is read defensively: it comes from
another State and is only trusted once its signature and digests hold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tarfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from liaison.crypto.age import AgeError, decrypt_stream
from liaison.crypto.signing import SignatureInvalid, verify
from liaison.evidence.package.bag import Manifest, safe_relative
from liaison.evidence.package.case import ProvenanceError, file_hashes
from liaison.evidence.package.checks import BagFacts, Check, VerifyReport, check_bag, same_hex
from liaison.evidence.package.seal import PROVENANCE_FILE, SIGNATURE_FILE
from liaison.evidence.package.stream import CHUNK, ChunkPipe, PipeClosedError

_ALLOWED_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE)


class UnsafeArchiveError(ValueError):
    """The tar inside the package breaks a safety rule; the message names the entry."""


@dataclass(frozen=True)
class Limits:
    max_entries: int = 1_000_000
    max_total: int = 1 << 42  # 4 TiB; tightened to the ciphertext size when that is known
    max_tag_file: int = 256 << 20
    # sha256 is always recomputed; add "sha512" to recompute that manifest too (slower).
    payload_algorithms: tuple[str, ...] = ("sha256",)


def _check_member(member: tarfile.TarInfo, root: list[str], seen: set[str]) -> str | None:
    """The entry's path inside the bag ("" for the root itself), or raise UnsafeArchiveError."""
    name = member.name
    if "\x00" in name or any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
        raise UnsafeArchiveError(f"entry name {name!r} holds NUL or is not valid UTF-8")
    if (
        member.type not in _ALLOWED_TYPES
        or member.issparse()
        or any(key.startswith("GNU.sparse") for key in member.pax_headers)
    ):
        kind = "link" if member.islnk() or member.issym() else "special or sparse file"
        raise UnsafeArchiveError(
            f"entry {name!r} is a {kind}; only files and directories are allowed"
        )
    relative = safe_relative(name)
    if relative is None or name.startswith("/"):
        raise UnsafeArchiveError(f"entry {name!r} points outside the bag (absolute or '..')")
    top, _, inner = relative.partition("/")
    if not root:
        root.append(top)
    elif top != root[0]:
        raise UnsafeArchiveError(f"entry {name!r} lies outside the bag directory {root[0]!r}")
    if relative in seen:
        raise UnsafeArchiveError(f"entry {name!r} appears twice")
    seen.add(relative)
    return inner


def _read_bag(
    tar: tarfile.TarFile, limits: Limits, extract_to: Path | None
) -> tuple[BagFacts, list[str]]:
    tags: dict[str, bytes] = {}
    sizes: dict[str, int] = {}
    digests: dict[str, dict[str, str]] = {}
    root: list[str] = []
    seen: set[str] = set()
    total = 0
    for count, member in enumerate(tar, start=1):
        if count > limits.max_entries:
            raise UnsafeArchiveError(f"more than {limits.max_entries} entries: refusing a tar bomb")
        inner = _check_member(member, root, seen)
        total += member.size
        if total > limits.max_total:
            raise UnsafeArchiveError(
                f"entries declare {total} bytes, more than the {limits.max_total} the package "
                "can hold: refusing a tar bomb"
            )
        if member.isdir() or not inner:
            if extract_to is not None and inner:
                (extract_to / inner).mkdir(parents=True, exist_ok=True)
            continue
        source = tar.extractfile(member)
        if source is None:  # pragma: no cover - regular files always have a stream
            raise UnsafeArchiveError(f"entry {member.name!r} has no content")
        if not inner.startswith("data/") and member.size > limits.max_tag_file:
            raise UnsafeArchiveError(f"tag file {inner!r} is {member.size} bytes, too large")
        target = _open_target(extract_to, inner)
        try:
            if inner.startswith("data/"):
                sizes[inner] = member.size
                digests[inner] = _hash_stream(source, target, limits.payload_algorithms)
            else:
                tags[inner] = source.read()
                if target:
                    target.write(tags[inner])
        finally:
            if target:
                target.close()
    return BagFacts(tags=tags, sizes=sizes, digests=digests), root


def _hash_stream(
    source: IO[bytes], target: BinaryIO | None, algorithms: tuple[str, ...]
) -> dict[str, str]:
    hashers = {name: hashlib.new(name) for name in algorithms}
    while block := source.read(CHUNK):
        for hasher in hashers.values():
            hasher.update(block)
        if target:
            target.write(block)
    return {name: h.hexdigest() for name, h in hashers.items()}


def _open_target(extract_to: Path | None, inner: str) -> BinaryIO | None:
    if extract_to is None:
        return None
    path = extract_to / inner
    path.parent.mkdir(parents=True, exist_ok=True)
    # "xb": an entry never overwrites, nor follows a link planted by an earlier one.
    return path.open("xb")


def verify_package(
    *,
    package: BinaryIO | Path | str,
    identity: str,
    sender_public_raw: bytes | None,
    extract_to: Path | None = None,
    limits: Limits | None = None,
) -> VerifyReport:
    """Decrypt with ``identity`` and check the package; ``report.ok`` is the verdict.

    ``extract_to`` (an empty directory) also receives the bag's files, e.g. to open them.
    """
    if isinstance(package, (str, Path)):
        with Path(package).open("rb") as handle:
            return verify_package(
                package=handle,
                identity=identity,
                sender_public_raw=sender_public_raw,
                extract_to=extract_to,
                limits=limits,
            )
    limits = limits or Limits()
    try:
        ciphertext_size = os.fstat(package.fileno()).st_size
        # Neither tar nor age compresses: the plaintext cannot be larger than the ciphertext.
        limits = dataclasses.replace(limits, max_total=min(limits.max_total, ciphertext_size))
    except (OSError, AttributeError, ValueError):
        ciphertext_size = -1
    report = VerifyReport()
    pipe = ChunkPipe()
    decrypt_error: list[BaseException] = []

    def decrypt() -> None:
        try:
            decrypt_stream(reader=package, writer=pipe, identity=identity)
            pipe.close_writer()
        except BaseException as exc:  # noqa: BLE001 - reported by the reading thread below
            decrypt_error.append(exc)
            pipe.cancelled.set()

    worker = threading.Thread(target=decrypt, name="verify-decrypt", daemon=True)
    worker.start()
    facts: BagFacts | None = None
    try:
        # In "r|" mode tarfile only ever calls read() on the file object: no seek, no tell.
        stream = cast("IO[bytes]", pipe)
        with tarfile.open(fileobj=stream, mode="r|", bufsize=CHUNK) as tar:
            facts, _root = _read_bag(tar, limits, extract_to)
    except UnsafeArchiveError as exc:
        report.add("archive safety", False, None, str(exc))
    except (tarfile.TarError, PipeClosedError, OSError) as exc:
        if not decrypt_error:
            report.add("archive format", False, None, f"not a readable tar: {exc}")
    finally:
        pipe.cancelled.set()
        worker.join()
    if decrypt_error:
        error = decrypt_error[0]
        detail = error.message if isinstance(error, AgeError) else str(error)
        report.checks.insert(0, _age_failure(detail))
        return report
    report.add(
        "age decryption", True, None, f"{ciphertext_size} bytes" if ciphertext_size >= 0 else ""
    )
    if facts is None or report.failures:
        return report
    report.add("archive safety", True, None, f"{len(facts.tags) + len(facts.sizes)} files")
    manifests = check_bag(facts, report)
    _check_signature(facts, report, sender_public_raw)
    _check_case(facts, report, manifests)
    return report


def _age_failure(detail: str) -> Check:
    return Check(name="age decryption", ok=False, file="package", detail=detail)


def _check_signature(facts: BagFacts, report: VerifyReport, public_raw: bytes | None) -> None:
    token = facts.tags.get(SIGNATURE_FILE)
    body = facts.tags.get("tagmanifest-sha256.txt")
    if token is None or body is None:
        missing = SIGNATURE_FILE if token is None else "tagmanifest-sha256.txt"
        report.add("signature", False, missing, "missing")
        return
    if public_raw is None:
        report.add("signature", None, SIGNATURE_FILE, "signature not checked: no sender key given")
        return
    try:
        payload = verify(token.decode("ascii").strip(), public_raw=public_raw)
    except (SignatureInvalid, UnicodeDecodeError) as exc:
        report.add("signature", False, SIGNATURE_FILE, str(exc))
        return
    if not same_hex(hashlib.sha256(payload).hexdigest(), hashlib.sha256(body).hexdigest()):
        report.add("signature", False, "tagmanifest-sha256.txt", "signed bytes differ from it")
        return
    report.add("signature", True, SIGNATURE_FILE, "sender's Ed25519 signature over tagmanifest")


def _check_case(facts: BagFacts, report: VerifyReport, manifests: dict[str, Manifest]) -> None:
    raw = facts.tags.get(PROVENANCE_FILE)
    if raw is None:
        report.add("CASE hashes", False, PROVENANCE_FILE, "missing")
        return
    try:
        hashes = file_hashes(raw)
    except ProvenanceError as exc:
        report.add("CASE hashes", False, PROVENANCE_FILE, str(exc))
        return
    for algorithm in ("sha256", "sha512"):
        manifest = manifests.get(f"manifest-{algorithm}.txt")
        if manifest is None:
            continue
        if set(hashes) != set(manifest.entries):
            report.add("CASE hashes", False, PROVENANCE_FILE, f"files differ from {manifest.name}")
            return
        for path, digests in hashes.items():
            if not same_hex(digests.get(algorithm, ""), manifest.entries[path]):
                report.add(
                    "CASE hashes",
                    False,
                    PROVENANCE_FILE,
                    f"{algorithm} of {path} differs from {manifest.name}",
                )
                return
    report.add("CASE hashes", True, PROVENANCE_FILE, f"{len(hashes)} files agree")
