"""Sealed evidence packages: BagIt + CASE/UCO provenance + JWS signature, encrypted with age."""

from liaison.evidence.package.bagdir import verify_bag_dir, verify_sealed_dir
from liaison.evidence.package.case import Acquired, CustodyEvent, FileRecord
from liaison.evidence.package.caseread import FileProvenance, Provenance, read_provenance
from liaison.evidence.package.checks import Check, Verdict, VerifyReport
from liaison.evidence.package.judge import GivenKey, KeyRejected, SenderKey, SenderKeys
from liaison.evidence.package.seal import PayloadItem, PayloadStream, SealResult, seal_package
from liaison.evidence.package.untar import ArchiveFormatError, UnsafeArchiveError
from liaison.evidence.package.verify import Limits, verify_package

__all__ = [
    "Acquired",
    "ArchiveFormatError",
    "Check",
    "CustodyEvent",
    "FileProvenance",
    "FileRecord",
    "GivenKey",
    "KeyRejected",
    "Limits",
    "PayloadItem",
    "PayloadStream",
    "Provenance",
    "SealResult",
    "SenderKey",
    "SenderKeys",
    "UnsafeArchiveError",
    "Verdict",
    "VerifyReport",
    "read_provenance",
    "seal_package",
    "verify_bag_dir",
    "verify_package",
    "verify_sealed_dir",
]
