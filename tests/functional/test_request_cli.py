"""`liaison request ...` as an operator uses it: real subprocesses on one node hosting three
authorities, with the same checks as the API (roles, four eyes, visibility) and no tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from liaison import composition
from liaison.audit.models import AuditEntry
from liaison.core.permissions import Role
from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.federation import delivery as worker
from liaison.federation.transport import LoopbackTransport
from liaison.node import Node
from liaison.requests.contents import RequestKind
from tests.cli import run_cli
from tests.conftest import Factory, system_ctx
from tests.unit.requests.test_request_kinds import COMPLETE

# The test node runs no HTTP server: the directory names this endpoint and the test delivers
# through a loopback transport straight back into the same node.
ENDPOINT = "http://127.0.0.1:9199"
USERS = [
    ("vn.officer", "vn-mps", Role.officer),
    ("vn.boss", "vn-mps", Role.supervisor),
    ("vn.chief", "vn-mps", Role.supervisor),
    ("ru.contact", "ru-gpo", Role.contact_24_7),
    ("ru.officer", "ru-gpo", Role.officer),
    ("ru.chief", "ru-gpo", Role.supervisor),
    ("de.chief", "de-bka", Role.supervisor),
]


@pytest.fixture
def live(node: Node, settings: Any) -> Iterator[Node]:
    """The test node on the system clock, since the subprocesses stamp envelopes with real
    time (the `node` fixture still empties the tables afterwards)."""
    live = Node.from_settings(settings)
    factory = Factory(live)
    for authority_id in ("vn-mps", "ru-gpo", "de-bka"):
        factory.authority(authority_id, authority_id[:2].upper())
    for username, authority_id, role in USERS:
        factory.user(username, authority_id, role)
    private, _, kid = operator.new_operator_key()
    with live.db.session() as session:
        entries = operator.local_entries(
            session=session, endpoint=ENDPOINT, kinds=composition.kind_names()
        )
    doc = operator.build_document(
        operator="test-operator", version=1, entries=entries, revoked=[], issued_at=live.clock.now()
    )
    token = document.sign_directory(doc=doc, operator_private_raw=private, operator_kid=kid)
    with live.db.session() as session:
        directory.import_document(
            session=session,
            token=token,
            pinned_operator_public_raw=operator.operator_public_raw(private),
            ctx=system_ctx(),
            clock=live.clock,
        )
    yield live
    live.db.dispose()


def deliver(node: Node) -> None:
    transport = LoopbackTransport({ENDPOINT: node})
    for _ in range(10):
        if not worker.deliver_once(node, transport).delivered:
            return


def ok(env: dict[str, str], *args: str, stdin: str = "") -> Any:
    """Run a command with --json and return its one JSON document."""
    result = run_cli(env, "request", *args, "--json", stdin=stdin)
    assert result.returncode == 0, (args, result.stderr)
    return json.loads(result.stdout)


def refused(env: dict[str, str], code: int, *args: str, stdin: str = "") -> str:
    result = run_cli(env, "request", *args, stdin=stdin)
    assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return " ".join(result.stderr.split())


def test_request_lifecycle_through_the_cli(env: dict[str, str], live: Node, tmp_path: Path) -> None:
    content = tmp_path / "content.json"
    content.write_text(json.dumps(COMPLETE[RequestKind.PRESERVATION]), encoding="utf-8")
    created = ok(
        env,
        "new",
        "--as",
        "vn.boss",
        "--kind",
        "preservation",
        "--to",
        "ru-gpo",
        "--language",
        "en",
        "--reference",
        "VN-2026-0042",
        "--content",
        str(content),
        "--preservation-days",
        "90",
    )
    rid = created["id"]
    assert created["status"] == "draft"
    assert created["preservation_days"] == 90
    assert ok(env, "submit", "--as", "vn.boss", rid)["status"] == "awaiting_approval"

    # four eyes: the submitter may not approve; an officer lacks the role altogether
    assert "four-eyes" in refused(env, 6, "approve", "--as", "vn.boss", rid)
    assert "request:request:approve" in refused(env, 6, "approve", "--as", "vn.officer", rid)
    # the draft is no longer editable, and sending before approval is an invalid transition
    assert "cannot send" in refused(env, 4, "send", "--as", "vn.boss", rid)
    approved = ok(env, "approve", "--as", "vn.chief", rid)
    assert approved["status"] == "approved"
    assert approved["approved_by"] == "vn.chief"
    assert ok(env, "send", "--as", "vn.boss", rid)["status"] == "sent"

    deliver(live)
    # the requested side's 24/7 contact sees a preservation request without being assigned
    for action, expected in [("ack", "acknowledged"), ("start", "in_execution")]:
        assert ok(env, action, "--as", "ru.contact", rid)["status"] == expected
    response = tmp_path / "response.json"
    response.write_text(json.dumps({"preserved": ["203.0.113.7 logs"]}), encoding="utf-8")
    executed = ok(env, "respond", "--as", "ru.contact", rid, "--response", str(response))
    assert executed["status"] == "executed"
    assert executed["preservation_expiry"] is not None
    deliver(live)

    requested = ok(env, "show", "--as", "ru.contact", rid, "--events")
    requesting = ok(env, "show", "--as", "vn.boss", rid, "--events")
    assert requested["request"]["holder"] == "ru-gpo"
    assert requesting["request"]["holder"] == "vn-mps"
    for field in ("status", "seq", "response", "preservation_expiry", "approved_by"):
        assert requesting["request"][field] == requested["request"][field], field
    assert requesting["request"]["status"] == "executed"
    assert [e["to_status"] for e in requesting["events"]][-4:] == [
        "received",
        "acknowledged",
        "in_execution",
        "executed",
    ]
    assert set(requesting["events"][0]) == {
        "seq",
        "action",
        "from_status",
        "to_status",
        "side",
        "actor",
        "at",
        "ground",
        "reason",
    }

    listed = ok(env, "list", "--as", "vn.boss", "--status", "executed")
    assert [r["id"] for r in listed["items"]] == [rid]
    assert listed["total"] == 1
    assert set(listed["items"][0]) == set(requesting["request"])

    # a third authority's user cannot learn the request exists, nor act on it
    assert f"no request {rid}" in refused(env, 3, "show", "--as", "de.chief", rid)
    assert f"no request {rid}" in refused(env, 3, "ack", "--as", "de.chief", rid)
    # nor can an unassigned officer of the requested authority, until assigned
    assert f"no request {rid}" in refused(env, 3, "show", "--as", "ru.officer", rid)
    assigned = run_cli(env, "request", "assign", "--as", "ru.chief", rid, "--user", "ru.officer")
    assert assigned.returncode == 0, assigned.stderr
    # the human summary, with the history table
    shown = run_cli(env, "request", "show", "--as", "ru.officer", rid, "--events")
    assert shown.returncode == 0, shown.stderr
    assert "executed" in shown.stdout
    assert "history" in shown.stdout
    assert ok(env, "list", "--as", "de.chief")["items"] == []
    listed_human = run_cli(env, "request", "list", "--as", "vn.boss")
    assert listed_human.returncode == 0, listed_human.stderr
    assert rid in listed_human.stdout
    # a preservation in place: the requesting side extends it, the requested side warns
    expiry = requesting["request"]["preservation_expiry"]
    assert "requesting authority" in refused(
        env, 4, "extend", "--as", "ru.contact", rid, "--days", "30"
    )
    asked = ok(env, "extend", "--as", "vn.boss", rid, "--days", "30")
    assert asked["preservation_expiry"] == expiry  # until the requested node confirms
    deliver(live)
    extended = ok(env, "show", "--as", "vn.boss", rid)
    assert extended["preservation_days"] == 120
    assert extended["preservation_expiry"] != expiry
    ok(env, "warn", "--as", "ru.contact", rid, "--text", "Logs rotate weekly.")
    deliver(live)
    history = ok(env, "show", "--as", "vn.boss", rid, "--events")["events"]
    assert history[-1]["action"] == "warning"
    # what is due next: the preservation's expiry, on the list of what has something due
    due = ok(env, "list", "--as", "vn.boss", "--due")
    assert [r["id"] for r in due["items"]] == [rid]
    assert due["items"][0]["due_what"] == "preservation_expiry"
    human = run_cli(env, "request", "show", "--as", "vn.boss", rid)
    assert "preservation expiry by" in " ".join(human.stdout.split())
    # closing is the requesting side's proposal; the requested node applies and echoes it
    ok(env, "close", "--as", "vn.boss", rid)
    deliver(live)
    assert ok(env, "show", "--as", "vn.boss", rid)["status"] == "closed"
    assert "cannot acknowledge" in refused(env, 4, "ack", "--as", "ru.contact", rid)

    # audited as cli:<username>, including the refused approval (a kept security event); an
    # unseen request is a plain "not found", as in the API, so de.chief leaves no entry
    with live.db.session() as session:
        actors = set(session.scalars(select(AuditEntry.actor).where(AuditEntry.channel == "cli")))
    assert {"cli:vn.boss", "cli:vn.chief", "cli:ru.contact", "cli:vn.officer"} <= actors


def test_bad_input_is_a_sentence_and_an_exit_code(
    env: dict[str, str], live: Node, tmp_path: Path
) -> None:
    def new(*extra: str, content: str = "-", stdin: str = "{}") -> str:
        args = ["new", "--as", "vn.officer", "--to", "ru-gpo", "--language", "en"]
        return refused(env, 2, *args, "--content", content, *extra, stdin=stdin)

    assert "unknown request kind 'teleport'" in new("--kind", "teleport")
    assert "not valid JSON" in new("--kind", "mla", stdin="{not json")
    assert "cannot read the content file" in new("--kind", "mla", content=str(tmp_path / "none"))
    bad = {"offences": [{"code": "art99"}], "facts": 7}
    problems = new("--kind", "preservation", stdin=json.dumps(bad))
    assert "invalid request content" in problems
    assert "offences" in problems
    assert "facts" in problems
    assert "preservation_days" in new("--kind", "preservation", "--preservation-days", "30")
    assert "unknown language" in refused(
        env,
        2,
        *("new", "--as", "vn.officer", "--to", "ru-gpo", "--language", "xx"),
        *("--kind", "mla", "--content", "-"),
        stdin="{}",
    )
    assert "no user named 'nobody'" in refused(env, 3, "list", "--as", "nobody")

    # an empty draft saves, but its submission lists every missing item at once
    draft = ok(
        env,
        *("new", "--as", "vn.officer", "--kind", "preservation", "--to", "ru-gpo"),
        *("--language", "en", "--content", "-"),
        stdin="{}",
    )
    missing = refused(env, 2, "submit", "--as", "vn.officer", draft["id"])
    assert "cannot be submitted yet" in missing
    assert missing.count(":") >= 3
    complete = json.dumps(COMPLETE[RequestKind.PRESERVATION])
    edited = ok(env, "edit", "--as", "vn.officer", draft["id"], "--content", "-", stdin=complete)
    assert edited["version"] == 2
    assert ok(env, "submit", "--as", "vn.officer", draft["id"])["status"] == "awaiting_approval"

    grounds = ok(env, "grounds", "--kind", "mla")
    assert {"code", "use", "label", "article", "consult_first"} == set(grounds[0])
    assert any(g["consult_first"] for g in grounds)
    assert {g["use"] for g in grounds} == {"refuse", "postpone"}


def test_what_a_form_needs_from_the_cli(env: dict[str, str], live: Node, tmp_path: Path) -> None:
    """A draft to an authority no request can reach is refused at once; a draft is checked
    without being stored; the schema, the code lists and the grounds come in a language."""
    complete = tmp_path / "complete.json"
    complete.write_text(json.dumps(COMPLETE[RequestKind.PRESERVATION]), encoding="utf-8")
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"case_reference": "VN-2026-0042"}), encoding="utf-8")
    draft = ["--as", "vn.officer", "--kind", "preservation", "--language", "en"]
    nowhere = refused(env, 2, "new", *draft, "--to", "zz-nowhere", "--content", str(complete))
    assert "zz-nowhere is neither hosted on this node nor listed in the directory" in nowhere

    result = run_cli(
        env, "request", "validate", *draft, "--to", "ru-gpo", "--content", str(partial),
        "--lang", "ru",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "content.legal_basis: Не указано: правовое основание" in result.stdout  # noqa: RUF001
    checked = ok(env, "validate", *draft, "--to", "ru-gpo", "--content", str(complete))
    assert checked == {"submittable": True, "problems": []}
    assert ok(env, "list", "--as", "vn.boss")["total"] == 0  # nothing was stored

    schema = run_cli(
        env, "request", "schema", "--kind", "mla", "--subtype", "assets", "--lang", "vi"
    )
    assert schema.returncode == 0, schema.stderr
    assert json.loads(schema.stdout)["properties"]["subtype"]["const"] == "assets"
    assert {"code": "VN", "label": "Вьетнам"} in ok(env, "codes", "states", "--lang", "ru")
    grounds = ok(env, "grounds", "--kind", "extradition", "--lang", "de")
    assert {g["label"] for g in grounds} >= {"Verfolgung wegen des Geschlechts"}
