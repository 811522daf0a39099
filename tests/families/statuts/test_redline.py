"""The comparison of two drafts as the drafting committee uses it in Word: LibreOffice itself
accepts, or rejects, every tracked change (its UNO API, through Debian's python3-uno and the system
Python); accepting all gives exactly the newer draft's text, rejecting all the older one's."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml

from helpers.project import copy_project, run
from helpers.readback import docx_paragraphs, libreoffice_text

DRAFTS = "data/statuts/dsr-chirurgie-pediatrique"
OUT = "out/statuts/dsr-chirurgie-pediatrique"
def articles_text(lines: list[str], statutes: bool) -> list[str]:
    """From the first title to the last article: after the table of contents in the statutes
    (which repeats the headings), up to their signature; to the end in a comparison."""
    starts = [index for index, line in enumerate(lines) if line.startswith("Titre I –")]
    body = lines[starts[-1] if statutes else starts[0]:]
    if statutes:
        body = body[:next(index for index, line in enumerate(body) if line.startswith("Fait à "))]
    return [line for line in body if line.strip()]


def check_round(project: Path, old: str, new: str, folder: Path) -> list[str]:
    comparison = project / OUT / f"comparaison-{old}-{new}.docx"
    accepted = articles_text(libreoffice_text(comparison, "accepter", folder / "a"), statutes=False)
    rejected = articles_text(libreoffice_text(comparison, "rejeter", folder / "r"), statutes=False)
    newer = articles_text(libreoffice_text(project / OUT / f"statuts-{new}.docx", "accepter", folder / "n"), True)
    older = articles_text(libreoffice_text(project / OUT / f"statuts-{old}.docx", "accepter", folder / "o"), True)
    assert len(newer) > 40 and len(older) > 40
    assert accepted == newer
    assert rejected == older
    with zipfile.ZipFile(comparison) as package:
        return [part for part in package.namelist() if part == "word/comments.xml"]


def tracked(docx: Path, kind: str) -> list[str]:
    """The text of each tracked insertion (`ins`) or deletion (`del`) of a Word file, in order."""
    with zipfile.ZipFile(docx) as package:
        body = package.read("word/document.xml").decode()
    return ["".join(re.findall(r"<w:(?:t|delText)\b[^>]*>([^<]*)<", change.group(1)))
            for change in re.finditer(rf"<w:{kind} [^>]*>(.*?)</w:{kind}>", body, re.S)]


@pytest.mark.slow
def test_accepting_all_gives_the_newer_draft_and_rejecting_all_the_older(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "projet")
    assert run(project, "build", "statuts").exit_code == 0
    assert check_round(project, "v1", "v2", tmp_path / "lo") == ["word/comments.xml"]
    # « … la perte de l'autorisation pour les personnes morales » became « … ou de la dérogation qui
    # fondait son adhésion »: one deletion and one insertion, not « pourou lesde personnesla »
    comparison = project / OUT / "comparaison-v1-v2.docx"
    assert "pour les personnes morales" in tracked(comparison, "del")
    assert "ou de la dérogation qui fondait son adhésion" in tracked(comparison, "ins")
    legend = next(p for p in docx_paragraphs(comparison) if p.startswith("Dans le PDF et la page HTML"))
    assert "modifications suivies de « Comité de rédaction »" in re.sub("[\u00a0\u202f]", " ", legend)


@pytest.mark.slow
def test_an_added_a_deleted_a_moved_and_a_renumbered_cited_article(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "projet")
    draft = yaml.safe_load((project / DRAFTS / "v2.yaml").read_text(encoding="utf-8"))
    draft["version"].update(numero=3, date="2026-07-01")
    titles = {title["id"]: title for title in draft["titres"]}
    constitution = titles["constitution"]["articles"]
    constitution[:] = [article for article in constitution if article["id"] != "moyens"]  # deleted
    rules = titles["fonctionnement"]["articles"]
    moved = next(article for article in rules if article["id"] == "reglement")
    rules.remove(moved)
    titles["dispositions-diverses"]["articles"].insert(0, moved)  # moved to another title
    titles["ressources"]["articles"].append({  # added
        "id": "partenariats", "intitule": "Partenariats",
        "texte": "L'association peut conclure des conventions de partenariat pour réaliser son objet ([[objet]])."})
    (project / DRAFTS / "v3.yaml").write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
    result = run(project, "build", "statuts", "--comparer", "v2..v3")
    assert result.exit_code == 0, result.output
    check_round(project, "v2", "v3", tmp_path / "lo")
    with zipfile.ZipFile(project / OUT / "comparaison-v2-v3.docx") as package:
        body = package.read("word/document.xml").decode()
    # the moved article is a move in Word, from its old place to its new one, paired by name
    assert '<w:moveFromRangeStart w:id="' in body and 'w:name="deplacement_reglement"' in body
    assert "<w:moveFrom " in body and "<w:moveTo " in body and '<w:moveToRangeStart w:id="' in body
    # « admission » cites « composition », article 6 in v2 and 5 in v3: its citation is a change
    import docx

    summary = docx.Document(str(project / OUT / "comparaison-v2-v3.docx")).tables[0]
    rows = {row.cells[2].text: (row.cells[0].text, row.cells[1].text, row.cells[3].text) for row in summary.rows[1:]}
    assert rows["Admission"] == ("6", "7", "renvois renumérotés, renuméroté")
    assert rows["Moyens d’action"] == ("—", "3", "supprimé")
    assert rows["Partenariats"][2] == "ajouté"
    assert "déplacé" in rows["Règlement intérieur"][2]
    notes = [comment.text.replace("\u00a0", " ")
             for comment in docx.Document(str(project / OUT / "comparaison-v2-v3.docx")).comments]
    assert "article supprimé" in notes and "nouvel article" in notes and "ancien article 7" in notes
    assert any(note.startswith("article déplacé : ancien article 15") for note in notes)
    assert any(note.startswith("article déplacé : article 15 de la version 3") for note in notes)
