"""Writing outputs atomically: a reader or an interrupted build never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ars_docs.errors import ArsDocsError


class OutputError(ArsDocsError):
    """An output could not be written (disk full, permission denied…)."""


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, flush it to disk, then rename it over `target`."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            # mkstemp makes the file private (0600); an output is an ordinary file, readable as the umask allows.
            os.chmod(temporary, 0o666 & ~_umask())
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(f"impossible d'écrire « {target} » : {error.strerror or error}") from None
