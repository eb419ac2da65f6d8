"""Where the keys that judge the audit log come from: the directory, checked against the
operator key pinned in the node's settings. Never a key row of this database: someone who can
write the database could plant one. (The stored directory document is in the database too, so
it is verified against the pin again here, not taken on trust from when it was imported.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.checkpoints.verify import LogKey
from liaison.config import Settings
from liaison.core.errors import LiaisonError
from liaison.crypto import keys
from liaison.directory import document
from liaison.directory import service as directory
from liaison.directory.document import DirectoryDocument, DirectoryLog
from liaison.protocol import errors


class Untrusted(LiaisonError):
    """Nothing outside the database vouches for the keys: the log cannot be judged."""

    status_code = 503
    exit_code = 3


def pinned_directory(*, session: Session, settings: Settings) -> DirectoryDocument:
    if not settings.directory_operator_key:
        raise Untrusted(
            "no directory operator key is pinned (LIAISON_DIRECTORY_OPERATOR_KEY): "
            "the log key cannot be checked"
        )
    try:
        row = directory.current_row(session=session)
        return document.verify_directory(
            token=row.token,
            pinned_operator_public_raw=keys.b64u_decode(settings.directory_operator_key),
        )
    except errors.ProtocolError as exc:
        raise Untrusted(f"the directory in force cannot be trusted: {exc.message}") from None


def log_keys(doc: DirectoryDocument, log: DirectoryLog, use: str = "log") -> list[LogKey]:
    return [LogKey(k.kid, k.public_raw) for k in doc.usable_keys(log, use)]


def own_log(doc: DirectoryDocument, settings: Settings) -> DirectoryLog:
    log = doc.log(settings.node_name)
    if log is None:
        raise Untrusted(
            f"the directory publishes no audit log {settings.node_name!r}: send the operator "
            "this node's entries ('liaison directory entries') and import the new version"
        )
    return log
