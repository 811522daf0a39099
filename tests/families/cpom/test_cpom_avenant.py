"""An amendment (avenant) to the CPOM: the example contract and a changed copy compared, checked as
the statutes' comparisons are. LibreOffice accepts all the tracked changes of the Word comparison and
gets the amended annexes, rejects them all and gets the initial ones; the PDF shows the changes
struck through and underlined; the summary lists each change with its old and new value."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest

from helpers.project import copy_project, run
from helpers.readback import libreoffice_text, pdf_body_text

pytestmark = pytest.mark.slow

CONTRACT = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"
OUT = "out/cpom/dsr-chirurgie-pediatrique-2027-2030"


def _amend(path: Path) -> None:
    """Avenant n° 1: two targets and an amount changed (with the totals written by hand), an
    indicator removed and another added, an action sheet removed, a budget line added (and named
    by the sheet that spends it)."""
    text = path.read_text(encoding="utf-8")
    for old, new in [
        ("  version: Version initiale\n", "  version: Avenant n° 1\n"),
        ("  date: 2026-12-15\n", "  date: 2027-11-20\n"),
        ('cibles: {2028: "70", 2029: "85", 2030: "90"}', 'cibles: {2028: "70", 2029: "90", 2030: "95"}'),
        ("montants: {2027: 40000, 2028: 25000, 2029: 15000, 2030: 15000}\n      total: 95000",
         "montants: {2027: 40000, 2028: 30000, 2029: 15000, 2030: 15000}\n      total: 100000"),
        ("total_par_annee: {2027: 255000, 2028: 230000, 2029: 210000, 2030: 210000}",
         "total_par_annee: {2027: 255000, 2028: 235000, 2029: 222000, 2030: 222000}"),
        ("total_general: 905000", "total_general: 934000"),
        ("      indicateurs: [QUA02, QUA04, QUA05]\n", "      indicateurs: [QUA02, QUA04, QUA06]\n"),
        ("      indicateurs: [ACT01, COO01, REP01, RH01]\n", "      indicateurs: [ACT01, COO01, COO02, REP01, RH01]\n"),
        ("      financement: [dsr, MI4-1-1]\n", "      financement: [dsr, MI4-1-1, MI3-1-1]\n"),
        ("  total_par_annee:", "    - code: MI3-1-1\n      libelle: Évaluation externe du dispositif\n"
                               "      montants: {2029: 12000, 2030: 12000}\n  total_par_annee:"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    start, end = text.index("  - code: QUA05\n"), text.index("  - code: FOR01\n")
    text = text[:start] + (
        "  - code: QUA06\n"
        "    libelle: Plans d'action issus d'un événement indésirable grave suivis jusqu'à leur terme\n"
        "    type: pourcentage\n"
        "    definition: Plans d'action clos / plans d'action définis après l'analyse d'un EIG avec le DSR\n"
        "    source: Rapport d'activité\n"
        '    cibles: {2028: "50", 2029: "75", 2030: "100"}\n') + text[end:]
    start, end = text.index("  - id: annuaire\n"), text.index("  - id: derogations\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def amended(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The project amended and its comparison built against the initial contract, kept as
    `reference.yaml` at the project's root; and the initial annexes, built before."""
    project = copy_project(tmp_path_factory.mktemp("avenant") / "projet")
    assert run(project, "build", "cpom").exit_code == 0
    initial = tmp_path_factory.mktemp("initiales")
    shutil.copy(project / OUT / "annexes-1-a-4.docx", initial / "annexes-1-a-4.docx")
    shutil.copy(project / CONTRACT, project / "reference.yaml")
    _amend(project / CONTRACT)
    result = run(project, "build", "cpom", "--comparer", "reference.yaml")
    assert result.exit_code == 0, result.output
    return project, initial


def _annexes(lines: list[str]) -> list[str]:
    """From the first annex's heading on, without blank lines: the summary and the title block differ."""
    start = next(index for index, line in enumerate(lines)
                 if line.replace("\u00a0", " ").startswith("Annexe 1 – Orientations"))
    return [line for line in lines[start:] if line.strip()]


def test_accepting_all_gives_the_amended_annexes_and_rejecting_all_the_initial_ones(
        amended: tuple[Path, Path], tmp_path: Path) -> None:
    project, initial = amended
    comparison = project / OUT / "comparaison-reference.docx"
    accepted = _annexes(libreoffice_text(comparison, "accepter", tmp_path / "a"))
    rejected = _annexes(libreoffice_text(comparison, "rejeter", tmp_path / "r"))
    newer = _annexes(libreoffice_text(project / OUT / "annexes-1-a-4.docx", "accepter", tmp_path / "n"))
    older = _annexes(libreoffice_text(initial / "annexes-1-a-4.docx", "accepter", tmp_path / "o"))
    assert len(newer) > 200 and newer != older
    assert accepted == newer
    assert rejected == older


