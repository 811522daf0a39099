"""The letters family: `data/recipients.yaml`, `data/webinaires.yaml` and `data/courriers/*.yaml`
become one letter per recipient and per letter, under `out/letters/<letter>/`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ars_docs.builders import Builder, Job, ProblemCollector
from ars_docs.doctree import Columns, Document
from ars_docs.errors import InvalidInput, Location, Problem
from ars_docs.letters import mailing, replyform
from ars_docs.letters.models import (
    Establishment,
    Letter,
    Recipient,
    RecipientsFile,
    Webinar,
    WebinarsFile,
)
from ars_docs.letters.salutation import (
    address_term,
    full_name,
    function_title,
    salutation,
)
from ars_docs.output import write_atomically
from ars_docs.parts import MarkdownParts
from ars_docs.project import Project
from ars_docs.publishing import Rendered, epoch_of
from ars_docs.templating import template_problem, text_environment
from ars_docs.typography import typeset, typeset_text
from ars_docs.validation import validate
from ars_docs.writers.pdf import PdfWriter
from ars_docs.yamlsource import YamlDocument, load_yaml

RECIPIENTS = "data/recipients.yaml"
WEBINARS = "data/webinaires.yaml"
LETTERS = "data/courriers"
HEAD_TEMPLATES = ("expediteur.md", "destinataire.md")
BEFORE_BODY, AFTER_BODY = "ouverture.md", "signature.md"


@dataclass(frozen=True)
class LetterSource:
    id: str
    letter: Letter
    source: YamlDocument


@dataclass(frozen=True)
class MailingData:
    establishments: list[Establishment]
    recipients_source: YamlDocument
    webinars: dict[str, Webinar]
    letters: list[LetterSource]


def slug(text: str) -> str:
    """ASCII, lowercase, dashes: `Éloïse Müller-Lefèvre` -> `eloise-muller-lefevre`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def recipient_slug(recipient: Recipient, position: int) -> str:
    return slug(f"{recipient.prenom} {recipient.nom}") or f"destinataire-{position + 1}"


def _load(project: Project, name: str, model: type[Any]) -> tuple[Any, YamlDocument]:
    source = load_yaml(project.root / name, name)
    return validate(model, source), source


def _load_letter(project: Project, path: Path) -> LetterSource:
    name = project.name(path)
    source = load_yaml(path, name)
    letter = validate(Letter, source)
    return LetterSource(project.identifier_of(path), letter, source)


def load_establishments(project: Project) -> list[Establishment]:
    """The establishments of data/recipients.yaml, validated."""
    recipients: RecipientsFile = _load(project, RECIPIENTS, RecipientsFile)[0]
    return recipients.etablissements


def load_mailing(project: Project, letters_folder: str = LETTERS) -> MailingData:
    collector = ProblemCollector()
    recipients = collector.attempt(_load, project, RECIPIENTS, RecipientsFile)
    webinars = collector.attempt(_load, project, WEBINARS, WebinarsFile)
    letter_paths = sorted((project.root / letters_folder).glob("*.yaml"))
    if not letter_paths:
        collector.add([Problem(Location(letters_folder), "", "aucun courrier : ajoutez un fichier <identifiant>.yaml")])
    letters = [collector.attempt(_load_letter, project, path) for path in letter_paths]
    collector.raise_if_any()
    assert recipients is not None and webinars is not None
    data = MailingData(recipients[0].etablissements, recipients[1],
                       {webinar.id: webinar for webinar in webinars[0].webinaires},
                       [letter for letter in letters if letter is not None])
    collector.add(_duplicates(data.establishments, data.recipients_source))
    collector.add(_duplicate_webinars(webinars[0].webinaires, webinars[1]))
    collector.add(_dangling(project, data))
    collector.raise_if_any()
    return data


def _duplicates(establishments: list[Establishment], source: YamlDocument) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, establishment in enumerate(establishments):
        path = ("etablissements", index, "id")
        if establishment.id in seen:
            first = source.locate(("etablissements", seen[establishment.id], "id")).line
            yield Problem(source.locate(path), f"etablissements[{index + 1}].id",
                          f"identifiant « {establishment.id} » en double (déjà utilisé ligne {first})")
        else:
            seen[establishment.id] = index
        people: dict[str, int] = {}
        for position, recipient in enumerate(establishment.destinataires):
            key = recipient_slug(recipient, position)
            where = ("etablissements", index, "destinataires", position)
            if key in people:
                first = source.locate(("etablissements", index, "destinataires", people[key])).line
                yield Problem(source.locate(where), f"etablissements[{index + 1}].destinataires[{position + 1}]",
                              f"destinataire en double : {recipient.prenom} {recipient.nom} figure déjà "
                              f"ligne {first} pour « {establishment.nom} »")
            else:
                people[key] = position


