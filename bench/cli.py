"""Start-up of a simple command: `liaison request list`, as an operator types it.

    .venv/bin/python bench/cli.py [--quick] [--rounds N] [--before SRC]

One node (SQLite, `liaison init`, one authority, one officer) in a temporary folder. Each round
runs, one after the other in a fresh interpreter each time: the baseline `python -c "import
liaison"` (an interpreter starting and finding the package), the floor `python -c "import
sqlalchemy.orm, pydantic_settings, typer, rich.console"` (the libraries a command cannot do
without), and `liaison request list --as vn.officer` with this tree's code; with --before SRC
also the same command with the code in SRC (e.g. `git archive main src | tar -x -C /tmp/before`
then --before /tmp/before/src). Bytecode is written as an installed package has it, after a
warm-up run of each.

On a shared machine the seconds move with the load; the ratios to the baseline, measured in the
same rounds, move much less. Prints one line per figure, then one JSON line: the medians in
seconds and the ratios of each command's median to the baseline's and to the floor's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PASSPHRASE = "bench-passphrase-long-enough\n"  # noqa: S105 - a throwaway node
KEK = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64; a throwaway node
CLI = "import sys; from liaison.cli import main; sys.argv[0] = 'liaison'; main()"
FLOOR = "import sqlalchemy.orm, pydantic_settings, typer, rich.console"


def _env(data: Path, src: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled once, kept ...
    env["PYTHONPYCACHEPREFIX"] = str(data / "pycache")  # ... outside the source tree
    return env | {
        "PYTHONPATH": str(src),
        "LIAISON_ENV": "dev",
        "LIAISON_DATA_DIR": str(data),
        "LIAISON_DATABASE_URL": f"sqlite:///{data / 'liaison.sqlite3'}",
        "LIAISON_KEK": KEK,
        "COLUMNS": "80",
    }


def _run(env: dict[str, str], *args: str, stdin: str = "") -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return seconds


def _liaison(env: dict[str, str], *args: str, stdin: str = "") -> float:
    return _run(env, "-c", CLI, *args, stdin=stdin)


SETUP = """
import sys
from typer.testing import CliRunner
from liaison.cli import app
runner = CliRunner()
for args, given in (
    (["init"], ""),
    (["authority", "add", "vn-mps", "--state", "VN", "--name", "en=Ministry",
      "--role", "central_authority", "--lang", "en"], ""),
    (["user", "add", "-a", "vn-mps", "vn.officer", "-r", "officer"], sys.argv[1] * 2),
):
    result = runner.invoke(app, args, input=given)
    assert result.exit_code == 0, (args, result.output)
"""


def _setup(env: dict[str, str]) -> None:
    """One node, one authority, one officer: three commands in one interpreter."""
    _run(env, "-c", SETUP, PASSPHRASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds, under a minute")
    parser.add_argument("--rounds", type=int, help="rounds of measurement (default 3 or 9)")
    parser.add_argument("--before", type=Path, help="another tree's src/ to measure alongside")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 9)
    with tempfile.TemporaryDirectory(prefix="liaison-bench-cli-") as tmp:
        data = Path(tmp)
        trees = {"after": SRC} | ({"before": args.before.resolve()} if args.before else {})
        envs = {name: _env(data, src) for name, src in trees.items()}
        _setup(envs["after"])
        listing = ("request", "list", "--as", "vn.officer")
        runs: dict[str, list[float]] = {"baseline": [], "floor": []} | {n: [] for n in trees}
        for env in envs.values():  # warm-up: bytecode written, files in the page cache
            _liaison(env, *listing)
        for _ in range(rounds):
            runs["baseline"].append(_run(envs["after"], "-c", "import liaison"))
            runs["floor"].append(_run(envs["after"], "-c", FLOOR))
            for name, env in envs.items():
                runs[name].append(_liaison(env, *listing))
    medians = {name: statistics.median(seconds) for name, seconds in runs.items()}
    for name, seconds in runs.items():
        shown = " ".join(f"{s:.2f}" for s in seconds)
        print(f"{name:>8}: median {medians[name]:.2f} s  ({shown})")
    figures: dict[str, object] = {"bench": "cli", "command": " ".join(listing), "rounds": rounds}
    figures |= {f"{name}_s": round(m, 3) for name, m in medians.items()}
    for name in trees:
        figures[f"{name}_per_baseline"] = round(medians[name] / medians["baseline"], 2)
        figures[f"{name}_per_floor"] = round(medians[name] / medians["floor"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
