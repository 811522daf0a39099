"""`arsdocs init DOSSIER [--familles courriers,statuts,cpom]`: a small project that `check` and
`build all` accept at once, to be edited from there — for each family asked: one letter to two
recipients; the first draft of a loi 1901 association's statutes with its expected clauses; a
CPOM with one orientation, one action sheet, one indicator and one funding line.

Its own files (settings, data, the letter's body) are in `modele/`; the templates every project
shares (the shells for each engine and their parts, `templates/commun/`, the index page) are
those of the example project, reached through `modele/gabarits` (a link to the repository's
`templates/`), and so is the list of the statutes' expected clauses: one copy of each in the
repository.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ars_docs.directory.importing import write_template
from ars_docs.directory.models import RecipientsFile
from ars_docs.source.errors import ArsDocsError, os_reason
from ars_docs.source.starters import FAMILY_FILES, FAMILY_TEMPLATES, SHARED_FILES, STARTER_FAMILIES
from ars_docs.source.yamlsource import parse_yaml

MODEL = Path(__file__).resolve().parents[1] / "modele"
SHARED = MODEL / "gabarits"
EXAMPLE = MODEL / "exemple"
"""The whole example (`init --exemple`): links to the repository's `data/` and `arsdocs.yaml`, its
templates being `SHARED`; a wheel holds copies (setuptools follows the links)."""
LETTER_TEMPLATES = ("lettre.html", "lettre.docx", "lettre.css", "lettre.typ", "expediteur.md", "destinataire.md",
                    "ouverture.md", "signature.md", "courriel.txt", "reponse.html", "reponse.typ",
                    "donnees-personnelles.txt")
"""The letters' shells for each engine (HTML and Word; Typst with `moteur_pdf: typst`) and their parts."""
IGNORED = "/out/\n/.arsdocs.verrou\n"
TEMPLATE = "destinataires-modele.xlsx"
"""The spreadsheet to fill in for `arsdocs import destinataires`, with the expected headers."""

FIRST_STEPS = {
    "": "  - arsdocs.yaml : le bloc marque officiel (logo), à la place du bloc provisoire, et l'agence (agence:) ;",
    "courriers": """\
  - data/recipients.yaml : vos établissements et leurs destinataires (ou, depuis un tableur :
    complétez destinataires-modele.xlsx, puis arsdocs import destinataires destinataires-modele.xlsx) ;
  - data/courriers/premier-courrier.yaml : la date, l'objet, l'expéditeur, le signataire ;
  - templates/letters/premier-courrier.md : le texte du courrier ;""",
    "statuts": "  - data/statuts/association/v1.yaml : le projet de statuts (renommez le dossier d'après "
               "l'association) ;",
    "cpom": "  - data/cpom/contrat.yaml : les annexes du CPOM (orientations, fiches actions, indicateurs, "
            "financement) ;",
}
CLOSING_STEPS = """\
Chaque valeur marquée !a-remplacer (ou a_remplacer dans un gabarit) est à remplacer par la vôtre :
arsdocs check --definitif les liste toutes. Puis : arsdocs check, et arsdocs build all (les documents
sont dans out/, out/index.html les liste)."""


EXAMPLE_STEPS = """\
C'est l'exemple complet d'arsdocs : courriers et relances du DSR de chirurgie pédiatrique, projets de
statuts, annexes du CPOM 2027-2030. Essayez : arsdocs check, puis arsdocs build all (out/index.html).
Ses valeurs provisoires (bloc marque, adresses example.fr, code FIR « à confirmer ») sont signalées
à la fin de check et de build ; arsdocs check --definitif les refuse."""


def first_steps(families: tuple[str, ...]) -> str:
    """What to edit first in a starter project of these families, in order."""
    lines = [FIRST_STEPS[""], *(FIRST_STEPS[family] for family in families)]
    return "Pour commencer, dans cet ordre :\n" + "\n".join(lines) + "\n" + CLOSING_STEPS


def parse_families(text: str) -> tuple[str, ...]:
    """`courriers,statuts` → the families in their usual order; an unknown one refused in French."""
    asked = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in asked if name not in STARTER_FAMILIES]
    if unknown or not asked:
        raise ArsDocsError(f"--familles « {text} » : familles possibles, séparées par des virgules : "
                           + ", ".join(STARTER_FAMILIES))
    return tuple(name for name in STARTER_FAMILIES if name in asked)


def create(folder: Path, example: bool = False, families: tuple[str, ...] = ("courriers",)) -> None:
    """Write the starter project of `families` (or with `example`, the whole example) into
    `folder` (new, or empty), whole or not at all."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ArsDocsError(f"« {folder} » existe et n'est pas un dossier vide : choisissez un dossier nouveau "
                           "ou vide")
    if not (SHARED / "letters").is_dir():
        raise ArsDocsError(f"les gabarits d'exemple sont introuvables dans cette installation d'arsdocs ({SHARED})")
    folder = folder.resolve()  # « arsdocs init . » in an empty folder works too
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp's folder is private: the project gets the usual rights
        moved: list[Path] = []
        try:
            _write_example(staging) if example else _write(staging, families)
            if not folder.exists():
                staging.rename(folder)
                return
            for child in sorted(staging.iterdir()):  # into the empty folder (perhaps the current one)
                moved.append(child.rename(folder / child.name))
            staging.rmdir()
        except BaseException:
            for path in moved:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as error:
        raise ArsDocsError(f"impossible de créer le projet dans « {folder} » : {os_reason(error)}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_example(target: Path) -> None:
    if not (EXAMPLE / "data").is_dir():
        raise ArsDocsError(f"l'exemple est introuvable dans cette installation d'arsdocs ({EXAMPLE})")
    ignored = shutil.ignore_patterns("__pycache__")
    shutil.copytree(SHARED, target / "templates", ignore=ignored)
    shutil.copytree(EXAMPLE / "data", target / "data", ignore=ignored)
    shutil.copy(EXAMPLE / "arsdocs.yaml", target / "arsdocs.yaml")
    (target / ".gitignore").write_text(IGNORED, encoding="utf-8")


def _write(target: Path, families: tuple[str, ...]) -> None:
    templates = target / "templates"
    for name in SHARED_FILES:
        shared = SHARED / name.removeprefix("templates/")
        if shared.is_dir():
            shutil.copytree(shared, target / name)
        else:
            shutil.copy(shared, target / name)
    shutil.copy(MODEL / "arsdocs.yaml", target / "arsdocs.yaml")
    for family in families:
        folder = FAMILY_TEMPLATES[family]
        if family == "courriers":
            (templates / folder).mkdir()
            for name in LETTER_TEMPLATES:
                shutil.copy(SHARED / folder / name, templates / folder / name)
        else:
            shutil.copytree(SHARED / folder, templates / folder, ignore=shutil.ignore_patterns("__pycache__"))
        for name in FAMILY_FILES[family]:
            source = MODEL / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"),
                                dirs_exist_ok=True)
            else:
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target / name)
    if "statuts" in families:  # the expected clauses of any association: the example's list
        shutil.copy(EXAMPLE / "data" / EXPECTED_CLAUSES, target / "data" / EXPECTED_CLAUSES)
    (target / ".gitignore").write_text(IGNORED, encoding="utf-8")
    if "courriers" in families:
        recipients = target / "data" / "recipients.yaml"  # its values marked !a-remplacer: read as the project reads
        people = RecipientsFile.model_validate(parse_yaml(recipients.read_bytes(), "data/recipients.yaml").data)
        write_template(target / TEMPLATE, people.etablissements)


EXPECTED_CLAUSES = "statuts/clauses-attendues.yaml"
