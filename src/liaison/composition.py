"""What Liaison is made of, said once: every feature's tables, envelope kinds and their handlers,
HTTP routers, CLI command groups and worker loops.

The entry points build themselves from here: `create_app` (kinds, routers), `liaison worker`
(loops), the `liaison` command (command groups), the migrations and the tests (tables, and
everything else). Nothing below this module imports a feature in order to plug it in:
federation keeps a registry and the outbox loop, the worker runs the loops it is given. A new
feature plugs in by adding its lines here, and nowhere else.

Each section imports its modules when called, so that an entry point loads only what it runs:
the CLI no web routes and no handlers, the web application no commands. That keeps a command's
start-up short; the layers contract (.importlinter) sees these imports all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from sqlalchemy import MetaData
    from starlette.types import ASGIApp

    from liaison.evidence.transfer.wire import PackageClient
    from liaison.federation import kinds as registry
    from liaison.federation.transport import Transport
    from liaison.web.pages import Section
    from liaison.worker import Loop

# Every module that declares tables, so that Base.metadata is complete (migrations, drift
# checks, emptying the test database). Importing them is what registers them; metadata()
# imports them, not this module, so that a command that reads two tables does not load the
# mappers of all of them.
MODEL_MODULES = (
    "liaison.accounts.models",
    "liaison.audit.models",
    "liaison.authorities.models",
    "liaison.checkpoints.models",
    "liaison.directory.models",
    "liaison.evidence.models",
    "liaison.evidence.transfer.models",
    "liaison.federation.models",
    "liaison.keyring.models",
    "liaison.notifications.models",
    "liaison.requests.deadlines.models",
    "liaison.requests.formal.models",
    "liaison.requests.models",
    "liaison.transparency.models",
)


def metadata() -> MetaData:
    """Every table of the application."""
    import importlib  # noqa: PLC0415 - lazy, see MODEL_MODULES

    from liaison.db.base import Base  # noqa: PLC0415 - lazy, see MODEL_MODULES

    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata


@dataclass(frozen=True)
class Kind:
    name: str
    handler: registry.Handler
    # The handler refuses before it writes anything (see federation.kinds.register).
    checks_first: bool = False


def kinds() -> tuple[Kind, ...]:
    """Every envelope kind this node handles, with its handler."""
    from liaison.evidence.transfer import arrival, incoming, outgoing  # noqa: PLC0415 - lazy, see top
    from liaison.federation import messages  # noqa: PLC0415 - lazy, see top
    from liaison.requests.lifecycle import consultations, handlers, workflow  # noqa: PLC0415 - idem
    from liaison.requests.preservation import service as preservation  # noqa: PLC0415 - idem
    from liaison.requests.prosecution import service as prosecution  # noqa: PLC0415 - idem
    from liaison.requests.sharing import exports  # noqa: PLC0415 - lazy, see top
    from liaison.transparency import publish, witness  # noqa: PLC0415 - lazy, see top

    return (
        Kind("ping", messages.on_ping, checks_first=True),
        Kind("pong", messages.on_pong, checks_first=True),
        Kind("note", messages.on_note, checks_first=True),
        Kind(workflow.KIND_TRANSMIT, handlers.on_transmit),
        Kind(workflow.KIND_ACTION, handlers.on_action),
        Kind(workflow.KIND_STATE, handlers.on_state),
        Kind(consultations.KIND_CONSULT, handlers.on_consultation),
        Kind(preservation.KIND, preservation.on_preservation),
        Kind(prosecution.KIND, prosecution.on_prosecution),
        Kind(exports.KIND_AUTHORISATION, exports.on_authorisation),
        Kind(outgoing.KIND_PACKAGE, incoming.on_package),
        Kind(arrival.KIND_VERIFIED, arrival.on_verified),
        Kind(witness.KIND_CHECKPOINT, witness.on_checkpoint),
        Kind(witness.KIND_COSIGNATURE, publish.on_cosignature),
    )


def api_routers() -> tuple[APIRouter, ...]:
    """Under /api/v1, for users (each route declares its permission)."""
    from liaison.accounts import api as accounts_api  # noqa: PLC0415 - lazy, see top
    from liaison.directory import api as directory_api  # noqa: PLC0415 - lazy, see top
    from liaison.evidence import api as evidence_api  # noqa: PLC0415 - lazy, see top
    from liaison.evidence.transfer import api as transfer_api  # noqa: PLC0415 - lazy, see top
    from liaison.evidence.uploads import api as uploads_api  # noqa: PLC0415 - lazy, see top
    from liaison.federation import api as federation_api  # noqa: PLC0415 - lazy, see top
    from liaison.notifications import api as notifications_api  # noqa: PLC0415 - lazy, see top
    from liaison.requests import api as requests_api  # noqa: PLC0415 - lazy, see top
    from liaison.requests.deadlines import api as deadlines_api  # noqa: PLC0415 - lazy, see top
    from liaison.requests.formal import api as formal_api  # noqa: PLC0415 - lazy, see top
    from liaison.requests.forms import api as forms_api  # noqa: PLC0415 - lazy, see top
    from liaison.requests.preservation import api as preservation_api  # noqa: PLC0415 - idem
    from liaison.requests.prosecution import api as prosecution_api  # noqa: PLC0415 - idem
    from liaison.requests.sharing import api as sharing_api  # noqa: PLC0415 - lazy, see top

    return (
        accounts_api.router,
        directory_api.router,
        federation_api.router,
        requests_api.router,
        deadlines_api.router,
        sharing_api.router,
        formal_api.router,
        forms_api.router,
        preservation_api.router,
        prosecution_api.router,
        evidence_api.router,
        transfer_api.router,
        uploads_api.router,
        notifications_api.router,
    )


def peer_routers() -> tuple[APIRouter, ...]:
    """At the root, for peer nodes (authenticated by signatures, not user tokens)."""
    from liaison.authorities import api as authorities_api  # noqa: PLC0415 - lazy, see top
    from liaison.evidence.transfer import api as transfer_api  # noqa: PLC0415 - lazy, see top
    from liaison.federation import api as federation_api  # noqa: PLC0415 - lazy, see top
    from liaison.transparency import api as transparency_api  # noqa: PLC0415 - lazy, see top

    return (
        federation_api.peer_router,
        transfer_api.peer_router,
        authorities_api.peer_router,
        transparency_api.peer_router,
    )


def web_sections() -> tuple[Section, ...]:
    """The web interface's pages by feature (liaison.web), each with its templates and the
    count it shows in the header; the shell's own (sign-in, account) come with it."""
    from liaison.notifications import web as notifications_web  # noqa: PLC0415 - lazy, see top
    from liaison.requests import web as requests_web  # noqa: PLC0415 - lazy, see top
    from liaison.requests import web_actions, web_dashboard, wizard  # noqa: PLC0415 - lazy, see top

    return (
        web_dashboard.section,
        wizard.section,
        requests_web.section,
        web_actions.section,
        notifications_web.section,
    )


