"""Choosing the files to seal from paths on disk: what was named, byte for byte, or nothing."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path

from liaison.core.errors import InvalidInput
from liaison.evidence.schemas import has_bidi_control


def _bad_name(path: Path) -> str | None:
    text = str(path)
    if "\x00" in text:
        return "holds NUL"
    try:
        text.encode("utf-8")  # undecodable bytes arrive as lone surrogates, which cannot encode
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if has_bidi_control(text):
        return "holds a bidirectional control character (it would not read as it is)"
    return None


def collect_files(paths: Sequence[Path]) -> list[tuple[str, Path, int]]:
    """(name under data/, path, size) for every file named or inside a directory named.

    Refuses symlinks anywhere (a link could pull in a file from outside what was meant),
    special files, empty files and names that are not clean UTF-8: evidence is what was asked
    for, byte for byte, or nothing.
    """
    found: list[tuple[str, Path, int]] = []

    def add(path: Path, name: str) -> None:
        problem = _bad_name(path)
        if problem:
            raise InvalidInput(f"the name {str(path)!r} {problem}; rename it first")
        try:
            info = path.lstat()
        except FileNotFoundError:
            raise InvalidInput(f"{path} does not exist") from None
        if stat.S_ISLNK(info.st_mode):
            raise InvalidInput(f"{path} is a symbolic link; seal the file it points to instead")
        if stat.S_ISDIR(info.st_mode):
            for child in sorted(path.iterdir()):
                add(child, f"{name}/{child.name}")
            return
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{path} is not a regular file")
        if info.st_size == 0:
            raise InvalidInput(f"{path} is empty; a zero-byte file is not evidence")
        found.append((name, path, info.st_size))

    for path in paths:
        add(path, path.resolve().name if path.name in ("", ".", "..") else path.name)
    if not found:
        raise InvalidInput("nothing to seal: the directories given hold no file")
    return found
