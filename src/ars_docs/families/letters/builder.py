"""The letters family: `data/recipients.yaml`, `data/webinaires.yaml` and `data/courriers/*.yaml`
become one letter per recipient and per letter, under `out/letters/<letter>/`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from ars_docs.base.builder import SEND, SIGN, Builder, FinalItem, Item, ToSign
from ars_docs.directory.models import Establishment
from ars_docs.directory.recipients import RECIPIENTS, recipient_slug
from ars_docs.families.letters import finals, kit, postal
from ars_docs.families.letters.data import (
    ADDRESS,
    AFTER_BODY,
    BEFORE_BODY,
    LETTERS,
    SENDER,
    WEBINARS,
    addressee,
    load_letters_data,
    load_mailings,
    load_webinars,
)
from ars_docs.families.letters.forms import ReplyForms
from ars_docs.families.letters.items import FORM_PREFIX, FORMS_FOLDER, FormItem, LetterItem
from ars_docs.families.letters.models import Mailing
from ars_docs.families.letters.postal import EnvelopeSettings
from ars_docs.families.letters.salutation import (
    full_name,
    function_title,
)
from ars_docs.families.letters.smtp import SmtpSettings
from ars_docs.source.errors import InvalidInput, Location, Problem, ProblemCollector
from ars_docs.source.fields import Record
from ars_docs.source.project import Project
from ars_docs.source.yamlsource import load_yaml
from ars_docs.tree.doctree import Block, Document, Letterhead, Paragraph, Window, has_table, inline_text
from ars_docs.tree.parts import MarkdownParts
from ars_docs.tree.templating import located, text_environment
from ars_docs.tree.typography import typeset, typeset_text
from ars_docs.writers.signing import SignatureSettings


class _Composer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.parts = MarkdownParts(project, "letters")
        self.part = self.parts.part
        self.text = text_environment(self.parts.folder)
        envelope = postal.envelope(project)
        self.window = Window(envelope.gauche_mm, envelope.haut_mm, envelope.largeur_mm, envelope.hauteur_mm,
                             envelope.degagement_mm)

    def mail_body(self, letter: Mailing, context: dict[str, Any]) -> str:
        template = letter.courriel.gabarit
        with located(self.parts.folder / template, self.project.root):
            return typeset_text(self.text.get_template(template).render(context))

    def _salutation_once(self, opening: tuple[Block, ...], body: tuple[Block, ...], template: str) -> None:
        """The salutation (« Madame la Directrice, ») is printed by the opening part: a body that
        begins with it too would print it twice."""
        said = [inline_text(block.inlines).strip() for block in opening if isinstance(block, Paragraph)]
        first = next((inline_text(block.inlines).strip() for block in body if isinstance(block, Paragraph)), None)
        if said and first is not None and first == said[-1]:
            path = self.parts.folder / template
            line = next((number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                         if "destinataire.salutation" in text or "destinataire.appel" in text or first in text), 0)
            raise InvalidInput([Problem(Location(self.project.name(path), line), "",
                                        f"le corps commence par la formule d'appel « {first} », que "
                                        f"{BEFORE_BODY} imprime déjà : retirez-la du corps")])

    def context(self, item: LetterItem) -> dict[str, Any]:
        return {"courrier": item.letter, "webinaire": item.webinar, "etablissement": item.establishment,
                "agence": self.project.settings.agence,
                "destinataire": addressee(item.recipient, list(item.address), item.establishment.statut),
                "courrier_relance": item.reminded,
                "formulaire": item.form.rsplit("/", 1)[1] if item.form else None}

    def letter(self, item: LetterItem) -> Document:
        context = self.context(item)
        head = Letterhead(self.part(SENDER, context), self.part(ADDRESS, context), self.window)
        opening, body = self.part(BEFORE_BODY, context), self.part(item.letter.gabarit, context)
        self._salutation_once(opening, body, item.letter.gabarit)
        blocks = (head, *opening, *body, *self.part(AFTER_BODY, context))
        letter, establishment = item.letter, item.establishment
        return typeset(Document(
            title=f"{letter.titre} — {establishment.nom} — {full_name(item.recipient)}",
            date=letter.date, blocks=blocks, author=letter.signataire.organisme, subject=letter.objet,
            keywords=(establishment.nom, item.letter_id)))


class LettersBuilder(Builder):
    name = "letters"
    label = "courriers"
    capabilities = frozenset({SEND, SIGN})
    data_folder = LETTERS
    template_folder = "letters"
    settings_sections: ClassVar[dict[str, type[Record]]] = {"smtp": SmtpSettings, "enveloppe": EnvelopeSettings,
                                                            "signature": SignatureSettings}
    """Its parts of arsdocs.yaml: the mail server of `arsdocs send`, the envelopes' window, the
    authorities `arsdocs sign` trusts."""
    shell = "lettre"
    """Where the letters' data files are; their outputs go to `out/<name>/<letter>/`."""

    def __init__(self) -> None:
        super().__init__()
        self._composer: _Composer | None = None
        self._forms: ReplyForms | None = None
        self._invitations: dict[str, bytes] = {}

    def forms(self, project: Project) -> ReplyForms:
        if self._forms is None:
            self._forms = ReplyForms(project, lambda: self.publisher(project))
        return self._forms

    prints_logo = True

    def addressed(self, project: Project, establishments: list[Establishment]) -> list[Establishment]:
        """The establishments that receive the letters: all of them."""
        return establishments

    def release_sources(self, project: Project) -> list[Path]:
        """The recipients, the webinars and the mailings' files."""
        shared = [project.root / name for name in (RECIPIENTS, WEBINARS) if (project.root / name).is_file()]
        return [*shared, *super().release_sources(project)]

    def gate_findings(self, project: Project) -> list[Problem]:
        """Answers asked outside the sending domain, unless the settings name the address."""
        from ars_docs.families.letters.checks import reply_domain_findings

        return list(reply_domain_findings(load_mailings(project, self.data_folder), project.settings.agence))

    def unsigned(self, project: Project, items: list[Item]) -> list[Problem]:
        """Per mailing whose signatory signs electronically: its letters that `arsdocs sign` has not signed."""
        from ars_docs.base.state import BuildState

        signed = set(BuildState(project.out, self.name).signed())
        waiting: dict[str, int] = {}
        for letter in self.letter_items(items):
            if letter.letter.signataire.signature_electronique and f"{letter.stem}.pdf" not in signed:
                waiting[letter.letter_id] = waiting.get(letter.letter_id, 0) + 1
        problems = []
        for letter_id, count in waiting.items():
            path = project.root / self.data_folder / f"{letter_id}.yaml"
            where = load_yaml(path, project.name(path)).locate(("signataire", "signature_electronique"))
            problems.append(Problem(where, "signataire.signature_electronique",
                                    f"{count} lettre(s) du courrier « {letter_id} » doivent être signées et ne le "
                                    f"sont pas : lancez « arsdocs build {self.name} » puis "
                                    f"« arsdocs sign {self.name} »"))
        return problems

    @property
    def mailing_folder(self) -> str:
        return self.data_folder

    @staticmethod
    def letter_items(items: list[Item], only: str | None = None) -> list[LetterItem]:
        """The letters among the items (not their forms), or those of one mailing."""
        return [item for item in items if isinstance(item, LetterItem) and (only is None or item.letter_id == only)]

    signing_reason = "Signature du courrier"

    def signable(self, items: list[Item], only: str | None) -> list[ToSign]:
        return [ToSign(letter, f"{letter.stem}.pdf", letter.letter.lieu) for letter in self.letter_items(items, only)]

    def resigned(self, project: Project, item: Item, pdf: bytes) -> dict[str, bytes]:
        """The letter's e-mail, made again with the signed PDF."""
        assert isinstance(item, LetterItem)
        return {f"{item.stem}.eml": self.email(project, item, pdf)}

    def timeliness(self, project: Project, only: str | None, what: str) -> tuple[list[Problem], list[Problem]]:
        """(refusals, warnings) for signing or sending today the mailings of the family (or `only`)."""
        from ars_docs.families.letters.timeliness import late, today

        webinars = load_webinars(project)
        refusals: list[Problem] = []
        warnings: list[Problem] = []
        for source in load_mailings(project, self.data_folder):
            if only is None or source.id == only:
                found = late(source, webinars, today(), what)
                refusals += found[0]
                warnings += found[1]
        return refusals, warnings

    def plan(self, project: Project) -> list[Item]:
        data = load_letters_data(project, self.data_folder)
        establishments = self.addressed(project, data.establishments)
        addresses = {(establishment.id, position): tuple(line.text for line in postal.address_block(
                         establishment, position, function_title(recipient, establishment.statut)))
                     for establishment in establishments
                     for position, recipient in enumerate(establishment.destinataires)}
        items: list[Item] = []
        for source in data.letters:
            webinar = data.webinars[source.letter.webinaire] if source.letter.webinaire else None
            folder = f"{self.name}/{source.id}"
            for establishment in establishments:
                alone = establishment.model_copy(update={"destinataires": []})
                group = f"{folder}/{establishment.id}"
                form = ""
                if source.letter.reponse is not None:  # a form only where an answer is expected
                    form_job = FormItem(f"{folder}/{FORMS_FOLDER}/{FORM_PREFIX}{establishment.id}", source.letter,
                                       alone, group)
                    items.append(form_job)
                    form = f"{form_job.stem}.pdf"
                for position, recipient in enumerate(establishment.destinataires):
                    stem = f"{folder}/{establishment.id}--{recipient_slug(recipient, position)}"
                    items.append(LetterItem(stem, source.id, source.letter, webinar, alone, recipient, form,
                                           addresses[establishment.id, position],
                                           data.reminded.get(source.letter.relance_de or ""), group))
        return items

    def compose(self, project: Project, items: list[Item]) -> list[Item]:
        """Every letter and the text of its e-mail composed from their templates."""
        collector = ProblemCollector()
        composed = [collector.attempt(self.composed, project, item) if isinstance(item, LetterItem) else item
                    for item in items]
        collector.raise_if_any()
        return [item for item in composed if item is not None]

    def composed(self, project: Project, item: LetterItem) -> LetterItem:
        if item.document is not None:
            return item
        composer = self.composer(project)
        collector = ProblemCollector()
        document = collector.attempt(composer.letter, item)
        # the e-mail mentions the letter's reply table only when the letter has one
        table = document is not None and has_table(document.blocks)
        mentions = "\n\n".join(self.forms(project).notice(item.letter)) if item.letter.reponse is not None else ""
        body = collector.attempt(composer.mail_body, item.letter,
                                 {**composer.context(item), "tableau": table, "mentions": mentions})
        collector.raise_if_any()
        return replace(item, document=document, mail_body=body or "")

    def composer(self, project: Project) -> _Composer:
        if self._composer is None:
            self._composer = _Composer(project)
        return self._composer

    def check(self, project: Project, items: list[Item]) -> None:
        """The shells, and a reply form's page per letter (the letters are composed by `compose`)."""
        collector = ProblemCollector()
        collector.attempt(super().check, project, items)
        seen: set[str] = set()
        for item in items:
            if isinstance(item, FormItem) and item.letter.titre not in seen:
                seen.add(item.letter.titre)
                collector.add(self.forms(project).problems(item))
        collector.raise_if_any()

    def make(self, project: Project, item: Item) -> dict[str, bytes]:
        if isinstance(item, LetterItem):
            return self.make_letter(project, item)
        if isinstance(item, FormItem):
            return self.forms(project).make(item)
        return super().make(project, item)

    def make_final(self, project: Project, item: FinalItem, hashes: Mapping[str, str]) -> dict[str, bytes]:
        return finals.make_final(item, project, hashes)

    def _invitation(self, project: Project, item: LetterItem) -> bytes | None:
        if item.webinar is None:
            return None
        if item.letter_id not in self._invitations:
            self._invitations[item.letter_id] = kit.invitation(item.webinar, item.letter, project.settings.agence)
        return self._invitations[item.letter_id]

    def make_letter(self, project: Project, item: LetterItem) -> dict[str, bytes]:
        item = self.composed(project, item)
        assert item.document is not None
        rendered = self.publisher(project).render(item.document, f"out/{item.stem}")
        files = {f"{item.stem}.{suffix}": data for suffix, data in rendered.items()}
        return {**files, f"{item.stem}.eml": self.email(project, item, rendered["pdf"])}

    def email(self, project: Project, item: LetterItem, pdf: bytes) -> bytes:
        """The e-mail that carries the letter's PDF (and its reply form, and the invitation)."""
        body = item.mail_body
        name = item.stem.rsplit("/", 1)[1]
        sender_domain = item.letter.courriel.expediteur.email.rsplit("@", 1)[1]
        person = item.recipient
        return kit.email(
            item.letter, name=f"{person.prenom} {person.nom}", address=person.email, body=body,
            attachment_name=f"{name}.pdf", message_id=f"<{item.letter_id}.{name}@{sender_domain}>",
            form=(item.form.rsplit("/", 1)[1], self.forms(project).made(item.form)) if item.form else None,
            ics=self._invitation(project, item), pdf=pdf)

    def finals(self, project: Project, items: list[Item], fingerprints: Mapping[str, str]) -> list[FinalItem]:
        return finals.mailing_finals(self.name, self.letter_items(items), fingerprints)


