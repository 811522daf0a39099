"""`out/index.html`: every document built, in every family, with links to its HTML page, its PDF
and its Word file, and the family's other files (print files, manifests, invitations).

Made from the build records (`out/.arsdocs/<family>.json`), so that it lists what is in out/
whichever families a build made; the titles come from the documents' own HTML pages. Written
only when its bytes change.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ars_docs.base.builder import DOCUMENT_SUFFIXES
from ars_docs.base.registry import builder_names, get_builder
from ars_docs.base.state import BuildState, state_path
from ars_docs.source.project import Project
from ars_docs.source.safefiles import write_atomically
from ars_docs.tree.templating import located, sandbox
from ars_docs.writers.formats import FORMATS

INDEX = "index.html"
INDEX_TEMPLATE = "index.html"
"""In templates/, outside the families' folders: changing it rebuilds no document."""
NOT_LISTED = (".eml",)
"""One e-mail per letter: the manifest lists them."""

_TITLE = re.compile(rb"<title>(.*?)</title>", re.DOTALL)


@dataclass(frozen=True)
class Listed:
    title: str
    formats: tuple[tuple[str, str], ...]
    """(label, path relative to out/) of each file of the document."""


@dataclass
class Folder:
    name: str
    documents: list[Listed] = field(default_factory=list)
    others: list[str] = field(default_factory=list)


@dataclass
class IndexSection:
    """A family's part of the index page: its documents, folder by folder."""

    label: str
    folders: list[Folder]




def sections(project: Project) -> list[IndexSection]:
    listed = []
    for name in builder_names():
        files = sorted(name for record in BuildState(project.out, name).items.values() for name in record.files)
        if files:
            listed.append(IndexSection(get_builder(name).label, _folders(project, files)))
    return listed


def _folders(project: Project, files: list[str]) -> list[Folder]:
    present = set(files)
    folders: dict[str, Folder] = {}
    for name in files:
        path = PurePosixPath(name)
        folder = folders.setdefault(str(path.parent), Folder(str(path.parent)))
        stem, suffix = str(path.with_suffix("")), path.suffix.lstrip(".")
        if suffix == "html":
            formats = tuple((output.label, f"{stem}.{output.suffix}") for output in FORMATS
                            if f"{stem}.{output.suffix}" in present)
            folder.documents.append(Listed(_title(project, name), formats))
        elif not (suffix in DOCUMENT_SUFFIXES and f"{stem}.html" in present) and path.suffix not in NOT_LISTED:
            folder.others.append(name)
    return [folders[name] for name in sorted(folders)]


def _title(project: Project, page: str) -> str:
    path = project.out / page
    try:
        status = path.stat()
        return _title_of(path, status.st_size, status.st_mtime_ns) or page
    except OSError:
        return page


@functools.lru_cache(maxsize=4096)
def _title_of(path: Path, size: int, modified: int) -> str | None:
    """The title of a page, read once per version of the file (a build renders the index twice:
    to check its template, then to write it)."""
    try:
        with path.open("rb") as stream:
            found = _TITLE.search(stream.read(8192))
    except OSError:
        return None
    return html.unescape(found.group(1).decode("utf-8", "replace")).strip() if found else None


def render_index(project: Project) -> bytes:
    path = project.templates / INDEX_TEMPLATE
    records = [state_path(project.out, name) for name in builder_names()]
    key = (path, *(_stamp(file) for file in (path, *records)))
    if _RENDERED and _RENDERED[0][0] == key:
        return _RENDERED[0][1]  # the same template and records: the page `check` rendered, a build writes
    environment = sandbox(path.parent, autoescape=True)
    with located(path, project.root):
        page = environment.get_template(INDEX_TEMPLATE).render(familles=sections(project)).encode("utf-8")
    _RENDERED[:] = [(key, page)]
    return page


_RENDERED: list[tuple[tuple[object, ...], bytes]] = []
"""The last index rendered in this process, and what it was rendered from."""


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def write_index(project: Project) -> bool:
    """Write out/index.html if it changed; whether it did."""
    data = render_index(project)
    target = project.out / INDEX
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomically(target, data)
    return True
