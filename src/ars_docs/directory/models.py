"""The establishments and the people a project writes to (`data/recipients.yaml`, documented in
docs/familles/courriers.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from ars_docs.source.fields import Email, Finess, Identifier, PostalCode, Record, Text

Civility = Literal["Madame", "Monsieur"]
KnownFunction = Literal["directeur", "directeur_general", "president_cme", "chef_service", "chef_pole"]
Honorific = Literal["Mme", "M.", "Dr", "Pr"]
Title = Literal["Dr", "Pr"]
"""A doctor's or a professor's title: « Pr » before the name in the address, « Madame la
Professeure » in the salutation."""


class FunctionForms(Record):
    """A function the built-in list does not have (« médecin référent »), written out: how it reads
    for a woman, for a man, and when the civility is not known."""

    feminin: Text
    masculin: Text
    neutre: Text | None = None
    """Without a civility (by default, the masculine form)."""


Function = Annotated[Annotated[KnownFunction, Tag("function-known")] | Annotated[FunctionForms, Tag("function-forms")],
                     Discriminator(lambda value: "function-forms" if isinstance(value, dict | FunctionForms)
                                   else "function-known")]
"""One of the known functions by its key, or a function's forms written out (a table): a wrong key is
told as such, not as a table that does not validate (the tags leave the located path)."""
Status = Literal["public", "espic", "prive"]
"""An establishment's legal status: public, private not-for-profit (ESPIC), private for-profit."""


class Recipient(Record):
    """A person the letter is addressed to (`destinataires`)."""

    civilite: Civility | None = None
    titre: Title | None = None
    prenom: Text
    nom: Text
    fonction: Function
    service: Text | None = None
    """The department or pole, for `chef_service` and `chef_pole`."""
    email: Email
    formule: Text | None = None
    """Salutation written by hand (`Madame la Professeure,`), replacing the computed one."""
    adresse_postale: Annotated[list[Text], Field(min_length=1, max_length=2)] | None = None
    """The first lines of the address block (person, function and service) written by hand, when the
    computed ones exceed the postal norm's 38 characters."""


class Establishment(Record):
    """A health establishment and the people there who receive the letter (`etablissements`)."""

    id: Identifier
    nom: Text
    finess: Finess | None = None
    adresse: Annotated[list[Text], Field(min_length=1, max_length=3)]
    code_postal: PostalCode
    ville: Text
    statut: Status = "public"
    """Which medical body it has: a commission médicale d'établissement in a public establishment
    (CSP L. 6144-1) or an ESPIC (L. 6161-2-2), a conférence médicale d'établissement in a private
    for-profit one (L. 6161-2): the letters name it for the president's function."""
    adresse_postale: Annotated[list[Text], Field(min_length=2, max_length=4)] | None = None
    """The address block's lines after the person's (establishment, complement, street, then
    « CODE POSTAL LOCALITÉ »), written by hand when the computed ones exceed the postal norm."""
    destinataires: Annotated[list[Recipient], Field(min_length=1)]


class RecipientsFile(Record):
    """`data/recipients.yaml`."""

    etablissements: Annotated[list[Establishment], Field(min_length=1)]
