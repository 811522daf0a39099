"""Writing outputs atomically: a reader or an interrupted build never sees half a file.

A file is first written whole beside its target under a temporary name ending in `.arsdocs-tmp`,
flushed to disk, then renamed over the target. A build that is killed leaves at most such
temporary files, which the next build removes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ars_docs.errors import ArsDocsError, os_reason

TEMPORARY_SUFFIX = ".arsdocs-tmp"


class OutputError(ArsDocsError):
    """An output could not be written (disk full, permission denied…)."""


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _failure(target: Path, error: OSError) -> OutputError:
    return OutputError(f"impossible d'écrire « {target} » : {os_reason(error)} ; les fichiers déjà en place "
                       "sont intacts")


def stage(target: Path, data: bytes) -> Path:
    """Write `data` whole to a temporary file beside `target`; `commit` puts it in place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX, dir=target.parent)
        temporary = Path(name)
        try:
            # mkstemp makes the file private (0600); an output is an ordinary file, readable as the umask allows.
            os.chmod(temporary, 0o666 & ~_umask())
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise _failure(target, error) from None
    return temporary


def commit(temporary: Path, target: Path) -> None:
    try:
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _failure(target, error) from None


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, flush it to disk, then rename it over `target`."""
    commit(stage(target, data), target)


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary files an interrupted build left under `folder`."""
    if folder.is_dir():
        for path in folder.rglob(f".*{TEMPORARY_SUFFIX}"):
            path.unlink(missing_ok=True)
