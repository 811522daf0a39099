"""Document tree to HTML. Every text is escaped here, the one path from data into HTML."""

from __future__ import annotations

import re
from html import escape

from ars_docs.tree.doctree import (
    SIGNATURE_ROLE,
    Block,
    BlockVisitor,
    Cell,
    Contents,
    Division,
    Heading,
    Inline,
    Landscape,
    Letterhead,
    LineBreak,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
    headings,
    inline_text,
)
from ars_docs.tree.typography import REFERENCE, UNBREAKABLE, kept_whole

SIGNATURE_ANCHOR = "bloc-signature"
"""The signatory block's identifier: WeasyPrint writes it as a named destination of the PDF, where
`arsdocs sign` places the visible signature."""


def html_inlines(inlines: tuple[Inline, ...], cell: bool = False) -> str:
    """`cell`: in a table cell, where a narrow column would break any word, every code, date and
    amount is kept whole (`typography.UNBREAKABLE`); elsewhere, references."""
    return "".join(_inline(inline, UNBREAKABLE if cell else REFERENCE) for inline in inlines)


_CHANGE_TAGS = {"ins": "ins", "del": "del", "moveTo": "ins", "moveFrom": "del"}


def _unbroken(text: str, tokens: re.Pattern[str]) -> str:
    """The text escaped, each token in it kept on one line."""
    return "".join(f'<span class="insecable">{escape(piece, quote=False)}</span>' if whole
                   else escape(piece, quote=False) for piece, whole in kept_whole(text, tokens))


def _inline(inline: Inline, tokens: re.Pattern[str]) -> str:
    if isinstance(inline, LineBreak):
        return "<br>"
    html = escape(inline.text, quote=False) if inline.link else _unbroken(inline.text, tokens)
    if inline.superscript:
        html = f"<sup>{html}</sup>"
    if inline.italic:
        html = f"<em>{html}</em>"
    if inline.bold:
        html = f"<strong>{html}</strong>"
    if inline.link:
        html = f'<a href="{escape(inline.link)}">{html}</a>'
    if inline.change:
        tag = _CHANGE_TAGS[inline.change]
        html = f"<{tag}>{html}</{tag}>"
    return html


class _Writer(BlockVisitor[None, str]):
    def __init__(self, blocks: tuple[Block, ...]) -> None:
        self.all_blocks = blocks
        self.heading_text = ""
        self.tables = 0

    def blocks(self, blocks: tuple[Block, ...]) -> str:
        return "\n".join(self.visit(block, None) for block in blocks)

    def paragraph(self, block: Paragraph, context: None) -> str:
        return f"<p>{html_inlines(block.inlines)}</p>"

    def heading(self, block: Heading, context: None) -> str:
        self.heading_text = inline_text(block.inlines)
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        note = f' <span class="note-modification">({escape(block.note)})</span>' if block.note else ""
        return f"<h{block.level}{anchor}>{html_inlines(block.inlines)}{note}</h{block.level}>"

    def list_block(self, block: ListBlock, context: None) -> str:
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{html_inlines(item.inlines)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"

    def table(self, block: Table, context: None) -> str:
        """In a region of its own that scrolls sideways on a narrow screen rather than squeezing its
        columns (WCAG 1.4.10: a data table may), reachable by keyboard and named for screen readers."""
        self.tables += 1
        label = f"Tableau {self.tables}" + (f" : {self.heading_text}" if self.heading_text else "")
        return (f'<div class="tableau" role="region" tabindex="0" aria-label="{escape(label)}">'
                f"{_table(block)}</div>")

    def division(self, block: Division, context: None) -> str:
        anchor = f' id="{SIGNATURE_ANCHOR}"' if block.role == SIGNATURE_ROLE else ""
        return f'<div class="{escape(block.role)}"{anchor}>\n{self.blocks(block.blocks)}\n</div>'

    def page_break(self, block: PageBreak, context: None) -> str:
        return '<div class="saut-de-page"></div>'

    def landscape(self, block: Landscape, context: None) -> str:
        return f'<section class="paysage">\n{self.blocks(block.blocks)}\n</section>'

    def letterhead(self, block: Letterhead, context: None) -> str:
        """The window's place as CSS variables, which the print stylesheet uses to put the address in
        the window and the text below it (the screen stylesheet ignores them: one column)."""
        window = block.window
        side = "gauche" if window.on_left else "droite"
        geometry = "; ".join(f"--fenetre-{name}: {value:g}mm" for name, value in (
            ("gauche", window.left), ("haut", window.top), ("largeur", window.width),
            ("hauteur", window.height), ("degagement", window.clearance)))
        return (f'<div class="entete fenetre-a-{side}" style="{geometry}">\n{self.blocks(block.sender)}\n'
                f'<div class="fenetre">\n{self.blocks(block.address)}\n</div>\n</div>')

    def contents(self, block: Contents, context: None) -> str:
        entries = "".join(
            f'<li class="niveau-{heading.level}"><a href="#{escape(heading.anchor)}">'
            f"{html_inlines(heading.inlines)}</a></li>"
            for heading in headings(self.all_blocks, block.depth) if heading.anchor)
        # The title names the list, it is not a heading of the document: the headings stay in order.
        return (f'<nav class="sommaire" aria-labelledby="titre-sommaire"><p class="titre-sommaire" id="titre-sommaire">'
                f'{escape(block.title)}</p><ol>{entries}</ol></nav>')


def html_blocks(blocks: tuple[Block, ...]) -> str:
    return _Writer(blocks).blocks(blocks)


def _table(table: Table) -> str:
    head = "".join(_row(row, "th", table.row_change(r)) for r, row in enumerate(table.rows[: table.header_rows]))
    body = "".join(_row(row, "td", table.row_change(r)) for r, row in enumerate(table.rows)
                   if r >= table.header_rows)
    thead = f"<thead>{head}</thead>" if head else ""
    columns = ""
    if table.widths:
        columns = "<colgroup>" + "".join(f'<col style="width: {share * 100:.2f}%">' for share in table.shares()) + \
                  "</colgroup>"
    return f"<table>{columns}{thead}<tbody>{body}</tbody></table>"


_ROW_CLASSES = {"ins": ' class="ligne-ajoutee"', "del": ' class="ligne-supprimee"'}


def _row(row: tuple[Cell | None, ...], tag: str, change: str | None = None) -> str:
    opening = f"<tr{_ROW_CLASSES.get(change or '', '')}>"
    return opening + "".join(_cell(cell, tag) for cell in row if cell is not None) + "</tr>"


def _cell(cell: Cell, tag: str) -> str:
    spans = ""
    if cell.colspan > 1:
        spans += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    scope = ' scope="col"' if tag == "th" else ""
    classes = " ".join(filter(None, [f"aligne-{cell.align}" if cell.align else "",
                                     f"retrait-{cell.indent}" if cell.indent else ""]))
    if classes:
        scope += f' class="{classes}"'
    content = "".join(f"<p>{html_inlines(p.inlines, cell=True)}</p>" for p in cell.paragraphs)
    return f"<{tag}{scope}{spans}>{content}</{tag}>"
