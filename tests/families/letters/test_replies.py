"""The reply loop: forms filled as a reader would, imported, reminders for the others, member annex."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
import yaml
from pypdf import PdfReader, PdfWriter

from helpers.project import copy_project, run, use_engine
from helpers.readback import docx_paragraphs

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
FORMS = Path("out/letters/lancement-dsr/formulaires")
REIMS = {"medecin_nom": "Poirier", "medecin_prenom": "Hélène", "medecin_email": "helene.poirier@example.fr",
         "directeur_nom": "Martin", "directeur_prenom": "Claire", "directeur_email": "claire.martin@example.fr"}
TROYES = {"medecin_nom": "Royer", "medecin_prenom": "Pierre", "medecin_email": "pierre.royer@example.fr",
          "directeur_nom": "Girard", "directeur_prenom": "Valérie", "directeur_email": "valerie.girard@example.fr"}


@pytest.fixture
def project(tmp_path: Path, engine: str) -> Path:
    """The small project's letters built, with each PDF engine in turn: the forms are filled and
    imported the same whether WeasyPrint or Typst (fields added by arsdocs) made them."""
    built = use_engine(copy_project(tmp_path / "projet", "petit"), engine)
    assert run(built, "build", "letters").exit_code == 0
    return built


def fill_pdf(form: Path, target: Path, values: dict[str, str], mtime: int) -> Path:
    """What a PDF reader does when the form is filled in and saved."""
    writer = PdfWriter(clone_from=PdfReader(form))
    writer.update_page_form_field_values(writer.pages[0], values, auto_regenerate=False)
    writer.write(target)
    os.utime(target, (mtime, mtime))
    return target


def fill_docx(form: Path, target: Path, values: dict[str, str], mtime: int) -> Path:
    """What Word does when the table is filled in and saved."""
    document = docx.Document(str(form))
    table = document.tables[0]
    for row, field in enumerate(("nom", "prenom", "email"), start=1):
        for column, role in enumerate(("medecin", "directeur"), start=1):
            table.cell(row, column).text = values[f"{role}_{field}"]
    document.save(str(target))
    os.utime(target, (mtime, mtime))
    return target


def members(project: Path) -> dict[str, dict[str, object]]:
    data = yaml.safe_load((project / "data/membres.yaml").read_text(encoding="utf-8"))
    return {member["etablissement"]: member for member in data["membres"]}


def test_filled_pdf_and_word_forms_are_imported(project: Path, tmp_path: Path) -> None:
    answers = tmp_path / "reponses"
    answers.mkdir()
    fill_pdf(project / FORMS / "reponse-chu-reims.pdf", answers / "reims.pdf", REIMS, 1_780_000_000)
    fill_docx(project / FORMS / "reponse-ch-troyes.docx", answers / "troyes.docx", TROYES, 1_780_000_100)
    result = run(project, "import", "reponses", str(answers))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "importé : reims.pdf : CHU de Reims : médecin référent Hélène POIRIER, directeur référent Claire MARTIN",
        "importé : troyes.docx : Centre hospitalier de Troyes : médecin référent Pierre ROYER, directeur référent "
        "Valérie GIRARD",
        "2 réponse(s) importée(s), 0 refusée(s) ; 2 établissement(s) dans data/membres.yaml"]
    found = members(project)
    assert found["chu-reims"]["reponse"]["referents"][0] == {
        "role": "medecin", "libelle": "Médecin référent",
        "valeurs": {"nom": "Poirier", "prenom": "Hélène", "email": "helene.poirier@example.fr"}}
    assert found["ch-troyes"]["reponse"]["referents"][1]["valeurs"]["prenom"] == "Valérie"
    assert found["ch-troyes"]["reponse"]["fichier"] == "troyes.docx"
    assert found["chu-reims"]["reponse"]["date"] == "2026-05-28T20:26:40Z"
    assert run(project, "check").exit_code == 0, "the file written loads back through validation"


def test_establishment_fields_are_read_only(project: Path) -> None:
    fields = PdfReader(project / FORMS / "reponse-chu-reims.pdf").get_fields()
    assert fields["etablissement"]["/V"] == "CHU de Reims" and fields["reference"]["/V"] == "chu-reims"
    assert int(fields["etablissement"]["/Ff"]) & 1 and int(fields["reference"]["/Ff"]) & 1
    assert not int(fields["medecin_email"].get("/Ff", 0)) & 1


def test_bad_answers_are_reported_and_nothing_is_lost(project: Path, tmp_path: Path) -> None:
    first = tmp_path / "premier"
    first.mkdir()
    fill_pdf(project / FORMS / "reponse-chu-reims.pdf", first / "reims.pdf", REIMS, 1_780_000_000)
    assert run(project, "import", "reponses", str(first)).exit_code == 0
    before = (project / "data/membres.yaml").read_bytes()

    bad = tmp_path / "mauvais"
    bad.mkdir()
    fill_pdf(project / FORMS / "reponse-ch-troyes.pdf", bad / "courriel.pdf",
             {**TROYES, "directeur_email": "valerie.girard@"}, 1_780_000_200)
    fill_pdf(project / FORMS / "reponse-ch-troyes.pdf", bad / "incomplet.pdf",
             {**TROYES, "medecin_prenom": ""}, 1_780_000_200)
    stranger = docx.Document(str(project / FORMS / "reponse-ch-troyes.docx"))
    stranger.core_properties.identifier = "reponse:clinique-inconnue"
    stranger.save(str(bad / "inconnu.docx"))
    (bad / "photo.pdf").write_bytes(b"%PDF-1.4 ceci n'est pas un formulaire")
    (bad / "lettre.docx").write_bytes((project / "out/letters/lancement-dsr/ch-troyes--pierre-royer.docx").read_bytes())
    fill_pdf(project / FORMS / "reponse-chu-reims.pdf", bad / "ancien.pdf",
             {**REIMS, "medecin_nom": "Ancien"}, 1_770_000_000)
    result = run(project, "import", "reponses", str(bad))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("refusé : courriel.pdf : courriel (directeur référent) : adresse électronique invalide "
            "« valerie.girard@ »") in lines
    assert "refusé : incomplet.pdf : champ(s) vide(s) : prénom (médecin référent)" in lines
    assert "refusé : inconnu.docx : établissement inconnu « clinique-inconnue »" in lines
    assert "refusé : photo.pdf : fichier illisible : ce n'est pas un formulaire de réponse" in lines
    assert ("refusé : lettre.docx : ce n'est pas un formulaire de réponse arsdocs (pas de référence "
            "d'établissement)") in lines
    assert ("refusé : ancien.pdf : réponse du 02/02/2026 02:40 plus ancienne que celle déjà importée pour "
            "CHU de Reims (reims.pdf, 28/05/2026 20:26) : ignorée") in lines
    assert (project / "data/membres.yaml").read_bytes() == before


def test_each_returned_file_is_taken_or_refused_on_its_own(project: Path, tmp_path: Path) -> None:
    """Whatever comes back: any value in any field, read-only fields altered, a form renamed as
    another establishment's, damaged, protected or foreign files. Each file has its French reason;
    none stops the others (a zero-width space stopped the whole import with a traceback)."""
    form = project / FORMS / "reponse-chu-reims.pdf"
    folder = tmp_path / "retours"
    folder.mkdir()
    refused = {
        "invisible.pdf": ({"medecin_nom": "Poi\u200brier"}, "nom (médecin référent) : caractère de contrôle ou non "
                          "attribué interdit (U+200B)"),
        "emoji.pdf": ({"medecin_prenom": "Hélène 😀"}, "prénom (médecin référent) : caractère « 😀 » (U+1F600) "
                      "absent des polices des documents"),
        "deux-lignes.pdf": ({"directeur_nom": "Martin\nDupont"}, "nom (directeur référent) : retour à la ligne ou "
                            "tabulation interdits"),
        "long.pdf": ({"directeur_prenom": "C" * 5000}, "prénom (directeur référent) : 5000 caractères, 80 au plus"),
        "reference.pdf": ({"reference": "ch-troyes"}, "champ en lecture seule modifié : « Établissement » vaut "
                          "« CHU de Reims » et non « Centre hospitalier de Troyes »"),
        "nom.pdf": ({"etablissement": "Clinique pirate"}, "champ en lecture seule modifié : « Établissement » vaut "
                    "« Clinique pirate » et non « CHU de Reims »"),
        "reponse-ch-troyes.pdf": ({}, "le fichier porte le nom du formulaire de Centre hospitalier de Troyes mais "
                                  "contient celui de CHU de Reims"),
    }
    for name, (values, _) in refused.items():
        fill_pdf(form, folder / name, {**REIMS, **values}, 1_780_000_000)
    protected = PdfWriter(clone_from=PdfReader(form))
    protected.encrypt("secret", algorithm="AES-256")
    protected.write(folder / "protege.pdf")
    refused["protege.pdf"] = ({}, "PDF protégé par un mot de passe")
    whole = (folder / "long.pdf").read_bytes()
    (folder / "tronque.pdf").write_bytes(whole[: len(whole) // 2])
    refused["tronque.pdf"] = ({}, "fichier illisible : ce n'est pas un formulaire de réponse")
    (folder / "vide.docx").write_bytes(b"")
    refused["vide.docx"] = ({}, "fichier illisible : ce n'est pas un formulaire de réponse")
    (folder / "notes.odt").write_bytes(b"PK")
    refused["notes.odt"] = ({}, "ni PDF ni Word")
    word = docx.Document(str(project / FORMS / "reponse-ch-troyes.docx"))
    word.paragraphs[1].text = "Établissement : CHU de Reims"
    word.save(str(folder / "word-modifie.docx"))
    refused["word-modifie.docx"] = ({}, "champ en lecture seule modifié : « Établissement » vaut « CHU de Reims »")
    fill_pdf(form, folder / "bon.pdf", REIMS, 1_780_000_100)

    result = run(project, "import", "reponses", str(folder))
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    for name, (_, reason) in refused.items():
        assert any(line.startswith(f"refusé : {name} : {reason}") for line in lines), (name, result.output)
    assert ("importé : bon.pdf : CHU de Reims : médecin référent Hélène POIRIER, directeur référent Claire MARTIN"
            in lines)
    assert all(line.startswith(("refusé : ", "importé : ", "1 réponse(s)", "Erreur : ")) for line in lines), lines
    assert set(members(project)) == {"chu-reims"}


def test_a_newer_answer_replaces_and_keeps_the_older_one(project: Path, tmp_path: Path) -> None:
    for name, surname, mtime in (("premiere", "Poirier", 1_780_000_000), ("seconde", "Lambert", 1_780_100_000)):
        folder = tmp_path / name
        folder.mkdir()
        fill_pdf(project / FORMS / "reponse-chu-reims.pdf", folder / f"{name}.pdf",
                 {**REIMS, "medecin_nom": surname}, mtime)
        assert run(project, "import", "reponses", str(folder)).exit_code == 0
    reims = members(project)["chu-reims"]
    assert reims["reponse"]["referents"][0]["valeurs"]["nom"] == "Lambert"
    assert [answer["referents"][0]["valeurs"]["nom"] for answer in reims["historique"]] == ["Poirier"]


def test_reminders_go_to_exactly_the_others(project: Path, tmp_path: Path) -> None:
    answers = tmp_path / "reponses"
    answers.mkdir()
    fill_docx(project / FORMS / "reponse-ch-troyes.docx", answers / "troyes.docx", TROYES, 1_780_000_000)
    assert run(project, "import", "reponses", str(answers)).exit_code == 0
    result = run(project, "build", "relances")
    assert result.exit_code == 0, result.output
    folder = project / "out/relances/relance-dsr"
    assert sorted(p.stem for p in folder.glob("*--*.pdf")) == ["chu-reims--camille-roth", "chu-reims--claire-martin"]
    assert sorted(p.name for p in (folder / "formulaires").iterdir()) == ["reponse-chu-reims.docx",
                                                                          "reponse-chu-reims.html",
                                                                          "reponse-chu-reims.pdf"]
    text = "\n".join(docx_paragraphs(folder / "chu-reims--claire-martin.docx"))
    assert "la réponse de votre établissement, attendue pour le 22\u00a0mai\u00a02026, ne nous est pas encore " \
           "parvenue" in text  # the reminder is dated after the letter's deadline, and says which it was
    assert "avant le 5\u00a0juin\u00a02026" in text
    assert (folder / "chu-reims--claire-martin.eml").exists() and (folder / "impression.pdf").exists()


def test_statutes_list_exactly_the_imported_members(project: Path, tmp_path: Path, edit: Edit) -> None:
    answers = tmp_path / "reponses"
    answers.mkdir()
    fill_pdf(project / FORMS / "reponse-chu-reims.pdf", answers / "reims.pdf", REIMS, 1_780_000_000)
    assert run(project, "import", "reponses", str(answers)).exit_code == 0
    draft = project / "data/statuts/dsr-chirurgie-pediatrique/v2.yaml"
    edit(draft, "regime: loi-1901\n", "regime: loi-1901\nannexe_membres: oui\n")
    assert run(project, "build", "statuts").exit_code == 0
    annex = docx.Document(str(project / "out/statuts/dsr-chirurgie-pediatrique/statuts-v2.docx")).tables[-1]
    assert [[cell.text for cell in row.cells] for row in annex.rows] == [
        ["Établissement membre", "Médecin référent", "Directeur référent"],
        ["CHU de Reims", "Hélène POIRIER", "Claire MARTIN"]]
    assert "helene.poirier@example.fr" not in "\n".join(
        docx_paragraphs(project / "out/statuts/dsr-chirurgie-pediatrique/statuts-v2.docx"))


def test_member_annex_without_answers_is_a_located_error(project: Path, edit: Edit) -> None:
    edit(project / "data/statuts/dsr-chirurgie-pediatrique/v2.yaml", "regime: loi-1901\n",
         "regime: loi-1901\nannexe_membres: oui\n")
    result = run(project, "build", "statuts")
    assert result.exit_code == 1
    assert ("  data/statuts/dsr-chirurgie-pediatrique/v2.yaml:12:17 : annexe_membres : data/membres.yaml est "
            "introuvable : importez d'abord les réponses (arsdocs import reponses DOSSIER)"
            ) in result.output.splitlines()
    shutil.rmtree(project / "out")


def test_two_different_answers_with_the_same_date_are_both_refused(project: Path, tmp_path: Path) -> None:
    """Both were « importé » before, the current one chosen by file-name order without a word."""
    folder = tmp_path / "recus"
    folder.mkdir()
    form = project / FORMS / "reponse-chu-reims.pdf"
    fill_pdf(form, folder / "reims-a.pdf", REIMS, 1_780_000_000)
    fill_pdf(form, folder / "reims-b.pdf", {**REIMS, "medecin_nom": "Durand"}, 1_780_000_000)
    result = run(project, "import", "reponses", str(folder))
    assert result.exit_code == 1
    for name in ("reims-a.pdf", "reims-b.pdf"):
        assert (f"refusé : {name} : réponses différentes pour CHU de Reims à la même date (28/05/2026 20:26) : "
                "reims-a.pdf, reims-b.pdf ; impossible de dire laquelle est la dernière, aucune n'est importée"
                ) in result.output
    assert not (project / "data/membres.yaml").exists()


def test_a_genuine_answer_outranks_one_whose_date_was_not_believed(project: Path, tmp_path: Path) -> None:
    """A form dated next year is imported today; the establishment's genuine form, saved yesterday,
    comes in after: it is current (it was refused as « plus ancienne »)."""
    import time

    first, second = tmp_path / "premier", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    form = project / FORMS / "reponse-chu-reims.pdf"
    fill_pdf(form, first / "futur.pdf", {**REIMS, "medecin_nom": "Futur"}, int(time.time()) + 365 * 86_400)
    assert run(project, "import", "reponses", str(first)).exit_code == 0
    assert members(project)["chu-reims"]["reponse"]["date_fiable"] is False
    fill_pdf(form, second / "vrai.pdf", REIMS, int(time.time()) - 86_400)
    result = run(project, "import", "reponses", str(second))
    assert result.exit_code == 0, result.output
    assert "remplace futur.pdf, dont la date du fichier n'était pas crue" in result.output
    current = members(project)["chu-reims"]
    assert current["reponse"]["fichier"] == "vrai.pdf" and "date_fiable" not in current["reponse"]
    assert [answer["fichier"] for answer in current["historique"]] == ["futur.pdf"]


QUALITY_FORM = """reponse:
  date_limite: 2026-05-15
  adresse: dsr-chirpedia-ge@gmail.com
  roles:
    - {id: qualite, libelle: Référente qualité}
  champs:
    - {id: nom, libelle: Nom}
    - {id: prenom, libelle: Prénom}
    - {id: telephone, libelle: Téléphone}
    - {id: email, libelle: Courriel}