def _duplicate_webinars(webinars: list[Webinar], source: YamlDocument) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, webinar in enumerate(webinars):
        if webinar.id in seen:
            first = source.locate(("webinaires", seen[webinar.id], "id")).line
            yield Problem(source.locate(("webinaires", index, "id")), f"webinaires[{index + 1}].id",
                          f"identifiant « {webinar.id} » en double (déjà utilisé ligne {first})")
        seen.setdefault(webinar.id, index)


def _dangling(project: Project, data: MailingData) -> Iterator[Problem]:
    parts = MarkdownParts(project, "letters")
    for item in data.letters:
        if item.letter.webinaire not in data.webinars:
            known = ", ".join(sorted(data.webinars))
            yield Problem(item.source.locate(("webinaire",)), "webinaire",
                          f"webinaire « {item.letter.webinaire} » inconnu dans {WEBINARS} (connus : {known})")
        if not parts.exists(item.letter.gabarit):
            yield Problem(item.source.locate(("gabarit",)), "gabarit",
                          f"gabarit introuvable « templates/letters/{item.letter.gabarit} »")


def addressee(recipient: Recipient) -> dict[str, Any]:
    """What templates know of the recipient: the data, plus how to address them."""
    return {**recipient.model_dump(), "salutation": salutation(recipient), "appel": address_term(recipient),
            "nom_complet": full_name(recipient), "titre_fonction": function_title(recipient)}


MAIL_TEMPLATE = "courriel.txt"
FORMS_FOLDER = "formulaires"
FORM_PREFIX = "reponse-"


@dataclass(frozen=True)
class LetterRecord:
    """A letter's recipient and the e-mail that will carry it."""

    letter_id: str
    letter: Letter
    establishment: Establishment
    recipient: Recipient
    mail_body: str
    invitation: bytes


class _Composer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.parts = MarkdownParts(project, "letters")
        self.part = self.parts.part
        self.text = text_environment(self.parts.folder)

    def mail_body(self, context: dict[str, Any]) -> str:
        try:
            return typeset_text(self.text.get_template(MAIL_TEMPLATE).render(context))
        except Exception as error:  # any failure inside a template is the template's, located there
            raise InvalidInput([template_problem(error, self.parts.folder / MAIL_TEMPLATE, self.project.root)]) \
                from None

    @staticmethod
    def context(item: LetterSource, webinar: Webinar, establishment: Establishment,
                recipient: Recipient) -> dict[str, Any]:
        return {"courrier": item.letter, "webinaire": webinar, "etablissement": establishment,
                "destinataire": addressee(recipient)}

    def letter(self, item: LetterSource, webinar: Webinar, establishment: Establishment,
               recipient: Recipient) -> Document:
        context = self.context(item, webinar, establishment, recipient)
        head = Columns(tuple(self.part(name, context) for name in HEAD_TEMPLATES))
        blocks = (head, *self.part(BEFORE_BODY, context), *self.part(item.letter.gabarit, context),
                  *self.part(AFTER_BODY, context))
        letter = item.letter
        return typeset(Document(
            title=f"{letter.titre} — {establishment.nom} — {full_name(recipient)}",
            date=letter.date, blocks=blocks, author=letter.signataire.organisme, subject=letter.objet,
            keywords=(establishment.nom, item.id)))


