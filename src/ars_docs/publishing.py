"""One document tree, two files: PDF through the HTML shell and WeasyPrint, DOCX through the Word shell."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ars_docs.doctree import Document
from ars_docs.errors import InvalidInput, Location, Problem
from ars_docs.project import Project
from ars_docs.templating import ConfinedLoader, template_problem
from ars_docs.writers.docx import DocxWriter
from ars_docs.writers.html import html_blocks
from ars_docs.writers.pdf import PdfWriter, project_url


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    docx: bytes


def epoch_of(day: datetime.date) -> int:
    """Noon UTC on the document's date: the time stamped wherever a format wants one."""
    return calendar.timegm(datetime.datetime.combine(day, datetime.time(12, 0)).timetuple())


class Publisher:
    """Renders the documents of one family with its shells `<family>/<shell>.html` and `.docx`."""

    def __init__(self, project: Project, family: str, shell: str) -> None:
        self.project = project
        self.folder = project.templates / family
        self.html_path = self.folder / f"{shell}.html"
        html_loader = ConfinedLoader([self.folder, project.templates / "commun"])
        environment = SandboxedEnvironment(loader=html_loader, autoescape=True, undefined=jinja2.StrictUndefined)
        try:
            self.html_shell = environment.get_template(self.html_path.name)
        except jinja2.TemplateNotFound:
            raise InvalidInput([Problem(Location(project.name(self.html_path)), "", "coquille HTML introuvable")]) \
                from None
        except jinja2.TemplateError as error:
            raise InvalidInput([template_problem(error, self.html_path, project.root)]) from None
        self.pdf = PdfWriter(project.root, (project.templates, project.logo))
        docx_shell = self.folder / f"{shell}.docx"
        self.docx = DocxWriter(docx_shell, project.name(docx_shell))

    def html(self, document: Document, fields: Mapping[str, Any]) -> str:
        settings = self.project.settings
        try:
            return self.html_shell.render(
                document=document, corps=Markup(html_blocks(document.blocks)),
                logo=project_url(self.project.name(self.project.logo)), logo_texte=settings.logo_texte, **fields)
        except Exception as error:  # any failure inside the shell is the shell's, located there
            raise InvalidInput([template_problem(error, self.html_path, self.project.root)]) from None

    def render(self, document: Document, name: str, fields: Mapping[str, Any] | None = None) -> Rendered:
        fields = fields or {}
        pdf = self.pdf.render(self.html(document, fields), self.project.name(self.folder), name,
                              epoch_of(document.date))
        docx = self.docx.render(document, {"document": document, **fields}, self.project.logo,
                                self.project.settings.logo_hauteur_mm,
                                # the same shell field the HTML shell reads: Word numbers lines natively
                                line_numbers=bool(fields.get("numeros_de_ligne")))
        return Rendered(pdf, docx)
