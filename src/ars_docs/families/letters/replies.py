"""`arsdocs import reponses DOSSIER`: returned reply forms (PDF or Word) become `data/membres.yaml`.

One entry per establishment: the people it named on the form (by default, its two referents; the
form's roles and fields are the letter's, read back from the form itself), and the date (the
file's modification time) and name of the answer. A newer answer replaces the current one, which
moves to the entry's history: nothing imported is ever lost, and an answer older than the one
already imported is refused. A file dated in the future is dated at its import and ranks below any
answer whose date is believed; two different answers at the same rank are refused, both.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ars_docs.directory.members import EMAIL_FIELD, Answer, Member, Referent, load_members
from ars_docs.directory.recipients import load_establishments
from ars_docs.families.letters import replyform
from ars_docs.source.errors import ArsDocsError
from ars_docs.source.fields import check_email
from ars_docs.source.project import Project
from ars_docs.source.safefiles import DAMAGED_ZIP, UnsafeFile, read_imported, zip_problem
from ars_docs.source.validation import french_errors

MAX_FORM = 10 * 2**20
"""A returned form: about 40 kB as arsdocs makes it; a scanner may add a page image."""
MAX_PART = 16 * 2**20
_CLOCK_SKEW = datetime.timedelta(minutes=5)
_UNREADABLE = "fichier illisible : ce n'est pas un formulaire de réponse"


@dataclass(frozen=True)
class Outcome:
    file: str
    taken: bool
    message: str


def _referents(form: replyform.ReturnedForm) -> tuple[list[Referent], list[str]]:
    """Each role of the form with what was written for it; every line is to be filled in."""
    problems: list[str] = []
    referents: list[Referent] = []
    for role, label in form.roles:
        fields = {field: form.values.get(replyform.field_name(role, field), "").strip() for field, _ in form.fields}
        lines = dict(form.fields)
        empty = [f"{name.lower()} ({label.lower()})" for field, name in form.fields if not fields[field]]
        if empty:
            problems.append("champ(s) vide(s) : " + ", ".join(empty))
            continue
        if EMAIL_FIELD in fields:
            try:
                check_email(fields[EMAIL_FIELD])
            except ValueError as invalid:
                problems.append(f"{lines[EMAIL_FIELD].lower()} ({label.lower()}) : {invalid}")
                continue
        try:
            referents.append(Referent.model_validate({"role": role, "libelle": label, "valeurs": fields}))
        except ValidationError as failure:
            for error, (_, message) in zip(failure.errors(include_url=False), french_errors(failure, Referent),
                                           strict=True):
                line = lines.get(str(error["loc"][-1]), "") if error["loc"] else ""
                problems.append(f"{line.lower()} ({label.lower()}) : {message}" if line
                                else f"{label.lower()} : {message}")
    if not form.roles:
        problems.append(_UNREADABLE)
    return referents, problems


def _read(path: Path) -> replyform.ReturnedForm:
    reader = {".pdf": replyform.read_pdf_form, ".docx": replyform.read_docx_form}.get(path.suffix.lower())
    if reader is None:
        raise ValueError("ni PDF ni Word : ce n'est pas un formulaire de réponse")
    try:
        raw = read_imported(path, MAX_FORM)
    except UnsafeFile as error:
        raise ValueError(str(error)) from None
    if reader is replyform.read_docx_form:
        problem = zip_problem(raw, max_part=MAX_PART, max_total=MAX_PART * 2)
        if problem:
            raise ValueError(_UNREADABLE if problem == DAMAGED_ZIP else problem)
    try:
        return reader(io.BytesIO(raw))
    except replyform.ProtectedForm:
        raise ValueError("PDF protégé par un mot de passe : demandez à l'établissement de le renvoyer sans "
                         "protection") from None
    except Exception:  # a damaged or foreign file: whatever the library raises, the file is refused
        raise ValueError(_UNREADABLE) from None


def _tampered(path: Path, reference: str, values: dict[str, str], known: dict[str, str]) -> str | None:
    """Why the form is not what arsdocs sent to `reference`: a read-only field altered, or the
    file renamed after another establishment's form."""
    printed = values.get(replyform.NAME_FIELD, "").strip()
    if printed != known[reference]:
        return (f"champ en lecture seule modifié : « Établissement » vaut « {printed} » et non « {known[reference]} », "
                f"le nom de l'établissement de référence « {reference} » ; demandez le formulaire d'origine")
    named = path.stem.removeprefix(f"{replyform.FORM_NAME}-")
    if path.stem.startswith(f"{replyform.FORM_NAME}-") and named in known and named != reference:
        return (f"le fichier porte le nom du formulaire de {known[named]} mais contient celui de "
                f"{known[reference]} : vérifiez qui l'a envoyé")
    return None


def import_replies(project: Project, folder: Path) -> tuple[list[Outcome], dict[str, Member]]:
    """Each file of `folder` taken or refused, in the order of the answers' rank (`Answer.rank`):
    a later answer replaces the current one; two different answers of one establishment at the
    same rank are a tie nobody can settle here: none of them is taken, and the outcome says so."""
    if not folder.is_dir():
        raise ArsDocsError(f"dossier introuvable : {folder}")
    known = {establishment.id: establishment.nom for establishment in load_establishments(project)}
    members = load_members(project)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    # an ordinary file (a link to one too); a pipe, a device or a folder is no form, and is said so
    dated = {path: _dated(path, now) for path in folder.iterdir() if not path.name.startswith(".")}
    read = [(path, _candidate(path, dated[path], known)) for path in sorted(dated, key=lambda path: path.name)]
    candidates = [(path, found) for path, found in read if isinstance(found, tuple)]
    tied = _ties([(path, reference, answer) for path, (reference, answer) in candidates], known)
    outcomes = [found for _, found in read if isinstance(found, Outcome)]
    for path, (reference, answer) in sorted(candidates, key=lambda entry: (entry[1][1].rank, entry[0].name)):
        outcomes.append(tied.get(path) or _take(path.name, reference, answer, known, members))
    return outcomes, members


