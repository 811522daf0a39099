"""`arsdocs init DOSSIER`: a small project that `check` and `build all` accept at once — one letter
to two recipients, the letters' templates, the settings — to be edited from there.

Its own files (settings, data, the letter's body) are in `modele/`; the templates every project
shares (the letter's shells and parts, `templates/commun/`, the index page) are those of the
example project, reached through `modele/gabarits` (a link to the repository's `templates/`):
one copy of each in the repository.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from ars_docs.directory.importing import write_template
from ars_docs.directory.models import RecipientsFile
from ars_docs.errors import ArsDocsError, os_reason

MODEL = Path(__file__).resolve().parent / "modele"
SHARED = MODEL / "gabarits"
LETTER_TEMPLATES = ("lettre.html", "lettre.docx", "lettre.css", "expediteur.md", "destinataire.md", "ouverture.md",
                    "signature.md", "courriel.txt", "reponse.html")
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


def create(folder: Path) -> None:
    """Write the starter project into `folder` (new, or empty), whole or not at all."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ArsDocsError(f"« {folder} » existe et n'est pas un dossier vide : choisissez un dossier nouveau "
                           "ou vide")
    if not (SHARED / "letters").is_dir():
        raise ArsDocsError(f"les gabarits d'exemple sont introuvables dans cette installation d'arsdocs ({SHARED})")
    folder = folder.resolve()  # « arsdocs init . » in an empty folder works too
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        moved: list[Path] = []
        try:
            _write(staging)
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


def _write(target: Path) -> None:
    shutil.copytree(SHARED / "commun", target / "templates" / "commun")
    shutil.copy(SHARED / "index.html", target / "templates" / "index.html")
    (target / "templates" / "letters").mkdir()
    for name in LETTER_TEMPLATES:
        shutil.copy(SHARED / "letters" / name, target / "templates" / "letters" / name)
    shutil.copytree(MODEL, target, ignore=shutil.ignore_patterns("gabarits", "__pycache__"), dirs_exist_ok=True)
    (target / ".gitignore").write_text(IGNORED, encoding="utf-8")
    people = RecipientsFile.model_validate(yaml.safe_load((target / "data" / "recipients.yaml").read_text("utf-8")))
    write_template(target / TEMPLATE, people.etablissements)
