"""`data/recipients.yaml`: the establishments and the people in each who receive the letters,
validated, and the name each person's files get."""

from __future__ import annotations

from collections.abc import Iterator

from ars_docs.directory.models import Establishment, Recipient, RecipientsFile
from ars_docs.source import validation
from ars_docs.source.errors import Problem
from ars_docs.source.fields import slug
from ars_docs.source.project import Project
from ars_docs.source.validation import validate
from ars_docs.source.yamlsource import YamlDocument, load_yaml

RECIPIENTS = "data/recipients.yaml"


def load_recipients(project: Project) -> tuple[RecipientsFile, YamlDocument]:
    source = load_yaml(project.root / RECIPIENTS, RECIPIENTS)
    return validate(RecipientsFile, source), source


def recipient_slug(recipient: Recipient, position: int) -> str:
    return slug(f"{recipient.prenom} {recipient.nom}") or f"destinataire-{position + 1}"


def load_establishments(project: Project) -> list[Establishment]:
    """The establishments of data/recipients.yaml, validated."""
    return load_recipients(project)[0].etablissements


def recipient_problems(establishments: list[Establishment], source: YamlDocument) -> Iterator[Problem]:
    yield from validation.duplicates(source, [(("etablissements", index, "id"), establishment.id)
                                              for index, establishment in enumerate(establishments)])
    for index, establishment in enumerate(establishments):
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


