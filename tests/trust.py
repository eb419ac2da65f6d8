"""A directory for one node alone: its authorities and its audit log, signed by a fresh
operator key that the node then pins. What `audit verify` needs to judge the log."""

from __future__ import annotations

import pytest

from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.node import Node
from tests.conftest import system_ctx

ENDPOINT = "http://127.0.0.1:9"


def publish_self(
    node: Node, env: dict[str, str] | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[bytes, str]:
    """Publish and import the node's own directory; pin the operator key in node.settings (and
    in `env` and the process environment, for CLI runs). Returns (operator private, public)."""
    private, public, kid = operator.new_operator_key()
    with node.db.session() as session:
        entries = operator.local_entries(session=session, endpoint=ENDPOINT, kinds=["ping", "note"])
        log = operator.local_log(session=session, origin=node.settings.node_name, endpoint=ENDPOINT)
        version = (directory.current_version(session=session) or 0) + 1
        doc = operator.build_document(
            operator="test-operator",
            version=version,
            entries=entries,
            revoked=[],
            issued_at=node.clock.now(),
            logs=[log],
        )
        token = document.sign_directory(doc=doc, operator_private_raw=private, operator_kid=kid)
        directory.import_document(
            session=session,
            token=token,
            pinned_operator_public_raw=operator.operator_public_raw(private),
            ctx=system_ctx(),
            clock=node.clock,
        )
    node.settings = node.settings.model_copy(update={"directory_operator_key": public})
    if env is not None:
        env["LIAISON_DIRECTORY_OPERATOR_KEY"] = public
    if monkeypatch is not None:
        monkeypatch.setenv("LIAISON_DIRECTORY_OPERATOR_KEY", public)
    return private, public
