"""The reply form of a letter, one per establishment: a fillable PDF and the same form in Word.

The establishment is written in read-only fields (its name, and its identifier under « Référence »),
so that `arsdocs import reponses` knows whose answer a returned file is. The field names below are
shared by both forms and by the importer.
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import re
from collections.abc import Mapping
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
from ars_docs.families.letters.models import Letter
from ars_docs.source.project import Agency
from ars_docs.tree.templating import sandbox
from ars_docs.tree.typography import typeset_text
from ars_docs.writers.docx import set_core_properties
from ars_docs.writers.docx_ooxml import package_zip, repeat_as_header
from ars_docs.writers.formfields import FieldSpec, text_appearance
from ars_docs.writers.typst import typst_value

ROLES = (("medecin", "Médecin référent"), ("directeur", "Directeur référent"))
FIELDS = (("nom", "Nom"), ("prenom", "Prénom"), ("email", "Courriel"))
NAME_FIELD, REFERENCE_FIELD = "etablissement", "reference"
NAME_LABEL = "Établissement : "
"""How the Word form prints the establishment's name (read back when the form returns)."""
READ_ONLY = 1  # bit 1 of a field's /Ff flags
FORM_NAME = "reponse"


def field_name(role: str, field: str) -> str:
    return f"{role}_{field}"


def _context(letter: Letter, establishment: Establishment, agency: Agency | None) -> dict[str, Any]:
    assert letter.reponse is not None, "a form is made for a letter that expects an answer"
    footer = agency.footer_lines() if agency else ("", "")
    return {"courrier": letter, "etablissement": establishment, "roles": ROLES, "champs": FIELDS,
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


def form_html(folder: Path, letter: Letter, establishment: Establishment, agency: Agency | None,
              screen_stylesheet: str | None = None) -> str:
    """The form laid out by WeasyPrint; with the screen stylesheet, its standalone HTML page."""
    return _form_environment(folder).get_template(FORM_TEMPLATE).render(
        _context(letter, establishment, agency), alternative=screen_stylesheet is not None,
        style_ecran=screen_stylesheet)


FORM_SHELL = "reponse.typ"
"""The form's Typst shell (`moteur_pdf: typst`), beside the letter's."""
FIELD_LABEL = "arsdocs-champ"
"""The label of the place each field's box reports in the Typst shell."""
FIELD_SIZE = 10.5


def form_typst_source(letter: Letter, establishment: Establishment, agency: Agency | None) -> str:
    """The Typst source of the form: every text a string literal, the fields named in the order
    the page shows them."""
    context = _context(letter, establishment, agency)
    meta = {"titre": f"{context['titre']} — {establishment.nom}", "auteur": letter.signataire.organisme,
            "sujet": context["titre"], "mots-cles": [establishment.nom, establishment.id], "date": letter.date,
            "langue": "fr", "region": "FR"}
    rows = [{"libelle": label, "champs": [field_name(role, field) for role, _ in ROLES]} for field, label in FIELDS]
    arguments = {"meta": meta, "titre": context["titre"], "roles": [label for _, label in ROLES], "lignes": rows,
                 "consigne": context["consigne"], "pied": list(context["pied_agence"])}
    listed = ", ".join(f"{key}: {typst_value(value)}" for key, value in arguments.items())
    return f"#show: gabarit.formulaire.with({listed})\n"


def form_fields(establishment: Establishment) -> list[FieldSpec]:
    """The fields of the form in the order of the page: the establishment's (read-only), then the table's."""
    labels = _field_labels()
    return [FieldSpec(NAME_FIELD, labels[NAME_FIELD], establishment.nom, read_only=True),
            FieldSpec(REFERENCE_FIELD, labels[REFERENCE_FIELD], establishment.id, read_only=True),
            *(FieldSpec(field_name(role, field), labels[field_name(role, field)])
              for field, _ in FIELDS for role, _ in ROLES)]


def _field_labels() -> dict[str, str]:
    """What a screen reader says of each field (the PDF's /TU), as the form's table shows it."""
    labels = {NAME_FIELD: "Établissement", REFERENCE_FIELD: "Référence"}
    for role, role_label in ROLES:
        for field, field_label in FIELDS:
            labels[field_name(role, field)] = f"{role_label} : {field_label}"
    return labels


def finish_form(pdf: bytes) -> bytes:
    """Make the establishment's fields read-only (WeasyPrint does not carry `readonly` over), name
    every field as the table does (PDF/UA: WeasyPrint names them by their identifier), give every
    field its appearance stream and drop /NeedAppearances (PDF/A-2 wants the former, forbids the
    latter). qpdf rewrites the file without recompressing its streams (the embedded fonts)."""
    labels = _field_labels()
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


def form_docx(letter: Letter, establishment: Establishment, date: datetime.date, agency: Agency | None) -> bytes:
    """The same form in Word: a table whose empty cells are filled in, the establishment's identifier
    in the document properties and under « Référence »; the agency's address at the foot of the page."""
    context = _context(letter, establishment, agency)
    footer = context["pied_agence"]
    document = _blank_word(footer)
    document.add_heading(context["titre"], level=1)
    document.add_paragraph(f"{NAME_LABEL}{establishment.nom}")
    document.add_paragraph(f"Référence : {establishment.id}")
    table = document.add_table(rows=1 + len(FIELDS), cols=1 + len(ROLES))
    table.style = "Table Grid"
    for column, (_, label) in enumerate(ROLES, start=1):
        table.cell(0, column).text = label
    for row, (_, label) in enumerate(FIELDS, start=1):
        table.cell(row, 0).text = label
    repeat_as_header(table.rows[0])
    for cell in table.rows[0].cells:
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            for run in paragraph.runs:
                run.bold = True
    document.add_paragraph(context["consigne"])
    set_core_properties(document, date, "fr-FR", identifier=f"{FORM_NAME}:{establishment.id}",
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


def read_docx_form(source: BinaryIO) -> tuple[str | None, Mapping[str, str]]:
    """(establishment identifier, filled values) of a returned Word form."""
    document = docx.Document(source)
    identifier = document.core_properties.identifier or ""
    reference = identifier.removeprefix(f"{FORM_NAME}:") if identifier.startswith(f"{FORM_NAME}:") else None
    values: dict[str, str] = {}
    for paragraph in document.paragraphs:
        if paragraph.text.startswith(NAME_LABEL):
            values[NAME_FIELD] = paragraph.text.removeprefix(NAME_LABEL).strip()
    for table in document.tables:
        header = [cell.text.strip() for cell in table.rows[0].cells]
        if header[1:] != [label for _, label in ROLES]:
            continue
        for row, (field, _) in zip(table.rows[1:], FIELDS, strict=False):
            for column, (role, _) in enumerate(ROLES, start=1):
                values[field_name(role, field)] = row.cells[column].text.strip()
    return reference, values


class ProtectedForm(Exception):
    """A PDF form that opens only with a password."""


def read_pdf_form(source: BinaryIO) -> tuple[str | None, Mapping[str, str]]:
    """(establishment identifier, filled values) of a returned PDF form (pypdf bounds what it
    decompresses: 75 MB a stream, 100,000 fields)."""
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
    return values.get(REFERENCE_FIELD) or None, values
