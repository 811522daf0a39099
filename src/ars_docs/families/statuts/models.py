"""The data of a draft of statutes (`data/statuts/<association>/v<N>.yaml`, documented in docs/familles/statuts.md)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field

from ars_docs.source.fields import Identifier, MultilineText, PostalCode, Record, Text, YesNo

Regime = Literal["loi-1901", "droit-local"]


class Seat(Record):
    adresse: Annotated[list[Text], Field(min_length=1, max_length=3)]
    code_postal: PostalCode
    ville: Text


class Association(Record):
    titre: Text
    sigle: Text | None = None
    siege: Seat


class Version(Record):
    numero: Annotated[int, Field(ge=1)]
    date: datetime.date
    statut: Literal["projet", "definitif"]
    """`projet` prints the draft marks (status line, watermark); `definitif` prints none."""
    numeros_de_ligne: YesNo = False
    """Line numbers in the margin, for the committee's comments (drafts only)."""
    auteur: Text = "Comité de rédaction"
    """Who wrote this version: the author of the tracked changes and comments of a comparison that
    leads to it."""


class Signatory(Record):
    prenom: Text
    nom: Text
    fonction: Text


class Signature(Record):
    lieu: Text
    signataires: Annotated[list[Signatory], Field(min_length=1)]
    exemplaires: Annotated[int, Field(ge=1, le=50)] | None = None
    """Originals signed (« fait en N exemplaires originaux »): by default one per signatory and one
    for the declaration at the prefecture."""


class Article(Record):
    id: Identifier
    """Stable label: other articles cite it as [[id]]; the build writes its number."""
    intitule: Text
    clause: Identifier | list[Identifier] | None = None
    """The expected clause or clauses (clauses-attendues.yaml) this article covers."""

    @property
    def clauses(self) -> tuple[str, ...]:
        if self.clause is None:
            return ()
        return (self.clause,) if isinstance(self.clause, str) else tuple(self.clause)
    texte: MultilineText
    """Markdown: paragraphs, - lists, **bold**; [[id]] or [[id|id]] cite articles."""


class Title(Record):
    id: Identifier
    intitule: Text
    articles: Annotated[list[Article], Field(min_length=1)]


class Draft(Record):
    association: Association
    regime: Regime
    version: Version
    signature: Signature
    titres: Annotated[list[Title], Field(min_length=1)]
    annexe_membres: YesNo = False
    """Append the list of founding members and their referents, from data/membres.yaml."""


class ExpectedClause(Record):
    id: Identifier
    libelle: Text
    subventions_publiques_au_dela_de: Annotated[int, Field(ge=0)] | None = None
    """Expected only when the association's CPOM gives it more than this amount of public subsidy
    in a year (euros): 0 for any subsidy, 153 000 for a statutory auditor (code de commerce L. 612-4, the
    threshold set by D. 612-5)."""
    doit_dire: list[Text | Annotated[list[Text], Field(min_length=1)]] = Field(default_factory=list)
    """What the articles covering the clause must say: each item a phrase, or a list of phrases
    one of which is enough (compared without case or accents)."""


class ExpectedClauses(Record):
    """`data/statuts/clauses-attendues.yaml`."""

    clauses: Annotated[list[ExpectedClause], Field(min_length=1)]
