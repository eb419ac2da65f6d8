"""Every table the `liaison` command prints, at 80 and at 120 columns (COLUMNS, as a narrow
terminal sets it): no line is wider, and no word is cut in two by wrapping (`request list` used
to print "extra/ditio/n"). Real subprocesses on one node with requests, keys, users, a
directory, an outbox and refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from liaison import composition
from liaison.accounts.models import User
from liaison.audit import refusals
from liaison.core.permissions import Role
from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.federation import messages
from liaison.node import Node
from liaison.requests import service as requests
from liaison.requests.contents import RequestKind
from liaison.requests.schemas import RequestCreate
from tests.cli import assert_fits, run_cli
from tests.conftest import Factory, system_ctx
from tests.unit.requests.test_request_kinds import COMPLETE

ENDPOINT = "http://127.0.0.1:9199"
# Long words on purpose: the kind and status names, and references, that used to be cut.
DRAFTS = [
    (RequestKind.SENTENCED_PERSON_TRANSFER, "ru-gpo", "VN-2026-transfer-of-sentenced-0007"),
    (RequestKind.EXTRADITION, "ru-gpo", "VN-2026-extradition-0042"),
    (RequestKind.PRESERVATION, "de-bka", "VN-2026-preservation-0001"),
]


@pytest.fixture
def filled(node: Node, settings: Any) -> Iterator[dict[str, Any]]:
    live = Node.from_settings(settings)  # the subprocesses stamp with the system clock
    factory = Factory(live)
    for authority_id in ("vn-mps", "ru-gpo", "de-bka"):
        factory.authority(authority_id, authority_id[:2].upper())
    factory.user("vn.officer", "vn-mps", Role.officer)
    factory.user("vn.boss", "vn-mps", Role.supervisor)
    factory.user("vn.custodian", "vn-mps", Role.custodian, Role.auditor)
    private, _, kid = operator.new_operator_key()
    with live.db.session() as session:
        entries = operator.local_entries(
            session=session, endpoint=ENDPOINT, kinds=composition.kind_names()
        )
    doc = operator.build_document(
        operator="test-operator", version=1, entries=entries, revoked=[], issued_at=live.clock.now()
    )
    token = document.sign_directory(doc=doc, operator_private_raw=private, operator_kid=kid)
    ids = []
    with live.db.session() as session:
        directory.import_document(
            session=session,
            token=token,
            pinned_operator_public_raw=operator.operator_public_raw(private),
            ctx=system_ctx(),
            clock=live.clock,
        )
        officer = session.scalars(select(User).where(User.username == "vn.officer")).one()
        for kind, to, reference in DRAFTS:
            draft = RequestCreate(
                kind=kind, to=to, reference=reference, language="en", content=COMPLETE[kind]
            )
            created = requests.create_draft(
                session=session, user=officer, draft=draft, ctx=system_ctx(), clock=live.clock
            )
            ids.append(created.id)
        messages.send_note(
            session=session,
            sender="vn-mps",
            recipient="ru-gpo",
            text="Xin chào",
            ctx=system_ctx(),
            clock=live.clock,
        )
        for _ in range(2):
            refusals.count(
                session=session, channel="federation", reason="malformed", clock=live.clock
            )
        session.commit()
    yield {"ids": ids}
    live.db.dispose()


def _shown(env: dict[str, str], width: int, *args: str) -> str:
    result = run_cli(env | {"COLUMNS": str(width)}, *args)
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


def _json(env: dict[str, str], *args: str) -> Any:
    return json.loads(_shown(env, 200, *args, "--json"))


def _words(*values: object) -> list[str]:
    return [word for value in values for word in str(value).split()]


@pytest.mark.parametrize("width", [80, 120])
def test_request_tables_fit(env: dict[str, str], filled: dict[str, Any], width: int) -> None:
    rid = filled["ids"][0]
    submitted = run_cli(env, "request", "submit", "--as", "vn.officer", rid)
    assert submitted.returncode == 0, submitted.stderr
    listed = _json(env, "request", "list", "--as", "vn.officer")["items"]
    assert len(listed) == len(DRAFTS)
    words = _words(*(f"{r['id']} {r['kind']} {r['status']} {r['reference']}" for r in listed))
    assert_fits(_shown(env, width, "request", "list", "--as", "vn.officer"), width, words)

    one = _json(env, "request", "show", "--as", "vn.officer", rid, "--events")
    shown = _shown(env, width, "request", "show", "--as", "vn.officer", rid, "--events")
    request = one["request"]
    assert_fits(
        shown,
        width,
        _words(request["id"], request["kind"], request["status"], request["reference"])
        + _words(*(f"{e['action']} {e['from_status']} {e['to_status']}" for e in one["events"])),
    )
    grounds = _json(env, "request", "grounds", "--kind", "extradition")
    assert_fits(
        _shown(env, width, "request", "grounds", "--kind", "extradition"),
        width,
        _words(*(f"{g['code']} {g['label']}" for g in grounds)),
    )


@pytest.mark.parametrize("width", [80, 120])
def test_node_tables_fit(env: dict[str, str], filled: dict[str, Any], width: int) -> None:
    keys = _json(env, "keys", "list", "vn-mps")
    assert {k["purpose"] for k in keys} == {"signing", "encryption"}
    assert_fits(
        _shown(env, width, "keys", "list", "vn-mps"),
        width,
        _words(*(f"{k['id']} {k['purpose']} {k['algorithm']} {k['public_key']}" for k in keys)),
    )
    found = _json(env, "directory", "show")
    assert_fits(
        _shown(env, width, "directory", "show"),
        width,
        _words(*(f"{a['id']} {a['endpoint']} {' '.join(a['roles'] + a['kinds'])}" for a in found)),
    )
    users = _shown(env, width, "user", "list", "-a", "vn-mps")
    assert_fits(users, width, ["vn.officer", "vn.boss", "vn.custodian", "custodian", "auditor"])
    hosted = _shown(env, width, "authority", "list")
    assert_fits(hosted, width, ["vn-mps", "ru-gpo", "de-bka", "central_authority", "Authority"])
    sent = _shown(env, width, "outbox")
    assert_fits(sent, width, ["vn-mps", "ru-gpo", "note", "pending"])
    # the node fixture's clock is months behind the command's
    refused = _shown(env, width, "audit", "refusals", "--hours", "8784")
    assert_fits(refused, width, ["federation", "malformed"])
    sent_note = _shown(env, width, "note", "send", "--from", "vn-mps", "--to", "ru-gpo", "Hi")
    assert "\t" not in sent_note
    assert_fits(sent_note, width, ["Note", "Thread", "Queued", "for", "ru-gpo"])
    threads = _shown(env, width, "note", "list", "-a", "vn-mps")
    assert_fits(threads, width, ["ru-gpo", "messages"])
