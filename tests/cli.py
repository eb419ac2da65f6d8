"""Run the real `liaison` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable

from rich.cells import cell_len


def run_cli(
    env: dict[str, str], *args: str, stdin: str = "", timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")} | env
    return subprocess.run(
        [sys.executable, "-m", "liaison", *args],
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def assert_fits(output: str, width: int, words: Iterable[str]) -> None:
    """No line of `output` is wider than `width`, and every one of `words` stands whole on a
    line: none was cut in two by wrapping ("extra/ditio/n")."""
    lines = output.splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, f"lines wider than {width}:\n" + "\n".join(too_wide)
    cut = [word for word in words if not any(word in line for line in lines)]
    assert not cut, f"words cut or missing at {width} columns: {cut}\n{output}"
