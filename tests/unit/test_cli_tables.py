"""Tables that fit the terminal (liaison.cli_support.print_table and friends): at 80 and 120
columns no line is wider than the console and no word is cut; a table too wide becomes one block
per row; user text is printed as written."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from liaison.cli_support import _fit, print_fields, print_lines, print_table
from tests.cli import assert_fits

HEADERS = ["id", "kind", "from → to", "status", "reference", "updated (UTC)"]
ROWS = [
    [
        "01a233d9-2a43-7d6f-974d-5f2c248897bb",
        "extradition",
        "vn-mps → ru-gpo",
        "awaiting_approval",
        "VN-2026-extradition-0001",
        "2026-12-01 23:03",
    ],
    [
        "01a233d9-2a43-7d6f-974d-5f2c248897bc",
        "sentenced_person_transfer",
        "vn-mps → de-bka",
        "in_execution",
        "",
        "2026-12-02 09:15",
    ],
]
WORDS = [word for row in ROWS for cell in row for word in cell.split()]


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(width=width, file=buffer, soft_wrap=True), buffer


@pytest.mark.parametrize("width", [80, 120, 160])
def test_rows_fit_the_width_and_no_word_is_cut(width: int) -> None:
    out, buffer = _console(width)
    print_table(HEADERS, ROWS, out=out)
    assert_fits(buffer.getvalue(), width, WORDS)


def test_a_table_when_it_fits_blocks_when_it_does_not() -> None:
    wide, wide_text = _console(160)
    print_table(HEADERS, ROWS, out=wide)
    lines = wide_text.getvalue().splitlines()
    assert lines[0].split() == ["id", "kind", "from", "→", "to", "status", "reference", "updated",
                                "(UTC)"]  # fmt: skip
    assert len(lines) == 2 + len(ROWS)  # header, rule, one line per row
    narrow, narrow_text = _console(80)
    print_table(HEADERS, ROWS, out=narrow)
    blocks = narrow_text.getvalue().split("\n\n")
    assert len(blocks) == len(ROWS)
    first = blocks[0].splitlines()
    assert first[0] == ROWS[0][0]
    assert first[1].split() == ["kind", "extradition"]
    # an empty cell is left out of its block
    assert "reference" not in blocks[1]


def test_long_free_text_wraps_between_words_in_a_table() -> None:
    reason = "The requested State consulted the requesting State and asked for assurances " * 3
    out, buffer = _console(80)
    print_table(["seq", "action", "reason"], [["1", "refuse", reason]], out=out)
    text = buffer.getvalue()
    assert text.splitlines()[0].split() == ["seq", "action", "reason"]
    assert_fits(text, 80, reason.split())


def test_cells_are_text_not_markup() -> None:
    out, buffer = _console(80)
    print_table(["id", "reason"], [["x", "see [red]annex[/red] and [/nope]"]], out=out)
    assert "see [red]annex[/red] and [/nope]" in buffer.getvalue()


def test_an_empty_table_says_so() -> None:
    out, buffer = _console(80)
    print_table(["id"], [], title="history", empty="no step yet", out=out)
    assert buffer.getvalue().splitlines() == ["history", "no step yet"]


def test_fields_go_under_their_labels_when_a_word_cannot_sit_beside_them() -> None:
    digest = "sha256:" + "ab" * 32
    out, buffer = _console(80)
    print_fields([("request", "r-1"), ("payload digest of the sealed package", digest)], out=out)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    assert lines == ["request", "  r-1", "payload digest of the sealed package", f"  {digest}"]
    out, buffer = _console(120)
    print_fields([("request", "r-1"), ("digest", digest), ("empty", "")], out=out)
    assert [line.split() for line in buffer.getvalue().splitlines()] == [
        ["request", "r-1"],
        ["digest", digest],
    ]


def test_report_lines_wrap_under_a_hanging_indent() -> None:
    digest = "sha256:" + "0f" * 32
    line = f"PASS payload digest [data/image of the seized telephone.bin]: {digest}"
    out, buffer = _console(80)
    print_lines([line, "PASS signature"], out=out)
    lines = buffer.getvalue().splitlines()
    assert lines[0].startswith("PASS payload digest")
    assert lines[-1] == "PASS signature"
    assert all(continued.startswith("     ") for continued in lines[1:-1])
    assert_fits(buffer.getvalue(), 80, line.split())


@pytest.mark.parametrize(
    ("widest", "longest_word", "room", "expected"),
    [
        ([10, 20], [10, 5], 40, [10, 20]),  # everything fits on one line
        ([36, 25, 17], [36, 25, 17], 70, None),  # three words side by side do not fit
        ([36, 15, 20, 60], [36, 6, 10, 12], 80, [36, 15, 17, 12]),  # least lacking first
    ],
)
def test_widths_never_go_below_the_longest_word(
    widest: list[int], longest_word: list[int], room: int, expected: list[int] | None
) -> None:
    widths = _fit(widest, longest_word, room)
    assert widths == expected
    if widths is not None:
        assert sum(widths) <= room
        assert all(w >= m for w, m in zip(widths, longest_word, strict=True))
