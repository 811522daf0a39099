"""The content of a CPOM's annexes (`data/cpom/<contrat>.yaml`, documented in docs/familles/cpom.md).

Years are written as keys (`2027: …`); the checks of `rules.py` locate a year outside the contract,
a value of the wrong type for its indicator, and a stated total that is not the sum of its lines.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from ars_docs.source.fields import Identifier, MultilineText, Record, Text

YEARS = ("2027", "2028", "2029", "2030")
MAX_AMOUNT = Decimal("999999999999")
"""Less than a thousand billion euros: beyond, an amount is a typing error (and would not print)."""
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
IndicatorType = Literal["nombre", "pourcentage", "oui-non", "date", "montant"]
UNITS = {"nombre": "nombre", "pourcentage": "%", "oui-non": "oui/non", "date": "date", "montant": "€"}
"""The unit an indicator shows when its data gives none (`unite: ETP` for a number of posts)."""
Mission = Annotated[int, Field(ge=1)]
"""The number of a mission in the contract's `missions` (1 for the first): checked against their count."""
Year = Annotated[str, BeforeValidator(lambda value: str(value) if isinstance(value, int) else value)]
"""A year written as a value (`2028`), read as the keys of the year tables are."""


def _day_and_month(value: str) -> str:
    """`JJ/MM`, a day that exists every year (never 29/02)."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})", value.strip())
    if not match:
        raise ValueError(f"échéance « {value} » invalide : jour et mois JJ/MM attendus (31/03, par exemple)")
    try:
        datetime.date(2027, int(match.group(2)), int(match.group(1)))
    except ValueError:
        raise ValueError(f"échéance « {value} » invalide : ce jour n'existe pas chaque année") from None
    return f"{int(match.group(1)):02d}/{int(match.group(2)):02d}"


DayAndMonth = Annotated[str, AfterValidator(_day_and_month)]


class MembersByRight(Record):
    nombre: Annotated[int, Field(ge=1)]
    """Establishments whose membership is compulsory (an authorisation or a derogation)."""
    indicateur: Text
    """Code of the indicator that counts the association's members: no target below `nombre`."""


class Contract(Record):
    titre: Text
    organisme: Text
    """The association that signs with the ARS."""
    date: datetime.date
    version: Text = "Version initiale"
    """`Version initiale`, `Avenant n° 1`…: printed on every annex."""
    statut: Literal["projet", "signe"] = "projet"
    """`projet` (until both parties have signed): every annex says « PROJET » (watermark on the
    printed pages, running header everywhere); `signe`: none."""
    transmission_indicateurs: DayAndMonth = "31/03"
    """Day and month of the year after the one measured by which the association sends the
    indicators' values: 31 March at the latest (instruction DGOS/R3/DGS/SP1/2023/122, IV)."""
    instruction_indicateurs: Text | None = None
    """The text the indicators apply, cited at the head of annex 3."""
    membres_de_droit: MembersByRight | None = None
    """How many establishments are members by law, and the indicator that counts the members."""


class Orientation(Record):
    id: Identifier
    intitule: Text
    missions: Annotated[list[Mission], Field(min_length=1)]
    """The missions (by their number in the contract's `missions`) the orientation serves: each must
    be served by at least one orientation."""


class ActionSheet(Record):
    pilote: Text
    partenaires: list[Text] = Field(default_factory=list)
    calendrier: dict[str, Text]
    """What is done each year: `2027: …`."""
    livrables: Annotated[list[Text], Field(min_length=1)]
    indicateurs: list[Text] = Field(default_factory=list)
    """Codes of the indicators that measure the action."""
    financement: list[Text] = Field(default_factory=list)
    """The funding lines the action spends, by their code (or their `id` while the code is not
    known): every line is spent by at least one action."""


class Objective(Record):
    id: Identifier
    orientation: Identifier
    intitule: Text
    fiche: ActionSheet


class Baseline(Record):
    valeur: Text
    annee: Annotated[int, Field(ge=2000, le=2030)]


class Indicator(Record):
    code: Text
    libelle: Text
    parent: Text | None = None
    """Code of the indicator this one details (a "dont" line)."""
    type: IndicatorType
    unite: Text | None = None
    """Shown in annex 3; by default, the one of the type (`UNITS`)."""
    definition: Text
    source: Text
    frequence: Text = "annuelle"
    reference: Baseline | None = None
    cibles: dict[str, Text]
    mesure_a_partir_de: Year | None = None
    """The year of the action sheet's step that produces what is measured: before it, a target
    other than the reference is a warning."""
    porte_sur: Literal["annee", "annee-precedente"] = "annee"
    """`annee-precedente` when a year's value measures the year before (a transmission of last
    year's values): a target whose measured year is before the contract is a warning."""

    @property
    def unit(self) -> str:
        return self.unite or UNITS[self.type]


class FundingLine(Record):
    code: Text
    """FIR mission code (`MI2-2-2`), or `à confirmer` while it is not known."""
    id: Identifier | None = None
    """How the action sheets name the line while its code is `à confirmer`."""
    libelle: Text
    montants: dict[str, Amount]
    total: Amount | None = None
    """Optional: a total written by hand is checked against the sum of the years."""

    def amount(self, year: str) -> Decimal:
        return self.montants.get(year, Decimal(0))

    @property
    def names(self) -> tuple[str, ...]:
        """What an action sheet may call it by."""
        return (self.code,) if self.id is None else (self.code, self.id)

    @property
    def sum(self) -> Decimal:
        """The line's total, computed."""
        return sum(self.montants.values(), Decimal(0))


class Payment(Record):
    date: datetime.date
    objet: Text
    dotation: Year | None = None
    """The year whose funding the payment pays (`2027`): its amount is then computed."""
    part: Annotated[Decimal, Field(gt=0, le=100)] | None = None
    """The percentage of that year's funding paid; none: what remains of it."""


class Finance(Record):
    lignes: Annotated[list[FundingLine], Field(min_length=1)]
    total_par_annee: dict[str, Amount] | None = None
    total_general: Amount | None = None
    echeancier: Annotated[list[Payment], Field(min_length=1)]
    conditions: MultilineText
    compte_rendu: MultilineText

    def payment(self, index: int) -> Decimal | None:
        """The amount of the `index`-th payment, from the year's total: its part, or the rest of the
        year once the payments before it are paid (rounded to the cent, the rest exact)."""
        payment = self.echeancier[index]
        if payment.dotation is None:
            return None
        total = self.year_total(payment.dotation)
        if payment.part is not None:
            return (total * payment.part / 100).quantize(Decimal("0.01"))
        earlier = [i for i, other in enumerate(self.echeancier[:index]) if other.dotation == payment.dotation]
        return total - sum((self.payment(i) or Decimal(0) for i in earlier), Decimal(0))

    def year_total(self, year: str) -> Decimal:
        """The total of a year, computed from the lines (a stated total is only checked)."""
        return sum((line.amount(year) for line in self.lignes), Decimal(0))

    @property
    def grand_total(self) -> Decimal:
        return sum((line.sum for line in self.lignes), Decimal(0))


class Cpom(Record):
    contrat: Contract
    missions: Annotated[list[Text], Field(min_length=1)]
    """The missions the contract serves, in the order of the text that sets them (for a DSR, the II
    of article D. 6327-6 of the code de la santé publique, read in its current version): data, never
    counted in the annexes' prose."""
    orientations: Annotated[list[Orientation], Field(min_length=1)]
    objectifs: Annotated[list[Objective], Field(min_length=1)]
    indicateurs: Annotated[list[Indicator], Field(min_length=1)]
    financement: Finance
