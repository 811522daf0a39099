"""Reading files arsdocs did not write, or wrote earlier: of the right kind, bounded, and inside
their folder.

Everything read from disk is data from an untrusted hand until checked: a data file may be a
named pipe (reading it would wait for ever), a device (`/dev/zero` never ends), a folder, or a
symbolic link that leads out of the project; a record in `out/` may name `../data/…`. The
functions here refuse these before a byte is read, with the French reason.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from ars_docs.source.errors import Location, Problem, os_reason

_KINDS = ((stat.S_ISDIR, "un dossier"), (stat.S_ISFIFO, "un tube nommé (FIFO)"), (stat.S_ISCHR, "un périphérique"),
          (stat.S_ISBLK, "un périphérique"), (stat.S_ISSOCK, "une socket"))


class UnsafeFile(Exception):
    """A file that is not read: its French reason, without the file's name (the caller has it)."""


def kind_of(mode: int) -> str | None:
    """What a file that is not an ordinary file is, in French; None for an ordinary file."""
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "un fichier spécial")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of an ordinary file (a symbolic link to one is followed), at most `limit` of them.
    A folder, a pipe, a device or a socket is refused before it is read, and so is a file larger
    than `limit`, even one that grows while it is read. Raises FileNotFoundError when absent,
    UnsafeFile otherwise."""
    try:
        # O_NONBLOCK: opening a pipe with no writer returns at once instead of waiting for one
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise UnsafeFile("c'est un dossier, pas un fichier") from None
    except OSError as error:
        raise UnsafeFile(f"lecture impossible ({os_reason(error)})") from None
    try:
        status = os.fstat(handle)
        kind = kind_of(status.st_mode)
        if kind is not None:
            raise UnsafeFile(f"c'est {kind}, pas un fichier ordinaire")
        if status.st_size > limit:
            raise UnsafeFile(too_large(status.st_size, limit))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise UnsafeFile(too_large(size, limit))
        return b"".join(chunks)
    except OSError as error:
        raise UnsafeFile(f"lecture impossible ({os_reason(error)})") from None
    finally:
        os.close(handle)


def read_imported(path: Path, limit: int) -> bytes:
    """A file given to an import: as `read_bounded`, a missing file being one more UnsafeFile."""
    try:
        return read_bounded(path, limit)
    except FileNotFoundError:
        raise UnsafeFile("fichier introuvable") from None


def too_large(size: int, limit: int) -> str:
    def shown(count: int) -> str:
        return f"{count / 2**20:.0f} Mio" if count >= 2**20 else f"{max(1, count // 1024)} kio"

    return f"fichier trop volumineux ({shown(size)} ; au plus {shown(limit)})"


def present(path: Path) -> bool:
    """Whether something is at `path`, whatever it is (a dangling link too): an optional file that
    is there must then be an ordinary file, which reading it checks."""
    return path.exists() or path.is_symlink()


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, symbolic links followed, is `folder` or under it."""
    real, top = path.resolve(), folder.resolve()
    return real == top or top in real.parents


_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f\\]")


def confined_relative(name: object, folder: str) -> str | None:
    """`name` when it is a plain relative POSIX path under `folder/` (no `..`, no absolute path, no
    backslash or control character): what a record of arsdocs may name. None otherwise. (String
    operations only: a build's records name thousands of files.)"""
    if not isinstance(name, str) or not name or len(name) > 1024 or _UNSAFE_IN_NAME.search(name):
        return None
    parts = name.split("/")
    if len(parts) < 2 or parts[0] != folder or any(part in ("", ".", "..") for part in parts):
        return None
    return name


def tree_problems(root: Path, folders: tuple[str, ...]) -> Iterator[Problem]:
    """What in the project's own folders a build would read and must not: a symbolic link that
    leads out of the project (or nowhere), a pipe, a device or a socket. Links inside the project
    are allowed; links to folders are not followed (their targets are checked where they are)."""
    top = root.resolve()
    for folder in folders:
        start = root / folder
        if not start.exists() and not start.is_symlink():
            continue
        for path in _walk(start):
            problem = _entry_problem(path, top)
            if problem:
                yield Problem(Location(path.relative_to(root).as_posix()), "", problem)


def _walk(start: Path) -> Iterator[Path]:
    yield start
    if start.is_dir() and not start.is_symlink():
        try:
            entries = sorted(start.iterdir())
        except OSError:
            return
        for entry in entries:
            yield from _walk(entry)


def _entry_problem(path: Path, top: Path) -> str | None:
    try:
        mode = path.stat().st_mode
        real = path.resolve(strict=True) if path.is_symlink() else None
    except (OSError, RuntimeError):
        if path.is_symlink():
            return "lien symbolique qui ne mène à rien (cible absente ou boucle de liens)"
        return "illisible"
    kind = kind_of(mode)
    if kind is not None and kind != "un dossier":
        return f"c'est {kind}, pas un fichier ordinaire : retirez-le du projet"
    if real is not None and real != top and top not in real.parents:
        return f"lien symbolique qui mène hors du projet (vers « {real} ») : copiez le fichier dans le projet"
    return None


DAMAGED_ZIP = "fichier abîmé (ce n'est pas une archive zip lisible)"
"""What `zip_problem` says of a file that is no zip: each import words it its own way."""


def zip_problem(data: bytes, *, max_part: int, max_total: int, max_parts: int = 1_000) -> str | None:
    """Why a zip (an .xlsx, a .docx) is not opened, in French, or None: damaged, or holding too many
    parts, or parts that would unpack beyond their limit. The sizes declared are what zipfile
    ever unpacks (it stops there, and the CRC then fails), so checking them bounds the expansion."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # NotImplementedError: a directory entry that claims a zip version zipfile does not read
        return DAMAGED_ZIP
    if len(parts) > max_parts:
        return f"{len(parts)} parties dans le fichier (au plus {max_parts})"
    largest = max((part.file_size for part in parts), default=0)
    if largest > max_part:
        return (f"une partie de {largest // 2**20} Mio une fois décompressée (au plus {max_part // 2**20} Mio)")
    total = sum(part.file_size for part in parts)
    if total > max_total:
        return f"{total // 2**20} Mio une fois décompressé (au plus {max_total // 2**20} Mio)"
    return None
