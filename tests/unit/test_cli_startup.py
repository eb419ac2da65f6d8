"""What a `liaison` command imports before it runs: its own command group, not every feature's,
and neither the web stack nor the JOSE library when it signs nothing. Checked in a fresh
interpreter (this one has imported everything), by the modules loaded, not by a time."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

from typer.testing import CliRunner

from liaison import composition
from liaison.cli import app

GROUP_MODULES = {
    "user": "liaison.accounts.cli",
    "keys": "liaison.authorities.keys",
    "audit": "liaison.transparency.cli",
    "authority": "liaison.authorities.cli",
    "directory": "liaison.directory.cli",
    "request": "liaison.requests.cli",
    "evidence": "liaison.evidence.cli",
}
# Never needed to list requests: the web application, the JWS/JWE code, PDF rendering.
HEAVY = ("fastapi", "starlette", "joserfc.jws", "joserfc.jwe", "weasyprint", "pyhanko", "alembic")


def _loaded_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_command_imports_no_command_group() -> None:
    loaded = _loaded_after("import liaison.cli")
    assert not {module for module in GROUP_MODULES.values() if module in loaded}
    assert not [name for name in HEAVY if name in loaded]


def test_a_group_is_imported_when_it_runs_and_alone() -> None:
    loaded = _loaded_after(
        "from typer.testing import CliRunner\n"
        "from liaison.cli import app\n"
        "result = CliRunner().invoke(app, ['request', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
    )
    assert "liaison.requests.cli" in loaded
    others = {m for name, m in GROUP_MODULES.items() if name != "request" and m in loaded}
    assert not others
    assert not [name for name in HEAVY if name in loaded]


def test_every_group_is_listed_in_help_and_runs() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    for name in composition.COMMAND_GROUPS:
        assert f" {name} " in listing.output, name
        group = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert group.exit_code == 0, (name, group.output)
        assert f" {name} [OPTIONS] COMMAND [ARGS]..." in group.output
        # a group's help is the group's, not the top-level command's completion options
        assert "--install-completion" not in group.output


def test_a_misspelt_group_is_suggested() -> None:
    result = CliRunner().invoke(app, ["reqest", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "Did you mean 'request'?" in result.output


def test_an_unknown_group_is_refused() -> None:
    result = CliRunner().invoke(app, ["nonsense"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "No such command 'nonsense'" in result.output


def test_listing_requests_imports_the_reading_commands_alone() -> None:
    # `request list` (run here with an unknown user: the command is found and starts) loads
    # its own module, not the drafting or execution commands, nor the federation commands.
    loaded = _loaded_after(
        "from typer.testing import CliRunner\n"
        "from liaison.cli import app\n"
        "result = CliRunner().invoke(app, ['request', 'list', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
    )
    assert "liaison.requests.cli.reading" in loaded
    others = ("drafting", "execution", "forms", "preservation", "prosecution")
    assert not [m for m in others if f"liaison.requests.cli.{m}" in loaded]
    assert "liaison.federation.cli" not in loaded


def test_each_request_command_is_where_the_group_looks_for_it() -> None:
    # Import every module of the group: what they register is exactly what COMMANDS names,
    # each in the module COMMANDS says (a new command without its entry would be unreachable).
    app_module = importlib.import_module("liaison.requests.cli.app")  # the package's app is a Typer

    for module in set(app_module.COMMANDS.values()):
        __import__(f"liaison.requests.cli.{module}")
    found = {
        info.name: info.callback.__module__.rsplit(".", 1)[-1]
        for info in app_module.app.registered_commands
        if info.name and info.callback
    }
    assert found == app_module.COMMANDS


def test_every_request_command_is_listed_and_runs_its_help() -> None:
    from liaison.requests.cli.app import COMMANDS  # noqa: PLC0415 - the module under test

    runner = CliRunner()
    listing = runner.invoke(app, ["request", "--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in listing.output, name
        result = runner.invoke(app, ["request", name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (name, result.output)
    unknown = runner.invoke(app, ["request", "nonsense"], env={"COLUMNS": "200"})
    assert unknown.exit_code == 2
    assert "No such command 'nonsense'" in unknown.output