def _dated(path: Path, now: datetime.datetime) -> tuple[datetime.datetime, bool]:
    """When the file was saved, and whether that was in the future: a date to come (a wrong clock,
    a file made to win) is not trusted to order the answers: the time of the import stands for it."""
    try:
        saved = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC).replace(microsecond=0)
    except (OSError, ValueError, OverflowError):
        return now, True
    return (now, True) if saved > now + _CLOCK_SKEW else (saved, False)


def _candidate(path: Path, dated: tuple[datetime.datetime, bool], known: dict[str, str]
               ) -> Outcome | tuple[str, Answer]:
    """The file's answer and its establishment, or why it is refused."""
    name = path.name
    try:
        form = _read(path)
    except ValueError as error:
        return Outcome(name, False, str(error))
    reference, values = form.reference, dict(form.values)
    if reference is None:
        return Outcome(name, False, "ce n'est pas un formulaire de réponse arsdocs (pas de référence d'établissement)")
    if reference not in known:
        return Outcome(name, False, f"établissement inconnu « {reference} »")
    tampered = _tampered(path, reference, values, known)
    if tampered:
        return Outcome(name, False, tampered)
    referents, problems = _referents(form)
    if problems:
        return Outcome(name, False, " ; ".join(problems))
    date, future = dated
    return reference, Answer(date=date, fichier=name, referents=referents, date_fiable=not future)


def _ties(candidates: list[tuple[Path, str, Answer]], known: dict[str, str]) -> dict[Path, Outcome]:
    """Different answers of one establishment at the same rank, in this folder: all refused."""
    groups: dict[tuple[str, tuple[bool, datetime.datetime]], list[tuple[Path, Answer]]] = {}
    for path, reference, answer in candidates:
        groups.setdefault((reference, answer.rank), []).append((path, answer))
    refused: dict[Path, Outcome] = {}
    for (reference, _), group in groups.items():
        if any(not answer.same_content(group[0][1]) for _, answer in group[1:]):
            names = ", ".join(path.name for path, _ in group)
            for path, answer in group:
                refused[path] = Outcome(path.name, False, (
                    f"réponses différentes pour {known[reference]} à la même date ({_when(answer)}) : {names} ; "
                    "impossible de dire laquelle est la dernière, aucune n'est importée : ne laissez dans le "
                    "dossier que la bonne (ou demandez-la à l'établissement), puis relancez l'import"))
    return refused


def _when(answer: Answer) -> str:
    return f"{answer.date:%d/%m/%Y %H:%M}" + ("" if answer.date_fiable else ", date de l'import")


def _take(name: str, reference: str, answer: Answer, known: dict[str, str], members: dict[str, Member]) -> Outcome:
    """The answer made the establishment's current one, or refused (`Answer.rank` decides)."""
    current = members.get(reference)
    replaced = ""
    if current is not None:
        existing = current.reponse
        if answer == existing or answer in current.historique or (not answer.date_fiable and any(
                earlier.fichier == answer.fichier and earlier.same_content(answer) and not earlier.date_fiable
                for earlier in (existing, *current.historique))):  # dated at each import: the same file again
            return Outcome(name, True, f"{known[reference]} : réponse déjà importée")
        if answer.rank == existing.rank and not answer.same_content(existing):
            return Outcome(name, False, (
                f"réponse différente de celle déjà importée pour {known[reference]} ({existing.fichier}) à la même "
                f"date ({_when(answer)}) : impossible de dire laquelle est la dernière ; ignorée, la réponse "
                "importée reste en vigueur : vérifiez auprès de l'établissement"))
        if answer.rank < existing.rank:
            if not answer.date_fiable and existing.date_fiable:
                return Outcome(name, False, (
                    f"date du fichier dans le futur (non crue) : cette réponse passe après celle, datée, déjà "
                    f"importée pour {known[reference]} ({existing.fichier}, {existing.date:%d/%m/%Y %H:%M}) : "
                    "ignorée"))
            return Outcome(name, False, f"réponse du {answer.date:%d/%m/%Y %H:%M} plus ancienne que celle déjà "
                           f"importée pour {known[reference]} ({existing.fichier}, "
                           f"{existing.date:%d/%m/%Y %H:%M}) : ignorée")
        if answer.date_fiable and not existing.date_fiable:
            replaced = (f" ; remplace {existing.fichier}, dont la date du fichier n'était pas crue : une réponse "
                        "datée passe devant")
        history = [*current.historique, existing]
    else:
        history = []
    members[reference] = Member(etablissement=reference, reponse=answer, historique=history)
    named = ", ".join(f"{referent.libelle.lower()} {referent.name}" for referent in answer.referents)
    return Outcome(name, True, f"{known[reference]} : {named}"
                   + ("" if answer.date_fiable else
                      " (date du fichier dans le futur : non prise en compte, la réponse est datée de l'import et "
                      "passe après toute réponse datée)") + replaced)


def report_lines(outcomes: list[Outcome]) -> Iterator[str]:
    for outcome in outcomes:
        yield f"{'importé' if outcome.taken else 'refusé'} : {outcome.file} : {outcome.message}"
