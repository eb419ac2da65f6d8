"""Formal documents: a signed PDF/A of each sent request and each response, in the recipient's
language.

`FormalDocument` (model) says what is printed; `render_pdf` lays it out; `sign_pdf` adds a PAdES
signature by the authority's key; `validate_pdf` checks a received one, and `signer_certificate`
reads whose key it claims to be, for the caller to check against the directory. See
docs/formal-documents.md.
"""

from liaison.documents.model import (
    Answer,
    Approval,
    ApproverRole,
    FormalDocument,
    FreeText,
    Kind,
    Party,
    Section,
    SectionLabel,
)
from liaison.documents.render import render_html, render_pdf
from liaison.documents.sign import (
    SigningFailed,
    ValidationResult,
    sign_pdf,
    signer_certificate,
    validate_pdf,
)

__all__ = [
    "Answer",
    "Approval",
    "ApproverRole",
    "FormalDocument",
    "FreeText",
    "Kind",
    "Party",
    "Section",
    "SectionLabel",
    "SigningFailed",
    "ValidationResult",
    "render_html",
    "render_pdf",
    "sign_pdf",
    "signer_certificate",
    "validate_pdf",
]
