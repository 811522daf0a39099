"""`arsdocs init DOSSIER`: a small project that `check` and `build all` accept at once — one letter
to two recipients, the letters' templates, the settings — to be edited from there.

Its own files (settings, data, the letter's body) are in `modele/`; the templates every project
shares (the letter's shells and parts, `templates/commun/`, the index page) are those of the
example project, reached through `modele/gabarits` (a link to the repository's `templates/`):
one copy of each in the repository.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ars_docs.directory.importing import write_template
from ars_docs.directory.models import RecipientsFile
from ars_docs.source.errors import ArsDocsError, os_reason
from ars_docs.source.yamlsource import parse_yaml

MODEL = Path(__file__).resolve().parents[1] / "modele"
SHARED = MODEL / "gabarits"
EXAMPLE = MODEL / "exemple"
"""The whole example (`init --exemple`): links to the repository's `data/` and `arsdocs.yaml`, its
templates being `SHARED`; a wheel holds copies (setuptools follows the links)."""
LETTER_TEMPLATES = ("lettre.html", "lettre.docx", "lettre.css", "lettre.typ", "expediteur.md", "destinataire.md",
                    "ouverture.md", "signature.md", "courriel.txt", "reponse.html", "reponse.typ")
"""The letters' shells for each engine (HTML and Word; Typst with `moteur_pdf: typst`) and their parts."""
IGNORED = "/out/\n/.arsdocs.verrou\n"
TEMPLATE = "destinataires-modele.xlsx"
"""The spreadsheet to fill in for `arsdocs import destinataires`, with the expected headers."""

FIRST_STEPS = """\
Pour commencer, dans cet ordre :
  1. arsdocs.yaml : le bloc marque officiel (logo), à la place du bloc provisoire ;
  2. data/recipients.yaml : vos établissements et leurs destinataires ;
  3. data/courriers/premier-courrier.yaml : la date, l'objet, l'expéditeur, le signataire ;
  4. templates/letters/premier-courrier.md : le texte du courrier.
Vos destinataires sont dans un tableur ? Complétez destinataires-modele.xlsx (mêmes en-têtes), puis :
  arsdocs import destinataires destinataires-modele.xlsx
Puis : arsdocs check, et arsdocs build all (les documents sont dans out/, out/index.html les liste)."""


EXAMPLE_STEPS = """\
C'est l'exemple complet d'arsdocs : courriers et relances du DSR de chirurgie pédiatrique, projets de
statuts, annexes du CPOM 2027-2030. Essayez : arsdocs check, puis arsdocs build all (out/index.html).
Ses valeurs provisoires (bloc marque, adresses example.fr, code FIR « à confirmer ») sont signalées
à la fin de check et de build ; arsdocs check --definitif les refuse."""


def create(folder: Path, example: bool = False) -> None:
    """Write the starter project (or with `example`, the whole example) into `folder` (new, or
    empty), whole or not at all."""
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
            _write_example(staging) if example else _write(staging)
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


def _write(target: Path) -> None:
    shutil.copytree(SHARED / "commun", target / "templates" / "commun")
    shutil.copy(SHARED / "index.html", target / "templates" / "index.html")
    (target / "templates" / "letters").mkdir()
    for name in LETTER_TEMPLATES:
        shutil.copy(SHARED / "letters" / name, target / "templates" / "letters" / name)
    shutil.copytree(MODEL, target, ignore=shutil.ignore_patterns("gabarits", "exemple", "__pycache__"),
                    dirs_exist_ok=True)
    (target / ".gitignore").write_text(IGNORED, encoding="utf-8")
    recipients = target / "data" / "recipients.yaml"  # its values marked !a-remplacer: read as the project reads
    people = RecipientsFile.model_validate(parse_yaml(recipients.read_bytes(), "data/recipients.yaml").data)
    write_template(target / TEMPLATE, people.etablissements)
