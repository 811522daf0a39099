"""CPOM annexes: the shipped contract, totals read back from the PDF, layout, and every check."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from helpers.project import ENGINES, build_example, copy_project, run
from helpers.readback import BULLET, docx_paragraphs, libreoffice_to_pdf, pdf_pages, squash

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
CONTRACT = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"
OUT = "out/cpom/dsr-chirurgie-pediatrique-2027-2030"
NAMES = ["annexe-1-orientations-objectifs", "annexe-2-fiches-actions", "annexe-3-indicateurs",
         "annexe-4-financiere", "annexes-1-a-4"]
AMOUNT = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})*) ?[\u00a0\u202f]?€")


@pytest.fixture(scope="session", params=ENGINES)
def contract(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The example's contract annexes, built by each PDF engine in turn."""
    project, output = build_example(tmp_path_factory, "cpom", request.param)
    assert output == "annexes de CPOM : 5 construit(s), 0 inchangé(s), 0 fichier(s) supprimé(s) ; " \
        "15 fichier(s) écrit(s) dans out/cpom\n"
    return project


def test_the_shipped_contract_builds_every_annex(contract: Path) -> None:
    assert sorted(p.name for p in (contract / OUT).iterdir()) == sorted(
        f"{name}.{suffix}" for name in NAMES for suffix in ("docx", "pdf", "html"))


def test_libreoffice_opens_the_annexes(contract: Path, tmp_path: Path) -> None:
    libreoffice_to_pdf([contract / OUT / f"{name}.docx" for name in NAMES], tmp_path)
    sizes = {name: [(round(p.mediabox.width), round(p.mediabox.height))
                    for p in PdfReader(tmp_path / f"{name}.pdf").pages] for name in NAMES}
    assert all(size == (842, 595) for size in sizes["annexe-3-indicateurs"]), "landscape in Word too"
    assert sizes["annexe-4-financiere"][0] == (595, 842)
    combined = sizes["annexes-1-a-4"]
    assert (842, 595) in combined and combined[0] == combined[-1] == (595, 842)


def _amounts(text: str) -> list[Decimal]:
    return [Decimal(re.sub(r"\D", "", match)) for match in AMOUNT.findall(text)]


@pytest.mark.parametrize("name", ["annexe-4-financiere", "annexes-1-a-4"])
def test_printed_totals_are_the_sums_of_the_printed_lines(contract: Path, name: str) -> None:
    text = "\n".join(pdf_pages(contract / OUT / f"{name}.pdf"))
    table = text[re.search(r"Mission\s+FIR", text).start():text.index("Échéancier des versements")]
    amounts = _amounts(table)
    assert len(amounts) == 20, amounts  # three lines and the total line, four years and a total each
    rows = [amounts[i:i + 5] for i in range(0, 20, 5)]
    for row in rows:
        assert row[4] == sum(row[:4]), row
    lines, totals = rows[:-1], rows[-1]
    assert totals == [sum(line[column] for line in lines) for column in range(5)]
    assert totals[4] == Decimal(905000)
    assert "905\u202f000\u00a0€" in table or "905 000 €" in table


def test_indicators_are_typed_and_french(contract: Path) -> None:
    table = docx.Document(str(contract / OUT / "annexe-3-indicateurs.docx")).tables[0]
    rows = {row.cells[0].text: [cell.text for cell in row.cells] for row in table.rows}
    assert rows["Code"] == ["Code", "Indicateur", "Définition ou formule", "Source", "Fréquence", "Unité",
                            "Référence", "2027", "2028", "2029", "2030"]
    assert rows["ACT02"][5:] == ["nombre", "0 (2026)", "150", "400", "600", "800"]
    assert rows["QUA03"][5:] == ["%", "40\u00a0% (2025)", "—", "80\u00a0%", "100\u00a0%", "100\u00a0%"]
    assert rows["GRA01"][5:] == ["oui/non", "non (2026)", "non", "oui", "oui", "oui"]
    assert rows["COO02"][5:] == ["date", "—", "31/12/2027", "—", "—", "—"]
    assert rows["RH01a"][5:] == ["ETP", "—", "0,5", "0,5", "0,5", "0,5"]
    assert rows["ACT02a"][1] == "dont avis rendus en moins de 24\u00a0heures"
    codes = [row.cells[0].text for row in table.rows][1:]
    assert codes.index("ACT02a") == codes.index("ACT02") + 1 and codes.index("FOR03a") == codes.index("FOR03") + 1
    assert codes[codes.index("RH01") + 1:codes.index("RH01") + 3] == ["RH01a", "RH01b"]


