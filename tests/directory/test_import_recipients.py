"""`arsdocs import destinataires`: the officers' contact list, from Excel or from a CSV written by
Excel on Windows, merged into data/recipients.yaml (in process: no document is built)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml

from helpers.project import run, started_project

HEADERS = ["Établissement", "FINESS", "Adresse", "Code postal", "Ville", "Civilité", "Prénom", "Nom", "Fonction",
           "Service", "Courriel"]
ROWS = [
    ["CH de Verdun", "550000046", "2 rue d'Anthouard", "55100", "Verdun", "Madame", "Anne", "Leroy",
     "Directrice", "", "anne.leroy@example.fr"],
    ["CH de Verdun", "550000046", "2 rue d'Anthouard", "55100", "Verdun", "Monsieur", "Jean", "Petit",
     "Président de la CME", "", "jean.petit@example.fr"],
    ["CH de Verdun", "550000046", "2 rue d'Anthouard", "55100", "Verdun", "Mme", "Éloïse", "Müller",
     "Cheffe de pôle", "Pôle Femme-Enfant", "eloise.muller@example.fr"],
    ["CHU d'Exemple", "", "1 rue de l'Hôpital", "54000", "Nancy", "Madame", "Claire", "Martin-Roux", "Directeur",
     "", "claire.martin@example.fr"],
    ["CHU d'Exemple", "", "1 rue de l'Hôpital", "54000", "Nancy", "", "Luc", "Bernard", "chef_service",
     "Chirurgie pédiatrique", "luc.bernard@example.fr"],  # the data file's own value, typed as it is
]
RECIPIENTS = "data/recipients.yaml"


def _project(folder: Path) -> Path:
    return started_project(folder)


def _xlsx(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])  # as Excel keeps numbers
    workbook.save(path)
    return path


def _csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str, separator: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=separator).writerows([headers, *rows])
    return path


def test_excel_and_a_windows_csv_of_the_same_rows_give_the_same_file(tmp_path: Path) -> None:
    """Headers matched whatever their case, accents or spacing; numbers Excel stored without their
    leading zeros; Windows-1252 and semicolons, or UTF-8 with a BOM and commas."""
    from_excel, from_csv, from_utf8 = (_project(tmp_path / name) for name in ("excel", "csv", "utf8"))
    variants = ["ETABLISSEMENT", "Finess", "adresse", "code  postal", "VILLE", "civilite", "Prénom", "NOM",
                "fonction", "Service ou pôle", "E-mail"]
    results = [
        run(from_excel, "import", "destinataires", str(_xlsx(tmp_path / "liste.xlsx", HEADERS, ROWS))),
        run(from_csv, "import", "destinataires", str(_csv(tmp_path / "liste.csv", variants, ROWS, "cp1252", ";"))),
        run(from_utf8, "import", "destinataires",
            str(_csv(tmp_path / "liste-utf8.csv", HEADERS, ROWS, "utf-8-sig", ","))),
    ]
    for result in results:
        assert result.exit_code == 0, result.output
    assert results[0].output.splitlines()[:2] == ["ajouté : CH de Verdun", "ajouté : CH de Verdun : Anne Leroy"]
    assert "modifié : CHU d'Exemple : Claire Martin-Roux (nom)" in results[0].output
    written = [(project / RECIPIENTS).read_bytes() for project in (from_excel, from_csv, from_utf8)]
    assert written[0] == written[1] == written[2]
    data = yaml.safe_load(written[0])
    verdun = next(place for place in data["etablissements"] if place["nom"] == "CH de Verdun")
    assert [person["fonction"] for person in verdun["destinataires"]] == ["directeur", "president_cme", "chef_pole"]
    assert verdun["code_postal"] == "55100" and verdun["finess"] == "550000046"
    text = written[0].decode("utf-8")
    assert text.startswith("# Destinataires, par établissement"), "the file's comments are kept"
    assert "fonction: directeur          # directeur | directeur_general" in text
    assert "paul.durand@example.fr" in text, "a person absent from the list is kept"
    assert run(from_excel, "check").exit_code == 0


def test_importing_the_same_rows_again_changes_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    sheet = _xlsx(tmp_path / "liste.xlsx", HEADERS, ROWS)
    assert run(project, "import", "destinataires", str(sheet)).exit_code == 0
    before = (project / RECIPIENTS).read_bytes()
    again = run(project, "import", "destinataires", str(sheet))
    assert again.exit_code == 0
    assert again.output == "Aucun changement : data/recipients.yaml contient déjà ces 5 destinataire(s), tels quels.\n"
    assert (project / RECIPIENTS).read_bytes() == before


def test_the_template_that_init_writes_imports_as_it_is(tmp_path: Path) -> None:
    project = tmp_path / "projet"
    assert run(tmp_path, "init", str(project)).exit_code == 0
    result = run(project, "import", "destinataires", str(project / "destinataires-modele.xlsx"))
    assert result.exit_code == 0 and result.output.startswith("Aucun changement"), result.output
    sheet = openpyxl.load_workbook(project / "destinataires-modele.xlsx").worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["Établissement", "Identifiant", "FINESS"]


@pytest.mark.parametrize(("change", "expected"), [
    ((1, 1, "550000047"), "liste.csv:3:2 : colonne B (« FINESS ») : numéro FINESS « 550000047 » : la clé (le "
                          "dernier chiffre) ne correspond pas aux huit premiers"),
    ((2, 8, "Infirmier"), "liste.csv:4:9 : colonne I (« Fonction ») : fonction inconnue « Infirmier »"),
    ((0, 10, "anne.leroy@"), "liste.csv:2:11 : colonne K (« Courriel ») : adresse électronique invalide"),
    ((3, 3, "540000"), "liste.csv:5:4 : colonne D (« Code postal ») : code postal invalide « 540000 »"),
    ((0, 5, "Madame la"), "liste.csv:2:6 : colonne F (« Civilité ») : civilité inconnue « Madame la »"),
])
def test_a_bad_row_is_named_with_its_column_and_nothing_is_written(tmp_path: Path, change: tuple[int, int, str],
                                                                   expected: str) -> None:
    project = _project(tmp_path / "projet")
    before = (project / RECIPIENTS).read_bytes()
    rows = [list(row) for row in ROWS]
    row, column, value = change
    rows[row][column] = value
    result = run(project, "import", "destinataires", str(_csv(tmp_path / "liste.csv", HEADERS, rows, "cp1252", ";")))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert expected in result.output, result.output
    assert (project / RECIPIENTS).read_bytes() == before


def test_a_missing_column_is_named_and_a_mapping_finds_it(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    before = (project / RECIPIENTS).read_bytes()
    headers = [*HEADERS[:-1], "Adresse de messagerie professionnelle"]
    sheet = _csv(tmp_path / "liste.csv", headers, ROWS, "utf-8", ";")
    refused = run(project, "import", "destinataires", str(sheet))
    assert refused.exit_code == 1
    assert "liste.csv:1 : colonne(s) manquante(s) : Courriel" in refused.output
    assert (project / RECIPIENTS).read_bytes() == before
    mapped = run(project, "import", "destinataires", str(sheet), "--colonne",
                 "Adresse de messagerie professionnelle=email")
    assert mapped.exit_code == 0, mapped.output


def test_a_corsican_finess_is_accepted_and_said_unchecked(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    corsica = ["CH d'Ajaccio", "2A0000011", "27 avenue de l'Impératrice Eugénie", "20000", "Ajaccio", "Madame",
               "Laetitia", "Santoni", "Directrice", "", "laetitia.santoni@example.fr"]
    result = run(project, "import", "destinataires", str(_csv(tmp_path / "corse.csv", HEADERS, [corsica], "utf-8",
                                                                  ";")))
    assert result.exit_code == 0, result.output
    assert "Note : ligne 2 : numéro FINESS corse 2A0000011 accepté sans vérifier sa clé" in result.output


def test_an_ods_file_is_answered_in_french(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    (tmp_path / "liste.ods").write_bytes(b"PK")
    result = run(project, "import", "destinataires", str(tmp_path / "liste.ods"))
    assert result.exit_code == 1 and "enregistrez la feuille en .xlsx ou en .csv" in result.output
