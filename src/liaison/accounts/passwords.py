"""Password policy: long enough, not common, not the username. NIST SP 800-63B in spirit."""

from __future__ import annotations

from liaison.core.errors import InvalidInput

MIN_LENGTH = 12
# The most common choices that pass a length rule; a full breach list belongs in deployment.
_COMMON = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "passwordpassword",
        "administrator",
        "letmeinletmein",
        "iloveyou1234",
        "welcome12345",
        "changeme1234",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "adminadmin123",
        "passw0rd1234",
        "liaisonliaison",
    }
)


def check_password(password: str, *, username: str) -> None:
    if not password:
        raise InvalidInput("the password is empty")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"the password is too short: at least {MIN_LENGTH} characters")
    if len(set(password)) < 5:
        raise InvalidInput("the password repeats too few characters; choose a longer passphrase")
    lowered = password.lower()
    if lowered in _COMMON:
        raise InvalidInput("the password is too common")
    if username and username.lower() in lowered:
        raise InvalidInput("the password must not contain the username")
