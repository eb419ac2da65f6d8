"""Shared builders for the formal-document tests: one document shape, any language."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from liaison.documents import (
    Approval,
    ApproverRole,
    FormalDocument,
    FreeText,
    Kind,
    Party,
    Section,
    SectionLabel,
)

HANOI = timezone(timedelta(hours=7))
ISSUED = datetime(2026, 11, 25, 9, 30, tzinfo=HANOI)
VICTIM = "Nguyễn Thị Minh Khai"
PROSECUTOR = "Генеральная прокуратура Российской Федерации"
MINISTRY = "Bộ Công an"


def make_document(
    *, lang: str, translated: bool = True, kind: str = Kind.MLA_REQUEST
) -> FormalDocument:
    summary = f"{VICTIM} bị lừa đảo qua mạng; thiệt hại 2 tỷ đồng."
    translations = (
        {
            "ru": f"{PROSECUTOR}: Нгуен Тхи Минь Кхай стала жертвой мошенничества.",
            "de": "Die Geschädigte wurde online betrogen; Schaden 2 Mrd. Đồng.",
            "en": "The victim was defrauded online; loss of 2 billion đồng.",
        }
        if translated
        else {}
    )
    return FormalDocument(
        kind=kind,
        reference="VN-2026-0042",
        request_id="0193c1e2-7f4a-7d1e-9b3a-1c2d3e4f5a6b",
        version=1,
        language=lang,
        sender=Party(names={"vi": MINISTRY, "en": "Ministry of Public Security"}, state="VN"),
        recipient=Party(names={"ru": PROSECUTOR, "en": "Prosecutor General's Office"}, state="RU"),
        issued_at=ISSUED,
        legal_basis="United Nations Convention against Cybercrime, art. 40",
        sections=[
            Section(label=SectionLabel.OFFENCES, value=["art. 13", "art. 7"], numbered=True),
            Section(label=SectionLabel.PERSONS_CONCERNED, value=VICTIM),
            FreeText(
                label=SectionLabel.SUMMARY_OF_FACTS,
                original=summary,
                original_language="vi",
                translations=translations,
            ),
            Section(label=SectionLabel.DEADLINE, value=None),
        ],
        approval=Approval(
            approver="Trần Văn Đức",
            role=ApproverRole.SUPERVISOR,
            approved_at=ISSUED,
            signature_fingerprint="sha256:" + "ab" * 32,
        ),
    )


# The directory's names of the test authorities, in the languages documents are written in.
DIRECTORY_NAMES = {
    "vn-mps": {
        "en": "Ministry of Public Security",
        "vi": "Bộ Công an",
        "ru": "Министерство общественной безопасности",
        "de": "Ministerium für öffentliche Sicherheit",
    },
    "ru-gpo": {
        "en": "Prosecutor General's Office of the Russian Federation",
        "ru": "Генеральная прокуратура Российской Федерации",
        "vi": "Viện Kiểm sát Tối cao Liên bang Nga",
        "de": "Generalstaatsanwaltschaft der Russischen Föderation",
    },
}
STATES = {"vn-mps": "VN", "ru-gpo": "RU"}


class FakeParties:
    """The directory as a formal document sees it, without a database: both authorities read
    documents in `lang`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def party(self, authority_id: str) -> Party | None:
        names = DIRECTORY_NAMES.get(authority_id)
        return Party(names=names, state=STATES[authority_id]) if names else None

    def language(self, authority_id: str, fallback: str) -> str:
        return self.lang


def pdf_text(path: Path) -> str:
    """The text of a PDF as poppler's pdftotext extracts it (Debian package poppler-utils)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: install the Debian package poppler-utils")
    result = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode()


def xmp_of(path: Path) -> str:

    with path.open("rb") as handle:
        data: bytes = PdfFileReader(handle, strict=False).root["/Metadata"].data
    return data.decode()


@pytest.fixture(scope="session")
def validity() -> tuple[datetime, datetime]:
    start = datetime.now(UTC) - timedelta(days=1)
    return start, start + timedelta(days=3650)
