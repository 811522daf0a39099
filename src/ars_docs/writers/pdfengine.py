"""The PDF engine the project chose (`moteur_pdf`), resolved once into an object: WeasyPrint lays
out the family's HTML shell, Typst its Typst shell. Families never ask which: they give a document
(`render`), or a form described for both (`FormPage`, `render_form`), and `validate` says what the
engine needs before the first PDF (as pandoc's `makePDF` takes its engine by name, once).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ars_docs.source.errors import Location, Problem
from ars_docs.source.project import Project
from ars_docs.source.starters import starter_hint
from ars_docs.tree.doctree import (
    SIGNATURE_ROLE,
    Block,
    Cell,
    Contents,
    Division,
    Document,
    Heading,
    Landscape,
    Letterhead,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    Table,
    Window,
)
from ars_docs.writers.formfields import FieldSpec
from ars_docs.writers.typst import ENTRY, TypstWriter, typst_source
from ars_docs.writers.weasyprint import PdfError

if TYPE_CHECKING:
    from ars_docs.writers.weasyprint import PdfWriter

HtmlOf = Callable[[Document, Mapping[str, Any]], str]
"""The page of a document as the family's HTML shell lays it out for print."""


def epoch_of(day: datetime.date) -> int:
    """Noon UTC on the document's date: the time stamped wherever a format wants one."""
    return calendar.timegm(datetime.datetime.combine(day, datetime.time(12, 0)).timetuple())


@dataclass(frozen=True)
class FormPage:
    """A fillable form, as the family writes it for either engine: the page and its fields."""

    name: str
    """How messages name it (« formulaire chu-reims »); the PDF's identifier comes from it."""
    date: datetime.date
    folder: Path
    """The templates folder the page's relative URLs start from."""
    html: Callable[[], str]
    """The page for WeasyPrint, which writes the fields itself."""
    finish: Callable[[bytes], bytes]
    """What the family does to WeasyPrint's form (the fields named as its form says)."""
    typst_shell: Path
    typst_source: Callable[[], str]
    """The page for Typst, which leaves room for the fields (labelled `field_label`)."""
    fields: Callable[[], Sequence[FieldSpec]]
    """Its fields, in the order of the page (asked only by the engine that adds them: Typst)."""
    field_size: float
    field_label: str
    fonts: Path


class PdfEngine:
    """What every engine does: a document, a form, and what it needs checked before the first PDF."""

    name: ClassVar[str] = ""

    def __init__(self, project: Project, folder: Path, shell: str, html: HtmlOf) -> None:
        self.project, self.folder, self.shell, self.html = project, folder, shell, html

    def render(self, document: Document, fields: Mapping[str, Any], name: str) -> bytes:
        raise NotImplementedError

    def render_form(self, form: FormPage) -> bytes:
        raise NotImplementedError

    def validate(self, html_source: str) -> list[Problem]:
        """The family's shells as this engine reads them (`html_source`: the HTML shell's text)."""
        raise NotImplementedError

    def form_problems(self, form: FormPage) -> list[Problem]:
        """What would keep the form from being laid out, found before the build."""
        return []


class WeasyPrintEngine(PdfEngine):
    name = "weasyprint"

    def __init__(self, project: Project, folder: Path, shell: str, html: HtmlOf) -> None:
        super().__init__(project, folder, shell, html)
        self._documents: PdfWriter | None = None
        self._forms: PdfWriter | None = None

    def _writer(self, forms: bool) -> PdfWriter:
        """WeasyPrint's writers, loaded when a PDF is first made with them (not for a build that
        makes nothing): a form reads nothing but the templates, a document the logo too."""
        from ars_docs.writers.weasyprint import PdfWriter

        if forms:
            if self._forms is None:
                self._forms = PdfWriter(self.project.root, (self.project.templates,))
            return self._forms
        if self._documents is None:
            self._documents = PdfWriter(self.project.root, (self.project.templates, self.project.logo))
        return self._documents

    def render(self, document: Document, fields: Mapping[str, Any], name: str) -> bytes:
        return self._writer(False).render(self.html(document, fields), self.project.name(self.folder), name,
                                          epoch_of(document.date))

    def render_form(self, form: FormPage) -> bytes:
        pdf = self._writer(True).render(form.html(), self.project.name(form.folder), form.name, epoch_of(form.date),
                                        forms=True)
        return form.finish(pdf)

    def validate(self, html_source: str) -> list[Problem]:
        from ars_docs.writers.stylesheets import stylesheet_problems

        return stylesheet_problems(self.project, self.folder / f"{self.shell}.html", html_source)


