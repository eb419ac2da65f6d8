"""age v1 encryption to X25519 recipients, streaming; the only module that calls pyrage.

pyrage reads its input through ``read(n)`` and writes its output through ``write(b)``, so the
caller decides where bytes come from and go to: nothing is held whole in memory.

pyrage keeps the GIL while it encrypts, so nothing else in the process runs meanwhile. For
large inputs ``encrypt_chunks`` hands the encryption to the reference implementation, the
``age`` command (Debian package ``age``), when it is installed: it encrypts in its own process
while this one produces the input and hashes the output on both cores. Both write the same
format; every package is checked by the same decryption (pyrage) on the way in.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import mmap
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from typing import Protocol, cast

import pyrage
from pyrage import x25519

from liaison.core.errors import InvalidInput, LiaisonError


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class AgeError(LiaisonError):
    """The ciphertext is not a well-formed age file, or it was altered or truncated."""


class NotEncryptedToIdentityError(AgeError):
    """The package was encrypted to somebody else."""


def parse_recipient(recipient: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(recipient.strip())
    except pyrage.RecipientError as exc:
        raise InvalidInput(f"not an age X25519 recipient: {recipient[:12]}...") from exc


def parse_identity(identity: str) -> x25519.Identity:
    # Identity files from age-keygen carry comment lines; keep the key line only.
    lines = [ln.strip() for ln in identity.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1:
        raise InvalidInput("an age identity must hold exactly one AGE-SECRET-KEY line")
    try:
        return x25519.Identity.from_str(lines[0])
    except pyrage.IdentityError as exc:
        raise InvalidInput("not an age X25519 identity (AGE-SECRET-KEY-1...)") from exc


def encrypt_stream(*, reader: Readable, writer: Writable, recipient: str) -> None:
    """Encrypt all ``reader`` yields to ``recipient``; age v1 binary goes to ``writer``."""
    try:
        pyrage.encrypt_io(reader, writer, [parse_recipient(recipient)])
    except pyrage.EncryptError as exc:
        raise AgeError(f"age encryption failed: {exc}") from exc


def decrypt_stream(*, reader: Readable, writer: Writable, identity: str) -> None:
    """Decrypt age v1 from ``reader`` into ``writer``; each 64 KiB chunk is authenticated first.

    Raises NotEncryptedToIdentityError when no recipient stanza opens with the identity,
    AgeError when the header or any chunk fails authentication or the file is truncated.
    """
    parsed = parse_identity(identity)
    try:
        pyrage.decrypt_io(reader, writer, [parsed])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise NotEncryptedToIdentityError(
                "the package is not encrypted to this identity (no recipient stanza matches)"
            ) from exc
        raise AgeError(f"age decryption failed, the package is altered or damaged: {exc}") from exc
    except OSError as exc:
        # pyrage reports a failed chunk tag or a truncated stream as a bare OSError.
        if isinstance(exc, LiaisonError):
            raise
        raise AgeError(
            f"age decryption failed, the package is altered or truncated: {exc}"
        ) from exc


# Pipes of 1 MiB instead of the default 64 KiB: a quarter of the context switches.
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_PIPE_BYTES = 1 << 20


def age_command() -> str | None:
    """The ``age`` executable, if installed."""
    return shutil.which("age")


def encrypt_chunks(
    *,
    chunks: Iterator[bytes],
    writer: Callable[[memoryview], object],
    recipient: str,
    command: str,
) -> None:
    """Encrypt the concatenated ``chunks`` to ``recipient`` with the ``age`` command.

    A thread feeds the command's input while this one reads its output into ``writer``. An
    exception raised by ``chunks`` is re-raised here as itself (the command is stopped).
    """
    parse_recipient(recipient)
    # A fixed argv and no shell; the recipient was parsed above.
    process = subprocess.Popen(
        [command, "--encrypt", "--recipient", recipient.strip()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    # bufsize=0: unbuffered pipes (FileIO), read straight into our buffer.
    stdin = cast("io.RawIOBase", process.stdin)
    stdout = cast("io.RawIOBase", process.stdout)
    stderr_pipe = cast("io.RawIOBase", process.stderr)
    for pipe in (stdin, stdout):
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
    failure: list[BaseException] = []

    def feed() -> None:
        try:
            for chunk in chunks:
                stdin.write(chunk)
        except BrokenPipeError:
            return  # the command died; its exit status says why (after the finally below)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the calling thread
            failure.append(exc)
            process.kill()
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    feeder = threading.Thread(target=feed, name="age-feed", daemon=True)
    feeder.start()
    # Page-aligned, so that hashing in ``writer`` runs at full speed.
    buffer = mmap.mmap(-1, _PIPE_BYTES)
    view = memoryview(buffer)
    try:
        while count := stdout.readinto(view):
            writer(view[:count])
    except BaseException:
        process.kill()
        raise
    finally:
        feeder.join()
        stderr = (stderr_pipe.read() or b"").decode(errors="replace")
        process.wait()
        for pipe in (stdout, stderr_pipe):
            pipe.close()
        view.release()
        with contextlib.suppress(BufferError):
            buffer.close()
    if failure:
        raise failure[0]
    if process.returncode != 0:
        raise AgeError(f"age encryption failed: {stderr.strip()[:300] or process.returncode}")
