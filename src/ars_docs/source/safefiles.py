"""Reading files arsdocs did not write, or wrote earlier: of the right kind, bounded, and inside
their folder.

Everything read from disk is data from an untrusted hand until checked: a data file may be a
named pipe (reading it would wait for ever), a device (`/dev/zero` never ends), a folder, or a
symbolic link that leads out of the project; a record in `out/` may name `../data/…`. The
functions here refuse these before a byte is read, with the French reason.

Writing outputs atomically: a reader or an interrupted build never sees half a file, nor half
a family. A file is first written whole beside its target under a temporary name ending in
`.arsdocs-tmp`, flushed to disk, then renamed over the target. A build makes each family it changes
in a folder of its own (`Staging`), swapped with `out/<family>` in one step; a build that is killed
leaves at most that folder, which the next build removes.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ars_docs.source.errors import ArsDocsError, Location, Problem, os_reason

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


# Writing outputs atomically

TEMPORARY_SUFFIX = ".arsdocs-tmp"


class OutputError(ArsDocsError):
    """An output could not be written (disk full, permission denied…)."""


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _failure(target: Path, error: OSError) -> OutputError:
    shown = Path(str(target).replace(f"/{STAGING_FOLDER}/", "/", 1))  # where the file was going
    return OutputError(f"impossible d'écrire « {shown} » : {os_reason(error)} ; les fichiers déjà en place "
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


# --- a family's folder replaced whole -----------------------------------------------------------

STAGING_FOLDER = ".arsdocs-construction"
"""Where a build lays out the new folder of each family it changes, beside out/<family>."""
_SET_ASIDE = ".ancien-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Staging:
    """A family's new folder, made whole under `out/.arsdocs-construction/<family>/` (the files
    that stay hard-linked from the current folder, the new ones written there), then swapped with
    `out/<family>` in one step: a build that fails or is killed before the swap leaves the family's
    folder exactly as it was; after, it is the new one, whole. The next build removes what a killed
    one left here."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.root = out / STAGING_FOLDER

    def reset(self) -> None:
        """Put back a family set aside by a swap that was interrupted (where the system cannot
        exchange two folders at once), then remove what an earlier build left here."""
        if self.root.is_symlink() or (self.root.exists() and not self.root.is_dir()):
            self.root.unlink()
        if not self.root.is_dir():
            return
        for aside in sorted(self.root.glob(f"{_SET_ASIDE}*")):
            family = self.out / aside.name.removeprefix(_SET_ASIDE)
            if not family.exists() and not family.is_symlink():
                os.replace(aside, family)
        _remove_tree(self.root)

    def prepare(self, family: str) -> Path:
        """The family's new folder, holding a hard link to each ordinary file of the current one
        (a copy where links are not possible); links and special files of out/ are not carried."""
        current, staged = self.out / family, self.root / family
        if current.is_symlink():
            raise OutputError(f"out/{family} est un lien symbolique : arsdocs n'écrit que dans un dossier ordinaire ; "
                              f"remplacez-le par un dossier")
        try:
            staged.mkdir(parents=True)
            if current.is_dir():
                _link_tree(current, staged)
        except OSError as error:
            raise _failure(staged, error) from None
        return staged

    def swap(self, family: str) -> None:
        """`out/<family>` becomes the staged folder, at once; the old one is removed."""
        current, staged = self.out / family, self.root / family
        try:
            if not current.exists():
                os.replace(staged, current)
                return
            if not _exchange(staged, current):  # the system cannot: set aside, then put in place
                aside = self.root / f"{_SET_ASIDE}{family}"
                os.replace(current, aside)
                os.replace(staged, current)
                staged = aside
            _remove_tree(staged)
        except OSError as error:
            raise _failure(current, error) from None

    def discard(self) -> None:
        _remove_tree(self.root)


def _link_tree(source: Path, target: Path) -> None:
    for entry in os.scandir(source):
        destination = target / entry.name
        if entry.is_dir(follow_symlinks=False):
            destination.mkdir()
            _link_tree(Path(entry.path), destination)
        elif entry.is_file(follow_symlinks=False) and not entry.name.endswith(TEMPORARY_SUFFIX):
            try:
                os.link(entry.path, destination, follow_symlinks=False)
            except OSError:  # a file system without hard links
                shutil.copy2(entry.path, destination, follow_symlinks=False)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2); False where the system cannot."""
    if sys.platform != "linux":
        return False
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code))


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