def middlewares() -> tuple[Callable[[ASGIApp], ASGIApp], ...]:
    """Features' ASGI middleware, innermost first (the app's own wrap them)."""
    from liaison.evidence.uploads.api import TusMiddleware  # noqa: PLC0415 - lazy, see top

    # tus headers on every answer under /api/v1/uploads.
    return (TusMiddleware,)


# `liaison <name> ...`, in the order `liaison --help` lists them.
COMMAND_GROUPS = ("user", "keys", "audit", "authority", "note", "directory", "request", "evidence")


def command_group(name: str) -> typer.Typer:  # noqa: PLR0911 - one return per group
    """The group `liaison <name>` (one of COMMAND_GROUPS), its module imported now: the
    `liaison` command imports only the group that runs (liaison.cli), so `liaison request list`
    does not pay for the evidence commands."""
    match name:
        case "user":
            from liaison.accounts import cli as accounts_cli  # noqa: PLC0415 - lazy, see top

            return accounts_cli.app
        case "keys":
            from liaison.authorities import keys as keys_cli  # noqa: PLC0415 - lazy, see top

            return keys_cli.app
        case "audit":
            from liaison.transparency import cli as transparency_cli  # noqa: PLC0415 - lazy

            return transparency_cli.app
        case "authority":
            from liaison.authorities import cli as authorities_cli  # noqa: PLC0415 - lazy, see top

            return authorities_cli.app
        case "note":
            from liaison.federation import cli as federation_cli  # noqa: PLC0415 - lazy, see top

            return federation_cli.note_app
        case "directory":
            from liaison.directory import cli as directory_cli  # noqa: PLC0415 - lazy, see top

            return directory_cli.app
        case "request":
            from liaison.requests import cli as requests_cli  # noqa: PLC0415 - lazy, see top

            return requests_cli.app
        case "evidence":
            from liaison.evidence import cli as evidence_cli  # noqa: PLC0415 - lazy, see top

            return evidence_cli.app
    raise KeyError(f"no command group {name!r}")


