"""BagIt (RFC 8493) text files: writing ours, parsing anyone's.

Parsing is shared by the sealed-package verifier and the directory verifier, so the same rules
apply to a package and to a bag on disk.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BAGIT_VERSION = "1.0"
BAGIT_TXT = f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n".encode()
# Algorithms a verifier accepts in manifest names; md5/sha1 are read, never written.
KNOWN_ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
_MANIFEST_RE = re.compile(r"^(tag)?manifest-([a-z0-9]+)\.txt$")
_VERSION_RE = re.compile(r"^BagIt-Version: ([0-9]+)\.([0-9]+)$")
_ENCODING_RE = re.compile(r"^Tag-File-Character-Encoding: (\S+)$")


class BagFormatError(ValueError):
    """A tag file breaks the BagIt grammar; the message names the file."""


@dataclass
class Manifest:
    name: str
    algorithm: str
    entries: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def manifest_kind(name: str) -> tuple[bool, str] | None:
    """(is_tag_manifest, algorithm) for a manifest file name, else None."""
    found = _MANIFEST_RE.match(name)
    if not found:
        return None
    return found.group(1) == "tag", found.group(2)


def encode_path(path: str) -> str:
    # RFC 8493 §2.1.3: only CR, LF and % are percent-encoded in manifest paths.
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(path: str) -> str:
    return re.sub(
        r"%(25|0A|0D)", lambda m: {"25": "%", "0A": "\n", "0D": "\r"}[m.group(1)], path, flags=re.I
    )


def safe_relative(path: str) -> str | None:
    """The path normalised inside the bag, or None if it escapes it (absolute, .., ~, NUL)."""
    if (
        not path
        or "\x00" in path
        or path.startswith(("/", "~", "\\"))
        or re.match(r"^[A-Za-z]:", path)
    ):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def format_manifest(entries: Iterable[tuple[str, str]]) -> bytes:
    """Manifest lines ``<hex>  <path>`` for (path, hex) pairs, sorted for reproducible bytes."""
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in sorted(entries)).encode()


def format_bag_info(fields: Sequence[tuple[str, str]]) -> bytes:
    lines = []
    for label, value in fields:
        if "\n" in value or "\r" in value or ":" in label:
            raise BagFormatError(f"bag-info.txt: field {label!r} cannot hold a line break")
        lines.append(f"{label}: {value}\n")
    return "".join(lines).encode()


def human_size(octets: int) -> str:
    size = float(octets)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def parse_bagit_txt(raw: bytes) -> tuple[str, str]:
    """(version, encoding) from bagit.txt; strict, as RFC 8493 §2.1.1 requires."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise BagFormatError("bagit.txt: must not start with a byte-order mark")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BagFormatError("bagit.txt: not UTF-8") from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [ln for ln in lines if ln != ""]
    if len(lines) != 2:
        raise BagFormatError("bagit.txt: must hold exactly two lines")
    version = _VERSION_RE.match(lines[0])
    encoding = _ENCODING_RE.match(lines[1])
    if not version:
        raise BagFormatError(f"bagit.txt: bad BagIt-Version line {lines[0]!r}")
    if not encoding:
        raise BagFormatError(f"bagit.txt: bad Tag-File-Character-Encoding line {lines[1]!r}")
    return f"{version.group(1)}.{version.group(2)}", encoding.group(1)


def decode_tag(raw: bytes, *, encoding: str, name: str) -> str:
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise BagFormatError(f"{name}: cannot be decoded as {encoding}") from exc
    return text.removeprefix("\ufeff")


def parse_bag_info(text: str, *, name: str = "bag-info.txt") -> list[tuple[str, str]]:
    """Labelled fields in order; a line starting with whitespace continues the previous value."""
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t":
            if not fields:
                raise BagFormatError(f"{name}: continuation line before any label")
            label, value = fields[-1]
            fields[-1] = (label, value + " " + line.strip())
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip():
            raise BagFormatError(f"{name}: line without a label {line[:40]!r}")
        fields.append((label.strip(), value.strip()))
    return fields


def parse_manifest(text: str, *, name: str, algorithm: str, version: str) -> Manifest:
    """Entries of one manifest; duplicated or odd paths are errors or warnings, per version."""
    manifest = Manifest(name=name, algorithm=algorithm)
    seen_normalised: dict[str, str] = {}
    hex_len = hashlib.new(algorithm).digest_size * 2
    dotted = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if (
            len(parts) != 2
            or len(parts[0]) != hex_len
            or not re.fullmatch(r"[0-9a-fA-F]+", parts[0])
        ):
            raise BagFormatError(f"{name}: line {number} is not '<{algorithm}> <path>'")
        digest, raw_path = parts[0].lower(), parts[1]
        if raw_path.startswith("*"):
            # md5sum/sha*sum "binary mode" marker: tolerated, but not the BagIt grammar.
            manifest.warnings.append(f"{name}: line {number} uses a '*' binary-mode marker")
            raw_path = raw_path[1:]
        decoded = decode_path(raw_path)
        path = safe_relative(decoded)
        if path is None:
            raise BagFormatError(f"{name}: path {decoded!r} points outside the bag")
        if decoded.startswith("./"):
            dotted += 1
        if path in manifest.entries:
            if manifest.entries[path] != digest or version_tuple(version) >= (1, 0):
                raise BagFormatError(f"{name}: {path} is listed twice")
            manifest.warnings.append(f"{name}: {path} is listed twice with the same digest")
            continue
        normalised = unicodedata.normalize("NFC", path)
        if normalised in seen_normalised:
            manifest.warnings.append(
                f"{name}: {path} differs from another entry only by Unicode form"
            )
        seen_normalised[normalised] = path
        manifest.entries[path] = digest
    # A manifest where every path starts with "./" was made by running a checksum tool over the
    # directory, not by a BagIt tool: readable, but worth a warning. The odd "./" is tolerated.
    if manifest.entries and dotted == len(manifest.entries):
        manifest.warnings.append(f"{name}: every path starts with './' (made by a checksum tool?)")
    return manifest


def version_tuple(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor)
