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

from ars_docs.version import __version__

# The libraries whose versions change the bytes of an output.
_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "fonttools", "pillow", "docxtpl", "python-docx", "lxml",
              "jinja2", "markdown-it-py", "babel", "pypdf", "pikepdf", "icalendar", "typst")


def canonical(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A JSON-ready form of `value` that depends on its content only. `memo` keeps the form of the
    objects already seen (by identity): the thousand letters of a mailing share one letter model."""
    if memo is not None and id(value) in memo:
        return memo[id(value)][1]
    if isinstance(value, BaseModel):
        form: Any = {"@": type(value).__name__,
                     **{name: canonical(getattr(value, name), memo) for name in type(value).model_fields}}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        form = {"@": type(value).__name__,
                **{field.name: canonical(getattr(value, field.name), memo) for field in dataclasses.fields(value)}}
    else:
        return _canonical_value(value, memo)
    if memo is not None:
        memo[id(value)] = (value, form)  # the value is kept alive, so that its id is not reused
    return form


def _canonical_value(value: Any, memo: dict[int, Any] | None) -> Any:
    if isinstance(value, enum.Enum):
        return canonical(value.value, memo)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [canonical(item, memo) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(canonical(item, memo), sort_keys=True) for item in value)
    if isinstance(value, dict):
        return {str(key): canonical(item, memo) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if isinstance(value, Path):
        return value.as_posix()
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(value: Any, memo: dict[int, Any] | None = None) -> str:
    text = json.dumps(canonical(value, memo), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
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
