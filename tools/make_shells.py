"""Regenerate the Word shells: templates/letters/lettre.docx and templates/statuts/statuts.docx.

A shell carries page setup, styles, header, footer and the fields around the body; a user may
reopen it in Word and restyle it, keeping its `{{ … }}` fields and its `ARS …` styles.
Run: python tools/make_shells.py
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ars_docs.writers.docx_ooxml import package_zip  # noqa: E402

FONT = "Arial"  # metric twin of the Liberation Sans embedded in the PDF
LEFT = WD_ALIGN_PARAGRAPH.LEFT
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def _language(style_element) -> None:  # type: ignore[no-untyped-def]
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    style_element.get_or_add_rPr().append(lang)


def _style(document, name, size=10.0, after=0.0, before=0.0, align=None, indent_mm=0.0, bold=False,
           italic=False, base="Normal"):  # type: ignore[no-untyped-def]
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold or None
    style.font.italic = italic or None
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
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


def base_document(margins_mm: tuple[int, int, int, int]):  # type: ignore[no-untyped-def]
    """A4, the given margins (top, right, bottom, left), French Arial text, footer « page/pages »."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, right, bottom, left = margins_mm
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
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
    link = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor(0x00, 0x00, 0x91)
    link.font.underline = True
    _style(document, "ARS tableau", size=9, after=2, before=2, align=LEFT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.style.font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run("/")
    _field(footer, "NUMPAGES")
    return document


def letter_shell() -> bytes:
    document = base_document((15, 20, 20, 22))
    _style(document, "ARS logo", after=6, align=LEFT)
    _style(document, "ARS expediteur", size=8.5, after=4, align=LEFT)
    # The address in the envelope window: lines at a fixed pitch, as in the print stylesheet.
    address = _style(document, "ARS destinataire", size=10, after=0, align=LEFT)
    address.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    address.paragraph_format.line_spacing = Pt(11.5)
    _style(document, "ARS date", after=12, before=12, indent_mm=84, align=LEFT)
    _style(document, "ARS objet", after=12, align=LEFT)
    _style(document, "ARS signature", after=14, indent_mm=84, align=LEFT)
    _style(document, "ARS annexe", size=8.5, before=12, italic=True, align=LEFT)
    body = document.add_paragraph("{{ logo }}", style="ARS logo")
    body.paragraph_format.space_after = Pt(10)
    document.add_paragraph("{{p corps }}")
    return _saved(document, "Courrier")


WATERMARK = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:pict>'
    # Word's definition of a text-on-path shape (type 136), which its watermarks refer to.
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{eqn}"/>' for eqn in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3", "if @0 @3 0",
        "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6", "mid @8 @5", "mid @7 @8", "mid @6 @7",
        "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:110pt;rotation:315;'
    "z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#e8c8c8" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath on="t" fitshape="t" style="font-family:&quot;Arial&quot;;font-size:1pt;font-weight:bold" '
    'string="{{ filigrane }}"/>'
    "</v:shape></w:pict></w:r></w:p>")


def statutes_shell() -> bytes:
    document = base_document((22, 20, 20, 25))
    _style(document, "Heading 1", size=11.5, before=21, after=7, bold=True, align=LEFT).font.all_caps = True
    _style(document, "Heading 2", size=10.5, before=14, after=7, bold=True, align=LEFT)
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.keep_with_next = True
    _style(document, "TOC Heading", size=10.5, before=28, after=7, bold=True, align=LEFT)
    _style(document, "toc 1", size=10.5, before=7, after=0, bold=True, align=LEFT)
    _style(document, "toc 2", size=10.5, after=0, indent_mm=6, align=LEFT)
    _style(document, "ARS titre-statuts", size=10.5, after=14, align=CENTER)
    _style(document, "ARS signature", size=10.5, before=21, after=7, align=LEFT)
    _style(document, "ARS legende", size=9, after=7, italic=True)
    header = document.sections[0].header
    mark = header.paragraphs[0]
    mark.alignment = CENTER
    run = mark.add_run("{{ marque_projet }}")
    run.font.size, run.font.color.rgb = Pt(8.5), RGBColor(0x55, 0x55, 0x55)
    _watermark(header)
    document.add_paragraph("{{p corps }}")
    return _saved(document, "Statuts")


