"""Document families, registered by name: the CLI's choices come from here.

A family is a builder and its templates. `plan` validates the data and lists the items to make,
each with the inputs its fingerprint covers, without writing anything; `make` (in a worker
process) turns one item into the bytes of its files; `finals` are the items made afterwards from
the others' files (a print file, a manifest).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ars_docs.doctree import Document
from ars_docs.errors import InvalidInput, Problem
from ars_docs.project import Project

if TYPE_CHECKING:
    from ars_docs.publishing import Publisher

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One unit of work: the files it writes (relative to out/) and what they are made from."""

    key: str
    outputs: tuple[str, ...]
    payload: Any
    """What `make` needs; must pickle (it goes to a worker process)."""
    inputs: Any = None
    """What the fingerprint covers besides the family's files; by default the payload."""
    group: str = ""
    """Items of one group are made in order by the same worker (letters sharing a reply form)."""

    @property
    def fingerprinted(self) -> Any:
        return self.payload if self.inputs is None else self.inputs


DOCUMENT_SUFFIXES = ("docx", "pdf", "html")
"""Every document is written in Word, in PDF, and as a standalone HTML page."""


@dataclass(frozen=True)
class Rendition:
    """A document tree and the fields of its shells, rendered as `<stem>.docx`, `<stem>.pdf` and
    `<stem>.html` (its accessible alternative)."""

    document: Document
    stem: str
    """Relative to out/, without suffix."""
    fields: Mapping[str, Any]


def rendition_item(document: Document, stem: str, fields: Mapping[str, Any]) -> Item:
    outputs = tuple(f"{stem}.{suffix}" for suffix in DOCUMENT_SUFFIXES)
    return Item(stem, outputs, Rendition(document, stem, dict(fields)))


class Builder:
    name = ""
    label = ""
    family = ""
    shell = ""

    def __init__(self) -> None:
        self._publisher: Publisher | None = None

    def configure(self, *, compare: str | None = None) -> None:
        """Options of `arsdocs build`; a family uses those that concern it."""

    def plan(self, project: Project) -> list[Item]:
        raise NotImplementedError

    def documents(self, items: list[Item]) -> int:
        """How many documents the items are (a letter's reply form is not counted)."""
        return len(items)

    def check(self, project: Project, items: list[Item]) -> None:
        """What `plan` does not validate and rendering would find too late: the family's shells, and
        what `plan` left to the workers. `check` and `build` both run it, before anything is written."""
        self.publisher(project).validate()

    def make(self, project: Project, item: Item) -> dict[str, bytes]:
        """The files of one item: output path relative to out/ -> bytes."""
        rendition: Rendition = item.payload
        rendered = self.publisher(project).render(rendition.document, f"out/{rendition.stem}", rendition.fields)
        return {f"{rendition.stem}.docx": rendered.docx, f"{rendition.stem}.pdf": rendered.pdf,
                f"{rendition.stem}.html": rendered.html}

    def finals(self, project: Project, items: list[Item], fingerprints: Mapping[str, str]) -> list[Item]:
        """Items made from the files of the others, once those are in place."""
        return []

    def make_final(self, project: Project, item: Item, hashes: Mapping[str, str]) -> dict[str, bytes]:
        """`hashes`: SHA-256 of every output of the family, by path relative to out/."""
        raise NotImplementedError

    def family_files(self, project: Project) -> list[Path]:
        """The files every output of the family depends on."""
        return [project.templates / self.family, project.templates / "commun", project.logo]

    def publisher(self, project: Project) -> Publisher:
        if self._publisher is None:
            from ars_docs.publishing import Publisher  # imported when rendering: the CLI starts fast

            self._publisher = Publisher(project, self.family, self.shell)
        return self._publisher


# name -> "module:Class", imported only when used (a CLI that starts fast)
_REGISTRY = {
    "letters": "ars_docs.letters.builder:LettersBuilder",
    "relances": "ars_docs.letters.builder:RemindersBuilder",
    "statuts": "ars_docs.statuts.builder:StatutsBuilder",
    "cpom": "ars_docs.cpom.builder:CpomBuilder",
}


def builder_names() -> list[str]:
    return list(_REGISTRY)


def get_builder(name: str) -> Builder:
    module, _, cls = _REGISTRY[name].partition(":")
    builder: Builder = getattr(importlib.import_module(module), cls)()
    return builder


class ProblemCollector:
    """Runs steps that may each fail with InvalidInput, so that every problem is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def attempt(self, step: Callable[..., T], *args: Any) -> T | None:
        try:
            return step(*args)
        except InvalidInput as failure:
            self.problems.extend(failure.problems)
            return None

    def add(self, problems: Iterator[Problem] | list[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)
