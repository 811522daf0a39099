"""Document tree to HTML. Every text is escaped here, the one path from data into HTML."""

from __future__ import annotations

from html import escape

from ars_docs.doctree import (
    Block,
    Cell,
    Columns,
    Division,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Paragraph,
    Table,
)


def html_inlines(inlines: tuple[Inline, ...]) -> str:
    return "".join(_inline(inline) for inline in inlines)


def _inline(inline: Inline) -> str:
    if isinstance(inline, LineBreak):
        return "<br>"
    html = escape(inline.text, quote=False)
    if inline.superscript:
        html = f"<sup>{html}</sup>"
    if inline.italic:
        html = f"<em>{html}</em>"
    if inline.bold:
        html = f"<strong>{html}</strong>"
    if inline.link:
        html = f'<a href="{escape(inline.link)}">{html}</a>'
    return html


def html_blocks(blocks: tuple[Block, ...]) -> str:
    return "\n".join(_block(block) for block in blocks)


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{html_inlines(block.inlines)}</p>"
    if isinstance(block, Heading):
        return f"<h{block.level}>{html_inlines(block.inlines)}</h{block.level}>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{html_inlines(item.inlines)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Division):
        return f'<div class="{escape(block.role)}">\n{html_blocks(block.blocks)}\n</div>'
    if isinstance(block, Columns):
        columns = "".join(f'<div class="colonne">\n{html_blocks(column)}\n</div>' for column in block.columns)
        return f'<div class="colonnes">{columns}</div>'
    raise TypeError(block)


def _table(table: Table) -> str:
    head = "".join(_row(row, "th") for row in table.rows[: table.header_rows])
    body = "".join(_row(row, "td") for row in table.rows[table.header_rows:])
    thead = f"<thead>{head}</thead>" if head else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def _row(row: tuple[Cell | None, ...], tag: str) -> str:
    return "<tr>" + "".join(_cell(cell, tag) for cell in row if cell is not None) + "</tr>"


def _cell(cell: Cell, tag: str) -> str:
    spans = ""
    if cell.colspan > 1:
        spans += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    scope = ' scope="col"' if tag == "th" else ""
    content = "".join(f"<p>{html_inlines(p.inlines)}</p>" for p in cell.paragraphs)
    return f"<{tag}{scope}{spans}>{content}</{tag}>"
