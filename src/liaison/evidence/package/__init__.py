"""Sealed evidence packages: BagIt + CASE/UCO provenance + JWS signature, encrypted with age."""

from liaison.evidence.package.bagdir import verify_bag_dir
from liaison.evidence.package.case import CustodyEvent, FileRecord
from liaison.evidence.package.checks import Check, VerifyReport
from liaison.evidence.package.seal import PayloadItem, PayloadStream, SealResult, seal_package
from liaison.evidence.package.untar import ArchiveFormatError, UnsafeArchiveError
from liaison.evidence.package.verify import Limits, verify_package

__all__ = [
    "ArchiveFormatError",
    "Check",
    "CustodyEvent",
    "FileRecord",
    "Limits",
    "PayloadItem",
    "PayloadStream",
    "SealResult",
    "UnsafeArchiveError",
    "VerifyReport",
    "seal_package",
    "verify_bag_dir",
    "verify_package",
]
