"""The body of a Word document from the document tree, written directly as WordprocessingML:
paragraphs and their tracked changes, headings and bookmarks, lists, tables, the letterhead's
frame, contents, landscape sections.

The body is text, not python-docx objects: a letter's body built element by element through
python-docx's API cost more than its PDF. Paragraphs and tables stay small objects until the end
(a later block may still change them: the spacing after a table, the signatories kept together),
then are written in the schema's order. Every text and attribute is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from docx.shared import Emu, Mm, Pt

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
    WordBlock,
    WordCell,
    WordParagraph,
    WordRow,
    WordTable,
    attribute,
    frame_properties,
    joined_hyphens,
    rotate,
    section_xml,
    text_element,
    with_controls,
)

_SPACE_AFTER_TABLE = Pt(10).twips
_CELL_INDENT = Mm(4)


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

    container: list[Any]
    style: str | None
    width: int
    """EMU."""
    role: str = ""
    """The role of the division the block is in (`doctree.Division`), if any."""


def _twips(emu: float) -> int:
    return int(Emu(int(emu)).twips)


class BodyWriter(BlockVisitor[Place, None]):
    """Writes blocks as WordprocessingML: `write` gives the body's content (what goes where the
    shell says `{{p corps }}`). Relationships (links) and comments go through the callbacks, to the
    document's part."""

    def __init__(self, shell_name: str, document: Document, section: Any, style_ids: Mapping[str, str | None],
                 table_style_ids: Mapping[str, str | None], link_style: str | None,
                 relate: Callable[[str], str], comment: Callable[[str], str]) -> None:
        self.section = section  # the shell's (portrait) section properties, w:sectPr
        self.shell_name = shell_name
        self.document = document
        # name -> id, looked up once per shell
        self.style_ids = style_ids
        self.table_style_ids = table_style_ids
        self.link_style = link_style
        self.relate = relate
        self.add_comment = comment
        self.bookmarks = {heading.anchor: bookmark_name(heading.anchor, index)
                          for index, heading in enumerate(headings(document.blocks, 9)) if heading.anchor}
        self.change_date = f"{document.date.isoformat()}T12:00:00Z"
        self.next_id = 1
        self.head_height = 0
        """The height (EMU) of what the shell puts before the body on the first page (a letterhead's
        table reaches down to the envelope window's bottom from there)."""
        self.turn_whole_section = False
        """The document is all landscape: the shell's own section is to be turned."""

    def write(self, width: int) -> str:
        body: list[WordBlock] = []
        self.blocks(body, self.document.blocks, None, width)
        return "".join(item.xml() for item in body)

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def style(self, name: str) -> str:
        if name not in self.style_ids:
            raise DocxShellError(f"le gabarit Word « {self.shell_name} » n'a pas de style « {name} »")
        return name

    def blocks(self, container: list[Any], blocks: tuple[Block, ...], style: str | None, width: int,
               role: str = "") -> None:
        for previous, block in zip((None, *blocks), blocks, strict=False):
            self.visit(block, Place(container, style, width, role))
            if isinstance(previous, Table) and isinstance(block, Paragraph):
                # Word has no margin below a table: the paragraph that follows keeps the distance.
                _paragraphs(container)[-1].space_before = _SPACE_AFTER_TABLE

    def paragraph(self, block: Paragraph, place: Place) -> None:
        self.add_paragraph(place.container, block.inlines, place.style or self.style("Normal"))

    def heading(self, block: Heading, place: Place) -> None:
        paragraph = self.add_paragraph(place.container, block.inlines, self.style(f"Heading {block.level}"))
        if block.anchor:
            name = attribute(self.bookmarks[block.anchor])
            self.enclose(paragraph, self._marked("bookmarkStart", f' w:name="{name}"'), "bookmarkEnd")
        if block.note:
            identifier = self.add_comment(block.note)
            self.enclose(paragraph, f'<w:commentRangeStart w:id="{identifier}"/>', "commentRangeEnd")
            paragraph.content.append(f'<w:r><w:commentReference w:id="{identifier}"/></w:r>')

    def list_block(self, block: ListBlock, place: Place) -> None:
        list_style = self.style("List Number" if block.ordered else "List Bullet")
        for item in block.items:
            self.add_paragraph(place.container, item.inlines, list_style)

    def division(self, block: Division, place: Place) -> None:
        self.blocks(place.container, block.blocks, self.style(f"ARS {block.role}"), place.width, block.role)

    def page_break(self, block: PageBreak, place: Place) -> None:
        place.container.append(WordParagraph(content=['<w:r><w:br w:type="page"/></w:r>']))

    def add_paragraph(self, container: list[Any], inlines: tuple[Inline, ...], style: str,
                      unbroken: bool = False) -> WordParagraph:
        paragraph = WordParagraph(self.style_ids[style])
        container.append(paragraph)
        self.fill(paragraph, inlines, unbroken)
        return paragraph

    def fill(self, paragraph: WordParagraph, inlines: tuple[Inline, ...], unbroken: bool = False) -> None:
        """`unbroken` (table cells): the hyphens of codes and dates are no-break hyphens, and a cell's
        paragraph mark is never a change (a cell keeps a paragraph; a row is tracked as a whole)."""
        changes = {inline.change for inline in inlines if isinstance(inline, Run)}
        if len(changes) == 1 and None not in changes and not unbroken:
            # A paragraph wholly inserted or deleted: its mark too, so that accepting or rejecting
            # every change leaves no empty paragraph behind.
            paragraph.mark = self._revision(str(changes.pop())) + "/>"
        moves = {(inline.change, inline.move) for inline in inlines if isinstance(inline, Run) and inline.move}
        content = paragraph.content
        for inline in inlines:
            if isinstance(inline, LineBreak):
                content.append("<w:r><w:br/></w:r>")
            elif inline.link:
                rel = self.relate(inline.link)
                content.append(f'<w:hyperlink r:id="{rel}">{self.run(inline, style=self.link_style or "")}'
                               f"</w:hyperlink>")
            elif inline.change:
                kind = str(inline.change)
                wrapper = self._revision(kind)
                deleted = kind in ("del", "moveFrom")
                content.append(f"{wrapper}>{self.run(inline, unbroken, deleted=deleted)}</w:{kind}>")
            else:
                content.append(self.run(inline, unbroken))
        for change, move in sorted(moves, key=str):
            # the range that names a move: Word pairs the text moved from here with the text moved to there
            start = self._revision(f"{change}RangeStart") + f' w:name="{attribute(str(move))}"/>'
            self.enclose(paragraph, start, f"{change}RangeEnd")

    def _marked(self, tag: str, attributes: str) -> str:
        return f'<w:{tag} w:id="{self.new_id()}"{attributes}/>'

    @staticmethod
    def enclose(paragraph: WordParagraph, start: str, end_tag: str) -> None:
        """A range around the paragraph's content: `start` first (after its properties, before
        the ranges enclosed earlier), then an end element of the same identifier last."""
        identifier = start.split('w:id="', 1)[1].split('"', 1)[0]
        paragraph.starts.insert(0, start)
        paragraph.content.append(f'<w:{end_tag} w:id="{identifier}"/>')

    def _revision(self, kind: str) -> str:
        """The opening of a revision element (w:ins, w:del…), without its closing bracket."""
        return (f'<w:{kind} w:id="{self.new_id()}" w:author="{attribute(self.document.reviser)}" '
                f'w:date="{self.change_date}"')

    def contents(self, block: Contents, place: Place) -> None:
        """A TOC field whose result is already filled with the entries (no page numbers): it reads
        at once in LibreOffice, and Word refreshes it on opening (dirty field)."""
        container = place.container
        self.add_paragraph(container, (Run(block.title),), self.style("TOC Heading"))
        entries = [h for h in headings(self.document.blocks, block.depth) if h.anchor]
        for index, heading in enumerate(entries):
            paragraph = WordParagraph(self.style_ids[self.style(f"toc {heading.level}")])
            container.append(paragraph)
            if index == 0:
                paragraph.content += ['<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>',
                                      f'<w:r><w:instrText xml:space="preserve"> TOC \\o "1-{block.depth}" \\h \\z '
                                      f"\\u </w:instrText></w:r>",
                                      '<w:r><w:fldChar w:fldCharType="separate"/></w:r>']
            runs = "".join(self.run(inline) for inline in heading.inlines if isinstance(inline, Run))
            paragraph.content.append(f'<w:hyperlink w:anchor="{attribute(self.bookmarks[str(heading.anchor)])}">'
                                     f"{runs}</w:hyperlink>")
            if index == len(entries) - 1:
                paragraph.content.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    @staticmethod
    def run(inline: Run, unbroken: bool = False, style: str | None = None, deleted: bool = False) -> str:
        """A w:r. `style`: a character style id ("" for a link where the shell has no link style:
        python-docx's empty w:rPr); `deleted`: its text is w:delText (in a w:del or w:moveFrom)."""
        properties = "".join((
            f'<w:rStyle w:val="{attribute(style)}"/>' if style else "",
            "<w:b/>" if inline.bold else "",
            "<w:i/>" if inline.italic else "",
            '<w:vertAlign w:val="superscript"/>' if inline.superscript else ""))
        head = f"<w:rPr>{properties}</w:rPr>" if properties else ("<w:rPr/>" if style is not None else "")
        if any(char in inline.text for char in "\t\n\r"):
            body = with_controls(inline.text, deleted)
        else:
            pieces = joined_hyphens(inline.text) if unbroken else [inline.text]
            body = "".join(("<w:noBreakHyphen/>" if index else "") + (text_element(piece, deleted) if piece else "")
                           for index, piece in enumerate(pieces))
        return f"<w:r>{head}{body}</w:r>"

    def table(self, table: Table, place: Place) -> None:
        width = place.width
        widths = [_twips(width * share) for share in table.shares()]
        merged = {(r + down, c): cell for r, row in enumerate(table.rows) for c, cell in enumerate(row)
                  if cell is not None and cell.rowspan > 1 for down in range(1, cell.rowspan)}
        rows = [WordRow([], self._row_properties(table, r, place)) for r in range(len(table.rows))]
        for r, row in enumerate(table.rows):
            c = 0
            while c < table.width:
                cell, above = row[c], merged.get((r, c))
                span = cell.colspan if cell is not None else above.colspan if above is not None else 1
                tc = WordCell(sum(widths[c:c + span]), span)
                if cell is not None:
                    tc.merge = "restart" if cell.rowspan > 1 else None
                    self._fill(tc, cell, bold=r < table.header_rows)
                elif above is not None:
                    tc.merge = "continue"
                rows[r].cells.append(tc)
                c += span
        grid = WordTable(widths, rows, self.table_style_ids["Table Grid"], centred=True)
        if place.role == SIGNATURE_ROLE:  # the signatories on one page, with the line above (« Fait à… »)
            _kept_together(place, rows)
        place.container.append(grid)

    def _row_properties(self, table: Table, r: int, place: Place) -> list[str]:
        properties = ["<w:cantSplit/>"]
        if r < table.header_rows:
            properties.append("<w:tblHeader/>")  # the form Office's SDK accepts (on by default)
        elif place.role == SIGNATURE_ROLE:  # room to sign
            properties.append(f'<w:trHeight w:val="{Mm(SIGNATURE_ROW_MM).twips}" w:hRule="atLeast"/>')
        if change := table.row_change(r):
            # a tracked row: accepting (or rejecting) every change removes it, not just its text
            properties.append(self._revision(change) + "/>")
        return properties

    def _fill(self, target: WordCell, cell: Cell, bold: bool) -> None:
        style = self.style("ARS tableau")
        target.paragraphs = []
        for paragraph in cell.paragraphs:
            inlines = paragraph.inlines
            if bold:
                inlines = tuple(i if isinstance(i, LineBreak) else replace(i, bold=True) for i in inlines)
            self.add_paragraph(target.paragraphs, inlines, style, unbroken=True)
        if not target.paragraphs:
            target.paragraphs = [WordParagraph(self.style_ids[style])]
        for docx_paragraph in target.paragraphs:
            if cell.align == "right":
                docx_paragraph.align = "right"
            if cell.indent:
                docx_paragraph.indent = Emu(_CELL_INDENT * cell.indent).twips

    def landscape(self, block: Landscape, place: Place) -> None:
        """A Word section of its own: a section ends with the paragraph that carries its w:sectPr,
        so one break closes the portrait part before, another the landscape part. A document that
        is all landscape turns the shell's own section instead (no blank portrait page)."""
        container = place.container
        rotated, width = rotate(self.section)
        if self.document.blocks == (block,):
            self.turn_whole_section = True
            self.blocks(container, block.blocks, None, width)
            return
        container.append(WordParagraph(section=section_xml(self.section)))
        self.blocks(container, block.blocks, None, width)
        container.append(WordParagraph(section=section_xml(rotated)))

    def letterhead(self, block: Letterhead, place: Place) -> None:
        """The sender's column in a borderless table as tall as the window's bottom, so that the text
        resumes below it; the address in a frame (w:framePr) fixed on the page, which Word and
        LibreOffice place where the envelope's window is, whatever the fonts."""
        container, width = place.container, place.width
        window = block.window
        margins = self.section.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pgMar")
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        left_margin = int(margins.get(f"{w}left")) * 635  # twips -> EMU
        top_margin = int(margins.get(f"{w}top")) * 635
        # One column, beside the window and never across it: LibreOffice moves a table that a frame
        # overlaps below the frame.
        indent = None
        if window.on_left:
            indent_emu = int(Mm(window.right + window.clearance) - left_margin)
            column_width = int(width - indent_emu)
            indent = round(indent_emu / 635)
        else:
            column_width = int(Mm(window.left - window.clearance) - left_margin)
        cell = WordCell(_twips(column_width), paragraphs=[])
        self.blocks(cell.paragraphs, block.sender, None, column_width)
        flow_top = Mm(window.bottom + window.clearance) - top_margin - self.head_height
        height = Emu(max(int(flow_top), 0)).twips
        row = WordRow([cell], [f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>'])
        container.append(WordTable([_twips(column_width)], [row], indent=indent, borderless=True))
        first = len(container)
        self.blocks(container, block.address, None, int(Mm(window.width)))
        frame = frame_properties(window)
        for paragraph in container[first:]:
            if isinstance(paragraph, WordParagraph):
                paragraph.frame = frame


def _paragraphs(container: list[Any]) -> list[WordParagraph]:
    return [item for item in container if isinstance(item, WordParagraph)]


def _kept_together(place: Place, rows: list[WordRow]) -> None:
    """Every row of the table kept with the next, and the paragraph before it with the table."""
    if place.container and isinstance(place.container[-1], WordParagraph):
        place.container[-1].keep_next = True
    for docx_row in rows[:-1]:
        for tc in docx_row.cells:
            for paragraph in tc.paragraphs:
                paragraph.keep_next = True
