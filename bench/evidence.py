"""Evidence benchmarks of issue 5, each against a baseline run by this script on the same file.

    python bench/evidence.py            # 2 GiB input
    python bench/evidence.py --quick    # 256 MiB input, well under a minute

Prints human-readable lines, then one final JSON line. Ratios are our throughput divided by the
baseline's (higher is better; >= 0.8 is the target for ingest). Throughputs are in GB/s (1e9
bytes per second). Parts not measured yet (seal, verify, small files) are null.

Ingest runs in a child process so its peak RSS (VmHWM) is its own; its time is the ingest call
(hash + encrypt + store, fsync included), without the interpreter's start-up. openssl is timed
as a whole process, start-up included (a few milliseconds). The input is read once first so
both read from a warm page cache; each ingest writes into a fresh store.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MIB = 1 << 20
RUNS = 3  # best of: both sides get the same number of tries


def make_input(*, folder: Path, size: int) -> Path:
    """A file of random (incompressible) bytes, written in 8 MiB blocks."""
    path = folder / "input.bin"
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(8 * MIB, left))
            out.write(block)
            left -= len(block)
    os.sync()
    return path


def warm(path: Path) -> None:
    with path.open("rb", buffering=0) as stream:
        while stream.read(8 * MIB):
            pass


def measure_openssl(path: Path) -> float:
    """Best wall time of ``openssl dgst -sha256 FILE``, in seconds."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(["openssl", "dgst", "-sha256", str(path)], check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def _child_ingest(path: Path, store_root: Path) -> None:
    """Runs in the child: one ingest, then its time and peak RSS as JSON on stdout."""
    from liaison.evidence.ingest import ingest
    from liaison.evidence.store import LocalBlobStore

    store = LocalBlobStore(store_root)
    kek = os.urandom(32)
    with path.open("rb", buffering=0) as source:
        start = time.perf_counter()
        result = ingest(source=source, store=store, kek=kek, max_bytes=1 << 40)
        seconds = time.perf_counter() - start
    status = Path("/proc/self/status").read_text()
    hwm_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"seconds": seconds, "peak_rss_kib": hwm_kib, "digest": result.digest}))


def measure_ingest(path: Path, *, folder: Path) -> tuple[float, float, str]:
    """Best ingest time (s), the highest peak RSS (MiB) across runs, and the digest."""
    best, peak, digest = float("inf"), 0.0, ""
    for run in range(RUNS):
        store_root = folder / f"store{run}"
        os.sync()  # earlier runs' dirty pages must not be flushed on our time
        out = subprocess.run(
            [sys.executable, __file__, "--child-ingest", str(path), str(store_root)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(out.stdout.splitlines()[-1])
        best = min(best, figures["seconds"])
        peak = max(peak, figures["peak_rss_kib"] / 1024)
        digest = figures["digest"]
        shutil.rmtree(store_root)
    return best, peak, digest


def bench_ingest(path: Path, *, folder: Path) -> dict[str, Any]:
    size = path.stat().st_size
    openssl_s = measure_openssl(path)
    ingest_s, peak_mib, digest = measure_ingest(path, folder=folder)
    check = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", str(path)], check=True, capture_output=True, text=True
    )
    assert digest == "sha256:" + check.stdout.split()[0], "ingest digest differs from openssl's"
    print(f"openssl dgst -sha256: {openssl_s:.3f} s, ingest: {ingest_s:.3f} s, {peak_mib:.0f} MiB")
    return {
        "ingest_vs_openssl": round(openssl_s / ingest_s, 3),
        "ingest_gbps": round(size / ingest_s / 1e9, 3),
        "openssl_gbps": round(size / openssl_s / 1e9, 3),
        "peak_rss_mib": round(peak_mib, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB instead of 2 GiB")
    parser.add_argument("--size-mib", type=int, help="input size, overrides --quick")
    parser.add_argument(
        "--child-ingest", nargs=2, metavar=("FILE", "STORE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child_ingest:
        _child_ingest(Path(args.child_ingest[0]), Path(args.child_ingest[1]))
        return
    size = (args.size_mib or (256 if args.quick else 2048)) * MIB
    results: dict[str, Any] = {
        "size_mib": size // MIB,
        "ingest_vs_openssl": None,
        "seal_vs_script": None,
        "verify_vs_baseline": None,
        "small_files_vs_bagit": None,
        "peak_rss_mib": None,
    }
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        folder = Path(tmp)
        path = make_input(folder=folder, size=size)
        warm(path)
        results |= bench_ingest(path, folder=folder)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
