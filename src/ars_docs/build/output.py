"""Writing outputs atomically: a reader or an interrupted build never sees half a file, nor half
a family.

A file is first written whole beside its target under a temporary name ending in `.arsdocs-tmp`,
flushed to disk, then renamed over the target. A build makes each family it changes in a folder
of its own (`Staging`), swapped with `out/<family>` in one step; a build that is killed leaves at
most that folder, which the next build removes.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ars_docs.source.errors import ArsDocsError, os_reason

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
