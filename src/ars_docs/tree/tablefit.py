"""Column widths that leave room for what a cell may not split: every code, date and amount
(`typography.UNBREAKABLE`) fits its column, in the PDF as in Word and LibreOffice, which otherwise
break a token that is wider than its column letter by letter (« 31/12/20|27 »)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ars_docs.tree.doctree import Table, inline_text
from ars_docs.tree.typography import UNBREAKABLE

CELL_PADDING_MM = 2 * 1.905 + 0.6
"""Word's default cell margins (108 twips a side, the widest of the writers: the PDF has 3 pt),
and a little for the border and rounding."""
INDENT_MM = 4.0
"""A « dont » line's indent per level, in both writers."""


class TooNarrow(ValueError):
    """The page is not wide enough for the table's unbreakable tokens side by side."""


SHORT_WORD = re.compile(r"\S{1,12}(?!\S)")
"""A word that a column should hold whole too, when the page leaves room (« confirmer »); a longer
one may break."""


def needed_widths(table: Table, width_of: Callable[[str], float], pattern: re.Pattern[str]) -> list[float]:
    """The narrowest each column may be, in millimetres: its widest match of `pattern` with the
    cell's padding."""
    needs = [0.0] * table.width
    for row in table.rows:
        for column, cell in enumerate(row):
            if cell is None or cell.colspan > 1:
                continue  # a spanning cell has the width of several columns
            for paragraph in cell.paragraphs:
                for token in pattern.findall(inline_text(paragraph.inlines)):
                    needs[column] = max(needs[column], width_of(token) + CELL_PADDING_MM + INDENT_MM * cell.indent)
    return needs


def fit_widths(table: Table, available_mm: float, width_of: Callable[[str], float]) -> Table:
    """The table with relative widths as close to its own as room for its tokens allows: a column
    too narrow gets exactly what it needs, the others share the rest in their proportions. Short
    words are kept whole too when there is room for them and the tokens together."""
    needs = needed_widths(table, width_of, UNBREAKABLE)
    if sum(needs) > available_mm:
        raise TooNarrow(f"{sum(needs):.0f} mm de codes, dates et montants côte à côte pour {available_mm:.0f} mm")
    softer = [max(need, word) for need, word in zip(needs, needed_widths(table, width_of, SHORT_WORD), strict=True)]
    if sum(softer) <= available_mm:
        needs = softer
    shares = table.shares()
    fixed: dict[int, float] = {}
    while True:
        free = [column for column in range(table.width) if column not in fixed]
        rest = available_mm - sum(fixed.values())
        weight = sum(shares[column] for column in free)
        short = [column for column in free if shares[column] / weight * rest < needs[column]]
        if not short:
            break
        fixed.update({column: needs[column] for column in short})
        if len(fixed) == table.width:
            break
    widths = tuple(fixed.get(column, shares[column] / weight * rest if weight else 0.0)
                   for column in range(table.width))
    return replace(table, widths=tuple(round(width, 2) for width in widths))
