"""The body of a Word document from the document tree: paragraphs and their tracked changes,
headings and bookmarks, lists, tables, the letterhead's frame, contents, landscape sections."""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, replace
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from ars_docs.source.errors import ArsDocsError
from ars_docs.tree.doctree import (
    SIGNATURE_ROLE,
    SIGNATURE_ROW_MM,
    Block,
    BlockVisitor,
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
    headings,
)
from ars_docs.writers.docx_ooxml import (
    enclose,
    field_char,
    in_frame,
    indent_table,
    joined_hyphens,
    keep_row_together,
    no_borders,
    repeat_as_header,
    rotate,
)

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


@dataclass(frozen=True)
class Place:
    """Where a block goes: its container (the body, a cell), the style of its paragraphs (a division's),
    and the width of the text there."""

    container: Any
    style: str | None
    width: Emu
    role: str = ""
    """The role of the division the block is in (`doctree.Division`), if any."""


class BodyWriter(BlockVisitor[Place, None]):
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

    def blocks(self, container: Any, blocks: tuple[Block, ...], style: str | None, width: Emu,
               role: str = "") -> None:
        for previous, block in zip((None, *blocks), blocks, strict=False):
            self.visit(block, Place(container, style, width, role))
            if isinstance(previous, Table) and isinstance(block, Paragraph):
                # Word has no margin below a table: the paragraph that follows keeps the distance.
                container.paragraphs[-1].paragraph_format.space_before = _SPACE_AFTER_TABLE

    def paragraph(self, block: Paragraph, place: Place) -> None:
        self.add_paragraph(place.container, block.inlines, place.style or self.style("Normal"))

    def heading(self, block: Heading, place: Place) -> None:
        paragraph = self.add_paragraph(place.container, block.inlines, self.style(f"Heading {block.level}"))
        if block.anchor:
            self.bookmark(paragraph, self.bookmarks[block.anchor])
        if block.note:
            self.comment(paragraph, block.note)

    def list_block(self, block: ListBlock, place: Place) -> None:
        list_style = self.style("List Number" if block.ordered else "List Bullet")
        for item in block.items:
            self.add_paragraph(place.container, item.inlines, list_style)

    def division(self, block: Division, place: Place) -> None:
        self.blocks(place.container, block.blocks, self.style(f"ARS {block.role}"), place.width, block.role)

    def page_break(self, block: PageBreak, place: Place) -> None:
        place.container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def add_paragraph(self, container: Any, inlines: tuple[Inline, ...], style: str,
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
        enclose(paragraph, start, f"w:{change}RangeEnd")

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
        enclose(paragraph, start, "w:commentRangeEnd")
        reference = OxmlElement("w:commentReference")
        reference.set(qn("w:id"), identifier)
        paragraph._p.add_r().append(reference)

    def bookmark(self, paragraph: DocxParagraph, name: str) -> None:
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), self.new_id())
        start.set(qn("w:name"), name)
        enclose(paragraph, start, "w:bookmarkEnd")

    def contents(self, block: Contents, place: Place) -> None:
        container = place.container
        """A TOC field whose result is already filled with the entries (no page numbers): it reads
        at once in LibreOffice, and Word refreshes it on opening (dirty field)."""
        self.add_paragraph(container, (Run(block.title),), self.style("TOC Heading"))
        entries = [h for h in headings(self.document.blocks, block.depth) if h.anchor]
        for index, heading in enumerate(entries):
            paragraph = container.add_paragraph()
            paragraph._p.style = self.style_ids[self.style(f"toc {heading.level}")]
            if index == 0:
                field_char(paragraph, "begin", dirty=True)
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = f' TOC \\o "1-{block.depth}" \\h \\z \\u '
                paragraph.add_run()._r.append(instruction)
                field_char(paragraph, "separate")
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), self.bookmarks[str(heading.anchor)])
            for inline in heading.inlines:
                if isinstance(inline, Run):
                    link.append(self.run(paragraph, inline)._r)
            paragraph._p.append(link)
            if index == len(entries) - 1:
                field_char(paragraph, "end")

    @staticmethod
    def run(paragraph: DocxParagraph, inline: Run, unbroken: bool = False) -> Any:
        if any(char in inline.text for char in "\t\n\r"):
            run = paragraph.add_run(inline.text)  # python-docx turns these into w:tab and w:br
        else:
            element = paragraph._p.add_r()
            pieces = joined_hyphens(inline.text) if unbroken else [inline.text]
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

    def table(self, table: Table, place: Place) -> None:
        container, width = place.container, place.width
        grid = container.add_table(rows=len(table.rows), cols=table.width)
        grid._tbl.tblStyle_val = self.table_style_ids["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._set_widths(grid, width, table.shares())
        for r, docx_row in enumerate(grid.rows):
            keep_row_together(docx_row)
            if r < table.header_rows:
                repeat_as_header(docx_row)
            elif place.role == SIGNATURE_ROLE:  # room to sign
                docx_row.height, docx_row.height_rule = Mm(SIGNATURE_ROW_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
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
        if place.role == SIGNATURE_ROLE:  # the signatories on one page, with the line above (« Fait à… »)
            before = grid._tbl.getprevious()
            if before is not None and before.tag == qn("w:p"):
                DocxParagraph(before, grid._parent).paragraph_format.keep_with_next = True
            for docx_row in grid.rows[:-1]:
                for docx_cell in docx_row.cells:
                    for paragraph in docx_cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True

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
                self.add_paragraph(target, inlines, style, unbroken=True)
        for paragraph in target.paragraphs:
            if alignment is not None:
                paragraph.alignment = alignment
            if cell.indent:
                paragraph.paragraph_format.left_indent = Mm(4 * cell.indent)

    def landscape(self, block: Landscape, place: Place) -> None:
        container = place.container
        """A Word section of its own: a section ends with the paragraph that carries its w:sectPr,
        so one break closes the portrait part before, another the landscape part. A document that
        is all landscape turns the shell's own section instead (no blank portrait page)."""
        if self.document.blocks == (block,):
            width = rotate(self.section)
            self.blocks(container, block.blocks, None, width)
            return
        portrait = deepcopy(self.section)
        container.add_paragraph()._p.get_or_add_pPr().append(portrait)
        rotated = deepcopy(self.section)
        self.blocks(container, block.blocks, None, rotate(rotated))
        container.add_paragraph()._p.get_or_add_pPr().append(rotated)

    def letterhead(self, block: Letterhead, place: Place) -> None:
        container, width = place.container, place.width
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
        no_borders(grid)
        if window.on_left:
            indent = Emu(Mm(window.right + window.clearance) - left_margin)
            column_width = Emu(int(width - indent))
            indent_table(grid, indent)
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
            in_frame(paragraph, window)

    @staticmethod
    def _set_widths(grid: DocxTable, width: Emu, shares: tuple[float, ...]) -> None:
        grid.autofit = False
        widths = [Emu(int(width * share)) for share in shares]
        for column, column_width in zip(grid.columns, widths, strict=True):
            column.width = column_width
        for row in grid.rows:
            for index, cell in enumerate(row.cells):
                cell.width = widths[index]
