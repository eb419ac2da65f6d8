"""Domain errors. Services raise these; the API maps them to HTTP codes, the CLI to exit codes."""

from __future__ import annotations


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
    status_code = 422
    exit_code = 2


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
