"""`arsdocs import destinataires FICHIER`: the rows of a spreadsheet (directory/importing.py)
merged into data/recipients.yaml, which is written only when the merged file is valid as the
letters read it (no person twice in an establishment, every address block within the postal norm)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ars_docs.directory import importing
from ars_docs.directory.models import RecipientsFile
from ars_docs.directory.recipients import RECIPIENTS, recipient_problems
from ars_docs.families.letters.checks import postal_problems
from ars_docs.source.errors import ArsDocsError, InvalidInput
from ars_docs.source.lock import at_work
from ars_docs.source.project import Project
from ars_docs.source.safefiles import write_atomically
from ars_docs.source.validation import validate
from ars_docs.source.yamlsource import parse_yaml


def import_recipients(project: Project, path: Path, mapping: dict[str, str]) -> Iterator[str]:
    """What to tell the user, line by line; the file is written before the summary line."""
    if not path.exists() and not path.is_symlink():
        raise ArsDocsError(f"fichier introuvable : « {path} »")
    imported = importing.read_recipients(path, str(path), mapping)
    lines, text = importing.merged(project, imported)
    people = sum(len(found) for found in imported.people.values())
    notes = [f"Note : {note}" for note in imported.notes]
    if text is None:
        yield from notes
        yield f"Aucun changement : {RECIPIENTS} contient déjà ces {people} destinataire(s), tels quels."
        return
    source = parse_yaml(text.encode("utf-8"), f"{RECIPIENTS} (après import)")
    merged = validate(RecipientsFile, source)
    problems = [*recipient_problems(merged.etablissements, source),
                *postal_problems(merged.etablissements, source, project)]
    if problems:
        raise InvalidInput(problems)
    with at_work(project.root, "import", f"{RECIPIENTS} n'a pas été modifié, ou l'a été en entier"):
        write_atomically(project.root / RECIPIENTS, text.encode("utf-8"))
    yield from notes
    yield from lines
    yield (f"{len(lines)} changement(s) écrit(s) dans {RECIPIENTS} ({people} destinataire(s) lu(s) dans "
           f"{path.name}).")
