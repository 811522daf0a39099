"""Document tree to Word, inside a Word shell rendered by docxtpl.

The shell (`<family>/<name>.docx`) carries page setup, styles, header and footer and the fields
around the body; the body goes where the shell says `{{p corps }}`, written by `docx_body`. A
division's paragraphs take the shell's style `ARS <role>`.
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
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from markupsafe import Markup

from ars_docs.source.errors import InvalidInput, Location, Problem
from ars_docs.source.starters import starter_hint
from ars_docs.tree.doctree import (
    Document,
)
from ars_docs.tree.templating import sandbox
from ars_docs.writers.docx_body import BodyWriter
from ars_docs.writers.docx_ooxml import number_lines, package_zip, style_ids, turn

# docxcompose (imported by docxtpl's subdocuments) rebinds python-docx's "cp" prefix to the
# custom-properties namespace for the whole process: python-docx then writes keywords, revision and
# last-modified-by into docProps/core.xml in that foreign namespace, beside the empty real ones.
nsmap["cp"] = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"

_BODY_PLACEHOLDER = re.compile(r"\{\{p\s+corps\s*\}\}")
_BODY_TOKEN = "\ue000arsdocs-corps\ue000"
"""Where the body goes in the rendered shell (a private-use character: never in a shell's XML)."""
_HEADERS_AND_FOOTERS = (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI)
_UNCHANGING_TYPES = (CT.WML_STYLES, CT.WML_SETTINGS, CT.WML_WEB_SETTINGS, CT.WML_FONT_TABLE, CT.OFC_THEME,
                     CT.WML_NUMBERING)
"""The parts of a shell that documents do not change (their language aside)."""


class DocxWriter:
    """Renders documents into one Word shell, read and prepared once per process.

    The shell is opened once: its parts that no document changes are kept (and compressed once,
    `docx_ooxml.package_zip`); its body, headers and footers are docxtpl templates compiled once.
    For each document the body is written as WordprocessingML (`docx_body`), the shell's fields
    rendered around it, and the package zipped; what a document adds to the shell (its links,
    its comments, the logo's relationship, its properties) is taken away again afterwards."""

    def __init__(self, shell: Path, shell_name: str) -> None:
        try:
            self.shell = shell.read_bytes()
        except OSError:
            missing = f"coquille Word introuvable{starter_hint(shell_name)}"
            raise InvalidInput([Problem(Location(shell_name), "", missing)]) from None
        self.shell_name = shell_name
        self.environment = sandbox(autoescape=True)
        _compile_once(self.environment)
        self._prepared: _PreparedShell | None = None

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

    @property
    def prepared(self) -> _PreparedShell:
        if self._prepared is None:
            template = DocxTemplate(io.BytesIO(self.shell))
            try:
                template.init_docx()
            except (zipfile.BadZipFile, KeyError, ValueError):
                raise InvalidInput([Problem(Location(self.shell_name), "",
                                            "coquille Word illisible : ce n'est pas un document .docx")]) from None
            self._prepared = _PreparedShell(template)
        return self._prepared

    def render(self, document: Document, fields: Mapping[str, Any], logo: Path | None, logo_height_mm: float,
               line_numbers: bool = False, logo_text: str = "") -> bytes:
        shell = self.prepared
        template, part = shell.template, shell.part
        try:
            styles = shell.styles
            writer = BodyWriter(self.shell_name, document, shell.section, styles[WD_STYLE_TYPE.PARAGRAPH],
                                styles[WD_STYLE_TYPE.TABLE], styles[WD_STYLE_TYPE.CHARACTER].get("Hyperlink"),
                                relate=lambda url: part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True),
                                comment=lambda text: _comment(part, text, document.reviser, writer.change_date))
            writer.head_height = shell.head_height(int(Mm(logo_height_mm)) if logo else 0)
            body = writer.write(shell.text_width)
            # the shell's fields rendered around a token, then the body put in its place: docxtpl's
            # passes over the rendered XML (tabs and line breaks typed in a field) have nothing to do
            # in a body that writes them as w:tab and w:br, and were a quarter of a Word file's time
            context: dict[str, Any] = {**fields, "corps": Markup(_BODY_TOKEN)}
            context["logo"] = InlineImage(template, str(logo), height=Mm(logo_height_mm)) if logo else ""
            template.render_init()
            try:
                xml = template.render_xml_part(shell.body_source, part, context, self.environment)
                if xml.count(_BODY_TOKEN) != 1:
                    raise InvalidInput([Problem(Location(self.shell_name), "", "la coquille Word doit placer le "
                                                "corps du document une fois : un paragraphe qui ne contient que "
                                                "{{p corps }}")])
                xml = xml.replace(_BODY_TOKEN, body)
                tree = template.fix_tables(xml)
                template.fix_docpr_ids(tree)
                for uri in _HEADERS_AND_FOOTERS:  # each from the shell's own part (restored after each document)
                    for relation, rendered in list(template.build_headers_footers_xml(context, uri, self.environment)):
                        template.map_headers_footers_xml(relation, rendered)
                template.render_properties(context, self.environment)
                template.render_footnotes(context, self.environment)
            except jinja2.TemplateError as error:  # a field of the shell (no line: the shell is a Word file)
                raise InvalidInput([Problem(Location(self.shell_name), "",
                                            f"erreur dans un champ de la coquille Word : {error.message}")]) from None
            root = shell.document_root()
            root.append(tree)
            part._element = root
            word = WordDocument(root, part)
            if writer.turn_whole_section:
                turn(word.sections[0]._sectPr)
            if line_numbers:
                number_lines(word)
            _set_properties(word, document)
            _describe_images(part.package, logo_text)
            return package_zip(part.package, shell.unchanging_blobs(document.language))
        finally:
            shell.restore()


