"""What the last build of a family wrote: for each item, its fingerprint and its files.

Kept in `out/.arsdocs/<family>.json`. An item is up to date when its fingerprint is unchanged and
each of its files is still the one written (same size and time, or else the same SHA-256): an
output edited or deleted by hand is rebuilt. The file is a cache: deleting it rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ars_docs.source.safefiles import UnsafeFile, confined_relative, inside, read_bounded, write_atomically

STATE_FOLDER = ".arsdocs"
_FORMAT = 1
MAX_BYTES = 256 * 2**20
"""The largest build record read: 10,000 letters make about 10 MiB."""


class _Outside(Exception):
    """A record names a file outside its family's folder."""


@dataclass
class FileRecord:
    sha256: str
    size: int
    mtime_ns: int
    signed: bool = False
    """Signed by `arsdocs sign`: rebuilding it would lose the signature."""

    @classmethod
    def of(cls, path: Path, sha256: str, signed: bool = False) -> FileRecord:
        status = path.stat()
        return cls(sha256, status.st_size, status.st_mtime_ns, signed)


@dataclass
class ItemRecord:
    fingerprint: str
    files: dict[str, FileRecord] = field(default_factory=dict)
    """Output path relative to out/ -> what was written there."""


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def state_path(out: Path, family: str) -> Path:
    """Where a family's build record is."""
    return out / STATE_FOLDER / f"{family}.json"


class BuildState:
    def __init__(self, out: Path, family: str) -> None:
        self.out = out
        self.folder = family
        self.path = state_path(out, family)
        self.items: dict[str, ItemRecord] = {}
        self.damage: str | None = None
        """Why the record on disk was not used (damaged, or naming a file outside its family's
        folder): everything is then rebuilt, and nothing it names is removed."""
        self._load()

    def _load(self) -> None:
        try:
            text = read_bounded(self.path, MAX_BYTES).decode("utf-8")
        except FileNotFoundError:
            return  # never built
        except (UnsafeFile, UnicodeDecodeError) as error:
            self.damage = str(error) if isinstance(error, UnsafeFile) else "pas en UTF-8"
            return
        try:
            raw = json.loads(text)
            if raw.get("format") != _FORMAT:
                return  # an older arsdocs: rebuilt, silently (nothing wrong with it)
            for key, item in raw["elements"].items():
                files = {self._confined(name): self._record(record) for name, record in item["fichiers"].items()}
                if not isinstance(key, str) or not isinstance(item["empreinte"], str):
                    raise TypeError
                self.items[key] = ItemRecord(item["empreinte"], files)
        except _Outside as error:
            self.items, self.damage = {}, f"il nomme « {error} », hors de out/{self.folder}/"
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            self.items, self.damage = {}, "contenu illisible ou incomplet"

    def _confined(self, name: object) -> str:
        if confined_relative(name, self.folder) is None:
            raise _Outside(str(name)[:200])
        return str(name)

    @staticmethod
    def _record(record: Any) -> FileRecord:
        written = FileRecord(**record)
        if not (isinstance(written.sha256, str) and isinstance(written.size, int) and isinstance(written.mtime_ns, int)
                and isinstance(written.signed, bool)):
            raise TypeError
        return written

    @property
    def damage_message(self) -> str | None:
        """The warning for a record not used, or None."""
        if self.damage is None:
            return None
        return (f"registre de la dernière construction ignoré ({self.damage}) : tout est reconstruit, et aucun "
                "fichier qu'il nomme n'est supprimé")

    def is_current(self, key: str, fingerprint: str, outputs: tuple[str, ...]) -> bool:
        record = self.items.get(key)
        if record is None or record.fingerprint != fingerprint or set(record.files) != set(outputs):
            return False
        return all(self._unchanged(self.out / name, written) for name, written in record.files.items())

    @staticmethod
    def _unchanged(path: Path, written: FileRecord) -> bool:
        try:
            status = path.stat()
        except OSError:
            return False
        if (status.st_size, status.st_mtime_ns) == (written.size, written.mtime_ns):
            return True
        if status.st_size != written.size:
            return False
        return file_sha256(path) == written.sha256  # touched, perhaps not changed (a git checkout)

    def signed(self, keys: set[str] | None = None) -> list[str]:
        """The signed files (of the given items, or of all)."""
        return sorted(name for key, record in self.items.items() if keys is None or key in keys
                      for name, written in record.files.items() if written.signed)

    def hashes(self) -> dict[str, str]:
        """Output path relative to out/ -> SHA-256 of what was written there."""
        return {name: written.sha256 for record in self.items.values() for name, written in record.files.items()}

    def save(self) -> None:
        raw = {"format": _FORMAT, "elements": {
            key: {"empreinte": record.fingerprint,
                  "fichiers": {name: vars(written) for name, written in sorted(record.files.items())}}
            for key, record in sorted(self.items.items())}}
        write_atomically(self.path, json.dumps(raw, ensure_ascii=False, indent=0).encode("utf-8"))


def remove_output(out: Path, relative: str) -> bool:
    """Remove a file a build recorded, only when it lies in its family's folder of `out`, symbolic
    links followed (a folder of out/ replaced by a link to data/ does not lead there)."""
    family = relative.split("/", 1)[0]
    path = out / relative
    if confined_relative(relative, family) is None or not inside(path.parent, out / family) or (
            path.is_symlink() or not path.is_file()):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def prune_empty_folders(top: Path) -> None:
    """Remove the folders under `top` (not `top`) left empty by removed outputs."""
    if not top.is_dir():
        return
    for folder, _, _ in sorted(os.walk(top), key=lambda entry: -len(entry[0])):
        path = Path(folder)
        if path != top and not any(path.iterdir()):
            path.rmdir()
