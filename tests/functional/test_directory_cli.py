"""`liaison directory ...` across two nodes and an operator: real processes, real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import TEST_KEK


def node_env(root: Path, name: str) -> dict[str, str]:
    data = root / name
    data.mkdir()
    return {
        "LIAISON_ENV": "dev",
        "LIAISON_DATA_DIR": str(data),
        "LIAISON_DATABASE_URL": f"sqlite:///{data / 'liaison.sqlite3'}",
        "LIAISON_KEK": TEST_KEK,
        "LIAISON_NODE_NAME": name,
    }


def ok(env: dict[str, str], *args: str) -> str:
    result = run_cli(env, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(env: dict[str, str], *args: str, code: int = 2) -> str:
    result = run_cli(env, *args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return " ".join(result.stderr.split())


def add_authority(env: dict[str, str], aid: str, state: str, role: str, *langs: str) -> None:
    names = ("--name", f"en=Authority {aid}")
    lang_args = [arg for lang in langs for arg in ("--lang", lang)]
    ok(env, "authority", "add", aid, "--state", state, *names, "--role", role, *lang_args)


@pytest.fixture
def published(tmp_path: Path) -> dict[str, object]:
    """Two initialised nodes, their entries signed into version 1 by a fresh operator key."""
    vn = node_env(tmp_path, "vn")
    ru = node_env(tmp_path, "ru")
    ok(vn, "init")
    ok(ru, "init")
    add_authority(vn, "vn-mps", "VN", "contact_24_7", "vi", "en")
    add_authority(ru, "ru-gpo", "RU", "central_authority", "ru")
    key_file = tmp_path / "operator.key"
    created = ok(vn, "directory", "operator-key", "new", "--out", str(key_file))
    public = created.strip().splitlines()[-1].split("=")[-1]
    assert len(public) == 43
    ok(
        vn,
        "directory",
        "entries",
        "--endpoint",
        "http://127.0.0.1:8201",
        "--out",
        str(tmp_path / "vn.json"),
    )
    ok(ru, "directory", "entries", "--endpoint", "http://127.0.0.1:8202", "--kind", "note",
       "--out", str(tmp_path / "ru.json"))  # fmt: skip
    signed = tmp_path / "directory-1.jws"
    ok(
        vn,
        "directory",
        "export",
        "--operator-key",
        str(key_file),
        "--operator",
        "un-unodc",
        "--version",
        "1",
        "--out",
        str(signed),
        str(tmp_path / "vn.json"),
        str(tmp_path / "ru.json"),
    )
    return {"vn": vn, "ru": ru, "public": public, "key": key_file, "signed": signed}


def test_round_trip_between_two_nodes(tmp_path: Path, published: dict[str, object]) -> None:
    vn, ru = published["vn"], published["ru"]
    assert isinstance(vn, dict)
    assert isinstance(ru, dict)
    pin = {"LIAISON_DIRECTORY_OPERATOR_KEY": str(published["public"])}
    signed = str(published["signed"])
    assert "version 1 by un-unodc imported" in ok(vn | pin, "directory", "import", signed)
    ok(ru | pin, "directory", "import", signed)

    shown = ok(vn, "directory", "show", "--country", "RU")
    for word in ("ru-gpo", "RU", "central_authority", "ru", "note", "http://127.0.0.1:8202"):
        assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", shown), word
    assert "vn-mps" not in shown

    def ids(env: dict[str, str], *filters: str) -> list[str]:
        return sorted(a["id"] for a in json.loads(ok(env, "directory", "show", "--json", *filters)))

    assert ids(ru) == ["ru-gpo", "vn-mps"]
    assert ids(ru, "--role", "contact_24_7") == ["vn-mps"]
    assert ids(ru, "--language", "ru") == ["ru-gpo"]
    assert ids(ru, "--kind", "ping") == ["vn-mps"]
    assert ids(ru, "--country", "BY") == []

    # Same version again: refused, naming both versions.
    again = refused(vn | pin, "directory", "import", signed)
    assert "version 1 is not newer than the imported 1" in again

    # Version 2 carries a revocation, and version 3 built from --previous keeps it.
    keys = json.loads(ok(vn, "directory", "show", "--json", "--country", "VN"))[0]["keys"]
    sig_kid = next(k["kid"] for k in keys if k["use"] == "sig")
    operator = ("--operator-key", str(published["key"]), "--operator", "un-unodc")
    v2, v3 = tmp_path / "d2.jws", tmp_path / "d3.jws"
    entries = (str(tmp_path / "vn.json"), str(tmp_path / "ru.json"))
    ok(vn, "directory", "export", *operator, "--version", "2", "--revoke", f"{sig_kid}=stolen",
       "--out", str(v2), *entries)  # fmt: skip
    ok(vn, "directory", "export", *operator, "--previous", str(v2), "--out", str(v3), *entries)
    assert "version 3 by un-unodc imported" in ok(ru | pin, "directory", "import", str(v3))
    refused(ru | pin, "directory", "import", str(v2))


def test_import_refusals(tmp_path: Path, published: dict[str, object]) -> None:
    vn = published["vn"]
    assert isinstance(vn, dict)
    pin = {"LIAISON_DIRECTORY_OPERATOR_KEY": str(published["public"])}
    signed = Path(str(published["signed"]))
    token = signed.read_text().strip()

    unpinned = refused(vn, "directory", "import", str(signed))
    assert "no directory operator key is pinned" in unpinned

    other = ok(vn, "directory", "operator-key", "new", "--out", str(tmp_path / "other.key"))
    other_pin = {"LIAISON_DIRECTORY_OPERATOR_KEY": other.strip().splitlines()[-1].split("=")[-1]}
    assert "not signed by the pinned operator key" in refused(
        vn | other_pin, "directory", "import", str(signed)
    )

    bad_files = {
        "garbage.jws": "this is not a token at all\n",
        "json.jws": '{"v": 1, "version": 9}\n',
        "truncated.jws": token[: len(token) // 2] + "\n",
        "cut-signature.jws": token[:-10] + "\n",
        "empty.jws": "",
    }
    for name, content in bad_files.items():
        path = tmp_path / name
        path.write_text(content)
        message = refused(vn | pin, "directory", "import", str(path))
        assert f"{path} not imported" in message, message
    (tmp_path / "binary.jws").write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in refused(vn | pin, "directory", "import", str(tmp_path / "binary.jws"))
    assert "cannot read" in refused(vn | pin, "directory", "import", str(tmp_path / "missing"))

    # Nothing was stored: there is still no directory.
    assert "no directory imported" in refused(vn, "directory", "show", code=3)


def test_export_refusals(tmp_path: Path, published: dict[str, object]) -> None:
    vn = published["vn"]
    assert isinstance(vn, dict)
    operator = ("--operator-key", str(published["key"]), "--operator", "un-unodc")
    out = ("--out", str(tmp_path / "x.jws"))
    vn_json = str(tmp_path / "vn.json")
    (tmp_path / "bad.json").write_text('[{"id": "x"}]')
    assert "is not an entries file" in refused(
        vn, "directory", "export", *operator, "--version", "1", *out, str(tmp_path / "bad.json")
    )
    # The same node's entries twice: duplicate authority ids in one document.
    assert "must be unique" in refused(
        vn, "directory", "export", *operator, "--version", "1", *out, vn_json, vn_json
    )
    assert "--revoke takes KID=REASON" in refused(
        vn, "directory", "export", *operator, "--version", "1", "--revoke", "k1", *out, vn_json
    )
    assert "give --version" in refused(vn, "directory", "export", *operator, *out, vn_json)
    (tmp_path / "bad.key").write_text("not-a-key\n")
    assert "does not hold" in refused(
        vn, "directory", "export", "--operator-key", str(tmp_path / "bad.key"),
        "--operator", "un-unodc", "--version", "1", *out, vn_json,
    )  # fmt: skip
    assert "already exists" in refused(
        vn, "directory", "operator-key", "new", "--out", str(published["key"])
    )
    assert not (tmp_path / "x.jws").exists()
