"""Families are optional: a project of letters only, or of statutes only, checks and builds;
`build all` builds the families the project has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.project import REPO, copy_project, run

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)


def _without(project: Path, *names: str) -> Path:
    for name in names:
        path = project / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return project


def test_a_project_of_letters_only(tmp_path: Path) -> None:
    project = _without(copy_project(tmp_path / "projet", "petit"), "data/relances", "data/statuts", "data/cpom",
                       "templates/statuts", "templates/cpom")
    checked = run(project, "check")
    assert checked.exit_code == 0 and checked.stdout == "Tout est valide : 3 courriers.\n"
    built = run(project, "build", "all")
    assert built.exit_code == 0, built.output
    assert built.stdout.startswith("courriers : 8 construit(s)") and len(built.stdout.splitlines()) == 1
    assert sorted(path.name for path in (project / "out").iterdir()) == [".arsdocs", "index.html", "letters"]
    refused = run(project, "build", "statuts")
    assert refused.exit_code == 1
    assert refused.output == ("Erreur : ce projet n'a pas de statuts : le dossier data/statuts/ n'existe pas "
                              "(voir la documentation, « Un projet »)\n")


def test_a_project_of_statutes_only(tmp_path: Path) -> None:
    project = _without(copy_project(tmp_path / "projet"), "data/relances", "data/courriers", "data/cpom",
                       "data/recipients.yaml", "data/webinaires.yaml", "templates/letters", "templates/cpom")
    assert run(project, "check").stdout == "Tout est valide : 3 statuts.\n"
    built = run(project, "build", "all")
    assert built.exit_code == 0 and built.output.startswith("statuts : 3 construit(s)"), built.output


def test_a_project_without_any_family_says_so(tmp_path: Path) -> None:
    project = _without(copy_project(tmp_path / "projet"), "data/relances", "data/courriers", "data/cpom",
                       "data/statuts")
    for command in (("check",), ("build", "all")):
        result = run(project, *command)
        assert result.exit_code == 1
        assert result.output.startswith("Erreur : aucun document à faire dans ce projet : aucun des dossiers "
                                        "data/courriers/, data/relances/, data/statuts/, data/cpom/ n'existe")


def test_init_makes_a_project_that_checks_and_builds_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "nouveau"
    created = run(tmp_path, "init", str(folder))
    assert created.exit_code == 0, created.output
    assert created.output.startswith(f"Projet créé dans {folder}.\nPour commencer, dans cet ordre :\n"
                                     "  - arsdocs.yaml : le bloc marque officiel")
    checked = run(folder, "check")
    assert checked.exit_code == 0 and checked.stdout == "Tout est valide : 2 courriers.\n", checked.output
    built = run(folder, "build", "all")
    assert built.exit_code == 0 and built.output.startswith("courriers : 5 construit(s)"), built.output
    letters = folder / "out/letters/premier-courrier"
    assert sorted(path.name for path in letters.glob("*.pdf")) == [
        "etablissement-1--autre-prenom-autre-nom.pdf", "etablissement-1--prenom-nom.pdf", "impression.pdf"]
    assert (letters / "formulaires/reponse-etablissement-1.pdf").is_file()
    assert not (letters / "invitation-webinaire.ics").exists(), "no webinar in the starter: no invitation"
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "/out/\n/.arsdocs.verrou\n"


def test_init_exemple_writes_the_whole_example_that_checks_at_once(tmp_path: Path) -> None:
    """For a user who installed the package without the repository: the example, as it is here."""
    folder = tmp_path / "exemple"
    created = run(tmp_path, "init", "--exemple", str(folder))
    assert created.exit_code == 0 and created.output.startswith(f"Exemple créé dans {folder}.\n"), created.output
    for name in ("data", "templates"):
        mine = sorted(path.relative_to(folder / name) for path in (folder / name).rglob("*") if path.is_file())
        shipped = sorted(path.relative_to(REPO / name) for path in (REPO / name).rglob("*") if path.is_file())
        assert mine == shipped
        assert all((folder / name / path).read_bytes() == (REPO / name / path).read_bytes() for path in mine)
    assert (folder / "arsdocs.yaml").read_bytes() == (REPO / "arsdocs.yaml").read_bytes()
    checked = run(folder, "check")
    assert checked.exit_code == 0
    assert checked.stdout == "Tout est valide : 52 courriers, 52 relances, 3 statuts, 5 annexes de CPOM.\n"
    assert "code: à confirmer" not in checked.stderr and "« à confirmer »" in checked.stderr  # its stand-ins, said
    assert run(folder, "check", "--definitif").exit_code == 1


def test_init_never_writes_into_a_folder_that_has_files(tmp_path: Path) -> None:
    (tmp_path / "occupe").mkdir()
    (tmp_path / "occupe" / "notes.txt").write_text("à garder", encoding="utf-8")
    result = run(tmp_path, "init", str(tmp_path / "occupe"))
    assert result.exit_code == 1
    assert result.output == f"Erreur : « {tmp_path / 'occupe'} » existe et n'est pas un dossier vide : choisissez " \
                            "un dossier nouveau ou vide\n"
    assert [path.name for path in (tmp_path / "occupe").iterdir()] == ["notes.txt"]
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")], "no staging folder left"


def test_every_missing_template_is_said_at_once(tmp_path: Path) -> None:
    """A newcomer who lost five templates learns of the five in one check, not one per run."""
    folder = tmp_path / "nouveau"
    assert run(tmp_path, "init", str(folder)).exit_code == 0
    for name in ("ouverture.md", "signature.md", "lettre.css", "reponse.html", "courriel.txt"):
        (folder / "templates/letters" / name).unlink()
    result = run(folder, "check")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Erreur : 5 erreurs dans les données ou les gabarits :",
        "  data/courriers/premier-courrier.yaml:41:3 : courriel.gabarit : gabarit introuvable "
        "« templates/letters/courriel.txt »",
        "  templates/letters/lettre.html:8 : feuille de style introuvable « templates/letters/lettre.css »",
        "  templates/letters/ouverture.md : gabarit introuvable",
        "  templates/letters/reponse.html : gabarit introuvable",
        "  templates/letters/signature.md : gabarit introuvable"]


def test_init_in_the_current_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ici"
    folder.mkdir()
    monkeypatch.chdir(folder)
    created = run(folder, "init", ".")
    assert created.exit_code == 0 and created.output.startswith(f"Projet créé dans {folder}.\n"), created.output
    assert (folder / "arsdocs.yaml").is_file() and run(folder, "check").exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ici"], "no staging folder left"
