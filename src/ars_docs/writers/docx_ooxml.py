"""WordprocessingML by hand, where python-docx has no API: tracked ranges, frames, fields, table
properties in schema order, sections turned landscape, line numbers, reproducible packages."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from ars_docs.doctree import (
    Window,
)
from ars_docs.typography import UNBREAKABLE

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def joined_hyphens(text: str) -> list[str]:
    """The text cut at each hyphen inside a code or date (`typography.UNBREAKABLE`): Word joins the
    pieces with a no-break hyphen (w:noBreakHyphen), read back as « - »."""
    pieces, start = [], 0
    for match in UNBREAKABLE.finditer(text):
        for offset, char in enumerate(match.group()):
            if char == "-":
                pieces.append(text[start:match.start() + offset])
                start = match.start() + offset + 1
    return [*pieces, text[start:]]


def enclose(paragraph: DocxParagraph, start: Any, end_tag: str) -> None:
    """A range around the paragraph's content: `start` first (after its properties), then an end
    element of the same identifier last."""
    end = OxmlElement(end_tag)
    end.set(qn("w:id"), start.get(qn("w:id")))
    properties = paragraph._p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


_TWIPS_PER_MM = 1440 / 25.4
_FRAME_INSET_MM = 2.0
"""The address starts this far below the frame's top, as in the print stylesheet."""


# The children of w:tblPr in the schema's order: Word refuses a table property out of place.
_TABLE_PROPERTIES = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                     "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                     "tblLook", "tblCaption", "tblDescription", "tblPrChange")


def _set_table_property(grid: DocxTable, element: Any) -> None:
    """Put `element` in the table's w:tblPr at its place in the schema's order."""
    properties = grid._tbl.tblPr
    name = element.tag.rsplit("}", 1)[1]
    for old in properties.findall(element.tag):
        properties.remove(old)
    later = _TABLE_PROPERTIES[_TABLE_PROPERTIES.index(name) + 1:]
    following = next((child for child in properties if child.tag.rsplit("}", 1)[1] in later), None)
    if following is not None:
        following.addprevious(element)
    else:
        properties.append(element)


def indent_table(grid: DocxTable, indent: Emu) -> None:
    element = OxmlElement("w:tblInd")
    element.set(qn("w:w"), str(round(indent / 635)))
    element.set(qn("w:type"), "dxa")
    _set_table_property(grid, element)


def in_frame(paragraph: DocxParagraph, window: Window) -> None:
    """The paragraph joins the frame of the envelope window (consecutive paragraphs with the same
    w:framePr make one frame), positioned from the page's corner."""
    frame = OxmlElement("w:framePr")
    for name, millimetres in (("w", window.width), ("h", window.height - _FRAME_INSET_MM), ("x", window.left),
                              ("y", window.top + _FRAME_INSET_MM)):
        frame.set(qn(f"w:{name}"), str(round(millimetres * _TWIPS_PER_MM)))
    for name, value in (("hRule", "exact"), ("wrap", "around"), ("hAnchor", "page"), ("vAnchor", "page"),
                        ("hSpace", "0"), ("vSpace", "0")):
        frame.set(qn(f"w:{name}"), value)
    paragraph._p.get_or_add_pPr().insert_element_before(frame, *_AFTER_FRAME)


# The children of w:pPr that come after w:framePr, in the schema's order (python-docx keeps the
# list to itself).
_AFTER_FRAME = ("w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
                "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing",
                "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def style_ids(styles: Any, kind: WD_STYLE_TYPE) -> dict[str, str | None]:
    """Style name -> style id, None for the default style of its kind (python-docx writes none)."""
    default = styles.default(kind)
    return {style.name: None if default is not None and style.style_id == default.style_id else style.style_id
            for style in styles if style.type == kind}


def field_char(paragraph: DocxParagraph, kind: str, dirty: bool = False) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    paragraph.add_run()._r.append(char)


def number_lines(document: Any) -> None:
    """Line numbers in the margin, restarting on each page, for a committee's comments."""
    for section in document.sections:
        numbering = OxmlElement("w:lnNumType")
        numbering.set(qn("w:countBy"), "5")
        numbering.set(qn("w:restart"), "newPage")
        numbering.set(qn("w:distance"), "284")
        section._sectPr.insert_element_before(
            numbering, "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
            "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def rotate(section: Any) -> Emu:
    """Turn section properties (w:sectPr) to landscape, margins following the page; the text width."""
    size, margins = section.find(qn("w:pgSz")), section.find(qn("w:pgMar"))
    page_width, page_height = size.get(qn("w:w")), size.get(qn("w:h"))
    size.set(qn("w:w"), page_height)
    size.set(qn("w:h"), page_width)
    size.set(qn("w:orient"), "landscape")
    top, right, bottom, left = (margins.get(qn(f"w:{side}")) for side in ("top", "right", "bottom", "left"))
    for side, value in (("top", left), ("right", top), ("bottom", right), ("left", bottom)):
        margins.set(qn(f"w:{side}"), value)
    return Emu((int(page_height) - int(top) - int(bottom)) * 635)  # twips to EMU


def keep_row_together(row: Any) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def repeat_as_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def no_borders(grid: DocxTable) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    _set_table_property(grid, borders)


def normalized_zip(data: bytes) -> bytes:
    """The same package with fixed timestamps and order: python-docx stamps the current time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(name))
    return output.getvalue()
