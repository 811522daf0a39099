"""Regenerate templates/letters/lettre.docx, the Word shell of the letters.

The shell carries page setup, styles, footer and the fields around the body; a user may
reopen it in Word and restyle it, keeping `{{ logo }}` and `{{p corps }}` and the `ARS …` styles.
Run: python tools/make_letter_shell.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ars_docs.writers.docx import normalized_zip  # noqa: E402

FONT = "Arial"  # metric twin of the Liberation Sans embedded in the PDF


def _language(style_element) -> None:  # type: ignore[no-untyped-def]
    run_properties = style_element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    run_properties.append(lang)


def _paragraph_style(document, name, size=10.0, after=0.0, before=0.0, align=None, indent_mm=0.0,
                     bold=False, italic=False):  # type: ignore[no-untyped-def]
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold or None
    style.font.italic = italic or None
    fmt = style.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before)
    if align is not None:
        fmt.alignment = align
    if indent_mm:
        fmt.left_indent = Mm(indent_mm)
    return style


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def build() -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(15), Mm(20)
    section.left_margin, section.right_margin = Mm(22), Mm(20)
    section.footer_distance = Mm(10)

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _language(normal.element)
    for name in ("List Bullet", "List Number"):
        document.styles[name].paragraph_format.space_after = Pt(3)

    _paragraph_style(document, "ARS logo", after=6, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS expediteur", size=8.5, after=4, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS destinataire", size=10.5, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS date", after=12, before=12, indent_mm=84, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS objet", after=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS signature", after=14, indent_mm=84, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS tampon", size=8, after=0, before=6, indent_mm=84,
                     align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS annexe", size=8.5, before=12, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "ARS tableau", size=9, after=2, before=2, align=WD_ALIGN_PARAGRAPH.LEFT)
    link = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor(0x00, 0x00, 0x91)
    link.font.underline = True

    body = document.add_paragraph("{{ logo }}", style="ARS logo")
    body.paragraph_format.space_after = Pt(10)
    document.add_paragraph("{{p corps }}")

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.style.font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run("/")
    _field(footer, "NUMPAGES")

    core = document.core_properties
    core.author, core.title, core.comments = "ARS Grand Est", "Courrier", ""
    import datetime
    core.created = core.modified = datetime.datetime(2026, 1, 1)
    core.revision = 1
    core.last_modified_by = "arsdocs"

    import io
    buffer = io.BytesIO()
    document.save(buffer)
    return normalized_zip(buffer.getvalue())


if __name__ == "__main__":
    target = ROOT / "templates" / "letters" / "lettre.docx"
    target.write_bytes(build())
    print(f"écrit : {target.relative_to(ROOT)}")
