"""`liaison keys export-identity`, `liaison evidence seal` and `liaison evidence verify` as an
operator uses them: real subprocesses, exit codes, sentences, and outside tools on the result."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from liaison.audit.context import AuditContext, Channel
from liaison.audit.models import AuditEntry
from liaison.core.permissions import Role
from liaison.crypto import keys
from liaison.evidence import custody
from liaison.evidence.models import EvidenceItem
from liaison.evidence.schemas import Acquisition
from liaison.evidence.service import ingest_item
from liaison.node import Node
from liaison.requests import service as requests
from liaison.requests.schemas import RequestCreate
from tests.cli import run_cli
from tests.conftest import Factory
from tests.functional.test_cli import add_authority
from tests.trust import publish_self

AGE = shutil.which("age")
BAGIT = Path(sys.executable).parent / "bagit.py"
IMAGE = os.urandom(300_000)  # several age chunks and tar blocks
NOTES = "Saisie du 24/11 — téléphone n°2\n".encode()


def _signing_public(env: dict[str, str], authority: str) -> str:
    listed = run_cli(env, "keys", "list", authority, "--json")
    assert listed.returncode == 0, listed.stderr
    return str(
        next(k["public_key"] for k in json.loads(listed.stdout) if k["purpose"] == "signing")
    )


@pytest.fixture
def sealed(env: dict[str, str], factory: Factory, tmp_path: Path) -> dict[str, Path | str]:
    """Two hosted authorities; an officer of fr-pnc seals two files for vn-mps, whose identity
    is exported."""
    assert run_cli(env, "init").returncode == 0
    add_authority(env, "fr-pnc", "FR")
    add_authority(env, "vn-mps", "VN")
    publish_self(factory.node, env)
    factory.user("fr.officer", "fr-pnc")
    identity = tmp_path / "vn-mps.identity"
    exported = run_cli(env, "keys", "export-identity", "vn-mps", "--out", str(identity))
    assert exported.returncode == 0, exported.stderr
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "image.bin").write_bytes(IMAGE)
    (evidence / "notes é.txt").write_bytes(NOTES)
    package = tmp_path / "REQ-1.age"
    files = [str(evidence / "image.bin"), str(evidence / "notes é.txt")]
    args = ["--request", "REQ-1", "--as", "fr.officer", "--recipient", "vn-mps"]
    done = run_cli(env, "evidence", "seal", *files, *args, "--out", str(package))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("sha256:")
    return {
        "identity": identity,
        "package": package,
        "sender_key": _signing_public(env, "fr-pnc"),
        "evidence": evidence,
    }


def _offline(*args: str) -> subprocess.CompletedProcess[str]:
    """No LIAISON_* variable at all: no configuration, no database."""
    return run_cli({"HOME": "/nonexistent"}, *args)


def _export_identity_file(sealed: dict[str, Path | str], env: dict[str, str]) -> None:
    identity = Path(sealed["identity"])
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    lines = identity.read_text().splitlines()
    assert lines[0].startswith("# Liaison age identity of vn-mps, key ")
    assert lines[-1].startswith("AGE-SECRET-KEY-1")
    before = identity.read_bytes()
    again = run_cli(env, "keys", "export-identity", "vn-mps", "--out", str(identity))
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert identity.read_bytes() == before
    assert run_cli(env, "audit", "checkpoint").returncode == 0
    audit = run_cli(env, "audit", "verify")
    assert audit.returncode == 0, audit.stderr


def _verify_offline_every_check_passes(sealed: dict[str, Path | str]) -> None:
    package, identity = str(sealed["package"]), str(sealed["identity"])
    result = _offline(
        "evidence",
        "verify",
        package,
        "--identity",
        identity,
        "--sender-key",
        str(sealed["sender_key"]),
    )
    assert result.returncode == 0, result.stderr
    checks = [
        ln for ln in result.stdout.splitlines() if ln.split(" ")[0] in {"PASS", "FAIL", "SKIP"}
    ]
    assert len(checks) >= 7
    assert all(line.startswith("PASS") for line in checks), result.stdout
    assert any("signature" in line for line in checks)


def _verify_with_sender_looked_up_on_node(
    sealed: dict[str, Path | str], env: dict[str, str]
) -> None:
    result = run_cli(env, "evidence", "verify", str(sealed["package"]), "--sender", "fr-pnc")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS signature" in result.stdout


def _outside_tools_accept_the_package(sealed: dict[str, Path | str], tmp_path: Path) -> None:
    assert AGE is not None
    plain = tmp_path / "package.tar"
    subprocess.run(
        [AGE, "-d", "-i", str(sealed["identity"]), "-o", str(plain), str(sealed["package"])],
        check=True,
    )
    with tarfile.open(plain) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    bag = tmp_path / "out" / "REQ-1"
    assert (bag / "data" / "image.bin").read_bytes() == IMAGE
    checked = subprocess.run(
        [sys.executable, str(BAGIT), "--validate", str(bag)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def _one_changed_byte_fails(sealed: dict[str, Path | str], tmp_path: Path) -> None:
    package = Path(sealed["package"])
    altered = tmp_path / "altered.age"
    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))
    result = _offline("evidence", "verify", str(altered), "--identity", str(sealed["identity"]))
    assert result.returncode == 1
    assert "FAIL age decryption" in result.stdout
    assert "altered.age: check 'age decryption' failed" in result.stderr
    truncated = tmp_path / "truncated.age"
    truncated.write_bytes(package.read_bytes()[:-100])
    cut = _offline("evidence", "verify", str(truncated), "--identity", str(sealed["identity"]))
    assert cut.returncode == 1
    assert "check 'age decryption' failed" in cut.stderr


def _changed_payload_byte_names_the_file(sealed: dict[str, Path | str], tmp_path: Path) -> None:
    """A byte changed inside the bag (re-encrypted, so age itself is satisfied): the payload
    digest check fails and names the file."""
    assert AGE is not None
    identity = str(sealed["identity"])
    plain = tmp_path / "package.tar"
    subprocess.run(
        [AGE, "-d", "-i", identity, "-o", str(plain), str(sealed["package"])], check=True
    )
    data = bytearray(plain.read_bytes())
    data[data.index(IMAGE[:64]) + 1000] ^= 0x01
    plain.write_bytes(bytes(data))
    recipient = subprocess.run(
        [AGE + "-keygen", "-y", identity], check=True, capture_output=True, text=True
    ).stdout.strip()
    altered = tmp_path / "altered.age"
    subprocess.run([AGE, "-e", "-r", recipient, "-o", str(altered), str(plain)], check=True)
    result = _offline("evidence", "verify", str(altered), "--identity", identity)
    assert result.returncode == 1
    assert "FAIL payload digest" in result.stdout
    assert "data/image.bin" in result.stderr


def _wrong_or_missing_identity(sealed: dict[str, Path | str], tmp_path: Path) -> None:

    other = tmp_path / "other.identity"
    other.write_text(keys.age_identity(keys.generate("encryption").private_raw) + "\n")
    wrong = _offline("evidence", "verify", str(sealed["package"]), "--identity", str(other))
    assert wrong.returncode == 1
    assert "not encrypted to this identity" in wrong.stderr
    missing = _offline(
        "evidence", "verify", str(sealed["package"]), "--identity", str(tmp_path / "nope")
    )
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr + wrong.stderr


# One node set-up per test: each CLI call is a process start, and the suite must stay fast.
def test_export_seal_and_verify(
    sealed: dict[str, Path | str], env: dict[str, str], tmp_path: Path
) -> None:
    _export_identity_file(sealed, env)
    _verify_offline_every_check_passes(sealed)
    _verify_with_sender_looked_up_on_node(sealed, env)
    if AGE is None:
        pytest.skip("the age command is not installed: outside checks not run")
    _outside_tools_accept_the_package(sealed, tmp_path)


def test_altered_package_or_wrong_identity_fails(
    sealed: dict[str, Path | str], tmp_path: Path
) -> None:
    _one_changed_byte_fails(sealed, tmp_path)
    _wrong_or_missing_identity(sealed, tmp_path)
    if AGE is None:
        pytest.skip("the age command is not installed: re-encrypted alteration not checked")
    _changed_payload_byte_names_the_file(sealed, tmp_path)


def test_seal_refusals(sealed: dict[str, Path | str], env: dict[str, str], tmp_path: Path) -> None:
    evidence = Path(sealed["evidence"])
    empty = tmp_path / "empty.bin"
    empty.touch()
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "real.bin").write_bytes(b"x")
    (linked / "link.bin").symlink_to(evidence / "image.bin")
    bad_name = os.fsdecode(bytes(tmp_path) + b"/bad\xffname.bin")
    Path(bad_name).write_bytes(b"x")
    out = tmp_path / "refused.age"
    args = ["--request", "REQ-2", "--as", "fr.officer", "--recipient", "vn-mps", "--out", str(out)]
    cases = {
        str(empty): "empty",
        str(tmp_path / "missing.bin"): "does not exist",
        str(linked): "symbolic link",
        bad_name: "not valid UTF-8",
    }
    for path, sentence in cases.items():
        result = run_cli(env, "evidence", "seal", path, *args)
        assert result.returncode == 2, (path, result.stderr)
        assert sentence in result.stderr
        assert "Traceback" not in result.stderr
    existing = run_cli(
        env, "evidence", "seal", str(evidence / "image.bin"), *args[:-1], str(sealed["package"])
    )
    assert existing.returncode == 2
    assert "already exists" in existing.stderr
    # Nothing half-written is left beside --out.
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def _custody_is_shown_and_exported_as_case(env: dict[str, str], item_id: str) -> None:
    shown = run_cli(env, "evidence", "custody", item_id, "--as", "fr.officer")
    assert shown.returncode == 0, shown.stderr
    lines = [line.split("\t") for line in shown.stdout.splitlines()]
    assert [line[1] for line in lines] == ["acquired", "ingested", "sealed"]
    assert lines[0][2] == "Lt. Martin"
    assert lines[2][2] == "fr.officer (fr.officer, fr-pnc)"
    exported = run_cli(env, "evidence", "custody", item_id, "--as", "fr.officer", "--case")
    assert exported.returncode == 0, exported.stderr
    graph = json.loads(exported.stdout)["@graph"]
    actions = [n for n in graph if n["@type"] == "case-investigation:InvestigativeAction"]
    assert [a["uco-core:name"] for a in actions] == ["acquired", "ingested", "sealed"]
    assert actions[0]["uco-action:startTime"]["@value"] == "2026-11-20T10:00:00+01:00"


def test_seal_of_request_items_extends_their_chain_of_custody(
    env: dict[str, str], node: Node, factory: Factory, tmp_path: Path
) -> None:
    """Files that are evidence items of the sender's request copy get `sealed` in their chain;
    a file that is no item is sealed too, with the audit entry as its only record."""

    assert run_cli(env, "init").returncode == 0
    add_authority(env, "fr-pnc", "FR")
    add_authority(env, "vn-mps", "VN")
    officer = factory.user("fr.officer", "fr-pnc")
    ctx = AuditContext(actor="fr.officer", channel=Channel.api, authority_id="fr-pnc")
    with node.db.session() as session:
        request = requests.create_draft(
            session=session,
            user=officer,
            draft=RequestCreate(
                kind="mla",
                to="vn-mps",
                content={},
                language="fr",
                reference="FR-2026-7",
                subtype=None,
            ),
            ctx=ctx,
            clock=node.clock,
        )
        session.flush()
        item = ingest_item(
            session=session,
            node=node,
            user=officer,
            request_id=request.id,
            source=io.BytesIO(IMAGE),
            name="image.bin",
            description="",
            source_label="",
            acquisition=Acquisition(by="Lt. Martin", at="2026-11-20T10:00:00+01:00"),
            ctx=ctx,
        )
        item_id = item.id
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "image.bin").write_bytes(IMAGE)
    (evidence / "notes.txt").write_bytes(NOTES)
    package = tmp_path / "FR-2026-7.age"
    done = run_cli(
        env,
        "evidence",
        "seal",
        str(evidence),
        "--request",
        "FR-2026-7",
        "--as",
        "fr.officer",
        "--recipient",
        "vn-mps",
        "--out",
        str(package),
    )
    assert done.returncode == 0, done.stderr
    assert "sealed recorded on 1 evidence item(s)" in " ".join(done.stdout.split())
    package_digest = done.stdout.strip().splitlines()[-1].split()[0]
    with node.db.session() as session:
        stored = session.get_one(EvidenceItem, item_id)
        chain = custody.events(session=session, item=stored)
        assert [e.event for e in chain] == ["acquired", "ingested", "sealed"]
        assert chain[-1].detail["package"] == package_digest
        assert chain[-1].actor.startswith("cli:")
        assert (
            session.scalar(select(EvidenceItem.id).where(EvidenceItem.name == "notes.txt")) is None
        )
    _custody_is_shown_and_exported_as_case(env, item_id)
    # Someone of the authority who may not see the request cannot seal for it, and someone
    # without evidence:item:write cannot seal at all (each refusal audited, nothing written).
    factory.user("fr.other", "fr-pnc")
    factory.user("fr.auditor", "fr-pnc", Role.auditor)
    for username, code in (("fr.other", 3), ("fr.auditor", 6)):
        hidden = run_cli(env, "evidence", "custody", item_id, "--as", username, "--case")
        assert hidden.returncode == code, hidden.stderr
        assert hidden.stdout == ""
    for username, code, sentence in (
        ("fr.other", 3, "no request"),
        ("fr.auditor", 6, "evidence:item:write"),
    ):
        refused = run_cli(
            env,
            "evidence",
            "seal",
            str(evidence),
            "--request",
            "FR-2026-7",
            "--as",
            username,
            "--recipient",
            "vn-mps",
            "--out",
            str(tmp_path / f"{username}.age"),
        )
        assert refused.returncode == code, refused.stderr
        assert sentence in refused.stderr
        assert not (tmp_path / f"{username}.age").exists()
    with node.db.session() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "authz:access:denied")
        ).all()
    assert [(e.actor, e.target) for e in denied] == [
        ("cli:fr.auditor", "permission:evidence:item:read"),
        ("cli:fr.auditor", "permission:evidence:item:write"),
    ]
