"""The base every family stands on: a family is a `Builder` and the items it plans and makes.

`plan` validates the data and lists the items to make, each with the inputs its fingerprint
covers, without writing anything; `make` (in a worker process) turns one item into the bytes of its
files; `finals` are the items made afterwards from the others' files (a print file, a manifest).
What a family can do besides building (`capabilities`: send, sign, compare) is declared on its
class, as Sphinx builders declare `name` and `format`. The engine (`pipeline/`) runs builders and
knows none of them; families import nothing from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ars_docs.source.errors import Problem
from ars_docs.source.fields import Record
from ars_docs.source.project import Project
from ars_docs.tree.doctree import Document
from ars_docs.writers.formats import SUFFIXES

if TYPE_CHECKING:
    from ars_docs.writers.publishing import Publisher


DOCUMENT_SUFFIXES = SUFFIXES
"""Every document is written in each format of `formats.FORMATS`: Word, PDF, a standalone HTML page."""

SEND, SIGN, COMPARE = "send", "sign", "compare"
"""What a family's documents can be besides built: sent by e-mail (`arsdocs send`), signed
(`arsdocs sign`), compared with an earlier state (`arsdocs build --comparer`). A builder declares
them in `capabilities` and then implements `mailing_folder` and `timeliness`, `signable` and
`resigned`, or uses the `compare` of `configure`."""


class BaseItem:
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


class Item(BaseItem):
    """One unit of work, typed by what it makes (a document, a letter, a reply form…): plain data
    that the family's builder makes (`Builder.make`). Items go to worker processes: each kind is a
    frozen dataclass that pickles."""

    suffixes = DOCUMENT_SUFFIXES
    group: str = ""
    """Items of one group are made in order by the same worker (letters sharing a reply form)."""
    counted = True
    """Whether it is one of the documents a family reports (a letter's reply form is not)."""


class FinalItem(BaseItem):
    """An item made after the others, from their files once in place (a print file, a manifest)."""


@dataclass(frozen=True)
class Rendition(Item):
    """A document tree and the fields of its shells, rendered as `<stem>.docx`, `<stem>.pdf` and
    `<stem>.html` (its accessible alternative)."""

    document: Document
    stem: str
    """Relative to out/, without suffix."""
    fields: Mapping[str, Any]


def rendition_item(document: Document, stem: str, fields: Mapping[str, Any]) -> Item:
    return Rendition(document, stem, dict(fields))


@dataclass(frozen=True)
class PublicFunding:
    """The most public money a family's documents give an organisation in one year, and the file
    that says so: what a CPOM tells the statutes (the clauses the law ties to public subsidies)."""

    amount: Decimal
    year: str
    contract: str


@dataclass(frozen=True)
class ToSign:
    """A PDF to sign: its item, its path relative to out/, and where it is signed."""

    item: Item
    pdf: str
    place: str


class Builder:
    name = ""
    label = ""
    capabilities: ClassVar[frozenset[str]] = frozenset()
    """What else its documents can be: `SEND`, `SIGN`, `COMPARE`."""
    template_folder = ""
    """Its folder in templates/ (reminders share the letters')."""
    settings_sections: ClassVar[dict[str, type[Record]]] = {}
    """Its own parts of arsdocs.yaml, by key, and the model each is read with (`Project.section`)."""
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
        """The files of one item, output path relative to out/ -> bytes (in a worker process): a
        document rendered in every format; a family with other kinds of items makes them first."""
        if not isinstance(item, Rendition):
            raise TypeError(f"{type(item).__name__} : élément inconnu de la famille {self.name}")
        rendered = self.publisher(project).render(item.document, f"out/{item.stem}", item.fields)
        return {f"{item.stem}.{suffix}": data for suffix, data in rendered.items()}

    def make_final(self, project: Project, item: FinalItem, hashes: Mapping[str, str]) -> dict[str, bytes]:
        """The files of an item made from the others once in place (`hashes`: SHA-256 of every
        output of the family, by path relative to out/)."""
        raise TypeError(f"{type(item).__name__} : élément inconnu de la famille {self.name}")

    def finals(self, project: Project, items: list[Item], fingerprints: Mapping[str, str]) -> list[FinalItem]:
        """Items made from the files of the others, once those are in place."""
        return []

    prints_logo = False
    """Whether its documents print the brand block (`logo:`), which the release gate looks at."""

    def release_sources(self, project: Project) -> list[Path]:
        """The data files whose values the release gate reads (`release`): those of its folder."""
        return sorted(path for path in (project.root / self.data_folder).rglob("*.yaml") if path.is_file())

    def public_funding(self, project: Project, organisation: str) -> PublicFunding | None:
        """What the family's documents give `organisation` in public money (none by default): how
        one family learns from another without importing it."""
        return None

    def founding_text(self, project: Project, organisation: str) -> tuple[str, str] | None:
        """The text that founds `organisation` in the family's documents (its statutes: their file,
        and every title and article), for another family to check what it names against it."""
        return None

    def gate_findings(self, project: Project) -> list[Problem]:
        """What the family's own rules keep from leaving the agency, for the release gate (none by
        default)."""
        return []

    def unsigned(self, project: Project, items: list[Item]) -> list[Problem]:
        """The documents that say they must be signed and are not, for the release gate (`release`)."""
        return []

    @property
    def mailing_folder(self) -> str:
        """Where the data of the mailings a family sends are (`SEND`)."""
        raise NotImplementedError

    def timeliness(self, project: Project, only: str | None, what: str) -> tuple[list[Problem], list[Problem]]:
        """(refusals, warnings) for signing or sending (`what`) the family's documents today: none
        by default (SEND, SIGN)."""
        return [], []

    signing_reason = ""
    """Why its documents are signed, written in each signature (`SIGN`)."""

    def signable(self, items: list[Item], only: str | None) -> list[ToSign]:
        """The PDFs `arsdocs sign` signs among the planned items, or those of one mailing (`SIGN`)."""
        raise NotImplementedError

    def resigned(self, project: Project, item: Item, pdf: bytes) -> dict[str, bytes]:
        """The files made again once the item's PDF is signed (an e-mail that carries it), output
        path relative to out/ -> bytes: none by default."""
        return {}

    def family_files(self, project: Project) -> list[Path]:
        """The files every output of the family depends on."""
        return [project.templates / self.template_folder, project.templates / "commun", project.logo]

    def publisher(self, project: Project) -> Publisher:
        if self._publisher is None:
            from ars_docs.writers.publishing import Publisher  # imported when rendering: the CLI starts fast

            self._publisher = Publisher(project, self.template_folder, self.shell)
        return self._publisher
