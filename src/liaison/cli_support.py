"""What every CLI command shares: loading the node, turning errors into sentences and exit codes,
and printing tables that fit the terminal."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
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


def _narrowest(out: Console, table: Table) -> int:
    """The least width at which `table` breaks no word (measured without a limit, since rich
    clamps a measurement to the width it is given)."""
    return Measurement.get(out, out.options.update_width(10_000), table).minimum


def _fit(widest: list[int], longest_word: list[int], room: int) -> list[int] | None:
    """Column widths within `room` that cut no word, or None when even the longest words do
    not fit. Each column gets its longest word; what is left makes whole the columns that
    lack least, so that most cells keep to one line, and the rest goes to the column that
    lacks most (long free text). rich, left to itself, narrows the widest column first, below
    its longest word: "extra/ditio/n"."""
    if sum(longest_word) > room:
        return None
    widths = list(longest_word)
    spare = room - sum(widths)
    by_need = sorted(range(len(widths)), key=lambda i: widest[i] - longest_word[i])
    for i in by_need:
        grant = min(widest[i] - widths[i], spare)
        widths[i] += grant
        spare -= grant
    return widths


def print_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    title: str = "",
    empty: str = "",
    out: Console | None = None,
) -> None:
    """Rows under their headers, in the console's width (the terminal's, or COLUMNS, or 80).

    Cells wrap between words only. When the columns cannot fit without cutting a word (an id
    beside a kind beside a status, at 80 columns), or when they fit only by wrapping into more
    lines than one block per row would take, each row becomes a block instead: its first cell
    as a heading, then one "header  value" line per other cell. Cells are plain text, never
    rich markup: a reason written by a user is printed as written. `empty` is said when there
    are no rows."""
    out = out or console
    cells = [list(row) for row in rows]
    if title:
        out.print(Text(title, style="bold"), soft_wrap=False)
    if not cells and empty:
        out.print(Text(empty), soft_wrap=False)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for header in headers:
        table.add_column(Text(header))
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    columns = list(zip(headers, *cells, strict=True))
    widest = [max(cell_len(cell) for cell in column) for column in columns]
    longest_word = [max(_longest_word(cell) for cell in column) for column in columns]
    borders = _narrowest(out, table) - sum(longest_word)
    widths = _fit(widest, longest_word, out.width - borders)
    if widths is not None and _table_height(out, headers, cells, widths) <= _blocks_height(
        out, headers, cells
    ):
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        out.print(table, soft_wrap=False)
        return
    for index, row in enumerate(cells):
        if index:
            out.print()
        out.print(Text(row[0], style="bold"), soft_wrap=False)
        print_fields(list(zip(headers[1:], row[1:], strict=True)), indent=2, out=out)


def _wrapped(out: Console, text: str, width: int) -> int:
    return len(Text(text).wrap(out, max(width, 1))) if text else 1


def _table_height(
    out: Console, headers: Sequence[str], rows: list[list[str]], widths: list[int]
) -> int:
    def height(cells: Sequence[str]) -> int:
        return max(_wrapped(out, cell, w) for cell, w in zip(cells, widths, strict=True))

    return height(headers) + 1 + sum(height(row) for row in rows)


def _blocks_height(out: Console, headers: Sequence[str], rows: list[list[str]]) -> int:
    labels = max((cell_len(h) for h in headers[1:]), default=0)
    room = out.width - 2 - labels - 2
    return sum(1 + sum(_wrapped(out, cell, room) for cell in row[1:] if cell) for row in rows) + (
        len(rows) - 1
    )


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def print_fields(
    fields: Sequence[tuple[str, str]], *, indent: int = 0, out: Console | None = None
) -> None:
    """Labelled values, one per line, empty ones left out; a value wraps between words. When a
    value has a word too long to sit beside the labels, every value goes under its label."""
    out = out or console
    shown = [(label, value) for label, value in fields if value]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in shown:
        grid.add_row(Text(label), Text(value))
    labels = max((cell_len(label) for label, _ in shown), default=0)
    words = max((_longest_word(value) for _, value in shown), default=0)
    if indent + labels + 2 + words <= out.width:
        out.print(Padding(grid, (0, 0, 0, indent), expand=False), soft_wrap=False)
        return
    for label, value in shown:
        out.print(Padding(Text(label, style="bold"), (0, 0, 0, indent), expand=False))
        out.print(Padding(Text(value), (0, 0, 0, indent + 2), expand=False), soft_wrap=False)


def print_lines(lines: Iterable[str], *, hang: int = 5, out: Console | None = None) -> None:
    """Report lines in the console's width: a long line wraps between words and goes on under
    a hanging indent, so that the first word of each line (PASS, FAIL) stays alone in the
    margin. Plain text: no markup, no highlighting."""
    out = out or console
    for line in lines:
        wrapped = textwrap.fill(
            line,
            width=out.width,
            subsequent_indent=" " * hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.print(Text(wrapped), soft_wrap=True)
