"""Who answered a letter: `data/membres.yaml`, written by `arsdocs import reponses`, read by the
reminders (who has not answered) and the statutes (the founding members)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import yaml
from pydantic import Field, field_validator

from ars_docs.directory.recipients import load_establishments
from ars_docs.source.errors import InvalidInput, Problem
from ars_docs.source.fields import Identifier, Record, Text, check_email
from ars_docs.source.project import Project
from ars_docs.source.safefiles import present, write_atomically
from ars_docs.source.validation import duplicates, field_path, validate
from ars_docs.source.yamlsource import load_yaml

MEMBERS = "data/membres.yaml"


NAME_LENGTH = 80
"""At most, for a name typed in a reply form (whatever a form field holds, the annexes print it)."""


Value = Annotated[Text, Field(max_length=NAME_LENGTH)]
EMAIL_FIELD = "email"
"""The form's line whose value is an e-mail address (checked as such)."""


class Referent(Record):
    """One column of a returned form: the role the establishment filled in, as the form named it,
    and what it wrote on each line (by the line's identifier: `nom`, `prenom`, `email`…)."""

    role: Identifier
    libelle: Text
    valeurs: dict[Identifier, Value]

    @field_validator("valeurs")
    @classmethod
    def _email(cls, values: dict[str, str]) -> dict[str, str]:
        if EMAIL_FIELD in values:
            return {**values, EMAIL_FIELD: check_email(values[EMAIL_FIELD])}
        return values

    @property
    def name(self) -> str:
        """`Hélène POIRIER` (first name and surname, when the form asks for them), as the annexes print it."""
        parts = [self.valeurs.get("prenom", ""), self.valeurs.get("nom", "").upper()]
        return " ".join(part for part in parts if part) or " ".join(
            value for key, value in self.valeurs.items() if key != EMAIL_FIELD)


class Answer(Record):
    date: datetime.datetime
    fichier: Text
    referents: Annotated[list[Referent], Field(min_length=1)]
    """Each role of the form, in its order (by default the médecin and the directeur référents)."""
    date_fiable: bool = True
    """False when the file's date was in the future (a wrong clock, a file made to win): `date` is
    then the time of its import, and the answer ranks below every answer whose date is believed."""

    @property
    def rank(self) -> tuple[bool, datetime.datetime]:
        """What orders an establishment's answers: a believed date first, then the date."""
        return self.date_fiable, self.date

    def same_content(self, other: Answer) -> bool:
        return self.referents == other.referents


class Member(Record):
    etablissement: Identifier
    reponse: Answer
    historique: list[Answer] = Field(default_factory=list)
    """Earlier answers of the establishment, oldest first."""


class MembersFile(Record):
    """`data/membres.yaml`, written by `arsdocs import reponses`."""

    membres: Annotated[list[Member], Field(default_factory=list)]


def load_members(project: Project) -> dict[str, Member]:
    path = project.root / MEMBERS
    if not present(path):
        return {}
    source = load_yaml(path, MEMBERS)
    members = validate(MembersFile, source).membres
    known = {establishment.id for establishment in load_establishments(project)}
    places = [(("membres", index, "etablissement"), member.etablissement) for index, member in enumerate(members)]
    problems = list(duplicates(source, places, "établissement"))
    problems += [Problem(source.locate(place), field_path(place),
                         f"établissement « {name} » inconnu dans data/recipients.yaml : une réponse vient d'un "
                         "établissement destinataire des courriers")
                 for place, name in places if name not in known]
    if problems:
        raise InvalidInput(problems)
    return {member.etablissement: member for member in members}


def _written(member: dict[str, Any]) -> dict[str, Any]:
    """A member as the file keeps it: `date_fiable` only where it is false."""
    for answer in (member["reponse"], *member["historique"]):
        if answer.get("date_fiable") is True:
            del answer["date_fiable"]
    return member


def save_members(project: Project, members: dict[str, Member]) -> None:
    data = {"membres": [_written(members[key].model_dump(mode="json")) for key in sorted(members)]}
    text = ("# Écrit par « arsdocs import reponses » : les réponses des établissements (voir la documentation, "
            "« Courriers et relances »).\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110))
    write_atomically(project.root / MEMBERS, text.encode("utf-8"))
