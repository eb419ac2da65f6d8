"""Run the real `liaison` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys


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
