"""The reply form of a letter, one per establishment: a fillable PDF and the same form in Word.

The establishment is written in read-only fields (its name, and its identifier under « Référence »),
so that `arsdocs import reponses` knows whose answer a returned file is. Its columns (roles) and
lines (fields) are the letter's (`reponse.roles`, `reponse.champs`). Each form carries them: the
PDF in its fields' names (`<role>_<field>`, identifiers have no « _ ») and spoken names, the Word
file in its identifier (`reponse:<establishment>`, then `:<roles>:<fields>` when they are not the
default ones), so that the importer reads any form back without the letter.
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import docx
import pikepdf
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Pt
from fontTools.ttLib import TTFont
from jinja2.sandbox import SandboxedEnvironment

from ars_docs.directory.models import Establishment
from ars_docs.families.letters.models import DEFAULT_FIELDS, DEFAULT_ROLES, Mailing
from ars_docs.source.project import Agency
from ars_docs.tree.templating import located, sandbox, text_environment
from ars_docs.tree.typography import typeset_text
from ars_docs.writers.docx import set_core_properties
from ars_docs.writers.docx_ooxml import package_zip, repeat_as_header
from ars_docs.writers.formfields import FieldSpec, text_appearance
from ars_docs.writers.typst import typst_value

Columns = list[tuple[str, str]]
"""(identifier, label) of each role or field, in the form's order."""
NAME_FIELD, REFERENCE_FIELD = "etablissement", "reference"
CORNER = "Coordonnées"
"""The heading of the form table's first column, as reponse.html and reponse.typ write it."""
NAME_LABEL = "Établissement : "
"""How the Word form prints the establishment's name (read back when the form returns)."""
READ_ONLY = 1  # bit 1 of a field's /Ff flags
FORM_NAME = "reponse"


def field_name(role: str, field: str) -> str:
    return f"{role}_{field}"


def layout(letter: Mailing) -> tuple[Columns, Columns]:
    """The form's roles and fields, as (identifier, label)."""
    assert letter.reponse is not None, "a form is made for a letter that expects an answer"
    return ([(role.id, role.libelle) for role in letter.reponse.roles],
            [(field.id, field.libelle) for field in letter.reponse.champs])


def notice(folder: Path, root: Path, letter: Mailing, agency: Agency | None) -> tuple[str, ...]:
    """The personal-data notice of the letter's form (`reponse.mentions`, a plain-text template of
    `templates/letters/`), in paragraphs; a failure of the template, located there."""
    assert letter.reponse is not None, "a form is made for a letter that expects an answer"
    template = letter.reponse.mentions
    with located(folder / template, root):
        text = text_environment(folder).get_template(template).render({"agence": agency, "courrier": letter})
    return tuple(typeset_text(" ".join(paragraph.split())) for paragraph in re.split(r"\n\s*\n", text)
                 if paragraph.strip())


NOTICE_TITLE = "Données personnelles"
"""The heading of the notice on the form (its text is the project's)."""


def _context(letter: Mailing, establishment: Establishment, agency: Agency | None,
             mentions: tuple[str, ...] = ()) -> dict[str, Any]:
    assert letter.reponse is not None, "a form is made for a letter that expects an answer"
    footer = agency.footer_lines() if agency else ("", "")
    roles, fields = layout(letter)
    return {"courrier": letter, "etablissement": establishment, "roles": roles, "champs": fields,
            "mentions": mentions, "titre_mentions": NOTICE_TITLE,
            "pied_agence_1": footer[0], "pied_agence_2": footer[1],
            "pied_agence": tuple(line for line in footer if line),
            "titre": typeset_text(f"Réponse au courrier du {letter.date.strftime('%d/%m/%Y')} : {letter.titre}"),
            "consigne": typeset_text(f"Merci de remplir ce formulaire et de le retourner avant le "
                                     f"{letter.reponse.date_limite.strftime('%d/%m/%Y')} à "
                                     f"{letter.reponse.adresse}.")}


FORM_TEMPLATE = "reponse.html"


@functools.lru_cache(maxsize=8)
def _form_environment(folder: Path) -> SandboxedEnvironment:
    """One environment per templates folder: its template compiled once (Jinja reloads a changed file)."""
    environment = sandbox(folder, autoescape=True)
    environment.globals["field_name"] = field_name
    return environment


