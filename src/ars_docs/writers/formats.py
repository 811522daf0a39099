"""The output formats of a document, in one registry: what every document is written as, by which
writer, and how the index page and messages name it.

A format is a writer (`writers/docx.py`; the PDF engine of `writers/pdfengine.py`, WeasyPrint or
Typst as the project chose; `writers/html.py`) and one line here: the family's `Publisher` renders
each by the method the line names, the index page lists each with its label, in this order. The
module imports nothing: the command line reads the suffixes without loading a writer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    suffix: str
    label: str
    """How the index page and messages name it."""
    writer: str
    """The `Publisher` method that writes it: `(document, name, fields) -> bytes`."""


FORMATS: tuple[Format, ...] = (
    Format("html", "Page HTML", "render_html"),  # the standalone page, accessible alternative of the others (RGAA 13.3)
    Format("pdf", "PDF", "render_pdf"),  # PDF/A-2a and PDF/UA-1, by WeasyPrint from the HTML shell or by Typst
    Format("docx", "Word", "render_docx"),  # the Word shell and docxtpl; tracked changes for a comparison
)
SUFFIXES = tuple(output.suffix for output in FORMATS)
"""Every document is written in each: `.html`, `.pdf`, `.docx`."""
