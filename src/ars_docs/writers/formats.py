"""The output formats of a document, in one registry: what every document is written as.

A format is a writer module (`writers/docx.py`, `writers/pdf.py` or `writers/typst.py`,
`writers/html.py`) and one line here; the family's `Publisher` renders each, by suffix. The PDF
line stands for the engine the project chose (WeasyPrint or Typst), as pandoc's `makePDF` does.
The module imports nothing: the command line reads the suffixes without loading a writer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    suffix: str
    label: str
    """How messages and the index page name it."""


FORMATS: tuple[Format, ...] = (
    Format("docx", "Word"),  # the Word shell and docxtpl; tracked changes for a comparison
    Format("pdf", "PDF"),  # PDF/A-2a and PDF/UA-1, by WeasyPrint from the HTML shell or by Typst
    Format("html", "page HTML"),  # the standalone page, accessible alternative of the others (RGAA 13.3)
)
SUFFIXES = tuple(output.suffix for output in FORMATS)
"""Every document is written in each: `.docx`, `.pdf`, `.html`."""