def test_every_indicator_of_the_data_is_in_annex_3_with_the_reporting_date(contract: Path) -> None:
    import yaml

    data = yaml.safe_load((contract / CONTRACT).read_text(encoding="utf-8"))
    codes = [indicator["code"] for indicator in data["indicateurs"]]
    assert len(codes) == 19
    for name in ("annexe-3-indicateurs", "annexes-1-a-4"):
        text = "\n".join(pdf_pages(contract / OUT / f"{name}.pdf"))
        words = set(re.findall(r"\w+", text))
        assert [code for code in codes if code not in words] == [], name
        assert "au plus tard le 31 mars de l’année suivante" in squash_spaces(text), name
    word = "\n".join(docx_paragraphs(contract / OUT / "annexe-3-indicateurs.docx"))
    assert [code for code in codes if code not in re.findall(r"\w+", word)] == []


def squash_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_tables_repeat_headers_and_keep_rows_whole(contract: Path) -> None:
    with zipfile.ZipFile(contract / OUT / "annexe-3-indicateurs.docx") as package:
        body = package.read("word/document.xml").decode()
    rows = re.findall(r"<w:tr>.*?</w:tr>", body)
    assert len(rows) == 20  # the header and nineteen indicators
    assert all("<w:cantSplit/>" in row for row in rows)
    assert '<w:tblHeader/>' in rows[0] and "tblHeader" not in "".join(rows[1:])
    assert 'w:orient="landscape"' in body
    pdf = PdfReader(contract / OUT / "annexes-1-a-4.pdf")
    landscape = [i for i, page in enumerate(pdf.pages) if page.mediabox.width > page.mediabox.height]
    assert landscape, "the indicator table is on landscape pages"
    for index in landscape:
        assert "Définition ou formule" in pdf.pages[index].extract_text(), "header repeated on each page"


def test_pdf_and_docx_say_the_same(contract: Path) -> None:
    """Page furniture aside: the running head, the page number, the draft's watermark, and a table's
    header row that the PDF repeats at the top of each page the table continues on (Word stores it once)."""
    mark = "PROJET — Contrat pluriannuel d’objectifs et de moyens 2027-2030 — Version initiale"
    for name in NAMES:
        path = contract / OUT / f"{name}.docx"
        headers = {squash("".join(cell.text for cell in table.rows[0].cells[::1] if cell.text))
                   for table in docx.Document(str(path)).tables}
        pages = pdf_pages(contract / OUT / f"{name}.pdf")
        text = ""
        for number, page in enumerate(pages, start=1):
            page = squash(page).replace(BULLET, "")
            folio = f"{number}/{len(pages)}"
            assert squash(mark) in page and page.endswith(folio), (name, number)
            page = page[: -len(folio)].replace(squash(mark), "", 1)
            assert page.count("PROJET") == 1, (name, number)  # the watermark (a draft: statut projet)
            page = page.replace("PROJET", "", 1)
            repeated = [header for header in headers if number > 1 and page.startswith(header)]
            text += page[len(repeated[0]):] if repeated else page
        assert text == squash("".join(docx_paragraphs(contract / OUT / f"{name}.docx"))), name


