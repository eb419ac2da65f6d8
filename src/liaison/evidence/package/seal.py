"""Seal evidence into a signed BagIt bag, as a tar stream encrypted with age, in one pass.

Layout of the tar (all under one top directory named after the request):
bagit.txt, bag-info.txt, data/..., manifest-sha256.txt [, manifest-sha512.txt],
provenance.jsonld, tagmanifest-sha256.txt [, tagmanifest-sha512.txt], signature.jws.
bag-info.txt comes first because every field in it is known before the payload streams; the
manifests come after the payload because a digest not supplied by ingest is computed on the way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import tarfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

from liaison.core.errors import InvalidInput
from liaison.crypto.age import encrypt_stream
from liaison.crypto.signing import sign_bytes
from liaison.evidence.package.bag import (
    BAGIT_TXT,
    format_bag_info,
    format_manifest,
    human_size,
    safe_relative,
)
from liaison.evidence.package.case import CustodyEvent, FileRecord, build_provenance
from liaison.evidence.package.stream import CHUNK, ChunkPipe

SIGNATURE_FILE = "signature.jws"
PROVENANCE_FILE = "provenance.jsonld"
SIGNATURE_TYP = "liaison-bag-signature+jws"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_OUT_BATCH = 4 << 20


@dataclass(frozen=True)
class PayloadItem:
    """One file to seal: ``name`` is its path under data/; ``open`` returns a fresh stream."""

    name: str
    size: int
    open: Callable[[], BinaryIO]
    sha256: str | None = None  # "sha256:<hex>" or "<hex>" from ingest; computed when absent


@dataclass(frozen=True)
class SealResult:
    digest: str  # "sha256:<hex>" of the encrypted package, as it names the package in transfer
    size: int  # bytes of the encrypted package
    payload_oxum: str
    tagmanifest_sha256: str
    files: tuple[FileRecord, ...]


class _HashingWriter:
    """Counts and hashes the ciphertext on its way to ``out``: the package's name is its digest.

    pyrage calls ``write`` in its own thread with 64 KiB pieces; hashing and writing them there
    would serialise them with the encryption, so a second thread does both, on batches of
    ``_OUT_BATCH`` (hashlib and file writes release the GIL).
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0
        self._pipe = ChunkPipe(depth=4, chunk=_OUT_BATCH)
        self._failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._drain, name="seal-out", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            while block := self._pipe.read():
                self.hash.update(block)
                self.out.write(block)
        except BaseException as exc:  # noqa: BLE001 - raised again by write() or finish()
            self._failure.append(exc)
            self._pipe.cancelled.set()

    def write(self, data: bytes, /) -> int:
        self.size += len(data)
        return self._pipe.write(data)

    def finish(self) -> None:
        if not self._failure:
            self._pipe.close_writer()
        self._thread.join()
        if self._failure:
            raise self._failure[0]
        self.out.flush()

    def abort(self) -> None:
        self._pipe.cancelled.set()
        self._thread.join()


class _PayloadReader:
    """Reads one payload stream for tarfile, hashing only what ingest did not already hash."""

    def __init__(self, raw: BinaryIO, algorithms: Sequence[str]) -> None:
        self.raw = raw
        self.hashes = {name: hashlib.new(name) for name in algorithms}
        self.size = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self.raw.read(size)
        for hasher in self.hashes.values():
            hasher.update(data)
        self.size += len(data)
        return data


