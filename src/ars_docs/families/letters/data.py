"""A mailing's data: the recipients (from `ars_docs.directory`), the webinars and the letters of
`data/courriers/` (or the reminders of `data/relances/`), loaded and checked together, and what the
templates know of a recipient."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ars_docs.directory.models import Establishment, Recipient, Status
from ars_docs.directory.recipients import load_recipients, recipient_problems
from ars_docs.families.letters import checks
from ars_docs.families.letters.checks import MailingSource
from ars_docs.families.letters.models import Mailing, Webinar, WebinarsFile
from ars_docs.families.letters.replyform import FORM_TEMPLATE
from ars_docs.families.letters.salutation import (
    address_term,
    full_name,
    function_title,
    salutation,
)
from ars_docs.source.errors import Location, Problem, ProblemCollector
from ars_docs.source.project import Project
from ars_docs.source.safefiles import present
from ars_docs.source.validation import duplicates, validate
from ars_docs.source.yamlsource import YamlDocument, load_yaml
from ars_docs.tree.parts import MarkdownParts

WEBINARS = "data/webinaires.yaml"
LETTERS = "data/courriers"
SENDER, ADDRESS = "expediteur.md", "destinataire.md"
BEFORE_BODY, AFTER_BODY = "ouverture.md", "signature.md"
SHARED_PARTS = {SENDER: "le bloc expéditeur", ADDRESS: "le bloc adresse", BEFORE_BODY: "l'ouverture",
                AFTER_BODY: "la signature"}
"""The templates every letter is made of around its own body (its `gabarit:`)."""


@dataclass(frozen=True)
class LettersData:
    establishments: list[Establishment]
    recipients_source: YamlDocument
    webinars: dict[str, Webinar]
    letters: list[MailingSource]
    reminded: dict[str, Mailing] = field(default_factory=dict)
    """For reminders: the letters of data/courriers/ they follow up, by identifier."""


def _load(project: Project, name: str, model: type[Any]) -> tuple[Any, YamlDocument]:
    source = load_yaml(project.root / name, name)
    return validate(model, source), source


def load_mailing(project: Project, path: Path) -> MailingSource:
    name = project.name(path)
    source = load_yaml(path, name)
    letter = validate(Mailing, source)
    return MailingSource(project.identifier_of(path), letter, source)


def load_mailings(project: Project, letters_folder: str = LETTERS) -> list[MailingSource]:
    """The letters of a folder and nothing else (what `sign`, `send` and the release gate read of
    them: dates, reply address), without the recipients and their address checks."""
    return [load_mailing(project, path) for path in project.data_files(project.root / letters_folder)]


def load_webinars(project: Project) -> dict[str, Webinar]:
    """The webinars, by identifier (none without data/webinaires.yaml)."""
    if not present(project.root / WEBINARS):
        return {}
    return {webinar.id: webinar for webinar in _load(project, WEBINARS, WebinarsFile)[0].webinaires}


def load_letters_data(project: Project, letters_folder: str = LETTERS) -> LettersData:
    collector = ProblemCollector()
    recipients = collector.attempt(load_recipients, project)
    # the webinars are optional: a project whose letters announce none needs no data/webinaires.yaml
    webinars = collector.attempt(_load, project, WEBINARS, WebinarsFile) if present(project.root / WEBINARS) \
        else (WebinarsFile.model_construct(webinaires=[]), None)
    letter_paths = collector.attempt(project.data_files, project.root / letters_folder)
    if letter_paths == []:
        collector.add([Problem(Location(letters_folder), "", "aucun courrier : ajoutez un fichier <identifiant>.yaml")])
    letters = [collector.attempt(load_mailing, project, path) for path in letter_paths or []]
    collector.raise_if_any()
    assert recipients is not None and webinars is not None
    data = LettersData(recipients[0].etablissements, recipients[1],
                       {webinar.id: webinar for webinar in webinars[0].webinaires},
                       [letter for letter in letters if letter is not None])
    collector.add(recipient_problems(data.establishments, data.recipients_source))
    if webinars[1] is not None:
        collector.add(duplicates(webinars[1], [(("webinaires", index, "id"), webinar.id)
                                              for index, webinar in enumerate(webinars[0].webinaires)]))
    collector.add(_dangling(project, data))
    collector.add(checks.postal_problems(data.establishments, data.recipients_source, project))
    collector.add(checks.date_problems(data.letters, data.webinars))
    collector.add(checks.past_webinar_problems(data.letters, data.webinars))
    collector.add(checks.annex_problems(data.letters))
    collector.add(checks.personal_data_problems(data.letters, project.settings.agence,
                                                MarkdownParts(project, "letters").exists))
    followed = collector.attempt(project.data_files, project.root / LETTERS) if letters_folder != LETTERS else None
    if followed is not None:  # reminders: the letters they follow, when their folder can be read
        reminded = {source.id: source.letter for source in
                    (collector.attempt(load_mailing, project, path) for path in followed) if source is not None}
        collector.add(checks.reminder_problems(data.letters, reminded, LETTERS, {path.stem for path in followed}))
        data = replace(data, reminded=reminded)
    collector.raise_if_any()
    return data


def _dangling(project: Project, data: LettersData) -> Iterator[Problem]:
    parts = MarkdownParts(project, "letters")
    needed = [*SHARED_PARTS, *([FORM_TEMPLATE] if any(item.letter.reponse for item in data.letters) else [])]
    for name in needed:  # the parts every letter is made of: all the missing ones at once
        if not parts.exists(name):
            yield Problem(Location(f"templates/letters/{name}"), "", "gabarit introuvable")
    for item in data.letters:
        if item.letter.webinaire is not None and item.letter.webinaire not in data.webinars:
            known = (f"connus : {', '.join(sorted(data.webinars))}" if data.webinars
                     else f"{WEBINARS} est absent ou vide")
            yield Problem(item.source.locate(("webinaire",)), "webinaire",
                          f"webinaire « {item.letter.webinaire} » inconnu dans {WEBINARS} ({known})")
        mail = item.letter.courriel.gabarit
        if not parts.exists(mail):
            yield Problem(item.source.locate(("courriel", "gabarit")), "courriel.gabarit",
                          f"gabarit introuvable « templates/letters/{mail} »")
        if item.letter.gabarit in SHARED_PARTS:
            yield Problem(item.source.locate(("gabarit",)), "gabarit",
                          f"« {item.letter.gabarit} » est une partie commune à tous les courriers "
                          f"({SHARED_PARTS[item.letter.gabarit]}), pas le corps d'un courrier : écrivez le corps "
                          "dans un gabarit à lui")
        elif not parts.exists(item.letter.gabarit):
            yield Problem(item.source.locate(("gabarit",)), "gabarit",
                          f"gabarit introuvable « templates/letters/{item.letter.gabarit} »")


def addressee(recipient: Recipient, address: list[str] | None = None, status: Status = "public") -> dict[str, Any]:
    """What templates know of the recipient: the data, how to address them (their establishment's
    `status` names its medical body), and their address block as the postal norm writes it
    (`bloc_adresse`, a list of lines)."""
    return {**recipient.model_dump(), "salutation": salutation(recipient, status),
            "appel": address_term(recipient, status), "nom_complet": full_name(recipient),
            "titre_fonction": function_title(recipient, status),
            "bloc_adresse": address or [],
            # the ending of a past participle that agrees with the recipient: « vous a informée »
            "accord": {"Madame": "e", "Monsieur": ""}.get(recipient.civilite or "")}