"""


def test_a_letter_declares_its_own_reply_form(project: Path, tmp_path: Path, edit: Edit) -> None:
    """Another mailing asks for one person and four lines: the forms (PDF and Word) have that table,
    their fields are named after it, and the import reads them back into data/membres.yaml."""
    letter = project / "data/courriers/lancement-dsr.yaml"
    text = letter.read_text(encoding="utf-8")
    start = text.index("reponse:\n")
    end = text.index("\n", text.index("  adresse:", start)) + 1
    letter.write_text(text[:start] + QUALITY_FORM + text[end:], encoding="utf-8")
    assert run(project, "build", "letters").exit_code == 0
    form = project / FORMS / "reponse-chu-reims.pdf"
    fields = PdfReader(form).get_fields() or {}
    assert [name for name in fields if "_" in name] == ["qualite_nom", "qualite_prenom", "qualite_telephone",
                                                        "qualite_email"]
    assert str(fields["qualite_telephone"].get("/TU")) == "Référente qualité : Téléphone"
    word = docx.Document(str(project / FORMS / "reponse-ch-troyes.docx")).tables[0]
    assert [[cell.text for cell in row.cells] for row in word.rows] == [
        ["Coordonnées", "Référente qualité"], ["Nom", ""], ["Prénom", ""], ["Téléphone", ""], ["Courriel", ""]]
    answers = tmp_path / "reponses"
    answers.mkdir()
    fill_pdf(form, answers / "reims.pdf", {"qualite_nom": "Roux", "qualite_prenom": "Anne",
                                           "qualite_telephone": "03 26 78 70 00", "qualite_email": "anne.roux@chu.fr"},
             1_780_000_000)
    troyes = docx.Document(str(project / FORMS / "reponse-ch-troyes.docx"))
    for row, value in enumerate(("Blanc", "Marc", "03 25 49 49 49", "bademail"), start=1):
        troyes.tables[0].cell(row, 1).text = value
    troyes.save(str(answers / "troyes.docx"))
    result = run(project, "import", "reponses", str(answers))
    lines = result.output.splitlines()
    assert "importé : reims.pdf : CHU de Reims : référente qualité Anne ROUX" in lines, result.output
    assert ("refusé : troyes.docx : courriel (référente qualité) : adresse électronique invalide « bademail »"
            in lines), result.output
    assert members(project)["chu-reims"]["reponse"]["referents"] == [{
        "role": "qualite", "libelle": "Référente qualité",
        "valeurs": {"nom": "Roux", "prenom": "Anne", "telephone": "03 26 78 70 00", "email": "anne.roux@chu.fr"}}]


def test_a_reminder_to_everyone_is_said(project: Path) -> None:
    """No answer imported yet: the reminders go to every establishment, which may be meant (nobody
    answered) or not (the answers are waiting in a folder): said before they are sent."""
    assert run(project, "build", "relances").exit_code == 0
    result = run(project, "send", "relances")
    assert result.exit_code == 0, result.output
    assert ("Attention : data/relances : aucune réponse importée (data/membres.yaml est absent ou vide) : la relance "
            "va à tous les établissements (2) ; importez d'abord les réponses reçues (arsdocs import reponses "
            "DOSSIER)") in result.output.splitlines()
