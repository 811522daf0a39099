"""Fingerprints: a digest of everything an output is made from.

An output is rebuilt when its fingerprint changes. A fingerprint covers the family's files (its
templates, the shared templates and fonts, the logo), the settings, the versions of arsdocs and of
the libraries that write the bytes, and the item's own inputs: data models and document trees,
encoded canonically (the same value always gives the same text).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
import importlib.metadata
import json
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ars_docs import __version__

# The libraries whose versions change the bytes of an output.
_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "fonttools", "pillow", "docxtpl", "python-docx", "lxml",
              "jinja2", "markdown-it-py", "babel", "pypdf", "pikepdf", "icalendar")


def canonical(value: Any) -> Any:
    """A JSON-ready form of `value` that depends on its content only."""
    if isinstance(value, BaseModel):
        return {"@": type(value).__name__,
                **{name: canonical(getattr(value, name)) for name in type(value).model_fields}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"@": type(value).__name__,
                **{field.name: canonical(getattr(value, field.name)) for field in dataclasses.fields(value)}}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(canonical(item), sort_keys=True) for item in value)
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if isinstance(value, Path):
        return value.as_posix()
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(value: Any) -> str:
    text = json.dumps(canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def files_digest(root: Path, paths: Iterable[Path]) -> str:
    """The names (relative to `root`) and contents of files and of every file under folders."""
    hasher = hashlib.sha256()
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(item for item in path.rglob("*") if item.is_file())
        elif path.is_file():
            found.add(path)
    for path in sorted(found):
        hasher.update(path.relative_to(root).as_posix().encode() + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def toolchain() -> dict[str, str]:
    """arsdocs, Python and the libraries that write the bytes, with their versions."""
    versions = {"arsdocs": __version__, "python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions
