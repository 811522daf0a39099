"""The Word writer keeps its shell open from one document to the next: what a document adds to the
shell (its links, its comments, its properties) must not reach the next one."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import docx

from ars_docs.tree.doctree import Document, Heading, Paragraph, Run
from ars_docs.writers.docx import DocxWriter
from helpers.project import REPO

SHELL = REPO / "templates/statuts/statuts.docx"
FIELDS = {"marque_projet": "PROJET — statuts — v2", "filigrane": "PROJET"}


def _document(title: str, link: str | None = None, note: str | None = None) -> Document:
    blocks = (Heading(1, (Run(title),), anchor="titre-un", note=note),
              Paragraph((Run("Écrire à "), Run("l'ARS", link=link) if link else Run("personne"), Run("."))))
    return Document(title, datetime.date(2027, 1, 1), blocks, author="ARS Grand Est")


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_document_leaves_nothing_of_itself_in_the_shell() -> None:
    writer = DocxWriter(SHELL, "statuts.docx")
    first = writer.render(_document("Premier", link="mailto:a@ars.sante.fr", note="nouvel article"), FIELDS, None, 0.0)
    second = writer.render(_document("Second"), FIELDS, None, 0.0)
    again = writer.render(_document("Premier", link="mailto:a@ars.sante.fr", note="nouvel article"), FIELDS, None, 0.0)
    assert again == first, "the same document, the same bytes, whatever came before"
    parts = _parts(second)
    assert "word/comments.xml" not in parts and b"mailto:" not in parts["word/_rels/document.xml.rels"]
    assert b"Premier" not in parts["docProps/core.xml"] and b"Second" in parts["docProps/core.xml"]
    assert "word/comments.xml" in _parts(first)


def test_a_shell_with_its_own_comment_keeps_only_it_between_documents(tmp_path: Path) -> None:
    shell = docx.Document(str(SHELL))
    paragraph = next(p for p in shell.paragraphs if p.runs)
    shell.add_comment(paragraph.runs[0], text="remarque de la coquille", author="Modèle", initials="M")
    path = tmp_path / "coquille.docx"
    shell.save(str(path))
    writer = DocxWriter(path, "coquille.docx")
    for title in ("Un", "Deux", "Trois"):
        data = writer.render(_document(title, note=f"note {title}"), FIELDS, None, 0.0)
        comments = [comment.text for comment in docx.Document(io.BytesIO(data)).comments]
        assert comments == ["remarque de la coquille", f"note {title}"], title
