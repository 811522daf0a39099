"""Checks of a CPOM's content, typed indicator values, and French formatting of values and amounts."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal

from ars_docs.families.cpom.models import MAX_AMOUNT, YEARS, Cpom, Indicator, Objective
from ars_docs.families.cpom.obligations import auditor_fee
from ars_docs.source.errors import Problem, warn
from ars_docs.source.fields import parse_yes_no
from ars_docs.source.validation import duplicates, field_path
from ars_docs.source.yamlsource import PathKey, YamlDocument
from ars_docs.tree.french import format_amount, short_date

FIR_CODE = re.compile(r"MI\d+-\d+(?:-\d+)?")
PENDING_CODE = "à confirmer"
INDICATOR_CODE = re.compile(r"[A-Z]{1,4}\d{1,3}[a-z]?")
# Article D. 6327-6 II of the code de la santé publique: the missions of a DSR.
MAX_DEPTH = 3
"""Levels of « dont » lines under an indicator (« dont », « dont… dont »…)."""

Value = Decimal | bool | datetime.date


def parse_value(kind: str, raw: str) -> Value:
    """An indicator value read according to its type; ValueError (French) otherwise."""
    text = raw.strip()
    if kind == "oui-non":
        try:
            return parse_yes_no(text)
        except ValueError:
            raise ValueError("« oui » ou « non » attendu") from None
    if kind == "date":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError("une date AAAA-MM-JJ qui existe attendue") from None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError("un nombre attendu") from None
    if number < 0 or not number.is_finite():
        raise ValueError("un nombre positif ou nul attendu")
    if kind == "montant" and int(number.normalize().as_tuple().exponent) < -2:
        raise ValueError("un montant en euros, au centime près, attendu")
    if kind == "montant" and number > MAX_AMOUNT:
        raise ValueError("un montant de moins de mille milliards d'euros attendu")
    if kind == "pourcentage" and number > 100:
        raise ValueError("un pourcentage de 0 à 100 attendu")
    return number


def format_value(kind: str, value: Value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.date):
        return short_date(value)
    if kind == "montant":
        return format_amount(value)
    text = format_decimal(value, locale="fr_FR")
    return f"{text} %" if kind == "pourcentage" else text


def check_cpom(cpom: Cpom, source: YamlDocument, warnings: bool = True) -> list[Problem]:
    """The contract's errors; when there is none, its warnings printed (unless `warnings` is false:
    an older state, compared with)."""
    problems = list(_errors(cpom, source))
    if not problems and warnings:
        _target_years(cpom, source)
    return problems


def _errors(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    yield from duplicates(source, [(("orientations", i, "id"), o.id) for i, o in enumerate(cpom.orientations)])
    yield from duplicates(source, [(("objectifs", i, "id"), o.id) for i, o in enumerate(cpom.objectifs)])
    yield from duplicates(source, [(("indicateurs", i, "code"), x.code) for i, x in enumerate(cpom.indicateurs)])
    yield from _links(cpom, source)
    yield from _coverage(cpom, source)
    yield from _indicators(cpom, source)
    yield from _hierarchy(cpom.indicateurs, source)
    yield from _years(source, _year_tables(cpom))
    yield from _funding(cpom, source)
    yield from auditor_fee(cpom, source)
    yield from _spent(cpom, source)
    yield from _payments(cpom, source)
    yield from _membership(cpom, source)
    yield from _measured_from(cpom, source)


def _problem(source: YamlDocument, path: PathKey, message: str, key: bool = False) -> Problem:
    return Problem(source.locate(path, key=key), field_path(path), message)


def wrong_kind(cpom: Cpom, name: str, expected: str) -> str:
    """What else `name` is in the contract, when a field that points to `expected` names it:
    « gradation » is an orientation, not an indicator. Empty when it is nothing."""
    kinds = (("une orientation", {o.id for o in cpom.orientations}), ("un objectif", {o.id for o in cpom.objectifs}),
             ("un indicateur", {i.code for i in cpom.indicateurs}),
             ("une ligne de financement", {line.code for line in cpom.financement.lignes}))
    found = next((kind for kind, names in kinds if name in names), None)
    return f" : « {name} » est {found}, pas {expected}" if found else ""


def _links(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    orientations = {o.id for o in cpom.orientations}
    codes = {i.code for i in cpom.indicateurs}
    for index, objective in enumerate(cpom.objectifs):
        if objective.orientation not in orientations:
            yield _problem(source, ("objectifs", index, "orientation"),
                           f"orientation « {objective.orientation} » inconnue"
                           f"{wrong_kind(cpom, objective.orientation, 'une orientation')} : l'objectif n'est "
                           f"rattaché à aucune orientation (connues : {', '.join(sorted(orientations))})")
        for position, code in enumerate(objective.fiche.indicateurs):
            if code not in codes:
                yield _problem(source, ("objectifs", index, "fiche", "indicateurs", position),
                               f"indicateur « {code} » inconnu dans la liste des indicateurs"
                               f"{wrong_kind(cpom, code, 'un indicateur')}")
    for index, orientation in enumerate(cpom.orientations):
        if not any(objective.orientation == orientation.id for objective in cpom.objectifs):
            yield _problem(source, ("orientations", index, "id"), "orientation sans aucun objectif")


def _coverage(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    """Every mission of the contract's `missions` served by an orientation, each orientation's
    missions once and among them."""
    for index, orientation in enumerate(cpom.orientations):
        seen: set[int] = set()
        for position, mission in enumerate(orientation.missions):
            if mission in seen:
                yield _problem(source, ("orientations", index, "missions", position),
                               f"mission {mission}° citée deux fois")
            if mission > len(cpom.missions):
                yield _problem(source, ("orientations", index, "missions", position),
                               f"mission {mission}° inconnue : « missions » en compte {len(cpom.missions)}")
            seen.add(mission)
    served = {mission for orientation in cpom.orientations for mission in orientation.missions}
    missing = [f"{number}° ({text})" for number, text in enumerate(cpom.missions, start=1) if number not in served]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        yield _problem(source, ("orientations",),
                       f"mission{plural} du DSR (article D. 6327-6 II) servie{plural} par aucune orientation : "
                       f"{' ; '.join(missing)} — ajoutez-l{'es' if plural else 'a'} à « missions » d'une orientation",
                       key=True)


def ancestors(indicator: Indicator, by_code: dict[str, Indicator]) -> list[Indicator]:
    """The indicators that `indicator` details, nearest first, up to a root or an unknown code
    (stopped before a repeated one: `check_cpom` refuses cycles)."""
    found: list[Indicator] = []
    seen = {indicator.code}
    current = indicator
    while current.parent is not None and current.parent in by_code and current.parent not in seen:
        current = by_code[current.parent]
        seen.add(current.code)
        found.append(current)
    return found


def _hierarchy(indicators: list[Indicator], source: YamlDocument) -> Iterator[Problem]:
    """« dont » lines: no cycle (each reported once, at its first member), at most `MAX_DEPTH`
    levels under a root indicator."""
    by_code = {indicator.code: indicator for indicator in indicators}
    position = {indicator.code: index for index, indicator in reversed(list(enumerate(indicators)))}
    cycles: set[frozenset[str]] = set()
    for index, indicator in enumerate(indicators):
        chain = [indicator, *ancestors(indicator, by_code)]
        last = chain[-1]
        if last.parent is not None and last.parent in {member.code for member in chain}:
            codes = [member.code for member in chain]
            loop = codes[codes.index(last.parent):]
            if frozenset(loop) not in cycles:
                cycles.add(frozenset(loop))
                first = loop.index(min(loop, key=lambda code: position[code]))
                loop = loop[first:] + loop[:first]
                yield _problem(source, ("indicateurs", position[loop[0]], "parent"),
                               f"indicateurs « dont » en boucle : {' → '.join([*loop, loop[0]])} (chacun détaille "
                               "le suivant) : l'un d'eux doit être sans parent")
        elif len(chain) - 1 > MAX_DEPTH:
            yield _problem(source, ("indicateurs", index, "parent"),
                           f"ligne « dont » de niveau {len(chain) - 1} "
                           f"({' → '.join(member.code for member in reversed(chain))}) : au plus {MAX_DEPTH} "
                           "niveaux sous un indicateur, au-delà l'annexe 3 serait illisible")


def _sheets_measuring(cpom: Cpom, indicator: Indicator) -> list[Objective]:
    """The action sheets that list the indicator, or the one it details."""
    by_code = {item.code: item for item in cpom.indicateurs}
    measured = {indicator.code, *(a.code for a in ancestors(indicator, by_code))}
    return [objective for objective in cpom.objectifs if measured & set(objective.fiche.indicateurs)]


def _target_years(cpom: Cpom, source: YamlDocument) -> None:
    """Warns of a target that contradicts the calendar or the contract: set for a year before
    every action sheet that measures the indicator has begun, before the step that produces what
    it measures (other than the reference value), or measuring a year before the contract."""
    for index, indicator in enumerate(cpom.indicateurs):
        starts = [min(objective.fiche.calendrier) for objective in _sheets_measuring(cpom, indicator)
                  if objective.fiche.calendrier]
        reference = indicator.reference.valeur if indicator.reference else None
        for year in sorted(indicator.cibles):
            where = ("indicateurs", index, "cibles", year)
            if starts and year < min(starts):
                warn(_problem(source, where, f"cible de {indicator.code} pour {year}, avant la première année "
                              f"({min(starts)}) du calendrier des fiches actions qui le mesurent", key=True))
            elif indicator.mesure_a_partir_de and year < indicator.mesure_a_partir_de:
                same = reference is not None and _same(indicator, indicator.cibles[year], reference)
                warn(_problem(source, where, f"cible de {indicator.code} pour {year} : ce qu'il mesure n'est "
                              f"produit qu'à partir de {indicator.mesure_a_partir_de} (mesure_a_partir_de, "
                              "calendrier de la fiche action) ; "
                              + ("égale à la valeur de référence, elle n'engage à rien : " if same else "")
                              + "avant, aucune cible (retirez l'année : l'annexe imprime « — »)", key=True))
            if indicator.porte_sur == "annee-precedente" and str(int(year) - 1) < YEARS[0]:
                warn(_problem(source, where, f"cible de {indicator.code} pour {year} : elle porte sur "
                              f"{int(year) - 1}, avant le début du contrat ({YEARS[0]}) ; la première cible de cet "
                              f"indicateur est celle de {int(YEARS[0]) + 1}", key=True))


def _same(indicator: Indicator, raw: str, other: str) -> bool:
    try:
        return parse_value(indicator.type, raw) == parse_value(indicator.type, other)
    except ValueError:
        return False


def _measured_from(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    """`mesure_a_partir_de` names a year of the calendar of a sheet that measures the indicator."""
    for index, indicator in enumerate(cpom.indicateurs):
        year = indicator.mesure_a_partir_de
        if year is None:
            continue
        path = ("indicateurs", index, "mesure_a_partir_de")
        sheets = _sheets_measuring(cpom, indicator)
        if year not in YEARS:
            yield _problem(source, path, f"année {year} hors du contrat (2027 à 2030)")
        elif not any(year in objective.fiche.calendrier for objective in sheets):
            named = ", ".join(f"« {objective.id} »" for objective in sheets) or "aucune"
            yield _problem(source, path, f"aucune fiche action qui mesure {indicator.code} n'a d'étape en {year} "
                                         f"(fiches qui le mesurent : {named})")


def _spent(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    """Every funding line is spent by an action sheet that names it, and a sheet names only lines."""
    lines = cpom.financement.lignes
    known = {name for line in lines for name in line.names}
    for index, objective in enumerate(cpom.objectifs):
        for position, name in enumerate(objective.fiche.financement):
            if name not in known:
                yield _problem(source, ("objectifs", index, "fiche", "financement", position),
                               f"ligne de financement « {name} » inconnue{wrong_kind(cpom, name, 'une ligne')} "
                               f"(connues : {', '.join(sorted(known))})")
    named = {name for objective in cpom.objectifs for name in objective.fiche.financement}
    for index, line in enumerate(lines):
        if not named & set(line.names):
            yield _problem(source, ("financement", "lignes", index, "code"),
                           f"ligne « {line.code} » ({line.libelle}, {format_amount(line.sum)}) qu'aucune fiche "
                           "action ne met en œuvre : nommez-la dans « financement » de la fiche de l'action qui "
                           "la dépense" + ("" if line.code != PENDING_CODE else " (par son « id », tant que le "
                                          "code est à confirmer)"))


def _payments(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    """A payment pays a year of the contract; the parts of a year add up to no more than all of it."""
    parts: dict[str, Decimal] = {}
    for index, payment in enumerate(cpom.financement.echeancier):
        if payment.dotation is None:
            if payment.part is not None:
                yield _problem(source, ("financement", "echeancier", index, "part"),
                               "une part sans « dotation » : de quelle année ?")
            continue
        if payment.dotation not in YEARS:
            yield _problem(source, ("financement", "echeancier", index, "dotation"),
                           f"année {payment.dotation} hors du contrat (2027 à 2030)")
            continue
        paid = parts.get(payment.dotation, Decimal(0))
        if payment.part is None:  # the rest of the year
            if paid >= 100:
                yield _problem(source, ("financement", "echeancier", index, "dotation"),
                               f"la dotation {payment.dotation} est déjà versée en entier par les versements "
                               "qui précèdent : rien ne reste pour celui-ci")
            parts[payment.dotation] = Decimal(100)
        elif paid + payment.part > 100:
            yield _problem(source, ("financement", "echeancier", index, "part"),
                           f"les versements de la dotation {payment.dotation} dépasseraient 100 % de celle-ci "
                           f"({paid + payment.part} %)")
        else:
            parts[payment.dotation] = paid + payment.part


def _membership(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    """The indicator that counts the members has no target below the members by law."""
    by_right = cpom.contrat.membres_de_droit
    if by_right is None:
        return
    index = next((i for i, indicator in enumerate(cpom.indicateurs) if indicator.code == by_right.indicateur), None)
    if index is None:
        yield _problem(source, ("contrat", "membres_de_droit", "indicateur"),
                       f"indicateur « {by_right.indicateur} » inconnu"
                       f"{wrong_kind(cpom, by_right.indicateur, 'un indicateur')}")
        return
    indicator = cpom.indicateurs[index]
    for year, raw in indicator.cibles.items():
        try:
            value = parse_value(indicator.type, raw)
        except ValueError:
            continue  # said by _indicators
        if isinstance(value, Decimal) and value < by_right.nombre:
            yield _problem(source, ("indicateurs", index, "cibles", year),
                           f"cible de {indicator.code} pour {year} ({raw}) en dessous des {by_right.nombre} "
                           "établissements dont l'adhésion est obligatoire (contrat.membres_de_droit) : "
                           "ils sont membres de droit")


def _indicators(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    indicators = cpom.indicateurs
    codes = {indicator.code for indicator in indicators}
    for index, indicator in enumerate(indicators):
        if not INDICATOR_CODE.fullmatch(indicator.code):
            yield _problem(source, ("indicateurs", index, "code"),
                           f"code « {indicator.code} » invalide : lettres majuscules puis chiffres (IND01, Q3…)")
        if indicator.parent is not None and indicator.parent not in codes:
            yield _problem(source, ("indicateurs", index, "parent"),
                           f"indicateur parent « {indicator.parent} » inconnu"
                           f"{wrong_kind(cpom, indicator.parent, 'un indicateur')}")
        values: list[tuple[PathKey, str]] = [(("indicateurs", index, "cibles", year), raw)
                                             for year, raw in indicator.cibles.items()]
        if indicator.reference is not None:
            values.append((("indicateurs", index, "reference", "valeur"), indicator.reference.valeur))
        for path, raw in values:
            try:
                parse_value(indicator.type, raw)
            except ValueError as error:
                yield _problem(source, path, f"valeur « {raw} » invalide pour un indicateur de type "
                                             f"{indicator.type} : {error}")


def _year_tables(cpom: Cpom) -> Iterator[tuple[PathKey, Iterable[str]]]:
    for index, objective in enumerate(cpom.objectifs):
        yield ("objectifs", index, "fiche", "calendrier"), objective.fiche.calendrier
    for index, indicator in enumerate(cpom.indicateurs):
        yield ("indicateurs", index, "cibles"), indicator.cibles
    for index, line in enumerate(cpom.financement.lignes):
        yield ("financement", "lignes", index, "montants"), line.montants
    if cpom.financement.total_par_annee is not None:
        yield ("financement", "total_par_annee"), cpom.financement.total_par_annee


def _years(source: YamlDocument, tables: Iterator[tuple[PathKey, Iterable[str]]]) -> Iterator[Problem]:
    for path, years in tables:
        for year in years:
            if year not in YEARS:
                yield _problem(source, (*path, year), f"année {year} hors du contrat (2027 à 2030)", key=True)


def _funding(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    finance = cpom.financement
    for index, line in enumerate(finance.lignes):
        if line.code != PENDING_CODE and not FIR_CODE.fullmatch(line.code):
            yield _problem(source, ("financement", "lignes", index, "code"),
                           f"code de mission FIR « {line.code} » invalide : MI2-2-2, par exemple, "
                           f"ou « {PENDING_CODE} »")
        if line.total is not None and line.total != line.sum:
            yield _problem(source, ("financement", "lignes", index, "total"),
                           _disagreement(line.total, line.sum, "des années"))
    for year, stated in (finance.total_par_annee or {}).items():
        computed = finance.year_total(year)
        if stated != computed:
            yield _problem(source, ("financement", "total_par_annee", year),
                           _disagreement(stated, computed, "des lignes"))
    if finance.total_general is not None:
        computed = finance.grand_total
        if finance.total_general != computed:
            yield _problem(source, ("financement", "total_general"), _disagreement(finance.total_general, computed,
                                                                                   "de toutes les lignes"))


def _disagreement(stated: Decimal, computed: Decimal, what: str) -> str:
    return f"total écrit {format_amount(stated)} différent de la somme {what}, {format_amount(computed)}"
