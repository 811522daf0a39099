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
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.shared import Emu, Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun
from docxtpl import DocxTemplate, InlineImage
from docxtpl.subdoc import Subdoc
from jinja2.sandbox import SandboxedEnvironment

from ars_docs.doctree import (
    Block,
    Cell,
    Contents,
    Division,
    Document,
    Heading,
    Inline,
    Landscape,
    Letterhead,
    LineBreak,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    Table,
    Window,
    headings,
)
from ars_docs.errors import ArsDocsError, InvalidInput, Location, Problem
from ars_docs.typography import UNBREAKABLE

# docxcompose (imported by docxtpl's subdocuments) rebinds python-docx's "cp" prefix to the
# custom-properties namespace for the whole process: python-docx then writes keywords, revision and
# last-modified-by into docProps/core.xml in that foreign namespace, beside the empty real ones.
nsmap["cp"] = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SPACE_AFTER_TABLE = Pt(10)


BOOKMARK_PREFIXES = {"article-": "_A_", "titre-": "_T_"}
"""A heading's bookmark says which article or title it is (`_A_assemblee_ordinaire`): Word and
LibreOffice keep bookmarks through editing, so that `arsdocs import statuts` finds the identifiers
again. Hidden (leading underscore), letters, digits and underscores only, 40 characters at most."""


def bookmark_name(anchor: str, index: int) -> str:
    for prefix, mark in BOOKMARK_PREFIXES.items():
        if anchor.startswith(prefix):
            name = mark + anchor.removeprefix(prefix).replace("-", "_")
            if len(name) <= 40:
                return name
    return f"_arsdocs{index}"


def anchor_of(bookmark: str) -> str | None:
    """The anchor a bookmark was named after (`_A_objet` -> `article-objet`), if any."""
    for prefix, mark in BOOKMARK_PREFIXES.items():
        if bookmark.startswith(mark) and len(bookmark) > len(mark):
            return prefix + bookmark.removeprefix(mark).replace("_", "-")
    return None


class DocxShellError(ArsDocsError):
    """The Word shell lacks something the document needs."""


