"""How wide a text prints in one of the project's fonts (advance widths read with fontTools)."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def _advances(font: Path) -> tuple[dict[int, int], int, int]:
    from fontTools.ttLib import TTFont

    face = TTFont(str(font), lazy=True)
    metrics = face["hmtx"].metrics
    widths = {code: metrics[glyph][0] for code, glyph in face.getBestCmap().items()}
    return widths, face["head"].unitsPerEm, metrics[".notdef"][0]


def printed_width_mm(text: str, font: Path, size_pt: float) -> float:
    """How wide the line prints in the font (advance widths, no kerning: a little more than drawn)."""
    widths, units, fallback = _advances(font)
    advance = sum(widths.get(ord(char), fallback) for char in text)
    return advance / units * size_pt * 25.4 / 72
