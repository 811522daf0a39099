"""French typography, applied once to the text of a document tree (domain rules §3).

Links are left as written: an address or URL must not change.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ars_docs.doctree import (
    Block,
    Cell,
    Columns,
    Contents,
    Division,
    Document,
    Heading,
    Inline,
    Landscape,
    LineBreak,
    ListBlock,
    Paragraph,
    Run,
    Table,
)

NBSP = "\u00a0"
NNBSP = "\u202f"

_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_UNITS = r"€|%|k€|M€|h\b|heures?\b|min\b|ans?\b|jours?\b|mois\b|semaines?\b|km\b|" + _MONTHS

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\w)'(?=\w)"), "’"),
    (re.compile(r"\.\.\."), "…"),
    (re.compile(r"[ \u00a0\u202f]*:(?=\s|$)"), NBSP + ":"),
    (re.compile(r"[ \u00a0\u202f]+([;!?])(?=[\s)»]|$)"), NNBSP + r"\1"),
    (re.compile(r"(?<=\w)([;!?])(?=[\s)»]|$)"), NNBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f]*"), "«" + NNBSP),
    (re.compile(r"[ \u00a0\u202f]*»"), NNBSP + "»"),
    (re.compile(r"\b([nN]°)[ \u00a0]*(?=\w)"), r"\1" + NBSP),
    (re.compile(r"(?<=\d) (?=" + _UNITS + r")"), NBSP),
    (re.compile(r"(?<=\b1er) (?=" + _MONTHS + r")"), NBSP),
    (re.compile(r"\b(Mme|M\.|Dr|Pr|Me) (?=\w)"), r"\1" + NBSP),
)

# 1er, 1re, 2e, 3es… : the letters go up (never "2ème").
_ORDINAL = re.compile(r"\b(\d+)(ers?|res?|es?|èmes?|emes?)\b")


def typeset_text(text: str) -> str:
    """The spacing rules alone, on plain text (titles, metadata)."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _typeset_run(run: Run) -> list[Inline]:
    if run.link or run.superscript:
        return [run]
    text = typeset_text(run.text)
    pieces: list[Inline] = []
    position = 0
    for match in _ORDINAL.finditer(text):
        pieces.append(replace(run, text=text[position:match.end(1)]))
        suffix = match.group(2).replace("ème", "e").replace("eme", "e")
        pieces.append(replace(run, text=suffix, superscript=True))
        position = match.end()
    pieces.append(replace(run, text=text[position:]))
    return [piece for piece in pieces if isinstance(piece, LineBreak) or piece.text]


def typeset_inlines(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    result: list[Inline] = []
    for inline in inlines:
        result.extend(_typeset_run(inline) if isinstance(inline, Run) else [inline])
    return tuple(result)


def _typeset_paragraph(paragraph: Paragraph) -> Paragraph:
    return Paragraph(typeset_inlines(paragraph.inlines))


def _typeset_block(block: Block) -> Block:
    if isinstance(block, Paragraph):
        return _typeset_paragraph(block)
    if isinstance(block, Heading):
        return replace(block, inlines=typeset_inlines(block.inlines))
    if isinstance(block, ListBlock):
        return ListBlock(tuple(_typeset_paragraph(item) for item in block.items), block.ordered)
    if isinstance(block, Table):
        return replace(block, rows=tuple(tuple(_typeset_cell(cell) for cell in row) for row in block.rows))
    if isinstance(block, (Division, Landscape)):
        return replace(block, blocks=tuple(_typeset_block(child) for child in block.blocks))
    if isinstance(block, Columns):
        return Columns(tuple(tuple(_typeset_block(child) for child in column) for column in block.columns))
    if isinstance(block, Contents):
        return replace(block, title=typeset_text(block.title))
    return block


def _typeset_cell(cell: Cell | None) -> Cell | None:
    if cell is None:
        return None
    return replace(cell, paragraphs=tuple(_typeset_paragraph(p) for p in cell.paragraphs))


def typeset(document: Document) -> Document:
    return replace(document, title=typeset_text(document.title),
                   blocks=tuple(_typeset_block(block) for block in document.blocks))
