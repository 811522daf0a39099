"""One command at a time writes in a project, and Ctrl-C is a French message.

`build`, `send`, `sign` and `import` hold the project's lock (`.arsdocs.verrou` at its root, taken
with the operating system's file locks through `filelock`, released by the system if the process
dies) while they work: a second one started meanwhile stops at once with a message, instead of
removing the first one's temporary files or sending from a journal the other is writing. `check`
reads only, and takes no lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ars_docs.source.errors import ArsDocsError, os_reason

LOCK_FILE = ".arsdocs.verrou"


class Interrupted(ArsDocsError):
    """The user pressed Ctrl-C: what is in place is whole, and what to do next."""

    exit_code = 130  # the shell's code for a command stopped by SIGINT


@contextmanager
def at_work(root: Path, command: str, interrupted: str) -> Iterator[None]:
    """Hold the project's lock while `command` works; `interrupted`: what Ctrl-C leaves behind."""
    lock = FileLock(root / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ArsDocsError(
            "une autre commande arsdocs (build, send, sign ou import) travaille déjà dans ce projet : "
            f"attendez qu'elle se termine, puis relancez « arsdocs {command} »") from None
    except OSError as error:
        raise ArsDocsError(f"impossible de réserver le projet ({root / LOCK_FILE}) : {os_reason(error)}") from None
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(f"« arsdocs {command} » interrompu (Ctrl-C) : {interrupted}") from None
    finally:
        lock.release()
