"""A real reader: LibreOffice headless opens every generated .docx and lays it out."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.readback import docx_framed, docx_paragraphs, libreoffice_to_pdf, pdf_pages, squash

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)


def test_libreoffice_opens_every_letter(example_build: Path, tmp_path: Path) -> None:
    documents = sorted((example_build / "out" / "letters" / "lancement-dsr").glob("*.docx"))
    assert len(documents) == 52
    converted = libreoffice_to_pdf(documents, tmp_path)
    for document in documents:
        pages = pdf_pages(converted / f"{document.stem}.pdf")
        assert 1 <= len(pages) <= 3, document.name
        # What LibreOffice shows is the letter's text, in order; the address, in its frame on the
        # page, is drawn after the text of the page (its position has its own test, test_posting.py).
        shown = squash("".join(pages))
        framed = docx_framed(document)
        assert len(framed) == 1 and squash(framed[0]) in shown, document.name
        words = [squash(text) for text in docx_paragraphs(document) if text.strip() and text not in framed]
        position = 0
        for text in words:
            found = shown.find(text, position)
            assert found >= 0, f"{document.name}: {text!r} not laid out by LibreOffice"
            position = found + len(text)


def test_libreoffice_opens_every_reply_form(example_build: Path, tmp_path: Path) -> None:
    forms = sorted((example_build / "out" / "letters" / "lancement-dsr" / "formulaires").glob("*.docx"))
    assert len(forms) == 21
    converted = libreoffice_to_pdf(forms, tmp_path)
    for form in forms:
        shown = squash("".join(pdf_pages(converted / f"{form.stem}.pdf")))
        assert squash(f"Référence : {form.stem.removeprefix('reponse-')}") in shown
        assert squash("Médecin référent Directeur référent Nom Prénom Courriel") in shown
