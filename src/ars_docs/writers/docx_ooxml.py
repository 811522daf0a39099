"""WordprocessingML by hand, where python-docx has no API: tracked ranges, frames, fields, table
properties in schema order, sections turned landscape, line numbers, reproducible packages."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from ars_docs.tree.doctree import (
    Window,
)
from ars_docs.tree.typography import UNBREAKABLE

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


def package_zip(package: Any) -> bytes:
    """A python-docx package as a reproducible .docx (fixed timestamps, python-docx's order), written
    once: python-docx's own `save` stamps the time, so the package was zipped, unzipped and zipped
    again; and the parts a shell gives every document unchanged (styles, theme, fonts, the logo…)
    are compressed once per process (`_deflated`)."""
    from docx.opc.pkgwriter import _ContentTypesItem

    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    types = _ContentTypesItem.from_parts(parts).blob  # type: ignore[no-untyped-call]
    entries = [("[Content_Types].xml", types), ("_rels/.rels", package.rels.xml)]
    for part in parts:
        entries.append((part.partname.membername, part.blob))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    return deterministic_zip(entries)


_DOS_DATE = ((_ZIP_DATE[0] - 1980) << 9) | (_ZIP_DATE[1] << 5) | _ZIP_DATE[2]
_DEFLATED: dict[bytes, tuple[bytes, int]] = {}
"""Deflated data and CRC-32 of the entries already compressed in this process, by SHA-1 of their
content: at most `_DEFLATED_KEPT` of them (a shell's unchanging parts are a dozen)."""
_DEFLATED_KEPT = 256


def _deflated(data: bytes) -> tuple[bytes, int]:
    key = hashlib.sha1(data).digest()
    found = _DEFLATED.get(key)
    if found is None:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        found = (compressor.compress(data) + compressor.flush(), zlib.crc32(data))
        if len(_DEFLATED) >= _DEFLATED_KEPT:
            _DEFLATED.pop(next(iter(_DEFLATED)))
        _DEFLATED[key] = found
    return found


def deterministic_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A ZIP archive of `entries` in order, deflated, with fixed timestamps and permissions (the
    format of APPNOTE.TXT, as `zipfile` writes it, without ZIP64: a Word file is far below 4 GiB)."""
    output, directory = io.BytesIO(), io.BytesIO()
    for name, data in entries:
        encoded = name.encode("ascii")
        deflated, crc = _deflated(data)
        offset = output.tell()
        output.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, _DOS_DATE, crc, len(deflated), len(data),
                                 len(encoded), 0))
        output.write(encoded)
        output.write(deflated)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, 20, 0, 8, 0, _DOS_DATE, crc, len(deflated),
                                    len(data), len(encoded), 0, 0, 0, 0, 0o600 << 16, offset))
        directory.write(encoded)
    start = output.tell()
    listing = directory.getvalue()
    output.write(listing)
    output.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(listing), start, 0))
    return output.getvalue()
