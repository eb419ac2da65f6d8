"""Seal evidence into a signed BagIt bag, as a tar stream encrypted with age, in one pass.

Layout of the tar (all under one top directory named after the request):
bagit.txt, bag-info.txt, data/..., manifest-sha256.txt [, manifest-sha512.txt],
provenance.jsonld, tagmanifest-sha256.txt [, tagmanifest-sha512.txt], signature.jws.
bag-info.txt comes first because every field in it is known before the payload streams; the
manifests come after the payload because a digest not supplied by ingest is computed on the way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import queue
import re
import tarfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from liaison.core.errors import InvalidInput
from liaison.crypto import jose
from liaison.crypto.age import age_command, encrypt_chunks, encrypt_stream
from liaison.crypto.hashing import SHA256_PREFIX, sha256_digest, sha256_hex, sha256_label
from liaison.evidence.package.bag import BAGIT_TXT, BagFormatError, format_manifest, safe_relative
from liaison.evidence.package.baginfo import ItemInfo, build_bag_info, sealed_at_text
from liaison.evidence.package.case import Acquired, CustodyEvent, FileRecord, build_provenance
from liaison.evidence.package.judge import PROVENANCE_FILE, SIGNATURE_FILE
from liaison.evidence.package.stream import ChunkReader, tar_entry, tar_padding
from liaison.evidence.store.direct import DirectWriter, is_direct

SIGNATURE_TYP = jose.Typ.bag_signature
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# Payload read size: large reads let a decrypting blob reader work in big, GIL-free strides.
_READ_BLOCK = 4 << 20
# Packages this large are encrypted by the ``age`` command when installed (crypto/age.py): the
# process start (a few ms) is paid back many times over by encrypting beside this process.
EXTERNAL_AGE_MIN = 16 << 20


class PayloadStream(Protocol):
    """What ``PayloadItem.open`` returns: any binary file, or a raw reader such as the blob
    store's decrypting reader (whose ``read`` may return None, which is treated as an error)."""

    def read(self, size: int = -1, /) -> bytes | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PayloadItem:
    """One file to seal: ``name`` is its path under data/; ``open`` returns a fresh stream.

    ``description`` and ``acquired`` travel in bag-info.txt and in the CASE provenance, where
    the acquisition is the first action of the file's chain of custody.
    """

    name: str
    size: int
    open: Callable[[], PayloadStream]
    sha256: str | None = None  # "sha256:<hex>" or "<hex>" from ingest; computed when absent
    description: str = ""
    acquired: Acquired | None = None


@dataclass(frozen=True)
class SealResult:
    digest: str  # "sha256:<hex>" of the encrypted package, as it names the package in transfer
    size: int  # bytes of the encrypted package
    payload_oxum: str
    tagmanifest_sha256: str
    files: tuple[FileRecord, ...]
    sealed_at: str  # as bag-info.txt records it: the time the signing key is judged at


