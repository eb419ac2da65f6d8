"""Sign a formal PDF (PAdES baseline B-B) and validate a received one, with pyHanko.

The signature is an incremental update: the rendered PDF/A bytes stay untouched and the
signature dictionary, its invisible (but printable, as PDF/A requires of annotations) widget and
the updated XMP metadata are appended. pyHanko rewrites the existing XMP packet, keeping the PDF/A
identification (pdfaid), and the Info dictionary is kept equal to it (see _align_producer).

The key is the authority's Ed25519 signing key; the certificate names the authority and comes
from liaison.crypto.certificates. Validation trusts exactly the certificates it is given (the
sender's, from the directory), never the system store, and never goes to the network.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from liaison.crypto.certificates import (
    CertificateError,
    certificate_der,
    matches_private_key,
    private_key_pkcs8_der,
)

# Several signatures may follow each other (for instance a counter-signature); each gets a field.
_FIELD_PREFIX = "LiaisonSignature"


class SigningFailed(Exception):
    """The PDF could not be signed: unreadable input, or key and certificate do not match."""


@dataclass(frozen=True)
class ValidationResult:
    """The outcome for a signed PDF; `valid` is the one answer to act on.

    valid: every signature is intact, cryptographically sound, by a trusted certificate, and
    nothing but allowed additions follows the last one. intact: the signed bytes are unchanged.
    trusted: the signer's certificate is one of the trusted ones. signer: the signer's
    certificate subject. reason: the reason stated in the signature. detail: why it is not valid.
    whole_file: the last signature covers every byte of the file (nothing was appended after it,
    not even an allowed addition): the file is exactly what its signer produced.
    """

    valid: bool
    intact: bool
    trusted: bool
    signer: str | None
    reason: str | None
    detail: str
    whole_file: bool = False


def sign_pdf(
    *,
    pdf_in: Path | bytes,
    out: Path | BinaryIO,
    signer_private_raw: bytes,
    certificate_chain_pem: bytes,
    reason: str,
    location: str,
    name: str,
) -> None:
    """Append a PAdES signature by the key `signer_private_raw`.

    `certificate_chain_pem`: the signer's certificate, certifying that key, first, then the
    certificates that issued it, if any (PEM blocks one after the other); they are embedded in
    the signature. The one signing function of the formal documents: whose key signs (the
    authority's, or later an official's personal key with its chain) is the caller's choice."""
    from asn1crypto import keys, pem, x509  # noqa: PLC0415 - with pyHanko
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.pdf_utils.misc import PdfError  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.sign import fields, signers  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: PLC0415 - pyHanko: 1 s to import

    try:
        matching = matches_private_key(
            certificate_pem=certificate_chain_pem, private_raw=signer_private_raw
        )
        certificate = x509.Certificate.load(certificate_der(certificate_chain_pem))
        issuers = [
            x509.Certificate.load(der)
            for _, _, der in pem.unarmor(certificate_chain_pem, multiple=True)
        ][1:]
    except (CertificateError, ValueError) as exc:
        raise SigningFailed(f"unusable certificate: {exc}") from exc
    if not matching:
        raise SigningFailed("the certificate does not certify this signing key")
    # pyhanko-certvalidator declares no types on this constructor; it takes no arguments.
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    registry.register(certificate)
    for issuer in issuers:
        registry.register(issuer)
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=keys.PrivateKeyInfo.load(private_key_pkcs8_der(signer_private_raw)),
        cert_registry=registry,
    )
    data = pdf_in.read_bytes() if isinstance(pdf_in, Path) else pdf_in
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        _align_producer(writer)
        existing = sum(1 for _ in fields.enumerate_sig_fields(writer))
        metadata = signers.PdfSignatureMetadata(
            field_name=f"{_FIELD_PREFIX}{existing + 1}",
            reason=reason,
            location=location,
            name=name,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        signed = signers.PdfSigner(metadata, signer=signer).sign_pdf(writer)
    except (PdfError, ValueError) as exc:
        raise SigningFailed(f"cannot sign this PDF: {exc}") from exc
    payload = signed.getvalue()
    if isinstance(out, Path):
        out.write_bytes(payload)
    else:
        out.write(payload)


def _align_producer(writer: Any) -> None:
    """Make the Info dictionary's /Producer what pyHanko will write into the XMP packet.

    pyHanko appends itself to the Info producer ("WeasyPrint …; pyHanko …") but writes only
    itself as the XMP pdf:Producer; PDF/A requires the two to be equal. Setting the Info entry
    to pyHanko's own string beforehand makes pyHanko leave it as is, and both agree.
    """
    from pyhanko.pdf_utils import generic  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.pdf_utils.metadata.model import VENDOR  # noqa: PLC0415 - pyHanko: 1 s to import

    if "/Info" not in writer.trailer:
        return
    reference = writer.trailer.raw_get("/Info")
    reference.get_object()["/Producer"] = generic.TextStringObject(VENDOR)
    # The Info dictionary of the rendered revision is not touched: the changed copy is
    # written in the signature's incremental update.
    writer.mark_update(reference)


def validate_pdf(
    *, trust_pem: bytes, path: Path | None = None, pdf: bytes | None = None
) -> ValidationResult:
    """Validate every signature in the PDF (a file at `path`, or the bytes `pdf`) against the
    certificate(s) in `trust_pem`."""
    from asn1crypto import pem, x509  # noqa: PLC0415 - with pyHanko
    from pyhanko.pdf_utils.misc import PdfError  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # noqa: PLC0415 - idem
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415 - pyHanko: 1 s to import

    try:
        roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(trust_pem, multiple=True)]
    except ValueError as exc:
        return ValidationResult(False, False, False, None, None, f"unusable certificate: {exc}")
    if not roots:
        return ValidationResult(False, False, False, None, None, "no trusted certificate given")
    # No fetching: the certificate carries no revocation pointers, and a validator that goes
    # online would leak which documents a node is checking.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        data = pdf if pdf is not None else _read(path)
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return ValidationResult(False, False, False, None, None, "the PDF is not signed")
        statuses = [validate_pdf_signature(sig, context) for sig in signatures]
        reasons = [sig.sig_object.get("/Reason") for sig in signatures]
    # pyHanko raises its own errors, and also plain ones (KeyError, TypeError...) on PDFs
    # damaged in ways it does not anticipate; for a received file all mean "not valid".
    except (PdfError, OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        return ValidationResult(False, False, False, None, None, f"unreadable PDF: {exc}")
    last = statuses[-1]
    intact = all(status.intact for status in statuses)
    trusted = all(status.trusted for status in statuses)
    valid = all(status.bottom_line for status in statuses)
    failing = [status for status in statuses if not status.bottom_line]
    return ValidationResult(
        valid=valid,
        intact=intact,
        trusted=trusted,
        signer=last.signing_cert.subject.human_friendly,
        reason=str(reasons[-1]) if reasons[-1] is not None else None,
        detail="all signatures valid" if valid else failing[0].summary(),
        whole_file=last.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )


def _read(path: Path | None) -> bytes:
    if path is None:
        raise ValueError("give the PDF as a path or as bytes")
    return path.read_bytes()


def signer_certificate(pdf: bytes) -> bytes | None:
    """The certificate (PEM) the last signature of `pdf` names its signer by; None when the PDF
    is unreadable or unsigned. Untrusted until its key is checked against the directory."""
    from asn1crypto import pem  # noqa: PLC0415 - with pyHanko
    from pyhanko.pdf_utils.misc import PdfError  # noqa: PLC0415 - pyHanko: 1 s to import
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415 - pyHanko: 1 s to import

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            return None
        certificate = signatures[-1].signer_cert
    except (PdfError, OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if certificate is None:
        return None
    return bytes(pem.armor("CERTIFICATE", certificate.dump()))
