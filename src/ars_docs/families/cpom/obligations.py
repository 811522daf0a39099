"""What the contract's amounts oblige the association to (domain rules §9): the statutory auditor
above the threshold of public subsidies, whose fee the budget carries and whose report annex 4
requires; and the words annex 4 must say whatever the amounts (the annuality of FIR credits)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ars_docs.families.cpom.models import Cpom
from ars_docs.source.errors import Location, Problem
from ars_docs.source.fields import folded
from ars_docs.source.validation import field_path
from ars_docs.source.yamlsource import YamlDocument
from ars_docs.tree.french import format_amount

AUDIT_THRESHOLD = Decimal(153000)
"""Public subsidies in a year above which an association has its accounts certified by a statutory
auditor and publishes them (code de commerce, L. 612-4; the amount is set by D. 612-5)."""


def audited_year(cpom: Cpom) -> tuple[str, Decimal] | None:
    """The year (and its total) of the largest funding, when it is above the auditor's threshold."""
    finance = cpom.financement
    years = sorted({year for line in finance.lignes for year in line.montants})
    largest = max(((year, finance.year_total(year)) for year in years), key=lambda pair: pair[1], default=None)
    return largest if largest is not None and largest[1] > AUDIT_THRESHOLD else None


def auditor_fee(cpom: Cpom, source: YamlDocument) -> Iterator[Problem]:
    """Above the threshold, the budget carries the auditor's fee: a funding line that names it."""
    audited = audited_year(cpom)
    if audited and not any("commissaire aux comptes" in folded(line.libelle) for line in cpom.financement.lignes):
        year, amount = audited
        yield Problem(source.locate(("financement", "lignes"), key=True), "financement.lignes",
                       f"le contrat verse {format_amount(amount)} en {year}, plus que les "
                       f"{format_amount(AUDIT_THRESHOLD)} au-delà desquels l'association fait certifier ses comptes "
                       "(code de commerce, L. 612-4 et D. 612-5) : le budget doit porter les honoraires du commissaire "
                       "aux comptes ; nommez-les dans le libellé d'une ligne")


ANNUALITY = ("sous reserve", "credits")
"""What annex 4 must say of a multi-year commitment of FIR credits, allotted each year."""
AUDIT_WORDS = ("commissaire aux comptes", "certifi", "rapport", "publi")
"""What annex 4 must require above the auditor's threshold: accounts certified by the auditor, the
auditor's report, their publication."""


def annex_problems(cpom: Cpom, text: str, template: str) -> Iterator[Problem]:
    """Annex 4 as composed (`text`, from its template `template`): the annuality clause, always;
    above the threshold, the audit obligations."""
    said = folded(text)
    if not all(word in said for word in ANNUALITY):
        yield Problem(Location(template), "", "l'annexe financière engage des crédits du fonds d'intervention "
                      "régional sur plusieurs années : elle doit dire qu'ils sont alloués chaque année « sous réserve "
                      "de la disponibilité des crédits » notifiés à l'agence")
    audited = audited_year(cpom)
    if audited and not all(word in said for word in AUDIT_WORDS):
        year, amount = audited
        yield Problem(Location(template), "", f"le contrat verse {format_amount(amount)} en {year} (plus de "
                      f"{format_amount(AUDIT_THRESHOLD)}) : l'annexe financière doit exiger les comptes certifiés par "
                      "un commissaire aux comptes, son rapport et leur publication (code de commerce, L. 612-4 et "
                      "D. 612-5)")


BODY = re.compile(r"\b(commission|comite|conseil|bureau|assemblee generale|college)"
                  r"(?:\s+(?:d['’]\s*|de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+)?([a-z][\w-]*))?")
"""A body of the association (« Commission scientifique », « conseil d'administration »), in
folded text: the kind, and the word that names it."""
_LINKS = re.compile(r"\b(du|de|des|la|le|les|et|a|au|aux|pour|sur|en|dsr|l|d)\b")


def bodies_problems(cpom: Cpom, source: YamlDocument, founding: tuple[str, str]) -> Iterator[Problem]:
    """A body the contract gives work to (a pilot, a step of an action sheet, how an indicator is
    established) must exist in the association's statutes: a « Commission scientifique » they never
    create cannot lead an action."""
    statutes, text = founding
    said = re.sub(r"[’']", "'", folded(text))
    fields: list[tuple[tuple[str | int, ...], str]] = []
    for index, objective in enumerate(cpom.objectifs):
        sheet = objective.fiche
        fields.append((("objectifs", index, "fiche", "pilote"), sheet.pilote))
        fields += [(("objectifs", index, "fiche", "calendrier", year), step) for year, step in sheet.calendrier.items()]
        fields += [(("objectifs", index, "fiche", "livrables", n), item) for n, item in enumerate(sheet.livrables)]
    fields += [(("indicateurs", index, "definition"), indicator.definition)
               for index, indicator in enumerate(cpom.indicateurs)]
    for path, value in fields:
        for found in BODY.finditer(folded(value)):
            named = found.group(2) and not _LINKS.fullmatch(found.group(2)) and found.group(1) != "assemblee generale"
            name = found.group(0) if named else found.group(1)
            if re.sub(r"[’']", "'", name) in said:
                continue
            written = value[found.start():found.start() + len(name)]
            yield Problem(source.locate_inside(path, value[:found.start()], written), field_path(path),
                          f"« {written} » : aucune instance de ce nom dans les statuts de l'association ({statutes}) ; "
                          "créez-la dans les statuts, ou confiez ce rôle à une instance qu'ils prévoient")