class _HashingWriter:
    """Counts and hashes the ciphertext on its way to ``out``: the package's name is its digest.

    With pyrage this runs inside its write callback, serially with the encryption (pyrage keeps
    the GIL while it encrypts, so a hashing thread would mostly wait). With the ``age`` command
    it runs while the command encrypts the next chunk in its own process.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0
        # An output opened with O_DIRECT (store.direct.open_new) is written from aligned
        # buffers by a thread of its own, past the page cache's write-back throttling.
        self.direct = DirectWriter(out) if is_direct(out) else None

    def write(self, data: bytes | memoryview, /) -> int:
        self.hash.update(data)
        self.size += len(data)
        if self.direct is not None:
            self.direct.write(memoryview(data))
        else:
            self.out.write(data)
        return len(data)

    def finish(self) -> None:
        if self.direct is not None:
            self.direct.finish()
        self.out.flush()

    def close(self) -> None:
        if self.direct is not None:
            self.direct.close()


def _encrypt(chunks: Iterator[bytes], writer: _HashingWriter, recipient: str, octets: int) -> None:
    command = age_command() if octets >= EXTERNAL_AGE_MIN else None
    if command is not None:
        encrypt_chunks(chunks=chunks, writer=writer.write, recipient=recipient, command=command)
        return
    reader = ChunkReader(chunks)
    try:
        encrypt_stream(reader=reader, writer=writer, recipient=recipient)
    except Exception:
        # An error while producing the tar reaches pyrage as a failed read; tell the real one.
        if reader.failure is not None:
            raise reader.failure from None
        raise


def bag_root(request_ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", request_ref).strip(".") or "bag"


def _plain_hex(digest: str) -> str:
    value = (sha256_hex(digest) if digest.startswith(SHA256_PREFIX) else digest).lower()
    if not _HEX64.match(value):
        raise InvalidInput(f"not a SHA-256 digest: {digest!r}")
    return value


def _check_acquired(name: str, acquired: Acquired) -> None:
    if not acquired.by.strip():
        raise InvalidInput(f"payload {name!r}: the acquisition names nobody")
    try:
        when = dt.datetime.fromisoformat(acquired.at)
    except ValueError:
        raise InvalidInput(f"payload {name!r}: {acquired.at!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise InvalidInput(f"payload {name!r}: the acquisition time {acquired.at!r} has no offset")


def _validate_items(items: Sequence[PayloadItem]) -> list[str]:
    names: list[str] = []
    for item in items:
        name = safe_relative(item.name)
        if name is None or name != item.name or any(ord(c) < 32 for c in name):
            raise InvalidInput(f"payload name {item.name!r} is not a clean relative path")
        if item.size < 0:
            raise InvalidInput(f"payload {item.name!r} has a negative size")
        if item.sha256 is not None:
            _plain_hex(item.sha256)
        if item.acquired is not None:
            _check_acquired(item.name, item.acquired)
        names.append(name)
    if not names:
        raise InvalidInput("a package needs at least one payload file")
    folded = {n.casefold() for n in names}
    if len(folded) != len(names):
        raise InvalidInput("payload names must be unique, ignoring case")
    # "a" and "a/b" cannot both exist once unpacked: a file cannot also be a directory.
    parents = {
        "/".join(parts[:depth])
        for parts in (name.split("/") for name in folded)
        for depth in range(1, len(parts))
    }
    clash = sorted(folded & parents)
    if clash:
        raise InvalidInput(f"payload name {clash[0]!r} is both a file and a directory")
    return names


def seal_package(
    *,
    out: BinaryIO,
    items: Sequence[PayloadItem],
    request_ref: str,
    sender: str,
    recipient: str,
    recipient_age: str,
    signing_private_raw: bytes,
    signing_key_id: str,
    custody: Sequence[CustodyEvent],
    with_sha512: bool = False,
    now: dt.datetime | None = None,
    sealed_by: str | None = None,
) -> SealResult:
    """Write the encrypted package to ``out`` and return its digest and size.

    ``custody`` is each file's chain after its acquisition (which ``PayloadItem.acquired``
    gives); ``sealed_by`` names who sealed it (the sender when not given). On error ``out``
    holds a partial ciphertext: callers write to a temporary file and rename.
    """
    _validate_items(items)
    moment = now or dt.datetime.now(dt.UTC)
    octets = sum(item.size for item in items)
    oxum = f"{octets}.{len(items)}"
    try:
        bag_info = build_bag_info(
            moment=moment,
            oxum=oxum,
            octets=octets,
            request_ref=request_ref,
            sender=sender,
            recipient=recipient,
            signing_key_id=signing_key_id,
            items=[ItemInfo(f"data/{i.name}", i.description, i.acquired) for i in items],
        )
    except BagFormatError as exc:
        raise InvalidInput(str(exc)) from exc
    records: list[FileRecord] = []
    tagmanifest: list[bytes] = []
    chunks = _bag_chunks(
        items,
        bag_info,
        records,
        tagmanifest,
        request_ref=request_ref,
        sender=sender,
        recipient=recipient,
        moment=moment,
        custody=custody,
        with_sha512=with_sha512,
        signing_private_raw=signing_private_raw,
        signing_key_id=signing_key_id,
        sealed_by=sealed_by or sender,
    )
    writer = _HashingWriter(out)
    try:
        _encrypt(chunks, writer, recipient_age, octets)
        writer.finish()
    finally:
        writer.close()
    return SealResult(
        digest=sha256_label(writer.hash.hexdigest()),
        size=writer.size,
        payload_oxum=oxum,
        tagmanifest_sha256=sha256_digest(tagmanifest[0]),
        files=tuple(records),
        sealed_at=sealed_at_text(moment),
    )


def _payload_blocks(item: PayloadItem) -> Iterator[bytes]:
    """The item's bytes, checked against its declared size, read ahead by a second thread.

    Readers that decrypt (the blob store) or wait on disk release the GIL; reading one block
    ahead lets that work overlap pyrage's encryption of the previous one. Small files are read
    inline: a thread per 4 KiB file would cost more than it saves.
    """
    if item.size <= _READ_BLOCK:
        parts: list[bytes] = []
        got = 0
        with contextlib.closing(item.open()) as raw:
            # A raw stream may return fewer bytes than asked: read until full or at the end.
            while got < item.size and (part := raw.read(item.size - got)):
                parts.append(part)
                got += len(part)
            extra = raw.read(1)
        _check_length(item, got, extra or b"")
        yield b"".join(parts)
        return
    blocks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read_ahead() -> None:
        try:
            left = item.size
            with contextlib.closing(item.open()) as raw:
                while left and not stop.is_set():
                    block = raw.read(min(_READ_BLOCK, left))
                    if not block:
                        break
                    left -= len(block)
                    blocks.put(block)
                extra = raw.read(1) if not left else b""
            _check_length(item, item.size - left, extra or b"")
            blocks.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            blocks.put(exc)

    reader = threading.Thread(target=read_ahead, name="seal-read", daemon=True)
    reader.start()
    try:
        while (block := blocks.get()) is not None:
            if isinstance(block, BaseException):
                raise block
            yield block
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full queue
            with contextlib.suppress(queue.Empty):
                blocks.get(timeout=0.05)
        reader.join()


def _check_length(item: PayloadItem, got: int, extra: bytes) -> None:
    if got < item.size:
        raise InvalidInput(f"payload {item.name!r} is shorter than its declared size")
    if extra:
        raise InvalidInput(f"payload {item.name!r} is longer than its declared size")


def _bag_chunks(
    items: Sequence[PayloadItem],
    bag_info: bytes,
    records: list[FileRecord],
    tagmanifest: list[bytes],
    *,
    request_ref: str,
    sender: str,
    recipient: str,
    moment: dt.datetime,
    custody: Sequence[CustodyEvent],
    with_sha512: bool,
    signing_private_raw: bytes,
    signing_key_id: str,
    sealed_by: str,
) -> Iterator[bytes]:
    """The tar stream of the bag, produced as pyrage pulls it: payload bytes are read once."""
    root = bag_root(request_ref)
    mtime = int(moment.timestamp())

    def small(name: str, data: bytes) -> bytes:
        return tar_entry(f"{root}/{name}", len(data), mtime) + data + tar_padding(len(data))

    yield small("bagit.txt", BAGIT_TXT) + small("bag-info.txt", bag_info)
    for item in items:
        wanted = [] if item.sha256 else ["sha256"]
        if with_sha512:
            wanted.append("sha512")
        hashers = {name: hashlib.new(name) for name in wanted}
        yield tar_entry(f"{root}/data/{item.name}", item.size, mtime)
        for block in _payload_blocks(item):
            for hasher in hashers.values():
                hasher.update(block)
            yield block
        yield tar_padding(item.size)
        digests = {name: h.hexdigest() for name, h in hashers.items()}
        if item.sha256:
            digests["sha256"] = _plain_hex(item.sha256)
        records.append(
            FileRecord(
                path=f"data/{item.name}",
                size=item.size,
                digests=digests,
                description=item.description,
                acquired=item.acquired,
            )
        )
    tags: dict[str, bytes] = {"bagit.txt": BAGIT_TXT, "bag-info.txt": bag_info}
    algorithms = ("sha256", "sha512") if with_sha512 else ("sha256",)
    for algorithm in algorithms:
        tags[f"manifest-{algorithm}.txt"] = format_manifest(
            (r.path, r.digests[algorithm]) for r in records
        )
    tags[PROVENANCE_FILE] = build_provenance(
        request_ref=request_ref,
        sender=sender,
        recipient=recipient,
        sealed_at=sealed_at_text(moment),
        sealed_by=sealed_by,
        files=records,
        custody=custody,
    )
    out = [
        small(name, data)
        for name, data in tags.items()
        if name not in ("bagit.txt", "bag-info.txt")
    ]
    for algorithm in algorithms:
        body = format_manifest(
            (name, hashlib.new(algorithm, data).hexdigest()) for name, data in tags.items()
        )
        out.append(small(f"tagmanifest-{algorithm}.txt", body))
        if algorithm == "sha256":
            tagmanifest.append(body)
    # The signature covers the tag manifest, which pins every other file by digest; it is
    # itself outside the tag manifests, or it would have to sign its own digest.
    token = jose.sign(
        tagmanifest[0], private_raw=signing_private_raw, key_id=signing_key_id, typ=SIGNATURE_TYP
    )
    out.append(small(SIGNATURE_FILE, token.encode() + b"\n"))
    yield b"".join(out)
    # End of archive: two zero blocks (POSIX); readers do not need padding to a whole record.
    yield b"\0" * (2 * tarfile.BLOCKSIZE)
