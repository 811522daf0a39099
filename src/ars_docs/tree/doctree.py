"""The document tree: what a document says, independent of Word or PDF.

Builders produce it; `typography.typeset` refines its text; each writer turns it into one format.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar, cast


@dataclass(frozen=True)
class Run:
    """Inline text with its emphasis. `link` is an https: or mailto: target; `change` marks text
    inserted (`ins`), deleted (`del`), or moved (`moveFrom` its old place, `moveTo` its new one) since
    a previous version, for comparisons."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False
    link: str | None = None
    change: str | None = None
    move: str | None = None
    """With `change` `moveFrom` or `moveTo`: the name that pairs the two places of moved text."""


@dataclass(frozen=True)
class LineBreak:
    """A line break inside a paragraph (an address, a signature block)."""


Inline = Run | LineBreak


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    """A heading; `anchor` names it for the table of contents and the PDF bookmarks."""

    level: int
    inlines: tuple[Inline, ...]
    anchor: str | None = None
    note: str | None = None
    """Explains a change in a comparison (« ancien article 12 »): a Word comment, a label in the PDF,
    never text of the draft."""


@dataclass(frozen=True)
class ListBlock:
    """A bulleted (or numbered) list of one-paragraph items."""

    items: tuple[Paragraph, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell; `align` is `right` for figures; `indent` sets a sub-row in (a "dont" line)."""

    paragraphs: tuple[Paragraph, ...]
    colspan: int = 1
    rowspan: int = 1
    align: str | None = None
    indent: int = 0


@dataclass(frozen=True)
class Table:
    """A grid; a position covered by a neighbour's span holds None."""

    rows: tuple[tuple[Cell | None, ...], ...]
    header_rows: int = 1
    widths: tuple[float, ...] = ()
    """Relative column widths; equal columns when empty."""
    row_changes: tuple[str | None, ...] = ()
    """In a comparison, for each row: `ins` (a row added), `del` (a row removed) or None (a row of
    both versions, its changes inside its cells); empty when no row changed."""

    def row_change(self, index: int) -> str | None:
        return self.row_changes[index] if index < len(self.row_changes) else None

    def shares(self) -> tuple[float, ...]:
        weights = self.widths or (1.0,) * self.width
        return tuple(weight / sum(weights) for weight in weights)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass(frozen=True)
class Division:
    """Blocks that share a role in the layout (`signature`, `date`, `annexe`…): a CSS class
    in HTML, a paragraph style named `ARS <role>` in Word."""

    role: str
    blocks: tuple[Block, ...]


SIGNATURE_ROLE = "signature"
"""The division of the signatories: a letter's signatory block, the statutes' signature table."""
SIGNATURE_ROW_MM = 16.0
"""The least height of a row of a signature table, room for a hand to sign (15 mm at least): the
Word writer sets it; the stylesheets and Typst shells of the families say the same."""


@dataclass(frozen=True)
class Window:
    """The address frame of a window envelope on the page, in millimetres from its top-left corner."""

    left: float
    top: float
    width: float
    height: float
    clearance: float
    """Blank kept around the frame: the letter moves in its envelope, nothing else may show."""

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def on_left(self) -> bool:
        """A left-window envelope: the sender's column goes on the right."""
        return self.left + self.width / 2 < 105


@dataclass(frozen=True)
class Letterhead:
    """The top of a letter's first page: the sender's column beside the envelope window, the
    recipient's address inside it (a box fixed on the page, not in the flow), and the text
    resuming below the window."""

    sender: tuple[Block, ...]
    address: tuple[Block, ...]
    window: Window


@dataclass(frozen=True)
class Contents:
    """A table of contents of the document's headings up to `depth`: page numbers in the PDF,
    a field that Word updates in the DOCX."""

    title: str
    depth: int = 2


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Landscape:
    """Blocks laid out on landscape pages (wide tables): a named page in CSS, a section in Word."""

    blocks: tuple[Block, ...]


Block = Paragraph | Heading | ListBlock | Table | Division | Letterhead | Contents | PageBreak | Landscape


@dataclass(frozen=True)
class Document:
    title: str
    date: datetime.date
    blocks: tuple[Block, ...]
    author: str = ""
    subject: str = ""
    language: str = "fr-FR"
    keywords: tuple[str, ...] = field(default_factory=tuple)
    reviser: str = "arsdocs"
    """Author of the tracked changes and comments of a comparison."""


def merge_runs(inlines: list[Inline] | tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Adjacent runs of identical formatting become one."""
    merged: list[Inline] = []
    for inline in inlines:
        previous = merged[-1] if merged else None
        if (isinstance(inline, Run) and isinstance(previous, Run)
                and replace(previous, text="") == replace(inline, text="")):
            merged[-1] = replace(previous, text=previous.text + inline.text)
        else:
            merged.append(inline)
    return tuple(merged)


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
        elif isinstance(block, (Division, Landscape)):
            found.extend(paragraphs(block.blocks))
        elif isinstance(block, Letterhead):
            found.extend(paragraphs(block.sender))
            found.extend(paragraphs(block.address))
    return found


def has_table(blocks: tuple[Block, ...]) -> bool:
    """Whether a table stands among the blocks (in divisions and landscape sections too)."""
    return any(isinstance(block, Table) or (isinstance(block, (Division, Landscape)) and has_table(block.blocks))
               for block in blocks)


def headings(blocks: tuple[Block, ...], depth: int) -> list[Heading]:
    """The headings down to `depth`, in order, for a table of contents."""
    found: list[Heading] = []
    for block in blocks:
        if isinstance(block, Heading) and block.level <= depth:
            found.append(block)
        elif isinstance(block, (Division, Landscape)):
            found.extend(headings(block.blocks, depth))
    return found


C = TypeVar("C")
T = TypeVar("T")


class UnknownBlock(TypeError):
    """A block no writer knows: the same error wherever the tree is walked."""

    def __init__(self, visitor: object, block: object) -> None:
        super().__init__(f"{type(visitor).__name__} : bloc de document inconnu {type(block).__name__}")


class BlockVisitor(Generic[C, T]):
    """The one walk of a document tree, shared by the writers (HTML, Word), the typography and the
    redline: a method per kind of block, given the block and the walker's context (`C`). A block
    of a kind the tree does not define, or that a walker does not handle, raises `UnknownBlock`."""

    def visit(self, block: Block, context: C) -> T:
        method = _VISIT.get(type(block))
        if method is None:
            raise UnknownBlock(self, block)
        return cast(T, getattr(self, method)(block, context))

    def _unhandled(self, block: Any) -> T:
        raise UnknownBlock(self, block)

    def paragraph(self, block: Paragraph, context: C) -> T:
        return self._unhandled(block)

    def heading(self, block: Heading, context: C) -> T:
        return self._unhandled(block)

    def list_block(self, block: ListBlock, context: C) -> T:
        return self._unhandled(block)

    def table(self, block: Table, context: C) -> T:
        return self._unhandled(block)

    def division(self, block: Division, context: C) -> T:
        return self._unhandled(block)

    def letterhead(self, block: Letterhead, context: C) -> T:
        return self._unhandled(block)

    def contents(self, block: Contents, context: C) -> T:
        return self._unhandled(block)

    def page_break(self, block: PageBreak, context: C) -> T:
        return self._unhandled(block)

    def landscape(self, block: Landscape, context: C) -> T:
        return self._unhandled(block)


_VISIT: dict[type, str] = {Paragraph: "paragraph", Heading: "heading", ListBlock: "list_block", Table: "table",
                           Division: "division", Letterhead: "letterhead", Contents: "contents",
                           PageBreak: "page_break", Landscape: "landscape"}
