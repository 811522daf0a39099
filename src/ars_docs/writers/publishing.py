"""One document tree, every format of the registry (`formats.FORMATS`): the PDF by the engine the
project chose (`pdfengine`), the Word file through the Word shell, the standalone HTML page."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import meta
from markupsafe import Markup

from ars_docs.source.errors import InvalidInput, Location, Problem
from ars_docs.source.project import Project
from ars_docs.source.starters import starter_hint
from ars_docs.tree.doctree import (
    Document,
)
from ars_docs.tree.templating import located, sandbox
from ars_docs.writers.docx import DocxWriter
from ars_docs.writers.formats import FORMATS
from ars_docs.writers.html import html_blocks
from ars_docs.writers.pdfengine import pdf_engine
from ars_docs.writers.weasyprint import project_url

SCREEN_STYLESHEET = "commun/ecran.css"


def data_url(path: Path) -> str:
    """A file inside the page itself: the HTML alternative stands alone."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


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
        self.engine = pdf_engine(project, self.folder, shell, self.html)
        """The PDF engine the project chose, resolved once."""
        docx_shell = self.folder / f"{shell}.docx"
        self.docx = DocxWriter(docx_shell, project.name(docx_shell))
        self._alternative: dict[str, str] | None = None

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
        problems.extend(self.engine.validate(source))
        problem = self.docx.validate()
        if problem is not None:
            problems.append(problem)
        if problems:
            raise InvalidInput(problems)
        self.alternative_fields()

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
        """The document in every format of the registry (`formats.FORMATS`), by suffix, each by its
        writer; every shell receives the agency's footer (`pied_agence_1`, `pied_agence_2`: empty
        without `agence:`)."""
        shown = {**agency_fields(self.project), **(fields or {})}
        return {output.suffix: getattr(self, output.writer)(document, name, shown) for output in FORMATS}

    def render_pdf(self, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        return self.engine.render(document, fields, name)

    def render_html(self, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        return self.html(document, fields, alternative=True).encode("utf-8")

    def render_docx(self, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        return self.docx.render(document, {"document": document, "agence": self.project.settings.agence, **fields},
                                self.project.logo,
                                self.project.settings.logo_hauteur_mm,
                                # the same shell field the HTML shell reads: Word numbers lines natively
                                line_numbers=bool(fields.get("numeros_de_ligne")),
                                logo_text=self.project.settings.logo_texte)


def agency_fields(project: Project) -> dict[str, str]:
    """The agency's footer lines for the shells, empty when the project names no agency."""
    agency = project.settings.agence
    first, second = agency.footer_lines() if agency else ("", "")
    return {"pied_agence_1": first, "pied_agence_2": second}