class RemindersBuilder(LettersBuilder):
    """`arsdocs build relances`: the same letters, for the establishments that have not answered
    (absent from data/membres.yaml), from `data/relances/`."""

    name = "relances"
    label = "relances"
    data_folder = "data/relances"

    def addressed(self, project: Project, establishments: list[Establishment]) -> list[Establishment]:
        from ars_docs.directory.members import load_members

        answered = load_members(project)
        return [establishment for establishment in establishments if establishment.id not in answered]

    def timeliness(self, project: Project, only: str | None, what: str) -> tuple[list[Problem], list[Problem]]:
        """The letters' rules, and a warning when no answer was imported: the reminders then go to
        every establishment, which may be meant (nobody answered) or not (the answers wait in a folder)."""
        from ars_docs.directory.members import MEMBERS, load_members
        from ars_docs.directory.recipients import load_establishments

        refusals, warnings = super().timeliness(project, only, what)
        if not load_members(project):
            everyone = len(load_establishments(project))
            warnings.append(Problem(Location(self.data_folder), "",
                                    f"aucune réponse importée ({MEMBERS} est absent ou vide) : la relance va à tous "
                                    f"les établissements ({everyone}) ; importez d'abord les réponses reçues "
                                    "(arsdocs import reponses DOSSIER)"))
        return refusals, warnings
