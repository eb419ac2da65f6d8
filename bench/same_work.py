"""Baselines that do the same work as ours, with the tools a careful custodian would pipe.

Each takes the same input and produces the same kind of result, so a ratio says what our
code costs over the tools, not what this machine's disk costs:

- ingest (hash + encrypt + write + fsync): ``openssl dgst -sha256`` beside
  ``age -e -o BLOB``, then ``sync BLOB`` (the file flushed, as the store fsyncs each blob);
- seal (tar + hash + encrypt + write + fsync): ``openssl dgst -sha256`` beside
  ``tar cf - | age -e -o PACKAGE``, then ``sync PACKAGE``; ours hashes the payload too (no
  digest handed in) and also writes manifests, CASE provenance and the signature;
- verify (decrypt + untar + hash every file): ``age -d | tar xf - --to-command='openssl dgst
  -sha256'``, piped, nothing written; ours also checks the manifests and the signature.

The two sides of ingest and seal run in parallel, as ours uses two threads.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def _run(script: str, *args: str) -> float:
    os.sync()  # no step pays for the previous one's write-back
    start = time.perf_counter()
    subprocess.run(["bash", "-c", script, "bash", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def ingest_same_work(*, path: Path, recipient: str, out: Path) -> float:
    seconds = _run(
        'openssl dgst -sha256 "$1" >/dev/null & age -e -r "$2" -o "$3" "$1"; wait; sync "$3"',
        str(path),
        recipient,
        str(out),
    )
    out.unlink()
    return seconds


def seal_same_work(*, path: Path, recipient: str, out: Path) -> float:
    seconds = _run(
        'openssl dgst -sha256 "$1" >/dev/null & '
        'tar cf - -C "$(dirname "$1")" "$(basename "$1")" | age -e -r "$2" -o "$3"; '
        'wait; sync "$3"',
        str(path),
        recipient,
        str(out),
    )
    out.unlink()
    return seconds


def verify_same_work(*, package: Path, identity_file: Path) -> float:
    return _run(
        """set -o pipefail; age -d -i "$1" "$2" | tar xf - --to-command='openssl dgst -sha256' \
>/dev/null""",
        str(identity_file),
        str(package),
    )
