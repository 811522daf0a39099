"""Word-level comparison of document blocks: what a reviewer sees as inserted and deleted text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from ars_docs.tree.doctree import (
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
    inline_text,
    merge_runs,
)
from ars_docs.tree.typography import UNBREAKABLE

_TOKEN = re.compile(UNBREAKABLE.pattern + r"|\s+|\w+|[^\w\s]")
"""The units of a change: a code, a date or an amount changes whole (« 25 000 € » for « 30 000 € »,
never a digit or a group); otherwise words, spaces and signs."""


def _tokens(inlines: tuple[Inline, ...]) -> list[Inline]:
    tokens: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, LineBreak):
            tokens.append(inline)
        else:
            tokens.extend(replace(inline, text=piece) for piece in _TOKEN.findall(inline.text))
    return tokens


def _text(token: Inline) -> str:
    return "\n" if isinstance(token, LineBreak) else token.text


def _marked(tokens: list[Inline], change: str, move: str | None = None) -> list[Inline]:
    return [token if isinstance(token, LineBreak) else replace(token, change=change, move=move) for token in tokens]


ISLAND_WORDS = 2
"""Unchanged words between two changes that are read as part of one changed phrase: with fewer,
a rewritten phrase reads « pourou lesde personnesla » (each word deleted then inserted in turn)."""

_Span = tuple[str, int, int, int, int]


def _phrases(opcodes: Sequence[_Span], before: list[Inline]) -> list[_Span]:
    """The changes of a word diff, with every island of at most ISLAND_WORDS unchanged words (spaces
    and signs do not count) between two changes merged into one replaced phrase: the semantic
    clean-up of diff-match-patch, by words. Each span still covers the old and the new text in
    order, so accepting every change gives the newer text and rejecting every one the older."""
    merged: list[_Span] = []
    for index, span in enumerate(opcodes):
        operation, i1, i2, j1, j2 = span
        kept = before[i1:i2]
        island = (operation == "equal" and 0 < index < len(opcodes) - 1  # a line break is never retyped
                  and sum(_text(token)[:1].isalnum() for token in kept) <= ISLAND_WORDS
                  and not any(isinstance(token, LineBreak) for token in kept))
        if merged and merged[-1][0] == "replace" and (operation != "equal" or island):
            merged[-1] = ("replace", merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append(("replace", i1, i2, j1, j2) if operation != "equal" else span)
    return merged


def diff_inlines(old: tuple[Inline, ...], new: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """The new text, with the words removed from the old one kept and marked `del`, the added ones
    `ins`; a phrase rewritten around a word or two it kept is deleted, then inserted, whole."""
    before, after = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(a=[_text(t) for t in before], b=[_text(t) for t in after], autojunk=False)
    result: list[Inline] = []
    for operation, i1, i2, j1, j2 in _phrases(matcher.get_opcodes(), before):
        if operation == "equal":
            result.extend(after[j1:j2])
            continue
        result.extend(_marked(before[i1:i2], "del"))
        result.extend(_marked(after[j1:j2], "ins"))
    return merge_runs(result)


def _marked_paragraph(paragraph: Paragraph, change: str, move: str | None = None) -> Paragraph:
    return Paragraph(merge_runs(_marked(list(paragraph.inlines), change, move)))


def _marked_cell(cell: Cell | None, change: str) -> Cell | None:
    if cell is None:
        return None
    return replace(cell, paragraphs=tuple(_marked_paragraph(paragraph, change) for paragraph in cell.paragraphs))


class _Marker(BlockVisitor[tuple[str, "str | None"], Block]):
    """A block wholly inserted, deleted or moved: every text of it marked. A deleted heading loses
    its anchor (the newer version may use it); a table marks every row. Page breaks, contents and
    letterheads are not compared: they stay as they are."""

    def paragraph(self, block: Paragraph, context: tuple[str, str | None]) -> Block:
        return _marked_paragraph(block, *context)

    def list_block(self, block: ListBlock, context: tuple[str, str | None]) -> Block:
        return ListBlock(tuple(_marked_paragraph(item, *context) for item in block.items), block.ordered)

    def heading(self, block: Heading, context: tuple[str, str | None]) -> Block:
        change, move = context
        anchor = f"supprime-{block.anchor}" if block.anchor and change in ("del", "moveFrom") else block.anchor
        return replace(block, inlines=merge_runs(_marked(list(block.inlines), change, move)), anchor=anchor)

    def table(self, block: Table, context: tuple[str, str | None]) -> Block:
        return _marked_rows(block, range(len(block.rows)), context[0])

    def division(self, block: Division, context: tuple[str, str | None]) -> Block:
        return replace(block, blocks=tuple(self.visit(child, context) for child in block.blocks))

    def landscape(self, block: Landscape, context: tuple[str, str | None]) -> Block:
        return replace(block, blocks=tuple(self.visit(child, context) for child in block.blocks))

    def letterhead(self, block: Letterhead, context: tuple[str, str | None]) -> Block:
        return block

    def contents(self, block: Contents, context: tuple[str, str | None]) -> Block:
        return block

    def page_break(self, block: PageBreak, context: tuple[str, str | None]) -> Block:
        return block


_MARKER = _Marker()


def mark_blocks(blocks: tuple[Block, ...], change: str, move: str | None = None) -> tuple[Block, ...]:
    """Blocks wholly inserted or deleted, or moved (`moveFrom`, `moveTo`, paired by `move`)."""
    return tuple(_MARKER.visit(block, (change, move)) for block in blocks)


def _marked_rows(table: Table, rows: range, change: str) -> Table:
    return replace(table, rows=tuple(tuple(_marked_cell(cell, change) for cell in table.rows[index])
                                     for index in rows), row_changes=tuple(change for _ in rows))


def _row_text(row: tuple[Cell | None, ...]) -> str:
    return "\t".join("\n".join(inline_text(p.inlines) for p in cell.paragraphs) if cell else "" for cell in row)


def _signature(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "p:" + inline_text(block.inlines)
    if isinstance(block, ListBlock):
        return "l:" + "\n".join(inline_text(item.inlines) for item in block.items)
    if isinstance(block, Heading):
        return f"h{block.level}:{inline_text(block.inlines)}"
    if isinstance(block, Table):
        return "t:" + "\n".join(_row_text(row) for row in block.rows)
    return repr(block)


def _loose_signatures(blocks: tuple[Block, ...]) -> list[str]:
    """What pairs a changed heading or table with its counterpart: a heading's anchor, a table's
    header row under the anchor of the heading above it. Paragraphs and lists never pair loosely."""
    signatures: list[str] = []
    anchor = ""
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            anchor = block.anchor or inline_text(block.inlines)
            signatures.append(f"h{block.level}:{anchor}")
        elif isinstance(block, Table):
            signatures.append(f"t:{anchor}:" + "\n".join(_row_text(row) for row in block.rows[:block.header_rows]))
        else:
            signatures.append(f"{index}:{_signature(block)}")
    return signatures


def diff_blocks(old: tuple[Block, ...], new: tuple[Block, ...]) -> tuple[Block, ...]:
    """Paragraphs and lists paired in order; headings by their anchor, tables by their header row
    under the same heading. A paired block shows its word changes (a table, row by row), an
    unpaired one is wholly inserted or deleted."""
    matcher = SequenceMatcher(a=[_signature(b) for b in old], b=[_signature(b) for b in new], autojunk=False)
    result: list[Block] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            result.extend(new[j1:j2])
        elif operation == "replace" and i2 - i1 == j2 - j1:
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                result.extend(_diff_pair(before, after))
        else:
            result.extend(_paired_loosely(old[i1:i2], new[j1:j2]))
    return tuple(result)


def _paired_loosely(old: tuple[Block, ...], new: tuple[Block, ...]) -> list[Block]:
    matcher = SequenceMatcher(a=_loose_signatures(old), b=_loose_signatures(new), autojunk=False)
    result: list[Block] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                result.extend(_diff_pair(before, after))
        else:
            result.extend(mark_blocks(old[i1:i2], "del"))
            result.extend(mark_blocks(new[j1:j2], "ins"))
    return result


def _diff_pair(old: Block, new: Block) -> tuple[Block, ...]:
    if isinstance(old, Paragraph) and isinstance(new, Paragraph):
        return (Paragraph(diff_inlines(old.inlines, new.inlines)),)
    if isinstance(old, ListBlock) and isinstance(new, ListBlock) and old.ordered == new.ordered:
        items = diff_blocks(old.items, new.items)
        return (ListBlock(tuple(item for item in items if isinstance(item, Paragraph)), new.ordered),)
    if isinstance(old, Heading) and isinstance(new, Heading) and old.level == new.level:
        return (replace(new, inlines=diff_inlines(old.inlines, new.inlines)),)
    if isinstance(old, Table) and isinstance(new, Table):
        table = diff_tables(old, new)
        if table is not None:
            return (table,)
    return (*mark_blocks((old,), "del"), *mark_blocks((new,), "ins"))


def _shape(row: tuple[Cell | None, ...]) -> tuple[tuple[int, int] | None, ...]:
    return tuple((cell.colspan, cell.rowspan) if cell else None for cell in row)


def _diff_row(old: tuple[Cell | None, ...], new: tuple[Cell | None, ...]) -> tuple[Cell | None, ...]:
    cells: list[Cell | None] = []
    for before, after in zip(old, new, strict=True):
        if before is None or after is None:
            cells.append(after)
            continue
        paragraphs = diff_blocks(before.paragraphs, after.paragraphs)
        cells.append(replace(after, paragraphs=tuple(p for p in paragraphs if isinstance(p, Paragraph))))
    return tuple(cells)


def diff_tables(old: Table, new: Table) -> Table | None:
    """The newer table with the older one's rows kept where they changed: rows paired by their first
    cell (a code, a label: a row whose first cell changed is another row), a paired row showing
    its word changes cell by cell, an unpaired one wholly added or removed (`row_changes`). None
    when the two have not the same columns."""
    if old.width != new.width or old.header_rows != new.header_rows:
        return None
    head = old.header_rows
    if any(_shape(a) != _shape(b) for a, b in zip(old.rows[:head], new.rows[:head], strict=True)):
        return None
    rows = [_diff_row(a, b) for a, b in zip(old.rows[:head], new.rows[:head], strict=True)]
    changes: list[str | None] = [None] * head

    def key(row: tuple[Cell | None, ...]) -> str:
        first = row[0]
        return "\n".join(inline_text(p.inlines) for p in first.paragraphs) if first else ""

    before, after = old.rows[head:], new.rows[head:]
    matcher = SequenceMatcher(a=[key(r) for r in before], b=[key(r) for r in after], autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(before[i1:i2], after[j1:j2], strict=True)) if operation == "equal" else []
        if pairs and all(_shape(a) == _shape(b) for a, b in pairs):
            rows.extend(_diff_row(a, b) for a, b in pairs)
            changes.extend(None for _ in pairs)
            continue
        for row in before[i1:i2]:
            rows.append(tuple(_marked_cell(cell, "del") for cell in row))
            changes.append("del")
        for row in after[j1:j2]:
            rows.append(tuple(_marked_cell(cell, "ins") for cell in row))
            changes.append("ins")
    return replace(new, rows=tuple(rows), row_changes=tuple(changes) if any(changes) else ())
