"""The `liaison` command as an operator uses it: real subprocesses, exit codes, sentences."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from sqlalchemy import select

from liaison.accounts.models import User
from liaison.audit import refusals
from liaison.keyring.models import StoredKey
from liaison.node import Node
from tests.cli import run_cli
from tests.trust import publish_self

GOOD = "a-long-passphrase-1\n"


def add_authority(env: dict[str, str], authority_id: str = "vn-mps", state: str = "VN") -> None:
    result = run_cli(
        env,
        "authority",
        "add",
        authority_id,
        "--state",
        state,
        "--name",
        "vi=Bộ Công an",
        "--name",
        "en=Ministry of Public Security",
        "--role",
        "central_authority",
        "--lang",
        "vi",
        "--lang",
        "en",
    )
    assert result.returncode == 0, result.stderr


def test_init_user_keys_and_audit(env: dict[str, str], node: Node) -> None:
    assert run_cli(env, "init").returncode == 0
    add_authority(env)
    added = run_cli(
        env,
        "user",
        "add",
        "--authority",
        "vn-mps",
        "vn.officer",
        "--role",
        "officer",
        stdin=GOOD + GOOD,
    )
    assert added.returncode == 0, added.stderr
    duplicate = run_cli(
        env, "user", "add", "-a", "vn-mps", "vn.officer", "-r", "officer", stdin=GOOD
    )
    assert duplicate.returncode == 4
    assert "already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr

    before = json.loads(run_cli(env, "keys", "list", "vn-mps", "--json").stdout)
    rotated = run_cli(env, "keys", "rotate", "vn-mps")
    assert rotated.returncode == 0, rotated.stderr
    with node.db.session() as session:
        keys = list(session.scalars(select(StoredKey).where(StoredKey.authority_id == "vn-mps")))
    assert len(keys) == 4
    assert sum(k.retired_at is None for k in keys) == 2
    # the old public keys are still there, for verifying what they signed
    assert len(before) == 2
    assert {k["public_key"] for k in before} <= {k.public_key for k in keys}

    changed = run_cli(env, "user", "passwd", "vn.officer", stdin="another-long-passphrase\n")
    assert changed.returncode == 0, changed.stderr
    publish_self(node, env)
    assert run_cli(env, "audit", "checkpoint").returncode == 0
    verified = run_cli(env, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_bad_input_exit_codes_and_nothing_written(env: dict[str, str], node: Node) -> None:
    add_authority(env)
    cases = [
        (("user", "add", "-a", "xx-none", "someone", "-r", "officer"), GOOD, 3, "no authority"),
        (("user", "add", "-a", "vn-mps", "weak.one", "-r", "officer"), "short\n", 2, "too short"),
        (("user", "add", "-a", "vn-mps", "weak.two", "-r", "officer"), "\n", 2, "empty"),
        (
            ("user", "add", "-a", "vn-mps", "Bad Name;--", "-r", "officer"),
            GOOD,
            2,
            "invalid username",
        ),
        (("user", "passwd", "nobody"), GOOD, 3, "no user named"),
        (("keys", "rotate", "xx-none"), "", 3, "no authority"),
        (
            (
                "authority",
                "add",
                "zz-x",
                "--state",
                "ZZ",
                "--name",
                "en=X",
                "--role",
                "central_authority",
                "--lang",
                "en",
            ),
            "",
            2,
            "not an ISO 3166-1",
        ),
        (
            (
                "authority",
                "add",
                "zz-x",
                "--state",
                "VN",
                "--name",
                "en=X",
                "--role",
                "central_authority",
                "--lang",
                "klingon",
            ),
            "",
            2,
            "unknown language",
        ),
        (
            (
                "authority",
                "add",
                "vn-mps",
                "--state",
                "VN",
                "--name",
                "en=X",
                "--role",
                "central_authority",
                "--lang",
                "en",
            ),
            "",
            4,
            "already exists",
        ),
    ]
    for args, stdin, code, message in cases:
        result = run_cli(env, *args, stdin=stdin)
        assert result.returncode == code, (args, result.returncode, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    with node.db.session() as session:
        assert list(session.scalars(select(User))) == []


def test_malformed_config_is_one_sentence(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("node_name = [unclosed\n")
    result = run_cli({**env, "LIAISON_CONFIG": str(bad)}, "audit", "verify")
    assert result.returncode == 78
    assert "not valid TOML" in result.stderr
    relative = run_cli({**env, "LIAISON_DATA_DIR": "relative/dir"}, "init")
    assert relative.returncode == 78
    assert "absolute" in relative.stderr
    prod = run_cli({**env, "LIAISON_ENV": "prod"}, "init")
    assert prod.returncode == 78
    assert "LIAISON_SECRET_KEY" in prod.stderr


def test_wrong_kek_cannot_use_the_keys(env: dict[str, str], node: Node) -> None:
    add_authority(env)
    other = "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="
    result = run_cli({**env, "LIAISON_KEK": other}, "audit", "checkpoint")
    assert result.returncode == 1
    assert "wrong key-encryption key" in result.stderr


def test_the_nodes_files_are_its_own(env: dict[str, str], data_dir: Path) -> None:
    """The SQLite database and the key-encryption key were created world-readable."""
    data_dir.chmod(0o755)
    own = env | {"LIAISON_DATABASE_URL": "", "LIAISON_KEK": ""}  # both inside data_dir
    done = run_cli(own, "init")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("liaison.sqlite3", "dev-kek"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name


def test_refusals_of_anonymous_input_are_listed(env: dict[str, str], node: Node) -> None:
    assert run_cli(env, "init").returncode == 0
    with node.db.session() as session:
        for _ in range(3):
            refusals.count(
                session=session, channel="federation", reason="malformed", clock=node.clock
            )
        session.commit()
    # The node fixture's fake clock is months behind the command's.
    listed = run_cli(env, "audit", "refusals", "--hours", "8784")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^\S+ \d\d:00\s+federation\s+malformed\s+3\s*$", listed.stdout, re.M)