LOCATION = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"
CASES = {
    "line-total-disagrees": (
        "      total: 95000", "      total: 96000",
        f"{LOCATION}:336:14 : financement.lignes[2].total : total écrit 96\u202f000\u00a0€ différent de la somme "
        "des années, 95\u202f000\u00a0€"),
    "year-total-disagrees": (
        "total_par_annee: {2027: 255000,", "total_par_annee: {2027: 225000,",
        f"{LOCATION}:341:27 : financement.total_par_annee.2027 : total écrit 225\u202f000\u00a0€ différent de la "
        "somme des lignes, 255\u202f000\u00a0€"),
    "grand-total-disagrees": (
        "total_general: 905000", "total_general: 900000",
        f"{LOCATION}:342:18 : financement.total_general : total écrit 900\u202f000\u00a0€ différent de la somme "
        "de toutes les lignes, 905\u202f000\u00a0€"),
    "target-year-outside-the-contract": (
        'cibles: {2027: "2", 2028: "6", 2029: "8", 2030: "8"}', 'cibles: {2027: "2", 2028: "6", 2029: "8", 2031: "8"}',
        f"{LOCATION}:277:47 : indicateurs[13].cibles.2031 : année 2031 hors du contrat (2027 à 2030)"),
    "value-of-the-wrong-type": (
        'cibles: {2028: "70", 2029: "85",', 'cibles: {2028: "soixante-dix", 2029: "85",',
        f"{LOCATION}:234:20 : indicateurs[7].cibles.2028 : valeur « soixante-dix » invalide pour un indicateur de "
        "type pourcentage : un nombre attendu"),
    "percentage-over-100": (
        'cibles: {2028: "70", 2029: "85",', 'cibles: {2028: "170", 2029: "85",',
        f"{LOCATION}:234:20 : indicateurs[7].cibles.2028 : valeur « 170 » invalide pour un indicateur de type "
        "pourcentage : un pourcentage de 0 à 100 attendu"),
    "objective-tied-to-no-orientation": (
        "    orientation: qualite\n    intitule: Analyser", "    orientation: securite\n    intitule: Analyser",
        f"{LOCATION}:150:18 : objectifs[7].orientation : orientation « securite » inconnue : l'objectif n'est "
        "rattaché à aucune orientation (connues : coordination, formation, gradation, qualite)"),
    "action-sheet-cites-an-unknown-indicator": (
        "      indicateurs: [QUA02, QUA04, QUA05]", "      indicateurs: [QUA02, QUA09]",
        f"{LOCATION}:162:28 : objectifs[7].fiche.indicateurs[2] : indicateur « QUA09 » inconnu dans la liste des "
        "indicateurs"),
    "negative-amount": (
        "montants: {2027: 30000, 2028: 15000,", "montants: {2027: 30000, 2028: -15000,",
        f"{LOCATION}:339:37 : financement.lignes[3].montants.2028 : doit être positif ou nul, pas « -15000 »"),
    "malformed-fir-code": (
        "    - code: à confirmer  #", "    - code: FIR 2-1  #",
        f"{LOCATION}:328:13 : financement.lignes[1].code : code de mission FIR « FIR 2-1 » invalide : MI2-2-2, "
        "par exemple, ou « à confirmer »"),
}


@pytest.mark.parametrize("case", CASES)
def test_located_errors(tmp_path: Path, edit: Edit, case: str) -> None:
    project = copy_project(tmp_path / "projet")
    old, new, expected = CASES[case]
    edit(project / CONTRACT, old, new)
    result = run(project, "build", "cpom")
    assert result.exit_code == 1
    assert result.output.splitlines() == ["Erreur : 1 erreur dans les données ou les gabarits :", f"  {expected}"]
    assert not (project / "out").exists()


def test_pending_fir_code_is_printed_as_such(contract: Path) -> None:
    table = docx.Document(str(contract / OUT / "annexe-4-financiere.docx")).tables[0]
    assert table.cell(1, 0).text == "à confirmer" and table.cell(2, 0).text == "MI2-1-1"


def test_cpom_is_reproducible(contract: Path, tmp_path: Path) -> None:
    """Built again elsewhere, in one process this time: the same bytes."""
    again = copy_project(tmp_path / "encore")
    shutil.copy(contract / "arsdocs.yaml", again / "arsdocs.yaml")  # the same PDF engine
    assert run(again, "build", "cpom", "--jobs", "1").exit_code == 0
    for path in (contract / OUT).iterdir():
        assert path.read_bytes() == (again / OUT / path.name).read_bytes(), path.name
