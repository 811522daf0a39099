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
from ars_docs.errors import ArsDocsError, InvalidInput, Problem
from ars_docs.formats import SUFFIXES
from ars_docs.project import Project

if TYPE_CHECKING:
    from ars_docs.publishing import Publisher

T = TypeVar("T")


DOCUMENT_SUFFIXES = SUFFIXES
"""Every document is written in each format of `formats.FORMATS`: Word, PDF, a standalone HTML page."""


class _Work:
    """What every unit of work writes: `<stem>.<suffix>` for each of its suffixes (relative to
    out/), known by its stem; what its fingerprint covers, by default the unit itself."""

    stem: str
    suffixes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.stem

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(f"{self.stem}.{suffix}" for suffix in self.suffixes)

    @property
    def fingerprinted(self) -> Any:
        """What the fingerprint covers besides the family's files."""
        return self


class Item(_Work):
    """One unit of work, typed by what it makes (a document, a letter, a reply form…), with its one
    way to make it. Items go to worker processes: each kind is a frozen dataclass that pickles."""

    suffixes = DOCUMENT_SUFFIXES
    group: str = ""
    """Items of one group are made in order by the same worker (letters sharing a reply form)."""
    counted = True
    """Whether it is one of the documents a family reports (a letter's reply form is not)."""

    def make(self, builder: Builder, project: Project) -> dict[str, bytes]:
        """The files of the item: output path relative to out/ -> bytes (in a worker process)."""
        raise NotImplementedError


class FinalItem(_Work):
    """An item made after the others, from their files once in place (a print file, a manifest)."""

    def make(self, builder: Builder, project: Project, hashes: Mapping[str, str]) -> dict[str, bytes]:
        """`hashes`: SHA-256 of every output of the family, by path relative to out/."""
        raise NotImplementedError


@dataclass(frozen=True)
class Rendition(Item):
    """A document tree and the fields of its shells, rendered as `<stem>.docx`, `<stem>.pdf` and
    `<stem>.html` (its accessible alternative)."""

    document: Document
    stem: str
    """Relative to out/, without suffix."""
    fields: Mapping[str, Any]

    def make(self, builder: Builder, project: Project) -> dict[str, bytes]:
        rendered = builder.publisher(project).render(self.document, f"out/{self.stem}", self.fields)
        return {f"{self.stem}.{suffix}": data for suffix, data in rendered.items()}


def rendition_item(document: Document, stem: str, fields: Mapping[str, Any]) -> Item:
    return Rendition(document, stem, dict(fields))


class Builder:
    name = ""
    label = ""
    family = ""
    shell = ""
    data_folder = ""
    """The folder of the family's data (`data/courriers`): a project without it has no such documents."""

    def __init__(self) -> None:
        self._publisher: Publisher | None = None

    def present(self, project: Project) -> bool:
        """Whether the project has this family (its data folder): families are optional."""
        return (project.root / self.data_folder).is_dir()

    def configure(self, *, compare: str | None = None) -> None:
        """Options of `arsdocs build`; a family uses those that concern it."""

    def plan(self, project: Project) -> list[Item]:
        raise NotImplementedError

    def documents(self, items: list[Item]) -> int:
        """How many documents the items are (a letter's reply form is not counted)."""
        return sum(item.counted for item in items)

    def check(self, project: Project, items: list[Item]) -> None:
        """What `plan` does not validate and rendering would find too late: the family's shells, and
        what `plan` left to the workers. `check` and `build` both run it, before anything is written."""
        self.publisher(project).validate()

    def compose(self, project: Project, items: list[Item]) -> list[Item]:
        """What `plan` leaves to the workers, done here for every item at once: `check` composes
        everything a build could have to make (a thousand letters), so that whatever it accepts
        builds; a build composes only the items it remakes, in its workers (unchanged inputs
        compose as they did). Located errors, all at once."""
        return items

    def make(self, project: Project, item: Item) -> dict[str, bytes]:
        """The files of one item (in a worker process)."""
        return item.make(self, project)

    def finals(self, project: Project, items: list[Item], fingerprints: Mapping[str, str]) -> list[FinalItem]:
        """Items made from the files of the others, once those are in place."""
        return []

    prints_logo = False
    """Whether its documents print the brand block (`logo:`), which the release gate looks at."""

    def release_sources(self, project: Project) -> list[Path]:
        """The data files whose values the release gate reads (`release`): those of its folder."""
        return sorted(path for path in (project.root / self.data_folder).rglob("*.yaml") if path.is_file())

    def unsigned(self, project: Project, items: list[Item]) -> list[Problem]:
        """The documents that say they must be signed and are not, for the release gate (`release`)."""
        return []

    @property
    def mailing_folder(self) -> str:
        """Where the data of the mailings a family sends are (`SEND`)."""
        raise NotImplementedError

    def sign(self, project: Project, key: Any, only: str | None) -> Any:
        """Sign the family's documents (`SIGN`), or those of one mailing; what was signed."""
        raise NotImplementedError

    def family_files(self, project: Project) -> list[Path]:
        """The files every output of the family depends on."""
        return [project.templates / self.family, project.templates / "commun", project.logo]

    def publisher(self, project: Project) -> Publisher:
        if self._publisher is None:
            from ars_docs.publishing import Publisher  # imported when rendering: the CLI starts fast

            self._publisher = Publisher(project, self.family, self.shell)
        return self._publisher


SEND, SIGN = "send", "sign"
"""What a family's documents can be besides built: sent by e-mail (`arsdocs send`), signed
(`arsdocs sign`). Its builder then implements `mailing_folder`, and `sign`."""

# name -> ("module:Class", what else it can do), imported only when used (a CLI that starts fast)
_REGISTRY: dict[str, tuple[str, frozenset[str]]] = {
    "letters": ("ars_docs.letters.builder:LettersBuilder", frozenset({SEND, SIGN})),
    "relances": ("ars_docs.letters.builder:RemindersBuilder", frozenset({SEND, SIGN})),
    "statuts": ("ars_docs.statuts.builder:StatutsBuilder", frozenset()),
    "cpom": ("ars_docs.cpom.builder:CpomBuilder", frozenset()),
}


def builder_names(capability: str | None = None) -> list[str]:
    """The families, or those whose documents can also be sent (`SEND`) or signed (`SIGN`)."""
    return [name for name, (_, capabilities) in _REGISTRY.items() if capability is None or capability in capabilities]


def get_builder(name: str) -> Builder:
    module, _, cls = _REGISTRY[name][0].partition(":")
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


ALL = "all"
"""On the command line: every family the project has."""


def families(project: Project, famille: str = ALL) -> list[Builder]:
    """The builders of `famille`, or with `all` those of the families the project has (a project
    of letters only has no data/statuts/): families are optional, but not all of them."""
    if famille != ALL:
        builder = get_builder(famille)
        if not builder.present(project):
            raise ArsDocsError(f"ce projet n'a pas de {builder.label} : le dossier {builder.data_folder}/ "
                               "n'existe pas (voir README, « Un projet »)")
        return [builder]
    builders = [builder for builder in map(get_builder, builder_names()) if builder.present(project)]
    if not builders:
        folders = ", ".join(f"{get_builder(name).data_folder}/" for name in builder_names())
        raise ArsDocsError(f"aucun document à faire dans ce projet : aucun des dossiers {folders} n'existe "
                           "(voir README, « Un projet »)")
    return builders
