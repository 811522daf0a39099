"""Document families, registered by name: the CLI's choices come from here.

A family is a builder and its templates. `jobs` validates everything and composes every
document tree without writing anything; `build` then renders and writes them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ars_docs.doctree import Document
from ars_docs.errors import InvalidInput, Problem
from ars_docs.project import Project
from ars_docs.publishing import Publisher, Rendered

T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """One output document: its tree and where it goes (without suffix)."""

    document: Document
    stem: Path
    fields: Mapping[str, Any] = field(default_factory=dict)
    record: Any = None
    """What the family knows of this document beyond its tree (the recipient of a letter…)."""


class Builder:
    name = ""
    label = ""
    family = ""
    shell = ""

    def configure(self, *, compare: str | None = None) -> None:
        """Options of `arsdocs build`; a family uses those that concern it."""

    def jobs(self, project: Project) -> list[Job]:
        raise NotImplementedError

    def publish(self, project: Project, jobs: list[Job]) -> list[Path]:
        """Render and write every job; returns the files written."""
        publisher = Publisher(project, self.family, self.shell)
        written: list[Path] = []
        for job in jobs:
            rendered = publisher.render(job.document, project.name(job.stem), job.fields)
            written += publisher.write(rendered, job.stem)
            written += self.after_document(project, job, rendered)
        written += self.after_all(project, jobs)
        return written

    def after_document(self, project: Project, job: Job, rendered: Rendered) -> list[Path]:
        """Files a family makes from one rendered document (an e-mail carrying a letter)."""
        return []

    def after_all(self, project: Project, jobs: list[Job]) -> list[Path]:
        """Files a family makes from all its documents (a print file, a manifest)."""
        return []


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