def worker_loops(
    *, transport: Transport | None = None, packages: PackageClient | None = None
) -> list[Loop]:
    """What `liaison worker` runs, in this order. `transport` and `packages` replace the HTTPS
    clients (tests and benchmarks deliver between nodes in one process)."""
    from liaison.checkpoints import tasks as checkpoint_tasks  # noqa: PLC0415 - lazy, see top
    from liaison.evidence import tasks as evidence_tasks  # noqa: PLC0415 - lazy, see top
    from liaison.evidence.transfer.tasks import Transfers  # noqa: PLC0415 - lazy, see top
    from liaison.federation.delivery import OutboxDelivery  # noqa: PLC0415 - lazy, see top
    from liaison.notifications import tasks as notification_tasks  # noqa: PLC0415 - lazy, see top
    from liaison.requests.deadlines import tasks as deadline_tasks  # noqa: PLC0415 - lazy, see top
    from liaison.transparency import tasks as transparency_tasks  # noqa: PLC0415 - lazy, see top
    from liaison.worker import Loop, periodic  # noqa: PLC0415 - lazy, see top

    return [
        Loop(
            "outbox",
            lambda node: OutboxDelivery(node, transport),
            interval=lambda s: s.worker_poll_seconds,
        ),
        Loop(
            "transfers",
            lambda node: Transfers(node, packages),
            interval=lambda s: max(0.2, s.worker_poll_seconds),
            own_thread=True,
        ),
        Loop("deadlines", periodic(deadline_tasks.scan), lambda s: s.deadline_scan_seconds),
        Loop(
            "retention", periodic(evidence_tasks.apply_retention), lambda s: s.deadline_scan_seconds
        ),
        Loop("uploads", periodic(evidence_tasks.expire_uploads), lambda s: s.deadline_scan_seconds),
        Loop("email", periodic(notification_tasks.send_email), lambda s: s.deadline_scan_seconds),
        Loop("checkpoints", periodic(checkpoint_tasks.sign), lambda s: s.audit_checkpoint_seconds),
        # After signing: the newest checkpoint goes to the witnesses (other nodes' logs).
        Loop(
            "witnesses",
            periodic(transparency_tasks.publish),
            lambda s: s.audit_checkpoint_seconds,
        ),
    ]


def kind_names() -> list[str]:
    """The kinds this node handles, as its directory entry publishes them."""
    return sorted(kind.name for kind in kinds())


def outbox_scopes() -> dict[str, registry.OutboxScope]:
    """Who may see a feature's envelopes in the outbox, by kind prefix."""
    from liaison.evidence.transfer import outgoing  # noqa: PLC0415 - lazy, see top
    from liaison.requests import service as requests  # noqa: PLC0415 - lazy, see top
    from liaison.transparency import publish  # noqa: PLC0415 - lazy, see top

    return {
        "request.": requests.outbox_scope,
        "evidence.": outgoing.outbox_scope,
        "audit.": publish.outbox_scope,
    }


def assemble() -> None:
    """Register every envelope kind with its handler, and who sees each feature's envelopes.
    Idempotent; the web application (which receives envelopes) and the tests call it."""
    from liaison.federation import kinds as registry  # noqa: PLC0415 - lazy, see top

    for kind in kinds():
        registry.register(kind.name, kind.handler, checks_first=kind.checks_first)
    for prefix, scope in outbox_scopes().items():
        registry.register_scope(prefix, scope)