def form_html(folder: Path, letter: Mailing, establishment: Establishment, agency: Agency | None,
              mentions: tuple[str, ...], screen_stylesheet: str | None = None) -> str:
    """The form laid out by WeasyPrint; with the screen stylesheet, its standalone HTML page."""
    return _form_environment(folder).get_template(FORM_TEMPLATE).render(
        _context(letter, establishment, agency, mentions), alternative=screen_stylesheet is not None,
        style_ecran=screen_stylesheet)


FORM_SHELL = "reponse.typ"
"""The form's Typst shell (`moteur_pdf: typst`), beside the letter's."""
FIELD_LABEL = "arsdocs-champ"
"""The label of the place each field's box reports in the Typst shell."""
FIELD_SIZE = 10.5


def form_typst_source(letter: Mailing, establishment: Establishment, agency: Agency | None,
                      mentions: tuple[str, ...]) -> str:
    """The Typst source of the form: every text a string literal, the fields named in the order
    the page shows them."""
    context = _context(letter, establishment, agency, mentions)
    meta = {"titre": f"{context['titre']} — {establishment.nom}", "auteur": letter.signataire.organisme,
            "sujet": context["titre"], "mots-cles": [establishment.nom, establishment.id], "date": letter.date,
            "langue": "fr", "region": "FR"}
    roles, fields = layout(letter)
    rows = [{"libelle": label, "champs": [field_name(role, field) for role, _ in roles]} for field, label in fields]
    arguments = {"meta": meta, "titre": context["titre"], "roles": [label for _, label in roles], "lignes": rows,
                 "consigne": context["consigne"], "pied": list(context["pied_agence"]),
                 "titre_mentions": context["titre_mentions"], "mentions": list(context["mentions"])}
    listed = ", ".join(f"{key}: {typst_value(value)}" for key, value in arguments.items())
    return f"#show: gabarit.formulaire.with({listed})\n"


def form_fields(letter: Mailing, establishment: Establishment) -> list[FieldSpec]:
    """The fields of the form in the order of the page: the establishment's (read-only), then the table's."""
    labels = _field_labels(letter)
    roles, fields = layout(letter)
    return [FieldSpec(NAME_FIELD, labels[NAME_FIELD], establishment.nom, read_only=True),
            FieldSpec(REFERENCE_FIELD, labels[REFERENCE_FIELD], establishment.id, read_only=True),
            *(FieldSpec(field_name(role, field), labels[field_name(role, field)])
              for field, _ in fields for role, _ in roles)]


LABEL_JOINT = " : "
"""Between a role's and a field's labels in a field's spoken name: « Médecin référent : Nom »."""


def _field_labels(letter: Mailing) -> dict[str, str]:
    """What a screen reader says of each field (the PDF's /TU), as the form's table shows it."""
    labels = {NAME_FIELD: "Établissement", REFERENCE_FIELD: "Référence"}
    roles, fields = layout(letter)
    for role, role_label in roles:
        for field, field_label in fields:
            labels[field_name(role, field)] = f"{role_label}{LABEL_JOINT}{field_label}"
    return labels


def finish_form(pdf: bytes, letter: Mailing) -> bytes:
    """Make the establishment's fields read-only (WeasyPrint does not carry `readonly` over), name
    every field as the table does (PDF/UA: WeasyPrint names them by their identifier), give every
    field its appearance stream and drop /NeedAppearances (PDF/A-2 wants the former, forbids the
    latter). qpdf rewrites the file without recompressing its streams (the embedded fonts)."""
    labels = _field_labels(letter)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        form = document.Root.get("/AcroForm")
        if form is not None and "/NeedAppearances" in form:
            del form["/NeedAppearances"]
        for page in document.pages:
            for field in page.obj.get("/Annots", []):
                name = str(field.get("/T", ""))
                if name in (NAME_FIELD, REFERENCE_FIELD):
                    field.Ff = int(field.get("/Ff", 0)) | READ_ONLY
                if name in labels:
                    field.TU = pikepdf.String(labels[name])
                if field.get("/FT") == "/Tx" and "/AP" not in field:
                    field.AP = pikepdf.Dictionary(N=_text_appearance(document, field))
        output = io.BytesIO()
        document.save(output, deterministic_id=True)
    return output.getvalue()


