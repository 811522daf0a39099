"""One document tree, two files: PDF through the HTML shell and WeasyPrint, DOCX through the Word shell."""

from __future__ import annotations

import base64
import calendar
import datetime
import mimetypes
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import meta
from markupsafe import Markup

from ars_docs.source.errors import InvalidInput, Location, Problem
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
from ars_docs.tree.templating import located, sandbox
from ars_docs.writers.docx import DocxWriter
from ars_docs.writers.formats import FORMATS
from ars_docs.writers.html import html_blocks
from ars_docs.writers.stylesheets import stylesheet_problems
from ars_docs.writers.typst import ENTRY, TypstWriter, typst_source
from ars_docs.writers.weasyprint import PdfError, PdfWriter, project_url

SCREEN_STYLESHEET = "commun/ecran.css"


def data_url(path: Path) -> str:
    """A file inside the page itself: the HTML alternative stands alone."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def epoch_of(day: datetime.date) -> int:
    """Noon UTC on the document's date: the time stamped wherever a format wants one."""
    return calendar.timegm(datetime.datetime.combine(day, datetime.time(12, 0)).timetuple())


class Publisher:
    """Renders the documents of one family with its shells `<family>/<shell>.html` and `.docx`."""

    def __init__(self, project: Project, family: str, shell: str) -> None:
        self.project = project
        self.folder = project.templates / family
        self.html_path = self.folder / f"{shell}.html"
        environment = sandbox([self.folder, project.templates / "commun"], autoescape=True)
        try:
            with located(self.html_path, project.root):
                self.html_shell = environment.get_template(self.html_path.name)
        except InvalidInput as error:
            if error.problems[0].message.startswith("gabarit introuvable"):
                name = project.name(self.html_path)
                raise InvalidInput([Problem(Location(name), "", f"coquille HTML introuvable{starter_hint(name)}")]) \
                    from None
            raise
        self._pdf: PdfWriter | None = None
        self.typst_path = self.folder / f"{shell}.typ"
        self.typst: TypstWriter | None = None
        if project.settings.moteur_pdf == "typst":
            self.typst = TypstWriter(project.root)
        docx_shell = self.folder / f"{shell}.docx"
        self.docx = DocxWriter(docx_shell, project.name(docx_shell))
        self._alternative: dict[str, str] | None = None

    @property
    def pdf(self) -> PdfWriter:
        """WeasyPrint's writer, loaded when a PDF is first made with it (not for a build that makes
        nothing, nor with `moteur_pdf: typst`)."""
        if self._pdf is None:
            self._pdf = PdfWriter(self.project.root, (self.project.templates, self.project.logo))
        return self._pdf

    def validate(self) -> None:
        """What would otherwise fail, or write documents without their text, only when rendering:
        each shell must place the body (`{{ corps }}` in the HTML shell, `{{p corps }}` in the Word
        shell), the Word shell must open and its fields parse, the screen stylesheet must be read."""
        problems: list[Problem] = []
        source = self.html_shell.environment.loader.get_source(  # type: ignore[union-attr]
            self.html_shell.environment, self.html_path.name)[0]
        if "corps" not in meta.find_undeclared_variables(self.html_shell.environment.parse(source)):
            problems.append(Problem(Location(self.project.name(self.html_path)), "",
                                    "la coquille HTML ne place pas le corps du document : ajoutez {{ corps }}"))
        problems.extend(self._included_problems(source))
        if self.typst is None:  # with Typst, the shell's stylesheets lay out no PDF (the screen's is checked below)
            problems.extend(stylesheet_problems(self.project, self.html_path, source))
        problem = self.docx.validate()
        if problem is not None:
            problems.append(problem)
        if self.typst is not None:
            problems.extend(self._typst_problems())
        if problems:
            raise InvalidInput(problems)
        self.alternative_fields()

    def _typst_problems(self) -> list[Problem]:
        """With `moteur_pdf: typst`, the family's Typst shell must be there and lay out a document
        that has every kind of block: otherwise `build` would fail on the first PDF."""
        where = Location(self.project.name(self.typst_path))
        if not self.typst_path.is_file():
            return [Problem(where, "", "coquille Typst introuvable (moteur_pdf: typst dans arsdocs.yaml)"
                            + starter_hint(where.file))]
        entry = self.project.root / ENTRY
        if not entry.is_file():
            return [Problem(Location(self.project.name(entry)), "", "point d'entrée des documents Typst introuvable "
                            "(moteur_pdf: typst dans arsdocs.yaml) : copiez-le depuis l'exemple d'arsdocs")]
        try:
            self.typst_pdf(_PROBE, {}, f"essai de {self.project.name(self.typst_path)}")
        except PdfError as error:
            return [Problem(where, "", str(error))]
        return []

    def _included_problems(self, source: str) -> list[Problem]:
        """The templates the HTML shell includes, and those they include, found and not empty."""
        environment = self.html_shell.environment
        pending, seen, problems = [(self.html_path, source)], set(), []
        while pending:
            path, text = pending.pop()
            for name in meta.find_referenced_templates(environment.parse(text)):
                if name is None or name in seen:
                    continue
                seen.add(name)
                try:
                    with located(path, self.project.root):
                        included = environment.get_template(name)
                except InvalidInput as error:
                    problems.extend(error.problems)
                    continue
                if included.filename:
                    pending.append((Path(included.filename), Path(included.filename).read_text(encoding="utf-8")))
        return problems

    def alternative_fields(self) -> dict[str, str]:
        """What the shells need for the standalone page: the logo and the screen stylesheet inside it."""
        if self._alternative is None:
            stylesheet = self.project.templates / SCREEN_STYLESHEET
            try:
                css = stylesheet.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise InvalidInput([Problem(Location(self.project.name(stylesheet)), "",
                                            "feuille de style de la page HTML introuvable ou illisible")]) from None
            if not css.strip():
                raise InvalidInput([Problem(Location(self.project.name(stylesheet)), "",
                                            "feuille de style de la page HTML vide")])
            self._alternative = {"logo": data_url(self.project.logo), "style_ecran": Markup(css)}
        return self._alternative

    def html(self, document: Document, fields: Mapping[str, Any], alternative: bool = False) -> str:
        """The page WeasyPrint lays out, or with `alternative` the standalone page for screens."""
        settings = self.project.settings
        shell_fields: dict[str, Any] = {"logo": project_url(self.project.name(self.project.logo)), "alternative": False}
        if alternative:
            shell_fields = {**self.alternative_fields(), "alternative": True}
        with located(self.html_path, self.project.root):
            return self.html_shell.render(
                document=document, corps=Markup(html_blocks(document.blocks)),
                logo_texte=settings.logo_texte, logo_hauteur_mm=settings.logo_hauteur_mm, agence=settings.agence,
                **{**agency_fields(self.project), **shell_fields, **fields})

    def render(self, document: Document, name: str, fields: Mapping[str, Any] | None = None) -> dict[str, bytes]:
        """The document in every format of the registry (`formats.FORMATS`), by suffix; every shell
        receives the agency's footer (`pied_agence_1`, `pied_agence_2`: empty without `agence:`)."""
        shown = {**agency_fields(self.project), **(fields or {})}
        writers: dict[str, Callable[[], bytes]] = {
            "docx": lambda: self.docx_of(document, shown),
            "pdf": lambda: self.pdf_of(document, name, shown),
            "html": lambda: self.html(document, shown, alternative=True).encode("utf-8"),
        }
        return {output.suffix: writers[output.suffix]() for output in FORMATS}

    def pdf_of(self, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        if self.typst is not None:
            return self.typst_pdf(document, fields, name)
        return self.pdf.render(self.html(document, fields), self.project.name(self.folder), name,
                               epoch_of(document.date))

    def typst_pdf(self, document: Document, fields: Mapping[str, Any], name: str) -> bytes:
        assert self.typst is not None
        settings = self.project.settings
        source = typst_source(document, fields, self.project.name(self.project.logo), settings.logo_texte,
                              settings.logo_hauteur_mm)
        return self.typst.render(source, self.project.name(self.typst_path), name, epoch_of(document.date),
                                 signature=_signed(document.blocks))

    def docx_of(self, document: Document, fields: Mapping[str, Any]) -> bytes:
        return self.docx.render(document, {"document": document, "agence": self.project.settings.agence, **fields},
                                self.project.logo,
                                self.project.settings.logo_hauteur_mm,
                                # the same shell field the HTML shell reads: Word numbers lines natively
                                line_numbers=bool(fields.get("numeros_de_ligne")),
                                logo_text=self.project.settings.logo_texte)


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


def agency_fields(project: Project) -> dict[str, str]:
    """The agency's footer lines for the shells, empty when the project names no agency."""
    agency = project.settings.agence
    first, second = agency.footer_lines() if agency else ("", "")
    return {"pied_agence_1": first, "pied_agence_2": second}
