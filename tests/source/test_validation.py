"""Bad input: one French line per problem, with file:line:column and field, all at once, exit 1."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.project import run

Edit = Callable[[Path, str, str], None]

RECIPIENTS = "data/recipients.yaml"
WEBINARS = "data/webinaires.yaml"
LETTER = "data/courriers/lancement-dsr.yaml"
BODY = "templates/letters/lancement-dsr.md"

# (file, text, replacement, expected message lines)
CASES = {
    "yaml-syntax": (RECIPIENTS, "    nom: CHU de Reims", "    nom: [CHU de Reims",
                    ["data/recipients.yaml:4:11 : syntaxe YAML invalide : « , » ou « ] » attendu : "
                     "crochet non fermé ? (dans une liste entre crochets)"]),
    "tab": (RECIPIENTS, "    nom: CHU de Reims", "\tnom: CHU de Reims",
            ["data/recipients.yaml:3:1 : tabulation interdite : en YAML, indentez avec des espaces"]),
    "unknown-key": (RECIPIENTS, "        prenom: Claire", "        prénom: Claire",
                    ["data/recipients.yaml:9:9 : etablissements[1].destinataires[1].prenom : "
                     "champ obligatoire manquant",
                     "data/recipients.yaml:10:9 : etablissements[1].destinataires[1].prénom : "
                     "clé inconnue « prénom » ; vouliez-vous dire « prenom » ?"]),
    "missing-field": (RECIPIENTS, "    ville: Troyes Cedex\n", "",
                      ["data/recipients.yaml:20:5 : etablissements[2].ville : champ obligatoire manquant"]),
    "wrong-type": (RECIPIENTS, 'adresse: ["101 avenue Anatole France"]', "adresse: {rue: 101 avenue Anatole France}",
                   ["data/recipients.yaml:22:14 : etablissements[2].adresse : doit être une liste (lignes commençant "
                    "par « - »)"]),
    "bad-email": (RECIPIENTS, "email: pierre.royer@example.fr", "email: pierre.royer@@example",
                  ["data/recipients.yaml:30:16 : etablissements[2].destinataires[1].email : adresse électronique "
                   "invalide « pierre.royer@@example »"]),
    "unknown-function": (RECIPIENTS, "fonction: president_cme", "fonction: presidente_cme",
                         ["data/recipients.yaml:29:19 : etablissements[2].destinataires[1].fonction : valeur "
                          "« presidente_cme » non reconnue ; valeurs possibles : directeur, directeur_general, "
                          "president_cme, chef_service, chef_pole"]),
    "unknown-civility": (RECIPIENTS, "civilite: Monsieur", "civilite: Mr",
                         ["data/recipients.yaml:26:19 : etablissements[2].destinataires[1].civilite : valeur « Mr » "
                          "non reconnue ; valeurs possibles : Madame, Monsieur"]),
    "duplicate-establishment": (RECIPIENTS, "id: ch-troyes", "id: chu-reims",
                                ["data/recipients.yaml:20:9 : etablissements[2].id : identifiant « chu-reims » en "
                                 "double (déjà utilisé ligne 2)"]),
    "duplicate-recipient": (RECIPIENTS, "prenom: Camille\n        nom: Roth", "prenom: Claire\n        nom: MARTIN",
                            ["data/recipients.yaml:15:9 : etablissements[1].destinataires[2] : destinataire en "
                             "double : Claire MARTIN figure déjà ligne 9 pour « CHU de Reims »"]),
    "webinar-ends-before-start": (WEBINARS, 'fin: "15:30"', 'fin: "13:30"',
                                  ["data/webinaires.yaml:7:10 : webinaires[1].fin : le webinaire finit (13:30) avant "
                                   "de commencer (14:00)"]),
    "date-that-does-not-exist": (WEBINARS, "date: 2026-05-22", "date: 2026-02-30",
                                 ["data/webinaires.yaml:5:11 : webinaires[1].date : date invalide « 2026-02-30 » : une "
                                  "date qui existe, écrite AAAA-MM-JJ (par exemple 2026-05-22)"]),
    "template-unknown-attribute": (BODY, "{{ webinaire.fin | heure }}", "{{ webinaire.heure_fin | heure }}",
                                   ["templates/letters/lancement-dsr.md:20:219 : variable inconnue « heure_fin » : les "
                                    "données n'en fournissent pas"]),
    "template-unknown-variable": (BODY, "{{ destinataire.appel }}", "{{ appel }}",
                                  ["templates/letters/lancement-dsr.md:38:31 : variable inconnue « appel » : les "
                                   "données n'en fournissent pas"]),
    "template-syntax": (BODY, "{{ destinataire.appel }}", "{{ destinataire.appel }",
                        ["templates/letters/lancement-dsr.md:38:1 : syntaxe de gabarit invalide : « } » inattendu"]),
    "unknown-webinar": (LETTER, "webinaire: lancement-dsr-2026", "webinaire: lancement-2025",
                        ["data/courriers/lancement-dsr.yaml:5:12 : webinaire : webinaire « lancement-2025 » inconnu "
                         "dans data/webinaires.yaml (connus : lancement-dsr-2026)"]),
    "missing-body-template": (LETTER, "gabarit: lancement-dsr.md", "gabarit: relance.md",
                              ["data/courriers/lancement-dsr.yaml:4:10 : gabarit : gabarit introuvable "
                               "« templates/letters/relance.md »"]),
    "missing-logo": ("arsdocs.yaml", "logo: templates/commun/bloc-marque-provisoire.png",
                     "logo: templates/commun/logo-ars.png",
                     ["arsdocs.yaml:5:7 : logo : fichier introuvable « templates/commun/logo-ars.png »"]),
    "duplicate-key": (WEBINARS, "    fuseau: Europe/Paris", "    fuseau: Europe/Paris\n    fuseau: Europe/Berlin",
                      ["data/webinaires.yaml:9:5 : clé « fuseau » en double (déjà définie ligne 8)"]),
    "object-tag": (WEBINARS, "    fuseau: Europe/Paris", "    fuseau: !!python/object/apply:os.system [ls]",
                   ["data/webinaires.yaml:8:13 : étiquette YAML non autorisée "
                    "« tag:yaml.org,2002:python/object/apply:os.system »"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_with_its_location(small_project: Path, edit: Edit, case: str) -> None:
    file, old, new, expected = CASES[case]
    edit(small_project / file, old, new)
    result = run(small_project, "check")
    assert result.exit_code == 1
    count = "1 erreur" if len(expected) == 1 else f"{len(expected)} erreurs"
    assert result.output.splitlines() == [f"Erreur : {count} dans les données ou les gabarits :",
                                          *[f"  {line}" for line in expected]]


def test_every_problem_of_every_file_at_once(small_project: Path, edit: Edit) -> None:
    edit(small_project / RECIPIENTS, "email: pierre.royer@example.fr", "email: pierre.royer")
    edit(small_project / RECIPIENTS, "civilite: Monsieur", "civilite: Mr")
    edit(small_project / WEBINARS, 'fin: "15:30"', 'fin: "13:30"')
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert result.output.startswith("Erreur : 3 erreurs")
    assert "data/recipients.yaml:30:16" in result.output and "data/recipients.yaml:26:19" in result.output
    assert "data/webinaires.yaml:7:10" in result.output


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_failed_build_writes_nothing(small_project: Path, edit: Edit) -> None:
    assert run(small_project, "build", "letters").exit_code == 0
    before = _snapshot(small_project / "out")  # the outputs and the build's record (.arsdocs/)
    assert len([name for name in before if not name.startswith(".arsdocs")]) == 23
    edit(small_project / BODY, "{{ destinataire.appel }}", "{{ appel }}")
    result = run(small_project, "build", "letters")
    assert result.exit_code == 1 and "variable inconnue « appel »" in result.output
    assert _snapshot(small_project / "out") == before


def test_check_writes_nothing(small_project: Path) -> None:
    result = run(small_project, "check")
    assert result.exit_code == 0
    assert result.stdout == "Tout est valide : 3 courriers, 3 relances, 3 statuts, 5 annexes de CPOM.\n"
    assert result.stderr.startswith("Attention : à remplacer avant l'envoi ou la signature")  # the example's stand-ins
    assert not (small_project / "out").exists()


def test_as_a_command_no_traceback(small_project: Path, edit: Edit) -> None:
    edit(small_project / RECIPIENTS, "email: pierre.royer@example.fr", "email: pierre.royer")
    process = subprocess.run([sys.executable, "-m", "ars_docs", "build", "letters"], cwd=small_project,
                             capture_output=True, text=True, check=False)
    assert process.returncode == 1
    assert process.stdout == ""
    assert process.stderr.splitlines() == [
        "Erreur : 1 erreur dans les données ou les gabarits :",
        "  data/recipients.yaml:30:16 : etablissements[2].destinataires[1].email : adresse électronique invalide "
        "« pierre.royer »"]


def test_not_a_project(tmp_path: Path) -> None:
    result = run(tmp_path, "check")
    assert result.exit_code == 1
    assert "le fichier arsdocs.yaml est introuvable" in result.output and "--projet" in result.output


def test_not_utf8(small_project: Path) -> None:
    path = small_project / RECIPIENTS
    path.write_bytes(path.read_bytes().replace(b"Royer", "Roy\xe9r".encode("latin-1")))
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "data/recipients.yaml:28:17 : le fichier n'est pas encodé en UTF-8 (octet 0xe9)" in result.output


def test_empty_file(small_project: Path) -> None:
    (small_project / WEBINARS).write_text("# rien\n", encoding="utf-8")
    result = run(small_project, "check")
    assert "data/webinaires.yaml:1:1 : le fichier est vide" in result.output


def test_yaml_scalars_are_never_retyped(small_project: Path, edit: Edit) -> None:
    """`08011` stays a postal code (YAML 1.1 would read an octal number), `non` stays a word."""
    edit(small_project / RECIPIENTS, 'code_postal: "10003"', "code_postal: 08011")
    edit(small_project / RECIPIENTS, "nom: Royer", "nom: Non")
    assert run(small_project, "check").exit_code == 0


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("logo_hauteur_mm: 22", "logo_hauteur_mm: 3",
     "arsdocs.yaml:7:18 : logo_hauteur_mm : doit valoir plus que 5.0, pas « 3 »"),
    ("logo_hauteur_mm: 22", "logo_hauteur_mm: 80",
     "arsdocs.yaml:7:18 : logo_hauteur_mm : doit valoir au plus 60.0, pas « 80 »"),
])
def test_numeric_bounds_are_stated(small_project: Path, edit: Edit, old: str, new: str, expected: str) -> None:
    edit(small_project / "arsdocs.yaml", old, new)
    result = run(small_project, "check")
    assert result.exit_code == 1 and f"  {expected}" in result.output.splitlines(), result.output


def test_file_and_folder_names_are_identifiers(small_project: Path) -> None:
    (small_project / "data/courriers/lancement-dsr.yaml").rename(small_project / "data/courriers/Lancement DSR.yaml")
    (small_project / "data/statuts/dsr-chirurgie-pediatrique").rename(small_project / "data/statuts/DSR pédiatrie")
    result = run(small_project, "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("  data/courriers/Lancement DSR.yaml : nom invalide : identifiant « Lancement DSR » invalide : lettres "
            "minuscules sans accent, chiffres et tirets (par exemple « chu-reims »)") in lines
    assert ("  data/statuts/DSR pédiatrie : nom invalide : identifiant « DSR pédiatrie » invalide : lettres "
            "minuscules sans accent, chiffres et tirets (par exemple « chu-reims »)") in lines