class TypstEngine(PdfEngine):
    name = "typst"

    def __init__(self, project: Project, folder: Path, shell: str, html: HtmlOf) -> None:
        super().__init__(project, folder, shell, html)
        self.typst = TypstWriter(project.root)
        self.typst_path = folder / f"{shell}.typ"

    def render(self, document: Document, fields: Mapping[str, Any], name: str) -> bytes:
        settings = self.project.settings
        source = typst_source(document, fields, self.project.name(self.project.logo), settings.logo_texte,
                              settings.logo_hauteur_mm)
        return self.typst.render(source, self.project.name(self.typst_path), name, epoch_of(document.date),
                                 signature=_signed(document.blocks))

    def render_form(self, form: FormPage) -> bytes:
        """Typst draws the page; the fields are added where it left room for them."""
        from ars_docs.writers import formfields

        fields = form.fields()
        pdf, places = self._form_layout(form, fields)
        return formfields.add_fields(pdf, places, fields, form.fonts, form.field_size, form.name)

    def _form_layout(self, form: FormPage, fields: Sequence[FieldSpec]) -> tuple[bytes, list[Any]]:
        """The form's page laid out by its Typst shell, and the places it left for the fields, which
        must be the form's fields, in order."""
        from ars_docs.writers import formfields

        pdf, places = self.typst.compile(form.typst_source(), self.project.name(form.typst_shell), form.name,
                                         epoch_of(form.date), form.field_label)
        return pdf, formfields.check_places(places, fields, form.name)

    def validate(self, html_source: str) -> list[Problem]:
        """The family's Typst shell must be there and lay out a document that has every kind of
        block: otherwise `build` would fail on the first PDF. (With Typst, the HTML shell's
        stylesheets lay out no PDF.)"""
        where = Location(self.project.name(self.typst_path))
        if not self.typst_path.is_file():
            return [Problem(where, "", "coquille Typst introuvable (moteur_pdf: typst dans arsdocs.yaml)"
                            + starter_hint(where.file))]
        entry = self.project.root / ENTRY
        if not entry.is_file():
            return [Problem(Location(self.project.name(entry)), "", "point d'entrée des documents Typst introuvable "
                            "(moteur_pdf: typst dans arsdocs.yaml) : copiez-le depuis l'exemple d'arsdocs")]
        try:
            self.render(_PROBE, {}, f"essai de {self.project.name(self.typst_path)}")
        except PdfError as error:
            return [Problem(where, "", str(error))]
        return []

    def form_problems(self, form: FormPage) -> list[Problem]:
        """The form's Typst shell, there and laid out once."""
        where = Location(self.project.name(form.typst_shell))
        if not form.typst_shell.is_file():
            return [Problem(where, "", "coquille Typst du formulaire de réponse introuvable (moteur_pdf: typst dans "
                                       "arsdocs.yaml) : copiez-la depuis l'exemple d'arsdocs (arsdocs init --exemple)")]
        try:
            self._form_layout(form, form.fields())
        except PdfError as error:
            return [Problem(where, "", str(error))]
        return []


ENGINES: dict[str, type[PdfEngine]] = {engine.name: engine for engine in (WeasyPrintEngine, TypstEngine)}
"""`moteur_pdf` -> its engine."""


def pdf_engine(project: Project, folder: Path, shell: str, html: HtmlOf) -> PdfEngine:
    """The engine the project chose, for the family whose shells are `folder/shell.*`."""
    return ENGINES[project.settings.moteur_pdf](project, folder, shell, html)


def _signed(blocks: tuple[Block, ...]) -> bool:
    """Whether a document has a signatory block, where `arsdocs sign` places the signature."""
    return any(isinstance(block, Division) and (block.role == SIGNATURE_ROLE or _signed(block.blocks))
               for block in blocks)


def _probe() -> Document:
    """A document with every kind of block, to try a Typst shell on."""
    text = (Paragraph((Run("Texte d’essai, "), Run("gras", bold=True), Run(" et 31/12/2027.")),),)
    table = Table(((Cell(text), Cell(text, align="right")), (Cell(text, indent=1), Cell(text))), widths=(2, 1))
    return Document("Essai de la coquille Typst", datetime.date(2026, 1, 1), (
        Letterhead(text, text, Window(110, 55, 85, 33, 5)), Contents("Sommaire"),
        Heading(1, (Run("Titre"),), anchor="titre"), *text, ListBlock(text), table,
        Division(SIGNATURE_ROLE, text), Division("autre", text), Landscape((table,)), PageBreak(), *text))


_PROBE = _probe()
