"""Document tree to Word, inside a Word shell rendered by docxtpl.

The shell (`<family>/<name>.docx`) carries page setup, styles, header and footer and the fields
around the body; the body is `{{p corps }}`, a subdocument written here. A division's paragraphs
take the shell's style `ARS <role>`.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Mapping
from copy import deepcopy
from pathlib import Path
from typing import Any

import jinja2
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.shared import Emu, Mm
from docxtpl import DocxTemplate, InlineImage
from docxtpl.subdoc import Subdoc

from ars_docs.source.errors import InvalidInput, Location, Problem
from ars_docs.tree.doctree import (
    Document,
)
from ars_docs.tree.templating import sandbox
from ars_docs.writers.docx_body import BodyWriter
from ars_docs.writers.docx_ooxml import number_lines, package_zip, style_ids

# docxcompose (imported by docxtpl's subdocuments) rebinds python-docx's "cp" prefix to the
# custom-properties namespace for the whole process: python-docx then writes keywords, revision and
# last-modified-by into docProps/core.xml in that foreign namespace, beside the empty real ones.
nsmap["cp"] = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"




class _Body(Subdoc):  # type: ignore[misc]
    """docxtpl's subdocument without the default Word document it parses each time: a bare body in
    the shell's own part (its styles, its relationships), with the shell's section for widths."""

    def __init__(self, template: DocxTemplate, section: Any) -> None:
        self.tpl = template
        self.docx = template.get_docx()
        element = parse_xml(f"<w:document {nsdecls('w')}><w:body/></w:document>")
        element.body.append(deepcopy(section))
        self.subdocx = WordDocument(element, self.docx.part)


_BODY_PLACEHOLDER = re.compile(r"\{\{p\s+corps\s*\}\}")


class DocxWriter:
    """Renders documents into one Word shell, read once."""

    def __init__(self, shell: Path, shell_name: str) -> None:
        try:
            self.shell = shell.read_bytes()
        except OSError:
            raise InvalidInput([Problem(Location(shell_name), "", "coquille Word introuvable")]) from None
        self.shell_name = shell_name
        self.environment = sandbox(autoescape=True)
        _compile_once(self.environment)
        self.styles: dict[WD_STYLE_TYPE, dict[str, str | None]] = {}

    def validate(self) -> Problem | None:
        """The shell opens as a Word file, its fields parse, and a paragraph of its own holds
        `{{p corps }}`, where the body goes (without it, documents would have no text)."""
        location = Location(self.shell_name)
        template = DocxTemplate(io.BytesIO(self.shell))
        try:
            template.init_docx()
            variables = template.get_undeclared_template_variables(self.environment)
        except (zipfile.BadZipFile, KeyError, ValueError):
            return Problem(location, "", "coquille Word illisible : ce n'est pas un document .docx")
        except jinja2.TemplateError as error:
            return Problem(location, "", f"erreur dans un champ de la coquille Word : {error.message}")
        placed = any(_BODY_PLACEHOLDER.fullmatch(paragraph.text.strip()) for paragraph in template.docx.paragraphs)
        if "corps" not in variables or not placed:
            return Problem(location, "", "la coquille Word ne place pas le corps du document : ajoutez un "
                                         "paragraphe qui ne contient que {{p corps }}")
        return None

    def render(self, document: Document, fields: Mapping[str, Any], logo: Path | None, logo_height_mm: float,
               line_numbers: bool = False, logo_text: str = "") -> bytes:
        template = DocxTemplate(io.BytesIO(self.shell))
        try:
            template.init_docx()
        except (zipfile.BadZipFile, KeyError, ValueError):
            raise InvalidInput([Problem(Location(self.shell_name), "",
                                        "coquille Word illisible : ce n'est pas un document .docx")]) from None
        if not self.styles:
            self.styles = {kind: style_ids(template.docx.styles, kind) for kind in
                           (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE, WD_STYLE_TYPE.CHARACTER)}
        section = template.docx.sections[0]
        text_width = Emu(section.page_width - section.left_margin - section.right_margin)
        subdoc = _Body(template, section._sectPr)
        writer = BodyWriter(subdoc, self.shell_name, document, section._sectPr, self.styles)
        writer.head_height = _head_height(template.docx, Emu(Mm(logo_height_mm)) if logo else Emu(0))
        writer.blocks(subdoc, document.blocks, None, text_width)
        context: dict[str, Any] = {**fields, "corps": subdoc}
        context["logo"] = InlineImage(template, str(logo), height=Mm(logo_height_mm)) if logo else ""
        try:
            template.render(context, jinja_env=self.environment, autoescape=True)
        except jinja2.TemplateError as error:  # a field of the shell (no line: the shell is a Word file)
            raise InvalidInput([Problem(Location(self.shell_name), "",
                                        f"erreur dans un champ de la coquille Word : {error.message}")]) from None
        if line_numbers:
            number_lines(template.docx)
        _set_properties(template, document)
        _describe_images(template, logo_text)
        return package_zip(template.docx.part.package)


def _compile_once(environment: jinja2.Environment) -> None:
    """docxtpl compiles each XML part of the shell as a Jinja template for every document; the
    parts are the same each time (the body goes in as a subdocument): compile each once."""
    compile_source = environment.from_string
    compiled: dict[str, jinja2.Template] = {}

    def from_string(source: Any, *arguments: Any, **options: Any) -> jinja2.Template:
        if not isinstance(source, str) or arguments or options:
            return compile_source(source, *arguments, **options)
        if source not in compiled:
            if len(compiled) >= 64:
                compiled.clear()
            compiled[source] = compile_source(source)
        return compiled[source]

    environment.from_string = from_string  # type: ignore[method-assign]


def _head_height(word: Any, logo_height: Emu) -> Emu:
    """How far below the top margin the body starts: the height of the shell's paragraphs before
    `{{p corps }}` (the brand block: its image and its spacing)."""
    height = 0
    for paragraph in word.paragraphs:
        if "corps" in paragraph.text:
            break
        formats = [paragraph.paragraph_format, paragraph.style.paragraph_format]
        for side in ("space_before", "space_after"):
            height += next((value for value in (getattr(f, side) for f in formats) if value is not None), 0)
        if "logo" in paragraph.text:
            height += logo_height
    return Emu(int(height))


def _set_properties(template: DocxTemplate, document: Document) -> None:
    set_core_properties(template.docx, document.date, document.language, title=document.title,
                        author=document.author, last_modified_by=document.author,
                        subject=document.subject, keywords=", ".join(document.keywords))


# Word's core properties (and python-docx, which raises beyond it) hold 255 characters at most.
CORE_PROPERTY_LIMIT = 255


def shortened(text: str, limit: int) -> str:
    """The text cut at a word boundary with an ellipsis when it is longer than `limit`: for the
    places a format bounds (Word's properties, file names); the full text stays in the page."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


def set_core_properties(word: Any, date: datetime.date, language: str, **texts: str) -> None:
    """Title, author… (each shortened to Word's limit), language and a fixed moment, so that
    the same inputs give the same package."""
    properties = word.core_properties
    for name, text in texts.items():
        setattr(properties, name, shortened(text, CORE_PROPERTY_LIMIT))
    moment = datetime.datetime.combine(date, datetime.time(12, 0))
    properties.language = language
    properties.created = moment
    properties.modified = moment
    properties.revision = 1
    set_language(word, language)


def set_language(word: Any, language: str) -> None:
    """The language of the text where Word and screen readers look for it first: the document
    defaults (the shells, made by Word, say en-US there) and the theme's."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if run_defaults is not None:
        properties = run_defaults.find(qn("w:rPr"))
        if properties is None:
            properties = OxmlElement("w:rPr")
            run_defaults.append(properties)
        lang = properties.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            properties.append(lang)
        lang.set(qn("w:val"), language)
    theme = word.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), language)


def _describe_images(template: DocxTemplate, text: str) -> None:
    """Alternative text (wp:docPr/@descr) on every image that has none: the logo, inserted by docxtpl
    without one, wherever the shell puts it (body, header)."""
    for part in template.docx.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is None:
            continue
        for properties in element.iter(qn("wp:docPr")):
            if not properties.get("descr"):
                properties.set("descr", text)
