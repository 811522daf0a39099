"""WordprocessingML helpers: frames, sections turned landscape, line numbers, reproducible packages."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from lxml import etree

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


_TWIPS_PER_MM = 1440 / 25.4
_FRAME_INSET_MM = 2.0
"""The address starts this far below the frame's top, as in the print stylesheet."""


def frame_properties(window: Window) -> str:
    """The w:framePr that puts a paragraph in the frame of the envelope window (consecutive
    paragraphs with the same w:framePr make one frame), positioned from the page's corner."""
    size = "".join(f' w:{name}="{round(millimetres * _TWIPS_PER_MM)}"' for name, millimetres in (
        ("w", window.width), ("h", window.height - _FRAME_INSET_MM), ("x", window.left),
        ("y", window.top + _FRAME_INSET_MM)))
    return (f'<w:framePr{size} w:hRule="exact" w:wrap="around" w:hAnchor="page" w:vAnchor="page" '
            f'w:hSpace="0" w:vSpace="0"/>')


def style_ids(styles: Any, kind: WD_STYLE_TYPE) -> dict[str, str | None]:
    """Style name -> style id, None for the default style of its kind (python-docx writes none)."""
    default = styles.default(kind)
    return {style.name: None if default is not None and style.style_id == default.style_id else style.style_id
            for style in styles if style.type == kind}


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


def turn(section: Any) -> Emu:
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


def rotate(section: Any) -> tuple[Any, Emu]:
    """A landscape copy of section properties, and its text width."""
    rotated = deepcopy(section)
    return rotated, turn(rotated)


_DECLARATION = re.compile(r' xmlns:\w+="[^"]*"')


def section_xml(section: Any) -> str:
    """Section properties as text for the body (the document declares their namespaces)."""
    return _DECLARATION.sub("", etree.tostring(section, encoding="unicode"))


def repeat_as_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))  # on by default: the form Office's SDK accepts


def package_zip(package: Any, blobs: Mapping[Any, bytes] | None = None) -> bytes:
    """A python-docx package as a reproducible .docx (fixed timestamps, python-docx's order), written
    once: python-docx's own `save` stamps the time, so the package was zipped, unzipped and zipped
    again; and the parts a shell gives every document unchanged (styles, theme, fonts, the logo…)
    are compressed once per process (`_deflated`); `blobs`: the bytes of parts already serialised."""
    from docx.opc.pkgwriter import _ContentTypesItem

    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    types = _ContentTypesItem.from_parts(parts).blob  # type: ignore[no-untyped-call]
    entries = [("[Content_Types].xml", types), ("_rels/.rels", package.rels.xml)]
    for part in parts:
        entries.append((part.partname.membername, blobs[part] if blobs and part in blobs else part.blob))
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


# --- the elements of a body, written as text ---------------------------------------------------

def attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


NO_PROPERTIES = object()
"""A paragraph without w:pPr (python-docx's bare paragraph: a page break, a merged cell)."""


@dataclass
class WordParagraph:
    """A paragraph being written: its properties, the starts of the ranges around its content
    (bookmarks, comments, moves), its content."""

    style: Any = NO_PROPERTIES
    """A style id, None for the default style (an empty w:pPr), or `NO_PROPERTIES`."""
    keep_next: bool = False
    frame: str = ""
    space_before: int | None = None
    indent: int | None = None
    align: str | None = None
    mark: str = ""
    """A tracked change of the paragraph mark (w:rPr/w:ins or w:del)."""
    section: str = ""
    starts: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)

    def xml(self) -> str:
        properties = "".join((
            f'<w:pStyle w:val="{attribute(self.style)}"/>' if isinstance(self.style, str) else "",
            "<w:keepNext/>" if self.keep_next else "",
            self.frame,
            f'<w:spacing w:before="{self.space_before}"/>' if self.space_before is not None else "",
            f'<w:ind w:left="{self.indent}"/>' if self.indent is not None else "",
            f'<w:jc w:val="{self.align}"/>' if self.align else "",
            f"<w:rPr>{self.mark}</w:rPr>" if self.mark else "",
            self.section))
        if self.style is NO_PROPERTIES and not properties:
            head = ""
        else:
            head = f"<w:pPr>{properties}</w:pPr>" if properties else "<w:pPr/>"
        return f"<w:p>{head}{''.join(self.starts)}{''.join(self.content)}</w:p>"


@dataclass
class WordCell:
    width: int
    """Twips."""
    span: int = 1
    merge: str | None = None
    """`restart` (the first row of a vertical span), `continue` (the rows below), or None."""
    paragraphs: list[WordParagraph] = field(default_factory=lambda: [WordParagraph()])

    def xml(self) -> str:
        span = f'<w:gridSpan w:val="{self.span}"/>' if self.span > 1 else ""
        merge = {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>", None: ""}[self.merge]
        return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{self.width}"/>{span}{merge}</w:tcPr>'
                f"{''.join(paragraph.xml() for paragraph in self.paragraphs)}</w:tc>")


@dataclass
class WordRow:
    cells: list[WordCell]
    properties: list[str] = field(default_factory=list)

    def xml(self) -> str:
        properties = f"<w:trPr>{''.join(self.properties)}</w:trPr>" if self.properties else ""
        return f"<w:tr>{properties}{''.join(cell.xml() for cell in self.cells)}</w:tr>"


@dataclass
class WordTable:
    columns: list[int]
    rows: list[WordRow]
    style: str | None = None
    centred: bool = False
    indent: int | None = None
    borderless: bool = False

    def xml(self) -> str:
        properties = "".join((
            f'<w:tblStyle w:val="{attribute(self.style)}"/>' if self.style else "",
            '<w:tblW w:type="auto" w:w="0"/>',
            '<w:jc w:val="center"/>' if self.centred else "",
            f'<w:tblInd w:w="{self.indent}" w:type="dxa"/>' if self.indent is not None else "",
            "<w:tblBorders>" + "".join(f'<w:{side} w:val="nil"/>' for side in
                                       ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"
            if self.borderless else "",
            '<w:tblLayout w:type="fixed"/>',
            '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
            'w:noVBand="1" w:val="04A0"/>'))
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in self.columns)
        return (f"<w:tbl><w:tblPr>{properties}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
                f"{''.join(row.xml() for row in self.rows)}</w:tbl>")


WordBlock = WordParagraph | WordTable


def text_element(text: str, deleted: bool) -> str:
    tag = "w:delText" if deleted else "w:t"
    space = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
    return f"<{tag}{space}>{escape(text)}</{tag}>"


def with_controls(text: str, deleted: bool) -> str:
    """Text with tabs and line breaks as python-docx writes it (w:tab, w:br)."""
    parts: list[str] = []
    buffer: list[str] = []
    for char in text:
        if char in "\t\r\n":
            if buffer:
                parts.append(text_element("".join(buffer), deleted))
                buffer = []
            parts.append("<w:tab/>" if char == "\t" else "<w:br/>")
        else:
            buffer.append(char)
    if buffer:
        parts.append(text_element("".join(buffer), deleted))
    return "".join(parts)