def test_the_word_comparison_tracks_rows_and_values(amended: tuple[Path, Path]) -> None:
    """In annex 3's table, the removed indicator's row and the added one's are tracked rows; a
    changed target is a deletion and an insertion inside its cell."""
    from docx.oxml.ns import qn

    from helpers.readback import paragraph_text

    project, _ = amended
    document = docx.Document(str(project / OUT / "comparaison-reference.docx"))
    table = next(table for table in document.tables if table.rows[0].cells[0].text == "Code")
    tracked: dict[str, str | None] = {}
    cells: dict[str, list[Any]] = {}
    for row in table.rows[1:]:
        code = paragraph_text(row.cells[0]._tc.find(qn("w:p")))
        properties = row._tr.find(qn("w:trPr"))
        marks = [child.tag.rsplit("}", 1)[-1] for child in properties] if properties is not None else []
        tracked[code] = next((mark for mark in marks if mark in ("ins", "del")), None)
        cells[code] = [cell._tc for cell in row.cells]
    assert tracked["QUA05"] == "del" and tracked["QUA06"] == "ins"
    assert [code for code, mark in tracked.items() if mark] == ["QUA05", "QUA06"]
    target = cells["QUA01"][9]  # 2029
    deleted = [node.text for node in target.iter(qn("w:delText"))]
    inserted = [node.text for node in target.iter(qn("w:ins")) for node in node.iter(qn("w:t"))]
    assert deleted == ["85\u00a0%"] and inserted == ["90\u00a0%"]


def test_the_summary_lists_each_change_with_its_values(amended: tuple[Path, Path]) -> None:
    project, _ = amended
    summary = docx.Document(str(project / OUT / "comparaison-reference.docx")).tables[0]
    rows = [tuple(cell.text for cell in row.cells) for row in summary.rows]
    assert rows[0] == ("Annexe", "Élément", "Avant", "Après")
    listed = {(annex, item): (before, after) for annex, item, before, after in rows[1:]}
    assert listed[("3", "QUA01 – cible 2029")] == ("85\u00a0%", "90\u00a0%")
    assert listed[("3", "QUA01 – cible 2030")] == ("90\u00a0%", "95\u00a0%")
    assert listed[("4", "Ligne MI2-1-1 – 2028")] == ("25\u202f000\u00a0€", "30\u202f000\u00a0€")
    assert listed[("4", "Total général")] == ("905\u202f000\u00a0€", "934\u202f000\u00a0€")
    assert listed[("4", "Ligne MI3-1-1 – Évaluation externe du dispositif")] == ("—", "ajoutée")
    sheet = "Fiche action «\u202fPublier un annuaire régional de l’offre de chirurgie pédiatrique\u202f»"
    assert listed[("2", sheet)] == ("présente", "supprimée")
    assert [item for annex, item in listed if item.startswith("QUA05")] == \
        ["QUA05 – Suivi par le DSR des plans d’action issus de l’analyse d’un événement indésirable grave"]
    assert listed[("3", "QUA06 – Plans d’action issus d’un événement indésirable grave suivis jusqu’à leur terme")] \
        == ("—", "ajouté")
    assert len(listed) == len(rows) - 1


def test_the_pdf_comparison_strikes_and_underlines(amended: tuple[Path, Path]) -> None:
    project, _ = amended
    pdf = project / OUT / "comparaison-reference.pdf"
    text = pdf_body_text(pdf)
    assert "QUA05" in text and "QUA06" in text and "25\u202f000\u00a0€" in text.replace(" 000", "\u202f000")
    html = (project / OUT / "comparaison-reference.html").read_text(encoding="utf-8")
    assert '<tr class="ligne-supprimee">' in html and '<tr class="ligne-ajoutee">' in html
    assert re.search(r"<del><span class=\"insecable\">85\u00a0%</span></del><ins><span class=\"insecable\">"
                     r"90\u00a0%</span></ins>", html)
    with pikepdf.open(pdf) as document:
        assert "Version initiale → Avenant n°\u00a01" in str(document.docinfo.Title)


def test_an_amendment_against_a_git_revision(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "projet")
    git = ["git", "-C", str(project), "-c", "user.name=ARS", "-c", "user.email=ars@example.fr"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "Version initiale"], check=True)
    _amend(project / CONTRACT)
    result = run(project, "build", "cpom", "--comparer", "git:HEAD")
    assert result.exit_code == 0, result.output
    summary = docx.Document(str(project / OUT / "comparaison-git-HEAD.docx")).tables[0]
    assert any(row.cells[1].text == "QUA01 – cible 2029" for row in summary.rows)
    bad = run(project, "build", "cpom", "--comparer", "git:nulle-part")
    assert bad.exit_code == 1 and "impossible de lire « data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml » à " \
        "la révision git « nulle-part »" in bad.output
    missing = run(project, "build", "cpom", "--comparer", "absent.yaml")
    assert missing.exit_code == 1 and "« absent.yaml » n'est pas un fichier de contrat .yaml" in missing.output
    assert run(project, "build", "all", "--comparer", "reference.yaml").exit_code == 2
