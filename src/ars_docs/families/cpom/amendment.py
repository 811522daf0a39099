"""What an amendment (avenant) changes between two states of a contract, item by item, as the
summary at the head of the comparison lists it: targets and amounts with their old and new
values, indicators, action sheets, orientations and budget lines added or removed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

from ars_docs.families.cpom.models import YEARS, Cpom, FundingLine, Indicator, Objective, Orientation
from ars_docs.families.cpom.rules import format_value, parse_value
from ars_docs.tree.french import format_amount

NONE = "—"
T = TypeVar("T", Orientation, Objective, Indicator)


@dataclass(frozen=True)
class Change:
    annex: int
    item: str
    before: str
    after: str

    def row(self) -> dict[str, str]:
        return {"annexe": str(self.annex), "element": self.item, "avant": self.before, "apres": self.after}


def changes(old: Cpom, new: Cpom) -> list[Change]:
    """Every difference between the two contracts, annex by annex, in the newer one's order."""
    return [*_orientations(old, new), *_sheets(old, new), *_indicators(old, new), *_finance(old, new)]


def _fields(before: object, after: object, labels: dict[str, str]) -> list[str]:
    return [label for name, label in labels.items() if getattr(before, name) != getattr(after, name)]


def _paired(old: list[T], new: list[T], key: str) -> Iterator[tuple[T | None, T | None]]:
    """The items of both lists by their identifier: the newer one's order, then the removed ones."""
    before = {getattr(item, key): item for item in old}
    after = {getattr(item, key): item for item in new}
    for identifier, item in after.items():
        yield before.get(identifier), item
    for identifier, item in before.items():
        if identifier not in after:
            yield item, None


def _orientations(old: Cpom, new: Cpom) -> Iterator[Change]:
    labels = {"intitule": "intitulé", "missions": "missions servies"}
    for before, after in _paired(old.orientations, new.orientations, "id"):
        yield from _whole_or_fields(1, "Orientation", before, after, labels)


def _sheets(old: Cpom, new: Cpom) -> Iterator[Change]:
    for before, after in _paired(old.objectifs, new.objectifs, "id"):
        changed: list[str] = []
        if before is not None and after is not None:
            changed = _fields(before, after, {"orientation": "orientation", "intitule": "intitulé"})
            changed += _fields(before.fiche, after.fiche, {
                "pilote": "pilote", "partenaires": "partenaires", "calendrier": "calendrier",
                "livrables": "livrables", "indicateurs": "indicateurs"})
        yield from _whole_or_fields(2, "Fiche action", before, after, {}, changed)


def _whole_or_fields(annex: int, kind: str, before: Orientation | Objective | None,
                     after: Orientation | Objective | None, labels: dict[str, str],
                     changed: list[str] | None = None) -> Iterator[Change]:
    if after is None:
        assert before is not None
        yield Change(annex, f"{kind} « {before.intitule} »", "présente", "supprimée")
    elif before is None:
        yield Change(annex, f"{kind} « {after.intitule} »", NONE, "ajoutée")
    elif (found := changed if changed is not None else _fields(before, after, labels)):
        yield Change(annex, f"{kind} « {after.intitule} »", "modifiée", ", ".join(found))


def _shown(indicator: Indicator, raw: str | None) -> str:
    return NONE if raw is None else format_value(indicator.type, parse_value(indicator.type, raw))


def _indicators(old: Cpom, new: Cpom) -> Iterator[Change]:
    labels = {"libelle": "libellé", "parent": "ligne « dont »", "type": "type", "unite": "unité",
              "definition": "définition", "source": "source", "frequence": "fréquence"}
    for before, after in _paired(old.indicateurs, new.indicateurs, "code"):
        if after is None:
            assert before is not None
            yield Change(3, f"{before.code} – {before.libelle}", "présent", "supprimé")
            continue
        if before is None:
            yield Change(3, f"{after.code} – {after.libelle}", NONE, "ajouté")
            continue
        if found := _fields(before, after, labels):
            yield Change(3, f"{after.code} – {after.libelle}", "modifié", ", ".join(found))
        if before.reference != after.reference:
            old_value = f"{_shown(before, before.reference.valeur)} ({before.reference.annee})" \
                if before.reference else NONE
            new_value = f"{_shown(after, after.reference.valeur)} ({after.reference.annee})" \
                if after.reference else NONE
            yield Change(3, f"{after.code} – référence", old_value, new_value)
        for year in YEARS:
            old_target, new_target = _shown(before, before.cibles.get(year)), _shown(after, after.cibles.get(year))
            if old_target != new_target:
                yield Change(3, f"{after.code} – cible {year}", old_target, new_target)


def _line_key(line: FundingLine, lines: list[FundingLine]) -> str:
    """A budget line is known by its FIR code, or by its label where the code is shared or pending."""
    return line.code if sum(other.code == line.code for other in lines) == 1 else f"{line.code} {line.libelle}"


def _finance(old: Cpom, new: Cpom) -> Iterator[Change]:
    yield from _finance_lines(old, new)
    yield from _finance_totals(old, new)


def _finance_lines(old: Cpom, new: Cpom) -> Iterator[Change]:
    before_lines = {_line_key(line, old.financement.lignes): line for line in old.financement.lignes}
    after_lines = {_line_key(line, new.financement.lignes): line for line in new.financement.lignes}
    for key, after in after_lines.items():
        before = before_lines.get(key)
        if before is None:
            yield Change(4, f"Ligne {after.code} – {after.libelle}", NONE, "ajoutée")
            continue
        for year in YEARS:
            old_amount, new_amount = before.amount(year), after.amount(year)
            if old_amount != new_amount:
                yield Change(4, f"Ligne {after.code} – {year}", format_amount(old_amount), format_amount(new_amount))
        if before.libelle != after.libelle:
            yield Change(4, f"Ligne {after.code}", "modifiée", "libellé")
    for key, before in before_lines.items():
        if key not in after_lines:
            yield Change(4, f"Ligne {before.code} – {before.libelle}", "présente", "supprimée")


def _finance_totals(old: Cpom, new: Cpom) -> Iterator[Change]:
    for year in YEARS:
        old_total, new_total = old.financement.year_total(year), new.financement.year_total(year)
        if old_total != new_total:
            yield Change(4, f"Total {year}", format_amount(old_total), format_amount(new_total))
    old_sum, new_sum = old.financement.grand_total, new.financement.grand_total
    if old_sum != new_sum:
        yield Change(4, "Total général", format_amount(old_sum), format_amount(new_sum))
    old_schedule = {(p.date, p.objet) for p in old.financement.echeancier}
    new_schedule = {(p.date, p.objet) for p in new.financement.echeancier}
    if old_schedule != new_schedule:
        yield Change(4, "Échéancier des versements", "modifié", f"{len(new_schedule - old_schedule)} versement(s) "
                     f"ajouté(s) ou modifié(s), {len(old_schedule - new_schedule)} retiré(s) ou modifié(s)")
    for name, label in (("conditions", "Conditions d'utilisation des crédits"),
                        ("compte_rendu", "Compte rendu financier")):
        if getattr(old.financement, name) != getattr(new.financement, name):
            yield Change(4, label, "modifié", "texte modifié")
