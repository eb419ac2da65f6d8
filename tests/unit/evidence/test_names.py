"""An evidence item's name is a file name that reads as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.core.errors import InvalidInput
from liaison.evidence.files import collect_files
from liaison.evidence.schemas import check_name


@pytest.mark.parametrize(
    "name",
    [
        "report\u202egpj.exe",  # shows as "reportexe.jpg"
        "\u2067photo.jpg",
        "a\u200fb.txt",
        "\u061cdoc.pdf",
    ],
)
def test_a_name_with_a_bidirectional_control_is_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="bidirectional"):
        check_name(name)
    (tmp_path / name).write_bytes(b"x")
    with pytest.raises(InvalidInput, match="bidirectional"):
        collect_files([tmp_path / name])


@pytest.mark.parametrize("name", ["تقرير.pdf", "отчёт.txt", "báo cáo.docx", "報告.png"])
def test_right_to_left_and_other_scripts_are_names_like_any(name: str) -> None:
    assert check_name(name) == name
