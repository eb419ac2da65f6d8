"""Signing: PAdES by the authority's key, accepted by pyHanko, broken by one changed byte."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from liaison.crypto import keys
from liaison.crypto.certificates import CertificateError, self_issued_certificate
from liaison.documents import SigningFailed, render_pdf, sign_pdf, validate_pdf
from tests.unit.documents.conftest import MINISTRY, make_document, pdf_text, xmp_of

PYHANKO = Path(sys.executable).parent / "pyhanko"


class Signed:
    def __init__(self, folder: Path, validity: tuple[datetime, datetime]) -> None:
        self.key = keys.generate("signing")
        self.cert = folder / "authority.pem"
        self.cert.write_bytes(
            self_issued_certificate(
                private_raw=self.key.private_raw,
                common_name=MINISTRY,
                country="VN",
                organization="Ministry of Public Security of Viet Nam",
                not_before=validity[0],
                not_after=validity[1],
            )
        )
        self.unsigned = folder / "request.pdf"
        render_pdf(make_document(lang="vi"), out=self.unsigned)
        self.signed = folder / "request.signed.pdf"
        sign_pdf(
            pdf_in=self.unsigned,
            out=self.signed,
            signer_private_raw=self.key.private_raw,
            certificate_chain_pem=self.cert.read_bytes(),
            reason="Yêu cầu tương trợ tư pháp VN-2026-0042",
            location="Hà Nội",
            name=MINISTRY,
        )


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, validity: tuple[datetime, datetime]) -> Signed:
    return Signed(tmp_path_factory.mktemp("signed"), validity)


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYHANKO), "sign", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def _tampered(signed: Signed, folder: Path) -> Path:
    data = bytearray(signed.signed.read_bytes())
    # A byte inside the first stream's data: covered by the signed byte range, yet the file's
    # structure (objects, cross-reference) still parses, so only the digest can notice.
    at = data.index(b"stream", 1000) + 40
    assert at < len(signed.unsigned.read_bytes())
    data[at] ^= 0x01
    bad = folder / "tampered.pdf"
    bad.write_bytes(data)
    return bad


def test_signed_pdf_validates(signed: Signed) -> None:
    result = validate_pdf(path=signed.signed, trust_pem=signed.cert.read_bytes())
    assert result.valid
    assert result.intact
    assert result.trusted
    assert result.signer is not None
    assert MINISTRY in result.signer
    assert result.reason == "Yêu cầu tương trợ tư pháp VN-2026-0042"


def test_pyhanko_cli_accepts_signed_pdf(signed: Signed) -> None:
    assert _cli("--trust", signed.cert, signed.signed).returncode == 0
    strict = _cli("--trust-replace", "--trust", signed.cert, signed.signed)
    assert strict.returncode == 0, strict.stderr
    assert "INTACT:TRUSTED,UNTOUCHED" in strict.stdout


def test_one_changed_byte_breaks_the_signature(signed: Signed, tmp_path: Path) -> None:
    bad = _tampered(signed, tmp_path)
    result = validate_pdf(path=bad, trust_pem=signed.cert.read_bytes())
    assert not result.valid
    assert not result.intact
    assert _cli("--trust", signed.cert, bad).returncode != 0


def test_another_authority_certificate_is_not_trusted(
    signed: Signed, tmp_path: Path, validity: tuple[datetime, datetime]
) -> None:
    other = keys.generate("signing")
    pem = self_issued_certificate(
        private_raw=other.private_raw,
        common_name=MINISTRY,
        country="VN",
        organization="Impostor",
        not_before=validity[0],
        not_after=validity[1],
    )
    result = validate_pdf(path=signed.signed, trust_pem=pem)
    assert result.intact
    assert not result.trusted
    assert not result.valid
    (tmp_path / "other.pem").write_bytes(pem)
    assert _cli("--trust-replace", "--trust", tmp_path / "other.pem", signed.signed).returncode != 0


def test_unsigned_pdf_is_not_valid(signed: Signed) -> None:
    result = validate_pdf(path=signed.unsigned, trust_pem=signed.cert.read_bytes())
    assert not result.valid
    assert result.detail == "the PDF is not signed"


def test_signing_keeps_pdfa_claim_and_text(signed: Signed) -> None:
    xmp = xmp_of(signed.signed)
    assert 'pdfaid:part="2"' in xmp
    assert 'pdfaid:conformance="U"' in xmp
    assert signed.signed.read_bytes().startswith(signed.unsigned.read_bytes())
    # PDF/A: the Info dictionary must agree with the XMP packet after the incremental update.
    with signed.signed.open("rb") as handle:
        info = PdfFileReader(handle, strict=False).trailer["/Info"]
        producer = str(info["/Producer"])
    assert f'pdf:Producer="{producer}"' in xmp
    assert "Yêu cầu tương trợ tư pháp" in pdf_text(signed.signed)


def test_counter_signature_gets_its_own_field(signed: Signed, tmp_path: Path) -> None:
    twice = tmp_path / "twice.pdf"
    sign_pdf(
        pdf_in=signed.signed.read_bytes(),
        out=twice,
        signer_private_raw=signed.key.private_raw,
        certificate_chain_pem=signed.cert.read_bytes(),
        reason="Counter-signature",
        location="Hà Nội",
        name=MINISTRY,
    )
    result = validate_pdf(path=twice, trust_pem=signed.cert.read_bytes())
    assert result.valid, result.detail
    assert result.reason == "Counter-signature"


def test_key_must_match_certificate(signed: Signed, tmp_path: Path) -> None:
    with pytest.raises(SigningFailed, match="does not certify"):
        sign_pdf(
            pdf_in=signed.unsigned,
            out=tmp_path / "x.pdf",
            signer_private_raw=keys.generate("signing").private_raw,
            certificate_chain_pem=signed.cert.read_bytes(),
            reason="r",
            location="l",
            name="n",
        )


def test_not_a_pdf_cannot_be_signed(signed: Signed, tmp_path: Path) -> None:
    with pytest.raises(SigningFailed):
        sign_pdf(
            pdf_in=b"not a pdf",
            out=tmp_path / "x.pdf",
            signer_private_raw=signed.key.private_raw,
            certificate_chain_pem=signed.cert.read_bytes(),
            reason="r",
            location="l",
            name="n",
        )


@pytest.mark.parametrize(("country", "message"), [("VNM", "alpha-2"), ("V1", "alpha-2")])
def test_certificate_rejects_bad_country(
    country: str, message: str, validity: tuple[datetime, datetime]
) -> None:
    with pytest.raises(CertificateError, match=message):
        self_issued_certificate(
            private_raw=keys.generate("signing").private_raw,
            common_name=MINISTRY,
            country=country,
            organization="",
            not_before=validity[0],
            not_after=validity[1],
        )


def test_certificate_rejects_naive_or_inverted_dates(validity: tuple[datetime, datetime]) -> None:
    key = keys.generate("signing").private_raw
    start, end = validity
    with pytest.raises(CertificateError, match="time zone"):
        self_issued_certificate(
            private_raw=key,
            common_name="A",
            country="VN",
            organization="A",
            not_before=start.replace(tzinfo=None),
            not_after=end,
        )
    with pytest.raises(CertificateError, match="ends before"):
        self_issued_certificate(
            private_raw=key,
            common_name="A",
            country="VN",
            organization="A",
            not_before=end,
            not_after=start,
        )


def test_garbage_certificate_is_refused(signed: Signed, tmp_path: Path) -> None:
    with pytest.raises(SigningFailed, match="unusable certificate"):
        sign_pdf(
            pdf_in=signed.unsigned,
            out=tmp_path / "x.pdf",
            signer_private_raw=signed.key.private_raw,
            certificate_chain_pem=b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            reason="r",
            location="l",
            name="n",
        )