class _BodyWriter:
    """Appends blocks to a python-docx container (the subdocument, a table cell)."""

    def __init__(self, subdoc: Any, shell_name: str, document: Document, section: Any,
                 styles: Mapping[WD_STYLE_TYPE, dict[str, str | None]]) -> None:
        self.subdoc = subdoc
        self.section = section  # the shell's (portrait) section properties, w:sectPr
        self.shell_name = shell_name
        self.document = document
        # name -> id, looked up once per shell: python-docx scans every style at each lookup by name
        self.style_ids = styles[WD_STYLE_TYPE.PARAGRAPH]
        self.table_style_ids = styles[WD_STYLE_TYPE.TABLE]
        self.link_style = styles[WD_STYLE_TYPE.CHARACTER].get("Hyperlink")
        self.bookmarks = {heading.anchor: bookmark_name(heading.anchor, index)
                          for index, heading in enumerate(headings(document.blocks, 9)) if heading.anchor}
        self.change_date = f"{document.date.isoformat()}T12:00:00Z"
        self.next_id = 1
        self.head_height = Emu(0)
        """The height of what the shell puts before the body on the first page (a letterhead's table
        reaches down to the envelope window's bottom from there)."""

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def style(self, name: str) -> str:
        if name not in self.style_ids:
            raise DocxShellError(f"le gabarit Word « {self.shell_name} » n'a pas de style « {name} »")
        return name

    def blocks(self, container: Any, blocks: tuple[Block, ...], style: str | None, width: Emu) -> None:
        for previous, block in zip((None, *blocks[:-1]), blocks, strict=True):
            self.block(container, block, style, width)
            if isinstance(previous, Table) and isinstance(block, Paragraph):
                # Word has no margin below a table: the paragraph that follows keeps the distance.
                container.paragraphs[-1].paragraph_format.space_before = _SPACE_AFTER_TABLE

    def block(self, container: Any, block: Block, style: str | None, width: Emu) -> None:
        if isinstance(block, Paragraph):
            self.paragraph(container, block.inlines, style or self.style("Normal"))
        elif isinstance(block, Heading):
            paragraph = self.paragraph(container, block.inlines, self.style(f"Heading {block.level}"))
            if block.anchor:
                self.bookmark(paragraph, self.bookmarks[block.anchor])
            if block.note:
                self.comment(paragraph, block.note)
        elif isinstance(block, ListBlock):
            list_style = self.style("List Number" if block.ordered else "List Bullet")
            for item in block.items:
                self.paragraph(container, item.inlines, list_style)
        elif isinstance(block, Table):
            self.table(container, block, width)
        elif isinstance(block, Division):
            self.blocks(container, block.blocks, self.style(f"ARS {block.role}"), width)
        elif isinstance(block, Letterhead):
            self.letterhead(container, block, width)
        elif isinstance(block, Contents):
            self.contents(container, block)
        elif isinstance(block, PageBreak):
            container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Landscape):
            self.landscape(container, block)

    def paragraph(self, container: Any, inlines: tuple[Inline, ...], style: str,
                  unbroken: bool = False) -> DocxParagraph:
        paragraph: DocxParagraph = container.add_paragraph()
        paragraph._p.style = self.style_ids[style]
        self.fill(paragraph, inlines, unbroken)
        return paragraph

    def fill(self, paragraph: DocxParagraph, inlines: tuple[Inline, ...], unbroken: bool = False) -> None:
        """`unbroken` (table cells): the hyphens of codes and dates are no-break hyphens, and a cell's
        paragraph mark is never a change (a cell keeps a paragraph; a row is tracked as a whole)."""
        changes = {inline.change for inline in inlines if isinstance(inline, Run)}
        if len(changes) == 1 and None not in changes and not unbroken:
            # A paragraph wholly inserted or deleted: its mark too, so that accepting or rejecting
            # every change leaves no empty paragraph behind.
            self.tracked_mark(paragraph, str(changes.pop()))
        moves = {(inline.change, inline.move) for inline in inlines if isinstance(inline, Run) and inline.move}
        for inline in inlines:
            if isinstance(inline, LineBreak):
                paragraph.add_run().add_break()
            elif inline.link:
                self.hyperlink(paragraph, inline)
            elif inline.change:
                self.tracked(paragraph, inline, unbroken)
            else:
                self.run(paragraph, inline, unbroken)
        for change, move in sorted(moves, key=str):
            self.move_range(paragraph, str(change), str(move))

    def move_range(self, paragraph: DocxParagraph, change: str, name: str) -> None:
        """The range that names a move: Word pairs the text moved from here with the text moved to
        there by this name."""
        start = self._revision(f"{change}RangeStart")
        start.set(qn("w:name"), name)
        _enclose(paragraph, start, f"w:{change}RangeEnd")

    def tracked(self, paragraph: DocxParagraph, inline: Run, unbroken: bool = False) -> None:
        """A real tracked change (w:ins / w:del / w:moveFrom / w:moveTo), which Word and LibreOffice
        show as revisions."""
        wrapper = self._revision(str(inline.change))
        run = self.run(paragraph, inline, unbroken)
        if inline.change in ("del", "moveFrom"):
            for text in run._r.findall(qn("w:t")):
                text.tag = qn("w:delText")
        wrapper.append(run._r)
        paragraph._p.append(wrapper)

    def _revision(self, kind: str) -> Any:
        element = OxmlElement(f"w:{kind}")
        element.set(qn("w:id"), self.new_id())
        element.set(qn("w:author"), self.document.reviser)
        element.set(qn("w:date"), self.change_date)
        return element

    def tracked_mark(self, paragraph: DocxParagraph, kind: str) -> None:
        properties = paragraph._p.get_or_add_pPr()
        run_properties = properties.find(qn("w:rPr"))
        if run_properties is None:
            run_properties = OxmlElement("w:rPr")
            properties.insert_element_before(run_properties, "w:sectPr", "w:pPrChange")
        run_properties.append(self._revision(kind))

    def comment(self, paragraph: DocxParagraph, text: str) -> None:
        """A Word comment on the whole paragraph, by the reviser, dated like the changes."""
        comment = self.subdoc.subdocx.comments.add_comment(text=text, author=self.document.reviser, initials="")
        comment._comment_elm.set(qn("w:date"), self.change_date)
        identifier = str(comment.comment_id)
        start = OxmlElement("w:commentRangeStart")
        start.set(qn("w:id"), identifier)
        _enclose(paragraph, start, "w:commentRangeEnd")
        reference = OxmlElement("w:commentReference")
        reference.set(qn("w:id"), identifier)
        paragraph._p.add_r().append(reference)

    def bookmark(self, paragraph: DocxParagraph, name: str) -> None:
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), self.new_id())
        start.set(qn("w:name"), name)
        _enclose(paragraph, start, "w:bookmarkEnd")

    def contents(self, container: Any, block: Contents) -> None:
        """A TOC field whose result is already filled with the entries (no page numbers): it reads
        at once in LibreOffice, and Word refreshes it on opening (dirty field)."""
        self.paragraph(container, (Run(block.title),), self.style("TOC Heading"))
        entries = [h for h in headings(self.document.blocks, block.depth) if h.anchor]
        for index, heading in enumerate(entries):
            paragraph = container.add_paragraph()
            paragraph._p.style = self.style_ids[self.style(f"toc {heading.level}")]
            if index == 0:
                _field_char(paragraph, "begin", dirty=True)
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = f' TOC \\o "1-{block.depth}" \\h \\z \\u '
                paragraph.add_run()._r.append(instruction)
                _field_char(paragraph, "separate")
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), self.bookmarks[str(heading.anchor)])
            for inline in heading.inlines:
                if isinstance(inline, Run):
                    link.append(self.run(paragraph, inline)._r)
            paragraph._p.append(link)
            if index == len(entries) - 1:
                _field_char(paragraph, "end")

    @staticmethod
    def run(paragraph: DocxParagraph, inline: Run, unbroken: bool = False) -> Any:
        if any(char in inline.text for char in "\t\n\r"):
            run = paragraph.add_run(inline.text)  # python-docx turns these into w:tab and w:br
        else:
            element = paragraph._p.add_r()
            pieces = _joined_hyphens(inline.text) if unbroken else [inline.text]
            for index, piece in enumerate(pieces):
                if index:
                    element.append(OxmlElement("w:noBreakHyphen"))
                if piece:
                    element.add_t(piece)  # preserves leading and trailing spaces
            run = DocxRun(element, paragraph)
        if inline.bold:
            run.bold = True
        if inline.italic:
            run.italic = True
        if inline.superscript:
            run.font.superscript = True
        return run

    def hyperlink(self, paragraph: DocxParagraph, inline: Run) -> None:
        assert inline.link is not None
        relation = self.subdoc.part.relate_to(inline.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relation)
        run = self.run(paragraph, inline)
        run._r.style = self.link_style
        link.append(run._r)
        paragraph._p.append(link)

    def table(self, container: Any, table: Table, width: Emu) -> None:
        grid = container.add_table(rows=len(table.rows), cols=table.width)
        grid._tbl.tblStyle_val = self.table_style_ids["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._set_widths(grid, width, table.shares())
        for r, docx_row in enumerate(grid.rows):
            _keep_row_together(docx_row)
            if r < table.header_rows:
                repeat_as_header(docx_row)
            if change := table.row_change(r):
                # a tracked row: accepting (or rejecting) every change removes it, not just its text
                docx_row._tr.get_or_add_trPr().append(self._revision(change))
        # python-docx recomputes the whole grid at each grid.cell(): take it once. Merging keeps
        # the cells that no span covers, the only ones filled.
        cells = grid._cells
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                if cell is not None:
                    self._fill(cells, table.width, r, c, cell, bold=r < table.header_rows)

    def _fill(self, cells: list[Any], width: int, r: int, c: int, cell: Cell, bold: bool) -> None:
        target = cells[r * width + c]
        if cell.colspan > 1 or cell.rowspan > 1:
            target = target.merge(cells[(r + cell.rowspan - 1) * width + c + cell.colspan - 1])
        style = self.style("ARS tableau")
        first = target.paragraphs[0]
        first._p.style = self.style_ids[style]
        alignment = WD_ALIGN_PARAGRAPH.RIGHT if cell.align == "right" else None
        for index, paragraph in enumerate(cell.paragraphs):
            inlines = paragraph.inlines
            if bold:
                inlines = tuple(i if isinstance(i, LineBreak) else replace(i, bold=True) for i in inlines)
            if index == 0:
                self.fill(first, inlines, unbroken=True)
            else:
                self.paragraph(target, inlines, style, unbroken=True)
        for paragraph in target.paragraphs:
            if alignment is not None:
                paragraph.alignment = alignment
            if cell.indent:
                paragraph.paragraph_format.left_indent = Mm(4 * cell.indent)

    def landscape(self, container: Any, block: Landscape) -> None:
        """A Word section of its own: a section ends with the paragraph that carries its w:sectPr,
        so one break closes the portrait part before, another the landscape part. A document that
        is all landscape turns the shell's own section instead (no blank portrait page)."""
        if self.document.blocks == (block,):
            width = _rotate(self.section)
            self.blocks(container, block.blocks, None, width)
            return
        portrait = deepcopy(self.section)
        container.add_paragraph()._p.get_or_add_pPr().append(portrait)
        rotated = deepcopy(self.section)
        self.blocks(container, block.blocks, None, _rotate(rotated))
        container.add_paragraph()._p.get_or_add_pPr().append(rotated)

    def letterhead(self, container: Any, block: Letterhead, width: Emu) -> None:
        """The sender's column in a borderless table as tall as the window's bottom, so that the text
        resumes below it; the address in a frame (w:framePr) fixed on the page, which Word and
        LibreOffice place where the envelope's window is, whatever the fonts."""
        window = block.window
        margins = self.section.find(qn("w:pgMar"))
        left_margin = Emu(int(margins.get(qn("w:left"))) * 635)  # twips -> EMU
        top_margin = Emu(int(margins.get(qn("w:top"))) * 635)
        # One column, beside the window and never across it: LibreOffice moves a table that a frame
        # overlaps below the frame.
        grid = container.add_table(rows=1, cols=1)
        _no_borders(grid)
        if window.on_left:
            indent = Emu(Mm(window.right + window.clearance) - left_margin)
            column_width = Emu(int(width - indent))
            _indent_table(grid, indent)
        else:
            column_width = Emu(int(Mm(window.left - window.clearance) - left_margin))
        self._set_widths(grid, column_width, (1.0,))
        cell = grid.cell(0, 0)
        placeholder = cell.paragraphs[0]
        self.blocks(cell, block.sender, None, column_width)
        placeholder._p.getparent().remove(placeholder._p)
        flow_top = Mm(window.bottom + window.clearance) - top_margin - self.head_height
        grid.rows[0].height = Emu(max(int(flow_top), 0))
        grid.rows[0].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        first = len(container.paragraphs)
        self.blocks(container, block.address, None, Emu(Mm(window.width)))
        for paragraph in container.paragraphs[first:]:
            _in_frame(paragraph, window)

    @staticmethod
    def _set_widths(grid: DocxTable, width: Emu, shares: tuple[float, ...]) -> None:
        grid.autofit = False
        widths = [Emu(int(width * share)) for share in shares]
        for column, column_width in zip(grid.columns, widths, strict=True):
            column.width = column_width
        for row in grid.rows:
            for index, cell in enumerate(row.cells):
                cell.width = widths[index]


def _joined_hyphens(text: str) -> list[str]:
    """The text cut at each hyphen inside a code or date (`typography.UNBREAKABLE`): Word joins the
    pieces with a no-break hyphen (w:noBreakHyphen), read back as « - »."""
    pieces, start = [], 0
    for match in UNBREAKABLE.finditer(text):
        for offset, char in enumerate(match.group()):
            if char == "-":
                pieces.append(text[start:match.start() + offset])
                start = match.start() + offset + 1
    return [*pieces, text[start:]]


def _enclose(paragraph: DocxParagraph, start: Any, end_tag: str) -> None:
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


def _indent_table(grid: DocxTable, indent: Emu) -> None:
    element = OxmlElement("w:tblInd")
    element.set(qn("w:w"), str(round(indent / 635)))
    element.set(qn("w:type"), "dxa")
    _set_table_property(grid, element)


def _in_frame(paragraph: DocxParagraph, window: Window) -> None:
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


def _style_ids(styles: Any, kind: WD_STYLE_TYPE) -> dict[str, str | None]:
    """Style name -> style id, None for the default style of its kind (python-docx writes none)."""
    default = styles.default(kind)
    return {style.name: None if default is not None and style.style_id == default.style_id else style.style_id
            for style in styles if style.type == kind}


def _field_char(paragraph: DocxParagraph, kind: str, dirty: bool = False) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    paragraph.add_run()._r.append(char)


def _line_numbers(document: Any) -> None:
    """Line numbers in the margin, restarting on each page, for a committee's comments."""
    for section in document.sections:
        numbering = OxmlElement("w:lnNumType")
        numbering.set(qn("w:countBy"), "5")
        numbering.set(qn("w:restart"), "newPage")
        numbering.set(qn("w:distance"), "284")
        section._sectPr.insert_element_before(
            numbering, "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
            "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def _rotate(section: Any) -> Emu:
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


def _keep_row_together(row: Any) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def repeat_as_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _no_borders(grid: DocxTable) -> None:
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
        self.environment = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
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
            self.styles = {kind: _style_ids(template.docx.styles, kind) for kind in
                           (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE, WD_STYLE_TYPE.CHARACTER)}
        section = template.docx.sections[0]
        text_width = Emu(section.page_width - section.left_margin - section.right_margin)
        subdoc = _Body(template, section._sectPr)
        writer = _BodyWriter(subdoc, self.shell_name, document, section._sectPr, self.styles)
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
            _line_numbers(template.docx)
        _set_properties(template, document)
        _describe_images(template, logo_text)
        buffer = io.BytesIO()
        template.save(buffer)
        return normalized_zip(buffer.getvalue())


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
    properties = template.docx.core_properties
    moment = datetime.datetime.combine(document.date, datetime.time(12, 0))
    properties.title = document.title
    properties.author = document.author
    properties.last_modified_by = document.author
    properties.subject = document.subject
    properties.keywords = ", ".join(document.keywords)
    properties.language = document.language
    properties.created = moment
    properties.modified = moment
    properties.revision = 1
    set_language(template.docx, document.language)


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