def cpom_shell() -> bytes:
    document = base_document((20, 18, 20, 20))
    document.styles["Normal"].font.size = Pt(10)
    _style(document, "Heading 1", size=13, before=16, after=8, bold=True, align=LEFT)
    _style(document, "Heading 2", size=11, before=12, after=6, bold=True, align=LEFT)
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.keep_with_next = True
    _style(document, "ARS titre-cpom", size=10, after=6, align=CENTER)
    _style(document, "ARS tableau", size=8.5, after=1, before=1, align=LEFT)
    header = document.sections[0].header
    mark = header.paragraphs[0]
    mark.alignment = CENTER
    run = mark.add_run("{{ marque }}")
    run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x55, 0x55, 0x55)
    _watermark(header)
    document.add_paragraph("{{p corps }}")
    return _saved(document, "Annexes du CPOM")


def _watermark(header) -> None:  # type: ignore[no-untyped-def]
    """« {{ filigrane }} » behind every page when the document says one (a draft), as Word draws its own."""
    for xml in ("<w:r><w:t>{%p if filigrane %}</w:t></w:r>", None, "<w:r><w:t>{%p endif %}</w:t></w:r>"):
        header._element.append(parse_xml(WATERMARK) if xml is None else parse_xml(
            f'<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{xml}</w:p>'))


# Styles the writer asks for (src/ars_docs/writers/docx.py), besides the shell's own `ARS …` styles.
KEPT_STYLES = {"Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "Hyperlink",
               "List Bullet", "List Number", "Header", "Footer", "TOC Heading",
               *(f"Heading {level}" for level in range(1, 7)), *(f"toc {level}" for level in range(1, 7))}


def _prune(document) -> None:  # type: ignore[no-untyped-def]
    """Drop the styles nothing uses (python-docx's default template has 160, 350 kB of XML parsed
    for every document built) and the parts Word does not need (stylesWithEffects, thumbnail)."""
    styles = document.styles.element
    by_id = {style.get(qn("w:styleId")): style for style in styles.findall(qn("w:style"))}
    kept_names = {name.lower() for name in KEPT_STYLES}  # Word writes "heading 1" for "Heading 1"
    names = {identifier: style.find(qn("w:name")).get(qn("w:val")) for identifier, style in by_id.items()}
    wanted = [by_id[identifier] for identifier, name in names.items()
              if name.lower() in kept_names or name.startswith("ARS ")]
    kept: set[str] = set()
    while wanted:
        style = wanted.pop()
        identifier = style.get(qn("w:styleId"))
        if identifier in kept:
            continue
        kept.add(identifier)
        for reference in ("w:basedOn", "w:link", "w:next"):
            element = style.find(qn(reference))
            if element is not None and element.get(qn("w:val")) in by_id:
                wanted.append(by_id[element.get(qn("w:val"))])
    for identifier, style in by_id.items():
        if identifier not in kept:
            styles.remove(style)
    for relation_id, relation in list(document.part.rels.items()):
        if relation.reltype.endswith("/stylesWithEffects"):
            document.part.drop_rel(relation_id)
    package_rels = document.part.package.rels
    for relation_id, relation in list(package_rels.items()):
        if relation.reltype.endswith("/thumbnail"):
            del package_rels[relation_id]


def _body_font_everywhere(document) -> None:  # type: ignore[no-untyped-def]
    """The theme's fonts (Calibri Light for headings in python-docx's template) win over a style's
    own font in Word: every style and the document defaults name the body font instead."""
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if fonts.get(qn(theme)) is not None:
                del fonts.attrib[qn(theme)]
        for face in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(face), FONT)


def _saved(document, title: str) -> bytes:  # type: ignore[no-untyped-def]
    _prune(document)
    _body_font_everywhere(document)
    core = document.core_properties
    core.author, core.title, core.comments = "ARS Grand Est", title, ""
    core.created = core.modified = datetime.datetime(2026, 1, 1)
    core.revision = 1
    core.last_modified_by = "arsdocs"
    return package_zip(document.part.package)


if __name__ == "__main__":
    for target, build in ((ROOT / "templates" / "letters" / "lettre.docx", letter_shell),
                          (ROOT / "templates" / "statuts" / "statuts.docx", statutes_shell),
                          (ROOT / "templates" / "cpom" / "annexes.docx", cpom_shell)):
        target.write_bytes(build())
        print(f"écrit : {target.relative_to(ROOT)}")
