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

from ars_docs.output import write_atomically

STATE_FOLDER = ".arsdocs"
_FORMAT = 1


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


class BuildState:
    def __init__(self, out: Path, family: str) -> None:
        self.out = out
        self.path = out / STATE_FOLDER / f"{family}.json"
        self.items: dict[str, ItemRecord] = {}
        self._load()

    def _load(self) -> None:
        try:
            raw: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("format") != _FORMAT:
                return
            for key, item in raw["elements"].items():
                files = {name: FileRecord(**record) for name, record in item["fichiers"].items()}
                self.items[key] = ItemRecord(item["empreinte"], files)
        except (OSError, ValueError, KeyError, TypeError):
            self.items = {}  # no usable record: everything is rebuilt

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


def remove_output(path: Path) -> bool:
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
