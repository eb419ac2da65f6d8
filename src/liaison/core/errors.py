"""Domain errors. Services raise these; the API maps them to HTTP codes, the CLI to exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of an input: where (a dotted path into what was sent, "content.facts") and
    what, in the user's language. A form puts each message beside its field."""

    path: str
    message: str

    def under(self, prefix: str) -> Problem:
        """The same problem seen from the object that holds the input at `prefix`."""
        return Problem(path=f"{prefix}.{self.path}" if self.path else prefix, message=self.message)


class LiaisonError(Exception):
    """Base class: the message is a sentence a user can act on."""

    status_code = 400
    exit_code = 1
    # Security events (a failed login, a rejected token) are recorded even though the request
    # fails: the request boundary commits instead of rolling back when this is set.
    keep_changes = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(LiaisonError):
    """The sentence is for the CLI and logs; `problems`, when given, list each problem where it
    is (the API returns them beside the sentence)."""

    status_code = 422
    exit_code = 2

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFound(LiaisonError):
    status_code = 404
    exit_code = 3


class Conflict(LiaisonError):
    status_code = 409
    exit_code = 4


class AuthenticationFailed(LiaisonError):
    status_code = 401
    exit_code = 5
    keep_changes = True


class PermissionDenied(LiaisonError):
    status_code = 403
    exit_code = 6


class RateLimited(LiaisonError):
    status_code = 429
    exit_code = 7
    keep_changes = True

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
