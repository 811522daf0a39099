"""Markdown (CommonMark, tables, `::: role` divisions) to document tree.

Raw HTML is off: `<Sud>` in a body template is text. Table spans follow a small convention
written in the template: a cell holding only `<<` extends its left neighbour, `^^` the cell above.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from ars_docs.tree.doctree import (
    Block,
    Cell,
    Division,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Paragraph,
    Run,
    Table,
    merge_runs,
)

_ROLE = re.compile(r"[a-z][a-z0-9-]*")
_MERGE_LEFT = "<<"
_MERGE_UP = "^^"


class MarkupError(ValueError):
    """A construct the document tree cannot hold; the message is French."""

    def __init__(self, message: str, line: int, needle: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.needle = needle
        """The offending text as written, to find it in the template the Markdown came from."""


class _AllLinks(MarkdownIt):
    """markdown-it leaves a javascript: or file: link as plain text, silently; here every link is a
    link token, and _checked_link refuses, with its line, any that is not https: or mailto:."""

    def validateLink(self, url: str) -> bool:
        return True


def _parser() -> MarkdownIt:
    md = _AllLinks("commonmark", {"html": False}).enable("table")
    container_plugin(md, "div", validate=lambda params, *_: bool(_ROLE.fullmatch(params.strip())))
    return md


_MD = _parser()


# What a writer of Markdown calls what arsdocs does not print (markdown-it's token types).
_NAMES = {"blockquote_open": "citation (« > »)", "fence": "bloc de code (« ``` »)", "code_block": "bloc de code "
          "(lignes en retrait de quatre espaces)", "hr": "ligne horizontale (« --- »)", "html_block": "HTML",
          "image": "image", "code_inline": "code (« ` »)", "html_inline": "HTML", "s_open": "texte barré"}


def _unsupported(kind: str) -> str:
    return f"élément Markdown non pris en charge : {_NAMES.get(kind, kind.removesuffix('_open'))}"


def parse_markdown(source: str, headings: bool = True) -> tuple[Block, ...]:
    """The blocks of `source`; without `headings`, a heading is refused (a text of the data sits
    inside a document whose headings the build numbers)."""
    tokens = _MD.parse(source)
    if not headings:
        for token in tokens:
            if token.type == "heading_open":
                raise MarkupError(f"titre Markdown (« {token.markup} ») dans un texte : les titres du document "
                                  "sont faits par la construction ; écrivez un paragraphe, en **gras** au besoin",
                                  _line(token))
    blocks, _ = _blocks(tokens, 0, None)
    return tuple(blocks)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _blocks(tokens: list[Token], index: int, closing: str | None) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    while index < len(tokens):
        token = tokens[index]
        if token.type == closing:
            return blocks, index + 1
        if token.type == "paragraph_open":
            blocks.append(Paragraph(_inlines(tokens[index + 1])))
            index += 3
        elif token.type == "heading_open":
            blocks.append(Heading(int(token.tag[1]), _inlines(tokens[index + 1])))
            index += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            items, index = _list(tokens, index)
            blocks.append(items)
        elif token.type == "table_open":
            table, index = _table(tokens, index)
            blocks.append(table)
        elif token.type == "container_div_open":
            children, index = _blocks(tokens, index + 1, "container_div_close")
            blocks.append(Division(token.info.strip(), tuple(children)))
        else:
            raise MarkupError(_unsupported(token.type), _line(token))
    return blocks, index


def _list(tokens: list[Token], index: int) -> tuple[ListBlock, int]:
    opening = tokens[index]
    closing = opening.type.replace("_open", "_close")
    items: list[Paragraph] = []
    index += 1
    while tokens[index].type != closing:
        children, index = _blocks(tokens, index + 1, "list_item_close")
        if len(children) != 1 or not isinstance(children[0], Paragraph):
            raise MarkupError("un élément de liste doit être un seul paragraphe", _line(tokens[index - 1]))
        items.append(children[0])
    return ListBlock(tuple(items), ordered=opening.type == "ordered_list_open"), index + 1


def _table(tokens: list[Token], index: int) -> tuple[Table, int]:
    rows: list[list[Token]] = []
    header_rows = 0
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(token)
        elif token.type == "th_open" and len(rows) > header_rows:
            header_rows = len(rows)
        index += 1
    return Table(_span_grid(rows), header_rows), index + 1


def _span_grid(rows: list[list[Token]]) -> tuple[tuple[Cell | None, ...], ...]:
    grid: list[list[Cell | None]] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        grid.append([])
        for c, token in enumerate(row):
            marker = token.content.strip()
            if marker in (_MERGE_LEFT, _MERGE_UP):
                source = (r, c - 1) if marker == _MERGE_LEFT else (r - 1, c)
                if source not in origin:
                    raise MarkupError(f"cellule « {marker} » sans cellule à fusionner", _line(token))
                top = origin[(r, c)] = origin[source]
                cell = grid[top[0]][top[1]]
                assert cell is not None
                grid[top[0]][top[1]] = replace(
                    cell, colspan=max(cell.colspan, c - top[1] + 1), rowspan=max(cell.rowspan, r - top[0] + 1))
                grid[r].append(None)
            else:
                origin[(r, c)] = (r, c)
                paragraphs = (Paragraph(_inlines(token)),) if token.content.strip() else ()
                grid[r].append(Cell(paragraphs))
    _check_rectangles(grid, rows)
    return tuple(tuple(row) for row in grid)


def _check_rectangles(grid: list[list[Cell | None]], rows: list[list[Token]]) -> None:
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    if (rr, cc) != (r, c) and grid[rr][cc] is not None:
                        raise MarkupError("cellules fusionnées qui ne forment pas un rectangle", _line(rows[rr][cc]))


def _inlines(token: Token) -> tuple[Inline, ...]:
    result: list[Inline] = []
    bold = italic = False
    link: str | None = None
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            result.append(Run(child.content, bold=bold, italic=italic, link=link))
        elif kind == "softbreak":
            result.append(Run(" ", bold=bold, italic=italic, link=link))
        elif kind == "hardbreak":
            result.append(LineBreak())
        elif kind in ("strong_open", "strong_close"):
            bold = kind == "strong_open"
        elif kind in ("em_open", "em_close"):
            italic = kind == "em_open"
        elif kind == "link_open":
            link = _checked_link(str(child.attrs.get("href", "")), token)
        elif kind == "link_close":
            link = None
        else:
            raise MarkupError(_unsupported(kind), _line(token))
    return merge_runs(result)


def _checked_link(href: str, token: Token) -> str:
    if not re.match(r"(https|mailto):", href):
        raise MarkupError(f"lien « {href} » refusé : seuls https: et mailto: sont permis", _line(token), href)
    return href