_FONT_IN_DA = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")
_GLYPHS: dict[tuple[str, int], dict[int, int]] = {}
"""Character -> glyph of each font the forms embed, by name and size: read once per process (the
forms embed the same whole fonts, whose cmap takes ~20 ms to read)."""


def _glyphs(font: Any) -> dict[int, int]:
    program = font.DescendantFonts[0].FontDescriptor.FontFile2
    key = (str(font.BaseFont), int(program.get("/Length1", 0)))
    if key not in _GLYPHS:
        embedded = TTFont(io.BytesIO(program.read_bytes()))
        _GLYPHS[key] = {code: embedded.getGlyphID(glyph) for code, glyph in embedded.getBestCmap().items()}
    return _GLYPHS[key]


def _text_appearance(document: pikepdf.Pdf, field: Any) -> Any:
    """The appearance of a text field as WeasyPrint left it (its value in its font and size, or
    nothing), which it does not write itself. qpdf's generator cannot: the fonts are Type0 fonts,
    shown by glyph; the glyphs come from the font's own cmap."""
    left, bottom, right, top = (float(value) for value in field.Rect)
    width, height = abs(right - left), abs(top - bottom)  # WeasyPrint writes the corners top first
    value = str(field.get("/V", ""))
    found = _FONT_IN_DA.search(str(field.get("/DA", "")))
    if not (value and found):
        return text_appearance(document, width, height)
    name, size = found.group(1), float(found.group(2))
    font = document.Root.AcroForm.DR.Font[f"/{name}"]
    return text_appearance(document, width, height, value, (name, font, _glyphs(font), size))


def form_docx(letter: Mailing, establishment: Establishment, date: datetime.date, agency: Agency | None,
              mentions: tuple[str, ...]) -> bytes:
    """The same form in Word: a table whose empty cells are filled in, the establishment's identifier
    in the document properties and under « Référence »; the personal-data notice; the agency's
    address at the foot of the page."""
    context = _context(letter, establishment, agency, mentions)
    footer = context["pied_agence"]
    document = _blank_word(footer)
    document.add_heading(context["titre"], level=1)
    document.add_paragraph(f"{NAME_LABEL}{establishment.nom}")
    document.add_paragraph(f"Référence : {establishment.id}")
    roles, fields = layout(letter)
    table = document.add_table(rows=1 + len(fields), cols=1 + len(roles))
    table.style = "Table Grid"
    table.cell(0, 0).text = CORNER  # a header row has a heading in each cell (a screen reader reads it)
    for column, (_, label) in enumerate(roles, start=1):
        table.cell(0, column).text = label
    for row, (_, label) in enumerate(fields, start=1):
        table.cell(row, 0).text = label
    repeat_as_header(table.rows[0])
    for cell in table.rows[0].cells:
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            for run in paragraph.runs:
                run.bold = True
    document.add_paragraph(context["consigne"])
    if mentions:
        document.add_heading(NOTICE_TITLE, level=2)
        for paragraph in mentions:
            document.add_paragraph(paragraph).runs[0].font.size = Pt(8.5)
    set_core_properties(document, date, "fr-FR", identifier=word_identifier(letter, establishment),
                        title=context["titre"], author=letter.signataire.organisme)
    package = document.part.package
    unchanging = _BLANK_PARTS.setdefault(footer, {})
    if not unchanging:  # every part but the body and the properties, the same in every form
        changing = (document.part, package.part_related_by(RT.CORE_PROPERTIES))
        unchanging.update({part: part.blob for part in package.iter_parts() if part not in changing})
    return package_zip(package, unchanging)


_BLANK: dict[tuple[str, ...], Any] = {}
_BLANK_PARTS: dict[tuple[str, ...], dict[Any, bytes]] = {}
"""By the agency's footer lines (a process that builds for several agencies: the tests)."""


