from __future__ import annotations

import os
from pathlib import Path

import pytest

from liaison.config import ConfigError, Env, load_settings

GOOD_SECRET = "x" * 40
GOOD_KEK = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:

    for name in list(os.environ):
        if name.startswith("LIAISON_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path))


def test_dev_defaults_put_sqlite_inside_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.env is Env.dev
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'liaison.sqlite3'}"
    # dev generates a key-encryption key once, then reuses it
    assert settings.kek_bytes() == load_settings().kek_bytes()
    assert len(settings.kek_bytes()) == 32


def test_relative_data_dir_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DATA_DIR", "var/data")
    with pytest.raises(ConfigError, match=r"LIAISON_DATA_DIR.*absolute"):
        load_settings()


def test_prod_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_ENV", "prod")
    monkeypatch.setenv("LIAISON_KEK", GOOD_KEK)
    with pytest.raises(
        ConfigError, match=r"LIAISON_SECRET_KEY is missing or left at its development default"
    ):
        load_settings()


def test_prod_refuses_a_missing_kek(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_ENV", "prod")
    monkeypatch.setenv("LIAISON_SECRET_KEY", GOOD_SECRET)
    with pytest.raises(ConfigError, match="no key-encryption key"):
        load_settings()


def test_prod_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_ENV", "prod")
    monkeypatch.setenv("LIAISON_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("LIAISON_KEK", GOOD_KEK)
    assert load_settings().kek_bytes() == b"0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("kek", "message"),
    [("not base64!!", "not valid base64"), ("c2hvcnQ=", "must be 32 bytes")],
)
def test_bad_kek_is_named(monkeypatch: pytest.MonkeyPatch, kek: str, message: str) -> None:
    monkeypatch.setenv("LIAISON_KEK", kek)
    with pytest.raises(ConfigError, match=message):
        load_settings().kek_bytes()


def test_unknown_database_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DATABASE_URL", "mysql://root@localhost/x")
    with pytest.raises(ConfigError, match="LIAISON_DATABASE_URL"):
        load_settings()


def test_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "liaison.toml"
    config.write_text(f'node_name = "hanoi-1"\nsession_minutes = 60\nkek = "{GOOD_KEK}"\n')
    monkeypatch.setenv("LIAISON_CONFIG", str(config))
    settings = load_settings()
    assert settings.node_name == "hanoi-1"
    assert settings.session_minutes == 60


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("node_name = ", "not valid TOML"),
        ("session_minutes = 1\n", "LIAISON_SESSION_MINUTES"),
        ("no_such_setting = 1\n", "no_such_setting"),
    ],
)
def test_malformed_toml_is_a_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str, message: str
) -> None:
    config = tmp_path / "liaison.toml"
    config.write_text(content)
    monkeypatch.setenv("LIAISON_CONFIG", str(config))
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_missing_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIAISON_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="not a file"):
        load_settings()
