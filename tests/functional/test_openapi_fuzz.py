"""The API against its own OpenAPI document, fuzzed by schemathesis: no answer is a server
error, and every answer (status, content type, headers, body) is what the document says.

Bounded (a few examples per operation) so the whole suite stays quick; the caller is a user
holding every role of an authority, so most operations get past authorisation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from liaison import composition
from liaison.accounts import tokens
from liaison.accounts.models import User
from liaison.core.permissions import Role
from liaison.directory import document, operator
from liaison.directory import service as directory
from liaison.node import Node
from tests.conftest import Factory, system_ctx

EXAMPLES = 25


@pytest.fixture
def caller(factory: Factory, node: Node) -> Callable[[], dict[str, str]]:
    """A fresh token for every case: a generated logout must not sign out the cases after."""
    factory.authority("vn-mps", "VN")
    factory.authority("ru-gpo", "RU")
    user_id = factory.user("vn.everything", "vn-mps", *Role).id
    _publish_directory(node)

    def headers() -> dict[str, str]:
        with node.db.session() as session:
            _record, secret = tokens.issue(
                session=session,
                user=session.get_one(User, user_id),
                name="fuzz",
                kind=tokens.SESSION,
                lifetime=timedelta(hours=1),
                ctx=system_ctx(),
                clock=node.clock,
            )
            session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return headers


def _publish_directory(node: Node) -> None:
    """Both authorities in a signed directory, imported: the routes that need one work."""
    private, _public, kid = operator.new_operator_key()
    with node.db.session() as session:
        entries = operator.local_entries(
            session=session, endpoint="http://127.0.0.1:9100", kinds=composition.kind_names()
        )
        doc = operator.build_document(
            operator="fuzz", version=1, entries=entries, revoked=[], issued_at=node.clock.now()
        )
        directory.import_document(
            session=session,
            token=document.sign_directory(doc=doc, operator_private_raw=private, operator_kid=kid),
            pinned_operator_public_raw=operator.operator_public_raw(private),
            ctx=system_ctx(),
            clock=node.clock,
        )
        session.commit()


CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


def test_every_operation_answers_as_documented(
    client: Any, caller: Callable[[], dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=caller(), checks=CHECKS)

        try:
            run()
        except BaseException as exc:  # every operation is tried; all failures are reported
            if isinstance(exc, KeyboardInterrupt):
                raise
            # A flaky failure is a group: say what failed, not only that it did.
            inner = "; ".join(str(e) for e in getattr(exc, "exceptions", ()))
            failures.append(f"{operation.method.upper()} {operation.path}: {exc} {inner}"[:2000])
    assert not failures, "\n\n".join(failures)