def _blank_word(footer: tuple[str, ...]) -> Any:
    """python-docx's default document, its normal style in Arial 10.5 pt, the agency's address at the
    foot of its page, opened once per process and footer: each form empties its body (all but the
    section) and writes its own properties over the last."""
    if footer not in _BLANK:
        if len(_BLANK) >= 4:
            _BLANK.clear()
            _BLANK_PARTS.clear()
        document = docx.Document()
        document.styles["Normal"].font.name = "Arial"
        document.styles["Normal"].font.size = Pt(10.5)
        paragraph = document.sections[0].footer.paragraphs[0]
        for position, line in enumerate(footer):
            run = paragraph.add_run(line)
            run.font.size = Pt(7)
            if position < len(footer) - 1:
                run.add_break()
        _BLANK[footer] = document
    document = _BLANK[footer]
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def word_identifier(letter: Mailing, establishment: Establishment) -> str:
    """`reponse:<establishment>`, and the roles' and fields' identifiers when they are not the default ones."""
    roles, fields = layout(letter)
    if (roles, fields) == DEFAULT_LAYOUT:
        return f"{FORM_NAME}:{establishment.id}"
    return f"{FORM_NAME}:{establishment.id}:{','.join(r for r, _ in roles)}:{','.join(f for f, _ in fields)}"


DEFAULT_LAYOUT = ([(role.id, role.libelle) for role in DEFAULT_ROLES],
                  [(field.id, field.libelle) for field in DEFAULT_FIELDS])


@dataclass(frozen=True)
class ReturnedForm:
    """What a returned form says: whose it is, its roles and fields (identifier, label), the values."""

    reference: str | None
    roles: Columns
    fields: Columns
    values: Mapping[str, str]


def read_docx_form(source: BinaryIO) -> ReturnedForm:
    """A returned Word form: its table's header row names the roles, its first column the fields."""
    document = docx.Document(source)
    identifier = document.core_properties.identifier or ""
    parts = identifier.split(":") if identifier.startswith(f"{FORM_NAME}:") else []
    reference = parts[1] if len(parts) in (2, 4) else None
    role_ids = parts[2].split(",") if len(parts) == 4 else [role for role, _ in DEFAULT_LAYOUT[0]]
    field_ids = parts[3].split(",") if len(parts) == 4 else [field for field, _ in DEFAULT_LAYOUT[1]]
    values: dict[str, str] = {}
    for paragraph in document.paragraphs:
        if paragraph.text.startswith(NAME_LABEL):
            values[NAME_FIELD] = paragraph.text.removeprefix(NAME_LABEL).strip()
    for table in document.tables:
        header = [cell.text.strip() for cell in table.rows[0].cells]
        if len(header) != 1 + len(role_ids) or len(table.rows) != 1 + len(field_ids):
            continue
        roles = list(zip(role_ids, header[1:], strict=True))
        fields = [(field, row.cells[0].text.strip()) for field, row in zip(field_ids, table.rows[1:], strict=True)]
        for row, (field, _) in zip(table.rows[1:], fields, strict=True):
            for column, (role, _) in enumerate(roles, start=1):
                values[field_name(role, field)] = row.cells[column].text.strip()
        return ReturnedForm(reference, roles, fields, values)
    return ReturnedForm(reference, [], [], values)


class ProtectedForm(Exception):
    """A PDF form that opens only with a password."""


def read_pdf_form(source: BinaryIO) -> ReturnedForm:
    """A returned PDF form: its roles and fields from its fields' names and spoken names, in the
    page's order (pypdf bounds what it decompresses: 75 MB a stream, 100,000 fields)."""
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # its warnings (English) on a damaged file: the refusal says it
    try:
        from pypdf import PdfReader  # only when answers are imported

        reader = PdfReader(source)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ProtectedForm()
        fields = reader.get_fields() or {}
    finally:
        pypdf_log.setLevel(level)
    values = {name: str(field.get("/V") or "").strip() for name, field in fields.items()}
    roles: dict[str, str] = {}
    lines: dict[str, str] = {}
    for name, field in fields.items():
        role, joint, line = name.partition("_")
        if not joint:
            continue
        role_label, _, line_label = str(field.get("/TU") or "").partition(LABEL_JOINT)
        roles.setdefault(role, role_label or role)
        lines.setdefault(line, line_label or line)
    return ReturnedForm(values.get(REFERENCE_FIELD) or None, list(roles.items()), list(lines.items()), values)
