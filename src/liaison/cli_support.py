"""What every CLI command shares: loading the node, turning errors into sentences and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from liaison.config import ConfigError, load_settings
from liaison.core.errors import LiaisonError
from liaison.crypto.keys import KeyUnwrapError
from liaison.node import Node

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

EXIT_CONFIG = 78  # sysexits.h EX_CONFIG

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Every command: a known failure prints one sentence and exits with its code, no traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            raise fail(str(exc), EXIT_CONFIG) from None
        except LiaisonError as exc:
            raise fail(exc.message, exc.exit_code) from None
        except KeyUnwrapError as exc:
            raise fail(str(exc), 1) from None

    return wrapper


def load_node() -> Node:
    return Node.from_settings(load_settings())


@contextmanager
def unit_of_work(node: Node) -> Iterator[Session]:
    """One command's transaction, with the same rules as an API request (Database.boundary)."""
    with node.db.boundary() as session:
        yield session


def read_secret(prompt: str, *, confirm: bool) -> str:
    """A password from the terminal, or from stdin when piped (scripts, tests)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value
