"""A real reader: LibreOffice headless opens every generated .docx and lays it out."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from readback import docx_paragraphs, pdf_pages, squash


def test_libreoffice_opens_every_letter(example_build: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice manque : lancez ./dev.sh test, qui l'installe"
    documents = sorted((example_build / "out" / "letters" / "lancement-dsr").glob("*.docx"))
    assert len(documents) == 52
    converted = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(converted), *map(str, documents)],
                   check=True, capture_output=True, timeout=600)
    for document in documents:
        pages = pdf_pages(converted / f"{document.stem}.pdf")
        assert 1 <= len(pages) <= 3, document.name
        # What LibreOffice shows is the letter's text, in order.
        shown = squash("".join(pages))
        words = [squash(text) for text in docx_paragraphs(document) if text.strip()]
        position = 0
        for text in words:
            found = shown.find(text, position)
            assert found >= 0, f"{document.name}: {text!r} not laid out by LibreOffice"
            position = found + len(text)
