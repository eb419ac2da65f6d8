"""Node configuration: ``LIAISON_*`` environment variables, or a TOML file (``LIAISON_CONFIG``).

The settings object is read-only. An unusable configuration stops the node at start-up with a
sentence saying which setting is wrong, rather than failing later in a request.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import tomllib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# The only value the development defaults may use; refused outside dev mode.
DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - a marker, refused in prod


class ConfigError(Exception):
    """The configuration cannot be used; the message names the setting."""


class Env(StrEnum):
    dev = "dev"
    prod = "prod"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIAISON_", frozen=True, extra="forbid", env_ignore_empty=True
    )

    # dev relaxes secrets (generated into the data folder) and allows plain HTTP on loopback.
    env: Env = Env.dev
    # Everything the node writes lives here: SQLite file, blob store, key-encryption key in dev.
    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "var")
    # SQLite inside data_dir when empty; PostgreSQL via postgresql+psycopg://.
    database_url: str = ""
    # Signs web sessions and CSRF tokens.
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    # Key-encryption key: 32 bytes, base64. Wraps every private key stored by the node.
    kek: SecretStr | None = None
    kek_file: Path | None = None
    # How long a login session token lives, in minutes.
    session_minutes: int = Field(default=720, ge=5, le=7 * 24 * 60)
    # A browser's session also ends after this many minutes without a page asked for: an
    # office screen left open is not a session left open all day.
    web_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Login throttling, over a sliding window. An address with this many failures (on any
    # accounts: password spraying) is refused outright. An account with this many failures is
    # under attack: it then admits only its holder, signing in from an address that signed in
    # to it before or with the second factor (a guess of the password alone no longer counts).
    login_window_seconds: int = Field(default=900, ge=60)
    login_max_failures_account: int = Field(default=5, ge=1)
    login_max_failures_address: int = Field(default=20, ge=1)
    # Largest request body the API reads, and a much smaller one for sign-in, which anyone may
    # call (resumable uploads and the federation endpoints have their own limits).
    api_max_body_bytes: int = Field(default=2 << 20, ge=64 << 10)
    api_login_max_body_bytes: int = Field(default=16 << 10, ge=1024)
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or
    # networks, e.g. ["127.0.0.1", "10.0.0.0/8"]). Empty: the peer address is the client's,
    # whatever a header says; a forged header can neither hide an address nor dodge throttling.
    trusted_proxies: list[str] = Field(default_factory=list)
    # A signed checkpoint of the audit chain head is written every this many entries.
    audit_checkpoint_every: int = Field(default=100, ge=1)
    # ... and the worker signs one this often: with the entries since the last, or the same
    # tree with a fresh time (the log is still vouched for).
    audit_checkpoint_seconds: float = Field(default=300.0, ge=1)
    # `liaison audit verify` fails when the newest checkpoint is older than this, or when more
    # entries than this follow it: what no checkpoint covers could be removed without a trace.
    audit_verify_max_age_seconds: float = Field(default=3600.0, ge=1)
    audit_verify_max_unchecked: int = Field(default=1000, ge=0)
    # Name of this node: the origin of its audit log's checkpoints (a C2SP key name: no spaces
    # or "+"), published with its log key in the directory.
    node_name: str = Field(
        default="liaison-node", min_length=1, max_length=100, pattern=r"^[^\s+]+$"
    )

    # Federation. The directory operator's Ed25519 public key (base64url, raw 32 bytes), pinned:
    # only directory documents it signed are imported.
    directory_operator_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{43}$")
    # This node's public base URL, published in the directory (e.g. https://liaison.gov.vn).
    public_url: str | None = None
    # TLS towards peers: a CA bundle to trust instead of the system's, and an optional client
    # certificate for mutual TLS.
    federation_ca_file: Path | None = None
    federation_client_cert: Path | None = None
    federation_client_key: Path | None = None
    # Envelopes older than this (or this far in the future) are refused as replays.
    federation_freshness_seconds: int = Field(default=600, ge=60, le=86400)
    # Limits checked before parsing anything a peer sends.
    federation_max_envelope_bytes: int = Field(default=1024 * 1024, ge=4096)
    federation_max_batch_bytes: int = Field(default=16 * 1024 * 1024, ge=65536)
    # Worker: envelopes per delivery, idle poll interval, and the retry backoff bounds.
    worker_batch_size: int = Field(default=100, ge=1, le=100)
    # A claimed envelope is leased to its worker this long; a worker killed mid-delivery holds
    # it back (and its thread) until the lease runs out.
    worker_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    worker_poll_seconds: float = Field(default=0.05, gt=0, le=60)
    worker_backoff_max_seconds: float = Field(default=300.0, ge=1)
    # Evidence packages between nodes: the chunk each request carries (the unit a crash can lose
    # and a resume re-sends), the largest package a peer may announce, and an optional bandwidth
    # cap for links shared with other traffic (bytes per second, none when unset).
    transfer_chunk_bytes: int = Field(default=8 << 20, ge=64 << 10, le=64 << 20)
    transfer_max_package_bytes: int = Field(default=64 << 30, ge=1 << 20)
    transfer_max_bytes_per_second: int | None = Field(default=None, ge=64 << 10)
    # E-mail for reminders: off unless smtp_host is set. STARTTLS is used when the server offers
    # it and required when smtp_starttls is true.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "liaison@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    # How often the worker looks for request deadlines that are due or overdue.
    deadline_scan_seconds: float = Field(default=60.0, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("LIAISON_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        if not value.is_absolute():
            raise ValueError(f"data_dir must be an absolute path, not {str(value)!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(
            ("sqlite:///", "sqlite+pysqlite:///", "postgresql+psycopg://")
        ):
            raise ValueError("database_url must start with sqlite:/// or postgresql+psycopg://")
        return value

    @model_validator(mode="after")
    def _no_default_secrets_in_prod(self) -> Settings:
        if self.env is Env.prod:
            if self.secret_key.get_secret_value() in ("", DEV_SECRET):
                raise ValueError(
                    "LIAISON_SECRET_KEY is missing or left at its development default; "
                    "set a random value of at least 32 characters"
                )
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("LIAISON_SECRET_KEY must be at least 32 characters in prod")
            if self.kek is None and self.kek_file is None:
                raise ValueError(
                    "no key-encryption key: set LIAISON_KEK (32 bytes, base64) or LIAISON_KEK_FILE"
                )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'liaison.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def kek_bytes(self) -> bytes:
        """The 32-byte key-encryption key; in dev mode generated once into the data folder."""
        raw: str | None = None
        if self.kek is not None:
            raw = self.kek.get_secret_value()
        elif self.kek_file is not None:
            try:
                raw = self.kek_file.read_text().strip()
            except OSError as exc:
                raise ConfigError(
                    f"cannot read LIAISON_KEK_FILE {self.kek_file}: {exc.strerror}"
                ) from exc
        elif self.env is Env.dev:
            raw = _dev_kek(self.data_dir / "dev-kek")
        if raw is None:
            raise ConfigError("no key-encryption key configured (LIAISON_KEK or LIAISON_KEK_FILE)")
        try:
            key = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigError("the key-encryption key is not valid base64") from exc
        if len(key) != 32:
            raise ConfigError(f"the key-encryption key must be 32 bytes, got {len(key)}")
        return key


def _dev_kek(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = base64.b64encode(secrets.token_bytes(32)).decode()
    # O_EXCL: two processes starting together must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "configuration"
        if error["type"] == "extra_forbidden":
            parts.append(f"unknown setting {where!r}")
            continue
        setting = f"LIAISON_{where.upper()}" if error["loc"] else where
        parts.append(f"{setting}: {error['msg']}")
    return "; ".join(parts)


def load_settings(**overrides: Any) -> Settings:
    """Read the configuration, turning every problem into a ConfigError with one sentence."""
    config_file = os.environ.get("LIAISON_CONFIG")
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"LIAISON_CONFIG names {config_file}, which is not a file")
        try:
            tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"LIAISON_CONFIG {config_file} is not valid TOML: {exc}") from exc
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration: {_describe(exc)}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
