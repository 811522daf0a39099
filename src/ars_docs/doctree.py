"""The document tree: what a document says, independent of Word or PDF.

Builders produce it; `typography.typeset` refines its text; each writer turns it into one format.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """Inline text with its emphasis. `link` is an https: or mailto: target."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False
    link: str | None = None


@dataclass(frozen=True)
class LineBreak:
    """A line break inside a paragraph (an address, a signature block)."""


Inline = Run | LineBreak


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ListBlock:
    """A bulleted (or numbered) list of one-paragraph items."""

    items: tuple[Paragraph, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Cell:
    paragraphs: tuple[Paragraph, ...]
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    """A grid; a position covered by a neighbour's span holds None."""

    rows: tuple[tuple[Cell | None, ...], ...]
    header_rows: int = 1

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass(frozen=True)
class Division:
    """Blocks that share a role in the layout (`signature`, `date`, `annexe`…): a CSS class
    in HTML, a paragraph style named `ARS <role>` in Word."""

    role: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Columns:
    """Blocks side by side, such as a letter's sender and addressee."""

    columns: tuple[tuple[Block, ...], ...]


Block = Paragraph | Heading | ListBlock | Table | Division | Columns


@dataclass(frozen=True)
class Document:
    title: str
    date: datetime.date
    blocks: tuple[Block, ...]
    author: str = ""
    subject: str = ""
    language: str = "fr-FR"
    keywords: tuple[str, ...] = field(default_factory=tuple)


def inline_text(inlines: tuple[Inline, ...]) -> str:
    return "".join(item.text if isinstance(item, Run) else "\n" for item in inlines)


def paragraphs(blocks: tuple[Block, ...]) -> list[Paragraph | Heading]:
    """Every paragraph in reading order (table cells row by row), as both writers emit them."""
    found: list[Paragraph | Heading] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            found.append(block)
        elif isinstance(block, ListBlock):
            found.extend(block.items)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    if cell is not None:
                        found.extend(cell.paragraphs)
        elif isinstance(block, Division):
            found.extend(paragraphs(block.blocks))
        elif isinstance(block, Columns):
            for column in block.columns:
                found.extend(paragraphs(column))
    return found
