"""The output formats of a document, in one registry: adding a format is adding a class here.

Each format renders a document tree through the family's `Publisher` (its shells, its PDF
writer); a family writes every document in every format. The module imports nothing heavy: the
CLI reads the suffixes without loading WeasyPrint or python-docx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ars_docs.doctree import Document
    from ars_docs.publishing import Publisher


class Format:
    suffix = ""
    label = ""

    def render(self, publisher: Publisher, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        raise NotImplementedError


class Pdf(Format):
    """PDF/A-2a and PDF/UA-1, through the HTML shell and WeasyPrint."""

    suffix, label = "pdf", "PDF"

    def render(self, publisher: Publisher, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        return publisher.pdf_of(document, name, fields)


class Word(Format):
    """A Word file, through the Word shell and docxtpl; tracked changes for a comparison."""

    suffix, label = "docx", "Word"

    def render(self, publisher: Publisher, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        return publisher.docx_of(document, fields)


class Html(Format):
    """The standalone page for screens, the accessible alternative of the two others (RGAA 13.3)."""

    suffix, label = "html", "page HTML"

    def render(self, publisher: Publisher, document: Document, name: str, fields: Mapping[str, Any]) -> bytes:
        return publisher.html(document, fields, alternative=True).encode("utf-8")


FORMATS: tuple[Format, ...] = (Word(), Pdf(), Html())
SUFFIXES = tuple(output.suffix for output in FORMATS)
"""Every document is written in each: `.docx`, `.pdf`, `.html`."""