class _PreparedShell:
    """A Word shell opened once: its document part, its body and headers as templates, its styles."""

    def __init__(self, template: DocxTemplate) -> None:
        self.template = template
        word = template.docx
        self.part = word.part
        self.styles = {kind: style_ids(word.styles, kind) for kind in
                       (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE, WD_STYLE_TYPE.CHARACTER)}
        section = word.sections[0]
        self.section = deepcopy(section._sectPr)
        self.text_width = int(section.page_width - section.left_margin - section.right_margin)
        self._paragraphs = [(paragraph.text, paragraph.paragraph_format, paragraph.style.paragraph_format)
                            for paragraph in word.paragraphs]
        self.body_source = template.patch_xml(template.get_xml())
        self._footnotes = {part: part.blob for part in word.part.package.iter_parts()
                           if part.content_type == CT.WML_FOOTNOTES}
        root = word.element
        self._root = deepcopy(root)
        self._root.remove(self._root.body)
        word.core_properties  # noqa: B018 (made now if the shell has none: then kept like the others)
        self.element = self.part._element
        self.core = word.part.package.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
        self._core = deepcopy(self.core._element)
        self._heights: dict[int, int] = {}
        parts = list(word.part.package.iter_parts())
        self._unchanging = [part for part in parts if part.content_type in _UNCHANGING_TYPES
                            or part.partname.startswith("/word/media/")]
        self._comments = [(part, deepcopy(part._element)) for part in parts if part.content_type == CT.WML_COMMENTS]
        """A shell's own comments, which a document's comments would join: put back after each."""
        self._blobs: dict[str, dict[Any, bytes]] = {}
        rels = self.part.rels
        self._relations = (dict(rels), dict(rels._target_parts_by_rId), {key: rel._target for key, rel in rels.items()})
        """The document part's relationships and their targets before any document."""

    def unchanging_blobs(self, language: str) -> dict[Any, bytes]:
        """The bytes of the shell's parts that every document in `language` writes the same (styles,
        settings — which say the language —, numbering, fonts, theme), serialised once."""
        if language not in self._blobs:
            self._blobs[language] = {part: part.blob for part in self._unchanging}
        return self._blobs[language]

    def document_root(self) -> Any:
        """The shell's w:document without its body (its namespaces, its attributes)."""
        return deepcopy(self._root)

    def head_height(self, logo_height: int) -> int:
        """How far below the top margin the body starts (EMU): the height of the shell's paragraphs
        before `{{p corps }}` (the brand block: its image and its spacing)."""
        if logo_height not in self._heights:
            height = 0
            for text, *formats in self._paragraphs:
                if "corps" in text:
                    break
                for side in ("space_before", "space_after"):
                    height += next((value for value in (getattr(f, side) for f in formats) if value is not None), 0)
                if "logo" in text:
                    height += logo_height
            self._heights[logo_height] = int(height)
        return self._heights[logo_height]

    def restore(self) -> None:
        """The shell as it was before any document: its relationships and their targets (the
        headers a document rendered), its properties, its footnotes and comments."""
        relations, targets, originals = self._relations
        rels = self.part.rels
        rels.clear()
        rels.update(relations)
        rels._target_parts_by_rId.clear()
        rels._target_parts_by_rId.update(targets)
        for key, target in originals.items():
            rels[key]._target = target
        self.part._element = self.element
        self.core._element = deepcopy(self._core)
        for part, blob in self._footnotes.items():
            part._blob = blob
        for part, saved in self._comments:  # the same element (python-docx keeps it), its children as they were
            element = part._element
            for child in list(element):
                element.remove(child)
            element.extend(deepcopy(child) for child in saved)


def _comment(part: Any, text: str, author: str, date: str) -> str:
    """A Word comment by the reviser, dated like the changes; its identifier."""
    comment = part.comments.add_comment(text=text, author=author, initials="")
    comment._comment_elm.set(qn("w:date"), date)
    return str(comment.comment_id)


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


def _set_properties(word: Any, document: Document) -> None:
    set_core_properties(word, document.date, document.language, title=document.title,
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
    zoom = word.settings.element.find(qn("w:zoom"))
    if zoom is not None and zoom.get(qn("w:percent")) is None:
        # ISO/IEC 29500-4 (CT_Zoom): w:percent is required; python-docx's and Word's own templates
        # write <w:zoom w:val="bestFit"/> without it
        zoom.set(qn("w:percent"), "100")


def _describe_images(package: Any, text: str) -> None:
    """Alternative text (wp:docPr/@descr) on every image that has none: the logo, inserted by docxtpl
    without one, wherever the shell puts it (body, header)."""
    for part in package.iter_parts():
        element = getattr(part, "_element", None)
        if element is None:
            continue
        for properties in element.iter(qn("wp:docPr")):
            if not properties.get("descr"):
                properties.set("descr", text)
