"""French typography, applied once to the text of a document tree (domain rules §3).

Links are left as written: an address or URL must not change.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ars_docs.tree.doctree import (
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
)

NBSP = "\u00a0"
NNBSP = "\u202f"

_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_UNITS = r"€|%|k€|M€|h\b|heures?\b|min\b|ans?\b|jours?\b|mois\b|semaines?\b|km\b|" + _MONTHS

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # French has no straight apostrophe nor single quote: every U+0027 is an apostrophe (also
    # before a bold word, where the text is cut into runs: « l'**instruction** »).
    (re.compile(r"'"), "’"),
    (re.compile(r"\.\.\."), "…"),
    (re.compile(r"[ \u00a0\u202f]*:(?=\s|$)"), NBSP + ":"),
    (re.compile(r"[ \u00a0\u202f]+([;!?])(?=[\s)»]|$)"), NNBSP + r"\1"),
    (re.compile(r"(?<=\w)([;!?])(?=[\s)»]|$)"), NNBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f]*"), "«" + NNBSP),
    (re.compile(r"[ \u00a0\u202f]*»"), NNBSP + "»"),
    (re.compile(r"\b([nN]°)[ \u00a0]*(?=\w)"), r"\1" + NBSP),
    (re.compile(r"(?<=\d) (?=" + _UNITS + r")"), NBSP),
    (re.compile(r"(?<=\b1er) (?=" + _MONTHS + r")"), NBSP),
    (re.compile(r"\b(" + _MONTHS + r") (?=\d{4}\b)"), r"\1" + NBSP),  # « juillet 1901 »
    (re.compile(r"(?<=\d\u00a0h) (?=\d\d\b)"), NBSP),  # « 14 h 00 », once « 14 h » is bound
    (re.compile(r"(?<=\b\d{5}) (?=[A-ZÀ-Ý])"), NBSP),  # a postal code and its town: « 51092 Reims »
    (re.compile(r"\b(Mme|M\.|Dr|Pr|Me) (?=\w)"), r"\1" + NBSP),
    # a legal reference is read whole: « article L.|612-4 » cut at the line's end is not
    (re.compile(r"(?<![\w.])([LRDA]|[Aa]rts?)\. (?=\d)"), r"\1." + NBSP),
    # a numbered part of a contract is named with its number: « fiche action|4.1 », « annexe|3 » cut apart are not
    (re.compile(r"\b((?:[Aa]nnexe|[Ff]iche action|[Oo]bjectif|[Oo]rientation)s?) (?=\d)"), r"\1" + NBSP),
)

REFERENCE = re.compile(r"(?<![\w/-])(?=[\w/-]*\d)\w+(?:[/-]\w+)+")
"""A reference or a code written with slashes or hyphens and holding a digit (« DGOS/R3/2023/125 »,
« 2027-2030 », « MI2-1-1 »): never broken across lines. Word and LibreOffice do not break there;
browsers and WeasyPrint do, so the HTML writer keeps such a token on one line."""

UNBREAKABLE = re.compile(r"(?<![\w/-])(?=[\w/-]*\d)\w+(?:[/-]\w+)*(?:[\u00a0\u202f]\d{3})*(?:,\d+)?"
                         r"(?:[\u00a0\u202f](?:%|€))?")
"""What a table cell never splits across lines: a code (« ACT02a », « MI2-1-1 »), a date
(« 31/12/2027 »), an amount or a number with its groups and unit (« 255 000 € », « 0,5 », « 85 % »).
The HTML writer keeps each on one line, the Word writer joins its hyphens, and the column widths
of a table leave room for the widest (`tablefit`)."""

LONGEST_UNBROKEN = 20
"""A longer token may break (after a slash, where the line-breaking rules allow it): kept whole, it
would stretch a justified line or run off the page — « DGOS/R3/DGS/SP1/2023/122 » (24 characters)
set the first paragraph of annex 3 one word per line (the finance officer's finding); a reference
of the usual length (« DGOS/R3/2023/125 », 16) stays whole."""


def kept_whole(text: str, tokens: re.Pattern[str]) -> list[tuple[str, bool]]:
    """The text in pieces, in order, each token of `tokens` (`REFERENCE`, `UNBREAKABLE`) of at
    most `LONGEST_UNBROKEN` characters a piece of its own marked True: what the HTML and Typst
    writers keep on one line. No piece is empty."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in tokens.finditer(text):
        if len(match.group()) > LONGEST_UNBROKEN:
            continue
        if match.start() > position:
            pieces.append((text[position:match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


# 1er, 1re, 2e, 3es… : the letters go up (never "2ème").
_ORDINAL = re.compile(r"\b(\d+)(ers?|res?|es?|èmes?|emes?)\b")


# Addresses that must stay as typed, in plain text (an e-mail's body).
_ADDRESS = re.compile(r"(?:https?://|mailto:)\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def typeset_text(text: str) -> str:
    """The spacing rules alone, on plain text (titles, metadata, an e-mail's body); web and e-mail
    addresses in it are left as written."""
    pieces = []
    position = 0
    for match in _ADDRESS.finditer(text):
        pieces += [_typeset_words(text[position:match.start()]), match.group()]
        position = match.end()
    return "".join([*pieces, _typeset_words(text[position:])])


def _typeset_words(text: str) -> str:
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


class _Typesetter(BlockVisitor[None, Block]):
    """Every text of every block, typeset (links and superscripts left as written)."""

    def paragraph(self, block: Paragraph, context: None) -> Block:
        return _typeset_paragraph(block)

    def heading(self, block: Heading, context: None) -> Block:
        return replace(block, inlines=typeset_inlines(block.inlines),
                       note=typeset_text(block.note) if block.note else None)

    def list_block(self, block: ListBlock, context: None) -> Block:
        return ListBlock(tuple(_typeset_paragraph(item) for item in block.items), block.ordered)

    def table(self, block: Table, context: None) -> Block:
        return replace(block, rows=tuple(tuple(_typeset_cell(cell) for cell in row) for row in block.rows))

    def division(self, block: Division, context: None) -> Block:
        return replace(block, blocks=typeset_blocks(block.blocks))

    def landscape(self, block: Landscape, context: None) -> Block:
        return replace(block, blocks=typeset_blocks(block.blocks))

    def letterhead(self, block: Letterhead, context: None) -> Block:
        return replace(block, sender=typeset_blocks(block.sender), address=typeset_blocks(block.address))

    def contents(self, block: Contents, context: None) -> Block:
        return replace(block, title=typeset_text(block.title))

    def page_break(self, block: PageBreak, context: None) -> Block:
        return block


_TYPESETTER = _Typesetter()


def _typeset_cell(cell: Cell | None) -> Cell | None:
    if cell is None:
        return None
    return replace(cell, paragraphs=tuple(_typeset_paragraph(p) for p in cell.paragraphs))


_TYPESET: dict[Block, Block] = {}
"""Blocks already typeset, by block: a mailing's letters share most of their paragraphs (blocks
are immutable, and equal blocks typeset alike)."""
_TYPESET_KEPT = 4096


def typeset_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    result = []
    for block in blocks:
        try:
            typeset_block = _TYPESET.get(block)
        except TypeError:  # a block holding something unhashable: typeset each time
            result.append(_TYPESETTER.visit(block, None))
            continue
        if typeset_block is None:
            typeset_block = _TYPESETTER.visit(block, None)
            if len(_TYPESET) >= _TYPESET_KEPT:
                _TYPESET.clear()
            _TYPESET[block] = typeset_block
        result.append(typeset_block)
    return tuple(result)


def typeset(document: Document) -> Document:
    return replace(document, title=typeset_text(document.title),
                   blocks=typeset_blocks(document.blocks))