class LettersBuilder(Builder):
    name = "letters"
    label = "courriers"
    family = "letters"
    shell = "lettre"
    letters_folder = LETTERS
    """Where the letters' data files are; their outputs go to `out/<name>/<letter>/`."""

    def __init__(self) -> None:
        self.forms: dict[tuple[str, str], tuple[bytes, bytes]] = {}
        """(letter, establishment) -> reply form (PDF, DOCX), rendered once per establishment."""
        self.form_writer: PdfWriter | None = None

    def addressed(self, project: Project, establishments: list[Establishment]) -> list[Establishment]:
        """The establishments that receive the letters: all of them."""
        return establishments

    def jobs(self, project: Project) -> list[Job]:
        data = load_mailing(project, self.letters_folder)
        composer = _Composer(project)
        collector = ProblemCollector()
        jobs: list[Job] = []
        establishments = self.addressed(project, data.establishments)
        for item in data.letters:
            webinar = data.webinars[item.letter.webinaire]
            folder = project.out / self.name / item.id
            ics = mailing.invitation(webinar, item.letter)
            for establishment in establishments:
                for position, recipient in enumerate(establishment.destinataires):
                    document = collector.attempt(composer.letter, item, webinar, establishment, recipient)
                    body = collector.attempt(composer.mail_body,
                                             composer.context(item, webinar, establishment, recipient))
                    if document is not None and body is not None:
                        stem = folder / f"{establishment.id}--{recipient_slug(recipient, position)}"
                        record = LetterRecord(item.id, item.letter, establishment, recipient, body, ics)
                        jobs.append(Job(document, stem, record=record))
        collector.raise_if_any()
        return jobs

    def reply_form(self, project: Project, record: LetterRecord) -> tuple[bytes, bytes]:
        key = (record.letter_id, record.establishment.id)
        if key not in self.forms:
            folder = project.templates / "letters"
            html = replyform.form_html(folder, record.letter, record.establishment)
            if self.form_writer is None:
                self.form_writer = PdfWriter(project.root, (project.templates,))
            pdf = self.form_writer.render(html, project.name(folder), f"formulaire {record.establishment.id}",
                                epoch_of(record.letter.date), forms=True)
            self.forms[key] = (replyform.lock_establishment(pdf),
                               replyform.form_docx(record.letter, record.establishment, record.letter.date))
        return self.forms[key]

    def after_document(self, project: Project, job: Job, rendered: Rendered) -> list[Path]:
        record: LetterRecord = job.record
        sender_domain = record.letter.courriel.expediteur.email.rsplit("@", 1)[1]
        person = record.recipient
        form = self.reply_form(project, record)[0]
        envelope = mailing.Envelope(
            name=f"{person.prenom} {person.nom}", email=person.email, body=record.mail_body,
            attachment_name=f"{job.stem.name}.pdf", message_id=f"<{record.letter_id}.{job.stem.name}@{sender_domain}>",
            form=(f"{FORM_PREFIX}{record.establishment.id}.pdf", form))
        target = job.stem.with_suffix(".eml")
        write_atomically(target, mailing.email(record.letter, envelope, rendered.pdf, record.invitation))
        return [target]

    def after_all(self, project: Project, jobs: list[Job]) -> list[Path]:
        written: list[Path] = []
        by_letter: dict[str, list[Job]] = {}
        for job in jobs:
            by_letter.setdefault(job.record.letter_id, []).append(job)
        for letter_jobs in by_letter.values():
            written += _kit(letter_jobs)
            written += self._forms_of(project, letter_jobs)
        return written

    def _forms_of(self, project: Project, jobs: list[Job]) -> list[Path]:
        written: list[Path] = []
        folder = jobs[0].stem.parent / FORMS_FOLDER
        for job in jobs:
            name = f"{FORM_PREFIX}{job.record.establishment.id}"
            if folder / f"{name}.pdf" in written:
                continue
            pdf, word = self.reply_form(project, job.record)
            for suffix, data in ((".pdf", pdf), (".docx", word)):
                write_atomically(folder / f"{name}{suffix}", data)
                written.append(folder / f"{name}{suffix}")
        return written


def _kit(jobs: list[Job]) -> list[Path]:
    """The files of a letter's mailing: the invitation, the print file, the manifest (CSV and JSON)."""
    folder = jobs[0].stem.parent
    first: LetterRecord = jobs[0].record
    rows: list[mailing.ManifestRow] = []
    for job in jobs:
        record: LetterRecord = job.record
        files = {suffix: job.stem.with_suffix(f".{suffix}") for suffix in ("docx", "pdf", "eml")}
        hashes = {suffix: mailing.sha256(path.read_bytes()) for suffix, path in files.items()}
        person = record.recipient
        rows.append(mailing.ManifestRow(
            record.establishment.nom, record.establishment.finess or "", person.civilite or "", person.prenom,
            person.nom, function_title(person), person.email, files["docx"].name, files["pdf"].name,
            files["eml"].name, hashes["docx"], hashes["pdf"], hashes["eml"]))
    entries = [mailing.PrintEntry(job.stem.with_suffix(".pdf"), job.record.establishment.nom,
                                  full_name(job.record.recipient)) for job in jobs]
    outputs = {
        mailing.INVITATION: first.invitation,
        mailing.PRINT_FILE: mailing.print_file(entries, f"{first.letter.titre} — impression"),
        f"{mailing.MANIFEST}.csv": mailing.manifest_csv(rows),
        f"{mailing.MANIFEST}.json": mailing.manifest_json(rows),
    }
    for name, data in outputs.items():
        write_atomically(folder / name, data)
    return [folder / name for name in outputs]


class RemindersBuilder(LettersBuilder):
    """`arsdocs build relances`: the same letters, for the establishments that have not answered
    (absent from data/membres.yaml), from `data/relances/`."""

    name = "relances"
    label = "relances"
    letters_folder = "data/relances"

    def addressed(self, project: Project, establishments: list[Establishment]) -> list[Establishment]:
        from ars_docs.letters.replies import load_members

        answered = load_members(project)
        return [establishment for establishment in establishments if establishment.id not in answered]
