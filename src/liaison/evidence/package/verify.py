"""Offline verification of a sealed package: decrypt, untar safely, check everything, in one pass.

Everything runs inside pyrage's write callback (see untar.py for why). Nothing is written to
disk unless ``extract_to`` is given; payload files are hashed as they stream past, tag files
(small) are kept in memory. The tar is read defensively: it comes from
another State and is only trusted once its signature and digests hold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from liaison.crypto.age import AgeError, decrypt_stream
from liaison.evidence.package.bag import safe_relative
from liaison.evidence.package.checks import BagFacts, VerifyReport
from liaison.evidence.package.judge import GivenKey, SenderKeys, judge
from liaison.evidence.package.untar import (
    DISCARD,
    ArchiveFormatError,
    Sink,
    TarPushParser,
    UnsafeArchiveError,
)


@dataclass(frozen=True)
class Limits:
    max_entries: int = 1_000_000
    max_total: int = 1 << 42  # 4 TiB; tightened to the ciphertext size when that is known
    max_tag_file: int = 256 << 20
    # sha256 is always recomputed; add "sha512" to recompute that manifest too (slower).
    payload_algorithms: tuple[str, ...] = ("sha256",)


_Done = Callable[[dict[str, str]], None]


class _HashSink:
    def __init__(self, algorithms: tuple[str, ...], target: BinaryIO | None, done: _Done) -> None:
        self._hashers = [(name, hashlib.new(name)) for name in algorithms]
        self._target = target
        self._done = done

    def write(self, data: bytes | memoryview, /) -> object:
        for _, hasher in self._hashers:
            hasher.update(data)
        if self._target is not None:
            self._target.write(data)
        return None

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        self._done({name: h.hexdigest() for name, h in self._hashers})


class _TagSink:
    def __init__(self, tags: dict[str, bytes], name: str, target: BinaryIO | None) -> None:
        self._parts: list[bytes] = []
        self._tags, self._name, self._target = tags, name, target

    def write(self, data: bytes | memoryview, /) -> object:
        self._parts.append(bytes(data))
        return None

    def close(self) -> None:
        self._tags[self._name] = b"".join(self._parts)
        if self._target is not None:
            self._target.write(self._tags[self._name])
            self._target.close()


class _Collector:
    """Checks each entry as its header arrives and decides where its bytes go."""

    def __init__(self, limits: Limits, extract_to: Path | None) -> None:
        self.limits, self.extract_to = limits, extract_to
        self.facts = BagFacts(tags={}, sizes={}, digests={})
        self.root: list[str] = []
        self.seen: set[str] = set()
        self.total = 0

    def on_member(self, member: tarfile.TarInfo) -> Sink:
        limits = self.limits
        if len(self.seen) >= limits.max_entries:
            raise UnsafeArchiveError(f"more than {limits.max_entries} entries: refusing a tar bomb")
        inner = _check_member(member, self.root, self.seen)
        self.total += member.size
        if self.total > limits.max_total:
            raise UnsafeArchiveError(
                f"entries declare {self.total} bytes, more than the {limits.max_total} the "
                "package can hold: refusing a tar bomb"
            )
        if member.isdir() or not inner:
            if self.extract_to is not None and inner:
                (self.extract_to / inner).mkdir(parents=True, exist_ok=True)
            return DISCARD
        if not inner.startswith("data/"):
            if member.size > limits.max_tag_file:
                raise UnsafeArchiveError(f"tag file {inner!r} is {member.size} bytes, too large")
            return _TagSink(self.facts.tags, inner, _open_target(self.extract_to, inner))
        self.facts.sizes[inner] = member.size

        def done(digests: dict[str, str]) -> None:
            self.facts.digests[inner] = digests

        target = _open_target(self.extract_to, inner)
        return _HashSink(limits.payload_algorithms, target, done)


def _check_member(member: tarfile.TarInfo, root: list[str], seen: set[str]) -> str:
    """The entry's path inside the bag ("" for the root itself), or raise UnsafeArchiveError."""
    name = member.name
    try:
        # Undecodable bytes arrive as lone surrogates (surrogateescape), which cannot encode.
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnsafeArchiveError(f"entry name {name!r} is not valid UTF-8") from exc
    if "\x00" in name:
        raise UnsafeArchiveError(f"entry name {name!r} holds NUL")
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
    sender_public_raw: bytes | None = None,
    sender_keys: SenderKeys | None = None,
    extract_to: Path | None = None,
    limits: Limits | None = None,
) -> VerifyReport:
    """Decrypt with ``identity`` and check the package; ``report.verdict`` says what holds.

    The signature is checked with ``sender_keys`` (which finds the sender's key named by the
    package and judges it at the package's signing time), or with ``sender_public_raw`` taken
    as given; with neither, the verdict is at best "intact, not authenticated".
    ``extract_to`` (an empty directory) also receives the bag's files, e.g. to open them.
    """
    if sender_keys is None and sender_public_raw is not None:
        sender_keys = GivenKey(sender_public_raw)
    if isinstance(package, (str, Path)):
        with Path(package).open("rb") as handle:
            return verify_package(
                package=handle,
                identity=identity,
                sender_keys=sender_keys,
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
    collector = _Collector(limits, extract_to)
    parser = TarPushParser(collector.on_member)
    try:
        decrypt_stream(reader=package, writer=parser, identity=identity)
        parser.finish()
    except (AgeError, UnsafeArchiveError) as exc:
        failure = parser.failure or exc
        if isinstance(failure, UnsafeArchiveError):
            kind = "archive format" if isinstance(failure, ArchiveFormatError) else "archive safety"
            report.add(kind, False, None, str(failure))
        elif isinstance(failure, AgeError):
            report.add("age decryption", False, "package", failure.message)
        else:
            raise failure from exc
        return report
    facts = collector.facts
    report.add(
        "age decryption", True, None, f"{ciphertext_size} bytes" if ciphertext_size >= 0 else ""
    )
    report.add("archive safety", True, None, f"{len(facts.tags) + len(facts.sizes)} files")
    judge(facts, report, sender_keys)
    return report
