"""The data a project officer writes for a mailing (documented in docs/familles/courriers.md); the people it goes
to are in `ars_docs.directory`."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from ars_docs.directory.models import Honorific
from ars_docs.source.fields import (
    Email,
    Identifier,
    Record,
    Telephone,
    Text,
    Url,
    YesNo,
)
from ars_docs.writers.timezones import local_time_problem


class Organizer(Record):
    nom: Text
    email: Email


class Webinar(Record):
    """An online meeting announced by a letter (`data/webinaires.yaml`)."""

    id: Identifier
    titre: Text
    fuseau: Text = "Europe/Paris"
    """Before the date and times: they are checked in it (validated in this order)."""
    date: datetime.date
    debut: datetime.time
    fin: datetime.time
    lien: Url
    organisateur: Organizer | None = None

    @field_validator("fuseau")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"fuseau horaire inconnu « {zone} » (par exemple Europe/Paris)") from None
        return zone

    @field_validator("debut", "fin")
    @classmethod
    def _one_instant(cls, time: datetime.time, info: ValidationInfo) -> datetime.time:
        """A time that the clocks skip, or show twice, is no time for a meeting."""
        day, zone = info.data.get("date"), info.data.get("fuseau")
        if day is not None and zone is not None:
            problem = local_time_problem(day, time, zone)
            if problem:
                raise ValueError(problem)
        return time

    @field_validator("fin")
    @classmethod
    def _ends_after_start(cls, end: datetime.time, info: ValidationInfo) -> datetime.time:
        """Compared as instants in the zone (a meeting across a change of hour lasts what the clocks
        do not say)."""
        start, day, zone = info.data.get("debut"), info.data.get("date"), info.data.get("fuseau")
        if start is None or day is None or zone is None:
            return end
        tz = zoneinfo.ZoneInfo(zone)  # in UTC: two times of one zone compare as the clocks show them

        def instant(time: datetime.time) -> datetime.datetime:
            return datetime.datetime.combine(day, time, tzinfo=tz).astimezone(datetime.UTC)

        if instant(end) <= instant(start):
            raise ValueError(f"le webinaire finit ({end:%H:%M}) avant de commencer ({start:%H:%M})")
        return end

    def instants(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = zoneinfo.ZoneInfo(self.fuseau)
        return (datetime.datetime.combine(self.date, self.debut, tzinfo=zone),
                datetime.datetime.combine(self.date, self.fin, tzinfo=zone))


class WebinarsFile(Record):
    """`data/webinaires.yaml`."""

    webinaires: Annotated[list[Webinar], Field(min_length=1)]


class Agent(Record):
    """An agent of the ARS who follows the case (`Affaire suivie par`)."""

    titre: Honorific
    prenom: Text
    nom: Text
    email: Email
    telephone: Telephone


class Sender(Record):
    direction: Text
    service: Text
    suivi_par: Annotated[list[Agent], Field(min_length=1, max_length=3)]


def _signing_for_another(text: str) -> str:
    """« Pour … et par délégation » or « Pour … par suppléance »: the two ways one signs for another."""
    if not (text.startswith("Pour ") and ("par délégation" in text or "par suppléance" in text)):
        raise ValueError(f"« {text} » : une délégation s'écrit « Pour la directrice générale et par délégation » "
                         "(ou « … et par suppléance ») ; sans délégation, le signataire signe en son nom : "
                         "retirez la ligne")
    return text


class Signatory(Record):
    titre: Honorific | None = None
    prenom: Text
    nom: Text
    fonction: Text
    """As printed above the name: `Le Directeur de la Direction de la politique médico-soignante`."""
    delegation: Annotated[Text, AfterValidator(_signing_for_another)] | None = None
    """Who the signatory signs for, as French administrations write it: `Pour la directrice générale
    et par délégation` (a delegation of signature), `Pour le directeur général empêché et par
    suppléance`. None: the signatory signs in their own name (the director general)."""
    interim: YesNo = False
    """`oui`: the signatory holds the function ad interim (« Le directeur général par intérim »)."""
    organisme: Text
    signature_electronique: YesNo = True
    """`oui`: the letter is to be signed with `arsdocs sign`, which draws the visible mention
    « Signé électroniquement par … le … »; `arsdocs send` refuses to send it unsigned. The built
    letter never claims a signature it does not carry."""


class FormRole(Record):
    """A column of the reply form: someone the establishment names (« Médecin référent »)."""

    id: Identifier
    libelle: Text


class FormField(Record):
    """A line of the reply form: what is asked of each role (« Nom »). The line whose `id` is
    `email` holds an e-mail address, checked as such when the answers are imported."""

    id: Identifier
    libelle: Text


DEFAULT_ROLES = (FormRole(id="medecin", libelle="Médecin référent"),
                 FormRole(id="directeur", libelle="Directeur référent"))
DEFAULT_FIELDS = (FormField(id="nom", libelle="Nom"), FormField(id="prenom", libelle="Prénom"),
                  FormField(id="email", libelle="Courriel"))


def _distinct(items: list[FormRole] | list[FormField]) -> list[FormRole] | list[FormField]:
    seen = [item.id for item in items]
    twice = sorted({name for name in seen if seen.count(name) > 1})
    if twice:
        raise ValueError(f"identifiant en double : {', '.join(twice)}")
    return items


class Reply(Record):
    date_limite: datetime.date
    adresse: Email
    roles: Annotated[list[FormRole], Field(min_length=1, max_length=4), AfterValidator(_distinct)] = \
        Field(default_factory=lambda: list(DEFAULT_ROLES))
    """The form's columns: who the establishment names (by default, its two référents)."""
    champs: Annotated[list[FormField], Field(min_length=1, max_length=8), AfterValidator(_distinct)] = \
        Field(default_factory=lambda: list(DEFAULT_FIELDS))
    """The form's lines: what is asked of each (by default, name, first name and e-mail)."""
    mentions: Annotated[Text, AfterValidator(lambda name: _template_file(".txt")(name))] = "donnees-personnelles.txt"
    """The personal-data notice (GDPR art. 13) printed on the form and in the e-mail: a plain-text
    template of `templates/letters/` (the controller, its data-protection officer, the purpose, the
    legal basis, the recipients, the retention, the rights, the CNIL)."""


