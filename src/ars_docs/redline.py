"""Word-level comparison of document blocks: what a reviewer sees as inserted and deleted text."""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from ars_docs.doctree import Block, Inline, LineBreak, ListBlock, Paragraph, inline_text, merge_runs

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


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


def diff_inlines(old: tuple[Inline, ...], new: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """The new text, with the words removed from the old one kept and marked `del`, the added ones `ins`."""
    before, after = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(a=[_text(t) for t in before], b=[_text(t) for t in after], autojunk=False)
    result: list[Inline] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            result.extend(after[j1:j2])
            continue
        result.extend(_marked(before[i1:i2], "del"))
        result.extend(_marked(after[j1:j2], "ins"))
    return merge_runs(result)


def mark_blocks(blocks: tuple[Block, ...], change: str, move: str | None = None) -> tuple[Block, ...]:
    """Blocks wholly inserted or deleted, or moved (`moveFrom`, `moveTo`, paired by `move`)."""
    marked: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            marked.append(Paragraph(merge_runs(_marked(list(block.inlines), change, move))))
        elif isinstance(block, ListBlock):
            items = tuple(Paragraph(merge_runs(_marked(list(item.inlines), change, move))) for item in block.items)
            marked.append(ListBlock(items, block.ordered))
        else:
            marked.append(block)
    return tuple(marked)


def _signature(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "p:" + inline_text(block.inlines)
    if isinstance(block, ListBlock):
        return "l:" + "\n".join(inline_text(item.inlines) for item in block.items)
    return repr(block)


def diff_blocks(old: tuple[Block, ...], new: tuple[Block, ...]) -> tuple[Block, ...]:
    """Paragraphs and lists paired in order; a paired block shows its word changes, an unpaired
    one is wholly inserted or deleted."""
    matcher = SequenceMatcher(a=[_signature(b) for b in old], b=[_signature(b) for b in new], autojunk=False)
    result: list[Block] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            result.extend(new[j1:j2])
        elif operation == "replace" and i2 - i1 == j2 - j1:
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                result.extend(_diff_pair(before, after))
        else:
            result.extend(mark_blocks(old[i1:i2], "del"))
            result.extend(mark_blocks(new[j1:j2], "ins"))
    return tuple(result)


def _diff_pair(old: Block, new: Block) -> tuple[Block, ...]:
    if isinstance(old, Paragraph) and isinstance(new, Paragraph):
        return (Paragraph(diff_inlines(old.inlines, new.inlines)),)
    if isinstance(old, ListBlock) and isinstance(new, ListBlock) and old.ordered == new.ordered:
        items = diff_blocks(old.items, new.items)
        return (ListBlock(tuple(item for item in items if isinstance(item, Paragraph)), new.ordered),)
    return (*mark_blocks((old,), "del"), *mark_blocks((new,), "ins"))