def bag_root(request_ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", request_ref).strip(".") or "bag"


def _plain_hex(digest: str) -> str:
    value = digest.removeprefix("sha256:").lower()
    if not _HEX64.match(value):
        raise InvalidInput(f"not a SHA-256 digest: {digest!r}")
    return value


def _validate_items(items: Sequence[PayloadItem]) -> list[str]:
    names: list[str] = []
    for item in items:
        name = safe_relative(item.name)
        if name is None or name != item.name or any(ord(c) < 32 for c in name):
            raise InvalidInput(f"payload name {item.name!r} is not a clean relative path")
        if item.size < 0:
            raise InvalidInput(f"payload {item.name!r} has a negative size")
        names.append(name)
    if not names:
        raise InvalidInput("a package needs at least one payload file")
    folded = {n.casefold() for n in names}
    if len(folded) != len(names):
        raise InvalidInput("payload names must be unique, ignoring case")
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
) -> SealResult:
    """Write the encrypted package to ``out`` and return its digest and size.

    On error ``out`` holds a partial ciphertext: callers write to a temporary file and rename.
    """
    _validate_items(items)
    moment = now or dt.datetime.now(dt.UTC)
    octets = sum(item.size for item in items)
    oxum = f"{octets}.{len(items)}"
    bag_info = format_bag_info(
        [
            ("Bagging-Date", moment.date().isoformat()),
            ("Payload-Oxum", oxum),
            ("Bag-Size", human_size(octets)),
            ("External-Identifier", request_ref),
            ("Source-Organization", sender),
            ("Liaison-Request", request_ref),
            ("Liaison-Sender", sender),
            ("Liaison-Recipient", recipient),
        ]
    )
    pipe = ChunkPipe()
    records: list[FileRecord] = []
    tagmanifest: list[bytes] = []
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            _write_tar(
                pipe,
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
            )
            pipe.close_writer()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread below
            failure.append(exc)
            pipe.cancelled.set()

    writer = _HashingWriter(out)
    producer = threading.Thread(target=produce, name="seal-tar", daemon=True)
    producer.start()
    try:
        encrypt_stream(reader=pipe, writer=writer, recipient=recipient_age)
        writer.finish()
    except Exception:
        # A failed producer makes pyrage fail on its next read; its reason is the one to tell.
        pipe.cancelled.set()
        writer.abort()
        producer.join()
        if failure:
            raise failure[0] from None
        raise
    producer.join()
    if failure:
        raise failure[0]
    return SealResult(
        digest="sha256:" + writer.hash.hexdigest(),
        size=writer.size,
        payload_oxum=oxum,
        tagmanifest_sha256="sha256:" + hashlib.sha256(tagmanifest[0]).hexdigest(),
        files=tuple(records),
    )


def _write_tar(
    pipe: ChunkPipe,
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
) -> None:
    root = bag_root(request_ref)
    mtime = int(moment.timestamp())
    # PAX keeps UTF-8 names and sizes beyond 8 GiB exact; "w|" never seeks, so it can stream,
    # and in that mode tarfile only ever calls write() on the file object.
    stream = cast("IO[bytes]", pipe)
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT, bufsize=CHUNK) as tar:
        # Undocumented attribute (absent from typeshed); the default copies 16 KiB at a time.
        tar.copybufsize = CHUNK  # type: ignore[attr-defined]

        def add_bytes(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))

        add_bytes("bagit.txt", BAGIT_TXT)
        add_bytes("bag-info.txt", bag_info)
        for item in items:
            algorithms = [] if item.sha256 else ["sha256"]
            if with_sha512:
                algorithms.append("sha512")
            info = tarfile.TarInfo(f"{root}/data/{item.name}")
            info.size, info.mtime, info.mode = item.size, mtime, 0o644
            with item.open() as raw:
                reader = _PayloadReader(raw, algorithms)
                tar.addfile(info, reader)
                if raw.read(1):
                    raise InvalidInput(f"payload {item.name!r} is longer than its declared size")
            digests = {name: h.hexdigest() for name, h in reader.hashes.items()}
            if item.sha256:
                digests["sha256"] = _plain_hex(item.sha256)
            records.append(FileRecord(path=f"data/{item.name}", size=item.size, digests=digests))
        tags: dict[str, bytes] = {"bagit.txt": BAGIT_TXT, "bag-info.txt": bag_info}
        for algorithm in ("sha256", "sha512") if with_sha512 else ("sha256",):
            manifest = format_manifest((r.path, r.digests[algorithm]) for r in records)
            tags[f"manifest-{algorithm}.txt"] = manifest
            add_bytes(f"manifest-{algorithm}.txt", manifest)
        provenance = build_provenance(
            request_ref=request_ref,
            sender=sender,
            recipient=recipient,
            sealed_at=moment.isoformat(timespec="seconds"),
            files=records,
            custody=custody,
        )
        tags[PROVENANCE_FILE] = provenance
        add_bytes(PROVENANCE_FILE, provenance)
        for algorithm in ("sha256", "sha512") if with_sha512 else ("sha256",):
            body = format_manifest(
                (name, hashlib.new(algorithm, data).hexdigest()) for name, data in tags.items()
            )
            add_bytes(f"tagmanifest-{algorithm}.txt", body)
            if algorithm == "sha256":
                tagmanifest.append(body)
        # The signature covers the tag manifest, which pins every other file by digest; it is
        # itself outside the tag manifests, or it would have to sign its own digest.
        token = sign_bytes(
            tagmanifest[0],
            private_raw=signing_private_raw,
            key_id=signing_key_id,
            typ=SIGNATURE_TYP,
        )
        add_bytes(SIGNATURE_FILE, token.encode() + b"\n")