def _template_file(suffix: str):  # type: ignore[no-untyped-def]
    def check(name: str) -> str:
        if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(suffix):
            raise ValueError(f"gabarit « {name} » invalide : un nom de fichier {suffix} de templates/letters/")
        return name
    return check


MarkdownTemplate = Annotated[Text, AfterValidator(_template_file(".md"))]
"""The name of a Markdown template of `templates/letters/` (a letter's body)."""
TextTemplate = Annotated[Text, AfterValidator(_template_file(".txt"))]
"""The name of a plain-text template of `templates/letters/` (an e-mail's text)."""


class Mail(Record):
    """How the letter goes out by e-mail (`courriel`)."""

    expediteur: Organizer
    """Sender of the e-mails; replies go to `reponse.adresse`."""
    gabarit: TextTemplate = "courriel.txt"
    """The text of the e-mails, a plain-text template of `templates/letters/`: each mailing its own."""


class Mailing(Record):
    """One letter of a mailing (`data/courriers/<id>.yaml`)."""

    titre: Text
    """Short title, used in the document properties."""
    gabarit: MarkdownTemplate
    """Body template in `templates/letters/` (Markdown and Jinja)."""
    webinaire: Identifier | None = None
    """The webinar the letter announces (`data/webinaires.yaml`): its invitation (.ics) goes with
    each e-mail. Without one, no invitation."""
    lieu: Text
    date: datetime.date
    objet: Text
    references: list[Text] = Field(default_factory=list)
    expediteur: Sender
    signataire: Signatory
    reponse: Reply | None = None
    """The answer expected: with it, a reply form per establishment goes with each e-mail (and
    the body template may print the reply table); without it, no form."""
    annexe: Text | None = None
    courriel: Mail
    relance_de: Identifier | None = None
    """For a reminder (`data/relances/`): the letter it follows up (`data/courriers/<id>.yaml`)."""
