"""The four annexes of a CPOM as document trees: each alone, and all four together."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ars_docs.families.cpom.amendment import changes
from ars_docs.families.cpom.models import YEARS, Cpom, Indicator, Objective
from ars_docs.families.cpom.obligations import AUDIT_THRESHOLD, annex_problems, audited_year
from ars_docs.families.cpom.rules import format_value, parse_value
from ars_docs.source.errors import InvalidInput, Location, Problem
from ars_docs.source.project import FONTS
from ars_docs.source.validation import field_path
from ars_docs.source.yamlsource import PathKey, YamlDocument
from ars_docs.tree.doctree import (
    Block,
    Cell,
    Document,
    Heading,
    Landscape,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    Table,
    inline_text,
)
from ars_docs.tree.fontmetrics import printed_width_mm
from ars_docs.tree.french import format_amount, long_date, short_date
from ars_docs.tree.markdown import MarkupError, parse_markdown
from ars_docs.tree.parts import MarkdownParts
from ars_docs.tree.redline import diff_blocks
from ars_docs.tree.tablefit import TooNarrow, fit_widths
from ars_docs.tree.typography import typeset, typeset_blocks

ANNEXES = {
    1: ("annexe-1-orientations-objectifs", "Orientations stratégiques et objectifs"),
    2: ("annexe-2-fiches-actions", "Fiches actions"),
    3: ("annexe-3-indicateurs", "Indicateurs et cibles annuelles"),
    4: ("annexe-4-financiere", "Annexe financière"),
}
ALL_ANNEXES = "annexes-1-a-4"
LANDSCAPE = 3  # the indicator table needs the width of a landscape page
FINANCIAL = 4  # the financial annex: its obligations checked on its text (obligations.py)
TEXT_WIDTH_MM = {False: 172.0, True: 257.0}
"""The width of the text on an A4 page, upright and landscape, in `annexes.css` and `annexes.docx`."""
TABLE_FONT, TABLE_FONT_PT = "LiberationSans-Bold.ttf", 8.5
"""The widest the tables' text prints: bold (headers, totals), at Word's size (the PDF's is smaller)."""


def _text(text: str, bold: bool = False, align: str | None = None, indent: int = 0) -> Cell:
    return Cell((Paragraph((Run(text, bold=bold),)),) if text else (), align=align, indent=indent)


def _header(*labels: str) -> tuple[Cell | None, ...]:
    return tuple(_text(label) for label in labels)


DONT = re.compile(r"dont\b", re.IGNORECASE)


def day_and_month(value: str) -> str:
    """`31/03` -> `31 mars`, `01/04` -> `1er avril` (typography raises the `er`)."""
    day, month = (int(part) for part in value.split("/"))
    return long_date(datetime.date(2027, month, day)).removesuffix(" 2027")


def indicators_in_order(indicators: list[Indicator]) -> Iterator[tuple[Indicator, int]]:
    """Each indicator followed by its « dont » lines, at any depth, with its depth; none is left
    out (`check_cpom` has refused cycles and unknown parents)."""
    children: dict[str | None, list[Indicator]] = {}
    for indicator in indicators:
        children.setdefault(indicator.parent, []).append(indicator)

    def walk(indicator: Indicator, depth: int) -> Iterator[tuple[Indicator, int]]:
        yield indicator, depth
        for child in children.get(indicator.code, []):
            yield from walk(child, depth + 1)

    for root in children.get(None, []):
        yield from walk(root, 0)


class CpomComposer:
    def __init__(self, parts: MarkdownParts, cpom: Cpom, source: YamlDocument) -> None:
        self.parts = parts
        self.cpom = cpom
        self.source = source
        self.numbers = self._objective_numbers()
        self.builders: dict[int, Callable[[], Iterator[Block]]] = {
            1: self._orientations, 2: self._sheets, 3: self._indicators, 4: self._finance}

    def _objective_numbers(self) -> dict[str, str]:
        numbers: dict[str, str] = {}
        for o, orientation in enumerate(self.cpom.orientations, start=1):
            mine = [objective for objective in self.cpom.objectifs if objective.orientation == orientation.id]
            numbers.update({objective.id: f"{o}.{k}" for k, objective in enumerate(mine, start=1)})
        return numbers

    def _context(self, number: int | None) -> dict[str, Any]:
        title = ANNEXES[number][1] if number else "Annexes 1 à 4"
        audited = audited_year(self.cpom)
        return {"contrat": self.cpom.contrat, "annexe": number, "intitule": title,
                "echeance_indicateurs": day_and_month(self.cpom.contrat.transmission_indicateurs),
                "commissaire_aux_comptes": audited is not None,
                "seuil_commissaire": format_amount(AUDIT_THRESHOLD),
                "annee_commissaire": audited[0] if audited else "",
                "montant_commissaire": format_amount(audited[1]) if audited else ""}

    def annex(self, number: int) -> Document:
        head = self.parts.part("entete.md", self._context(number))
        body = self._annex_body(number)
        blocks: tuple[Block, ...] = (Landscape((*head, *body)),) if number == LANDSCAPE else (*head, *body)
        return self._document(f"Annexe {number} – {ANNEXES[number][1]}", blocks)

    def all_annexes(self) -> Document:
        blocks: list[Block] = list(self.parts.part("entete.md", self._context(None)))
        for number in ANNEXES:
            body = self._annex_body(number)
            blocks.extend([Landscape(tuple(body))] if number == LANDSCAPE else body)
            if number + 1 in ANNEXES and LANDSCAPE not in (number, number + 1):
                blocks.append(PageBreak())  # the landscape part begins and ends on new pages by itself
        return self._document("Annexes 1 à 4", tuple(blocks))

    def comparison_summary(self, older: CpomComposer) -> tuple[Block, ...]:
        """The head of a comparison (templates/cpom/comparaison.md): the table of the changes."""
        context = {**self._context(None), "ancienne": older.cpom.contrat, "nouvelle": self.cpom.contrat,
                   "changements": [change.row() for change in changes(older.cpom, self.cpom)]}
        return self.parts.part("comparaison.md", context)

    def comparison(self, older: CpomComposer) -> Document:
        """The four annexes of the older state of the contract and of this one, with the same
        redline as the statutes' drafts (tracked changes in Word), after a summary of the changes."""
        blocks = list(self.comparison_summary(older))
        for number in ANNEXES:
            body = diff_blocks(typeset_blocks(tuple(older._annex_body(number))),
                               typeset_blocks(tuple(self._annex_body(number))))
            blocks.extend([Landscape(body)] if number == LANDSCAPE else body)
            if number + 1 in ANNEXES and LANDSCAPE not in (number, number + 1):
                blocks.append(PageBreak())
        versions = f"{older.cpom.contrat.version} → {self.cpom.contrat.version}"
        return self._document(f"Comparaison des annexes : {versions}", tuple(blocks),
                              keywords=("CPOM", "DSR", "avenant", "comparaison"), versioned=False)

    def _document(self, what: str, blocks: tuple[Block, ...], keywords: tuple[str, ...] = ("CPOM", "DSR", "annexes"),
                  versioned: bool = True) -> Document:
        contract = self.cpom.contrat
        title = f"{contract.titre} — {what}" + (f" — {contract.version}" if versioned else "")
        agency = self.parts.project.settings.agence
        author = agency.nom if agency else ""  # the agency, which writes the annexes (`agence:`)
        document = typeset(Document(
            title=title, date=contract.date, blocks=blocks, author=author,
            subject=f"{contract.titre}, {contract.organisme}", keywords=keywords, reviser=author))
        return replace(document, blocks=tuple(self._fitted(document.blocks, landscape=False)))

    def _fitted(self, blocks: tuple[Block, ...], landscape: bool) -> Iterator[Block]:
        """Tables whose columns leave room for every code, date and amount (`tablefit`), once the
        text is typeset (its no-break spaces bind amounts and units)."""
        font = self.parts.project.root / FONTS / TABLE_FONT
        if not font.is_file():
            raise InvalidInput([Problem(Location(self.parts.project.name(font)), "",
                                        "police absente : elle mesure les colonnes des tableaux")])
        for block in blocks:
            if isinstance(block, Table):
                try:
                    yield fit_widths(block, TEXT_WIDTH_MM[landscape],
                                     lambda text: printed_width_mm(text, font, TABLE_FONT_PT))
                except TooNarrow as error:
                    raise InvalidInput([Problem(self.source.locate(()), "", "un tableau des annexes ne tient pas "
                                                f"dans la largeur de la page : {error}")]) from None
            elif isinstance(block, Landscape):
                yield replace(block, blocks=tuple(self._fitted(block.blocks, landscape=True)))
            else:
                yield block

    def _annex_body(self, number: int) -> list[Block]:
        heading = Heading(1, (Run(f"Annexe {number} – {ANNEXES[number][1]}"),), anchor=f"annexe-{number}")
        intro = self.parts.part(f"annexe-{number}.md", self._context(number))
        if number == FINANCIAL:
            text = " ".join(inline_text(block.inlines) for block in intro if isinstance(block, Paragraph))
            template = self.parts.project.name(self.parts.folder / f"annexe-{number}.md")
            problems = list(annex_problems(self.cpom, text, template))
            if problems:
                raise InvalidInput(problems)
        return [heading, *intro, *self.builders[number]()]

    def _orientations(self) -> Iterator[Block]:
        numbered = list(enumerate(self.cpom.orientations, start=1))
        yield Heading(2, (Run("Missions du DSR et orientations qui les servent"),), anchor="missions")
        rows: list[tuple[Cell | None, ...]] = [_header("Mission (art. D. 6327-6 II)", "Orientations")]
        for mission, wording in enumerate(self.cpom.missions, start=1):
            serving = [f"Orientation {o} – {orientation.intitule}" for o, orientation in numbered
                       if mission in orientation.missions]
            rows.append((_text(f"{mission}° {wording}"),
                         Cell(tuple(Paragraph((Run(line),)) for line in serving))))
        yield Table(tuple(rows), header_rows=1, widths=(1, 1))
        for o, orientation in numbered:
            yield Heading(2, (Run(f"Orientation {o} – {orientation.intitule}"),),
                          anchor=f"orientation-{orientation.id}")
            served = sorted(set(orientation.missions))
            label = "Missions du DSR servies" if len(served) > 1 else "Mission du DSR servie"
            yield Paragraph((Run(f"{label} (art. D. 6327-6 II) : "),
                             Run(" ; ".join(f"{mission}° {self.cpom.missions[mission - 1]}" for mission in served)
                                 + ".")))
            objectives = [o for o in self.cpom.objectifs if o.orientation == orientation.id]
            yield ListBlock(tuple(Paragraph((Run(f"Objectif {self.numbers[o.id]} – ", bold=True), Run(o.intitule)))
                                  for o in objectives))

    def _sheets(self) -> Iterator[Block]:
        labels = {indicator.code: indicator.libelle for indicator in self.cpom.indicateurs}
        orientations = {o.id: o.intitule for o in self.cpom.orientations}
        ordered = sorted(self.cpom.objectifs, key=lambda o: tuple(int(n) for n in self.numbers[o.id].split(".")))
        for objective in ordered:
            yield Heading(2, (Run(f"Fiche action {self.numbers[objective.id]} – {objective.intitule}"),),
                          anchor=f"fiche-{objective.id}")
            yield self._sheet(objective, orientations[objective.orientation], labels)

    def _sheet(self, objective: Objective, orientation: str, labels: dict[str, str]) -> Table:
        sheet = objective.fiche
        rows: list[tuple[Cell | None, ...]] = [
            (_text("Orientation", bold=True), _text(orientation)),
            (_text("Pilote", bold=True), _text(sheet.pilote)),
            (_text("Partenaires", bold=True), _text(" ; ".join(sheet.partenaires) or "—")),
        ]
        rows += [(_text(f"Calendrier {year}", bold=True), _text(sheet.calendrier.get(year, "—"))) for year in YEARS]
        rows.append((_text("Livrables", bold=True), _text(" ; ".join(sheet.livrables))))
        rows.append((_text("Indicateurs", bold=True),
                     _text(" ; ".join(f"{code} – {labels[code]}" for code in sheet.indicateurs) or "—")))
        if sheet.financement:
            lines = [line for line in self.cpom.financement.lignes if set(line.names) & set(sheet.financement)]
            rows.append((_text("Financement", bold=True),
                         _text(" ; ".join(f"{line.code} – {line.libelle} (annexe 4)" for line in lines))))
        return Table(((_text("Rubrique"), _text("Contenu")), *rows), header_rows=1, widths=(1, 4))

    def _indicators(self) -> Iterator[Block]:
        header = _header("Code", "Indicateur", "Définition ou formule", "Source", "Fréquence", "Unité",
                         "Référence", *YEARS)
        rows = [header]
        for indicator, depth in indicators_in_order(self.cpom.indicateurs):
            rows.append(self._indicator_row(indicator, depth))
        yield Table(tuple(rows), header_rows=1, widths=(6, 14, 20, 11, 7, 5, 9, 7, 7, 7, 7))

    @staticmethod
    def _indicator_row(indicator: Indicator, depth: int) -> tuple[Cell | None, ...]:
        def shown(raw: str | None) -> str:
            return "—" if raw is None else format_value(indicator.type, parse_value(indicator.type, raw))
        reference = indicator.reference
        baseline = f"{shown(reference.valeur)} ({reference.annee})" if reference else "—"
        label = indicator.libelle
        if depth and not DONT.match(label):
            label = f"dont {label}"
        return (_text(indicator.code), _text(label, indent=depth),
                _text(indicator.definition), _text(indicator.source), _text(indicator.frequence),
                _text(indicator.unit), _text(baseline, align="right"),
                *(_text(shown(indicator.cibles.get(year)), align="right") for year in YEARS))

    def _finance(self) -> Iterator[Block]:
        finance = self.cpom.financement
        rows: list[tuple[Cell | None, ...]] = [_header("Mission FIR", "Libellé", *YEARS, "Total")]
        for line in finance.lignes:
            amounts = [line.amount(year) for year in YEARS]
            rows.append((_text(line.code), _text(line.libelle),
                         *(_text(format_amount(a), align="right") for a in (*amounts, line.sum))))
        totals = [finance.year_total(year) for year in YEARS]
        total_label = Cell((Paragraph((Run("Total", bold=True),)),), colspan=2)
        rows.append((total_label, None,
                     *(_text(format_amount(a), bold=True, align="right") for a in (*totals, finance.grand_total))))
        yield Table(tuple(rows), header_rows=1, widths=(8, 27, 11, 11, 11, 11, 12))
        yield Heading(2, (Run("Échéancier des versements"),), anchor="echeancier")
        yield from self._schedule()
        yield Heading(2, (Run("Conditions d'utilisation des crédits"),), anchor="conditions")
        yield from self._markdown(finance.conditions, ("financement", "conditions"))
        yield Heading(2, (Run("Compte rendu financier"),), anchor="compte-rendu")
        yield from self._markdown(finance.compte_rendu, ("financement", "compte_rendu"))

    def _schedule(self) -> Iterator[Block]:
        """The payments, with their amounts when they say which year's funding they pay."""
        finance = self.cpom.financement
        amounts = [finance.payment(index) for index in range(len(finance.echeancier))]
        if not any(amount is not None for amount in amounts):
            yield Table((_header("Date", "Versement"),
                         *((_text(short_date(p.date)), _text(p.objet)) for p in finance.echeancier)), header_rows=1,
                        widths=(1, 5))
            return
        rows: list[tuple[Cell | None, ...]] = [_header("Date", "Versement", "Montant")]
        rows += [(_text(short_date(payment.date)), _text(payment.objet),
                  _text("—" if amount is None else format_amount(amount), align="right"))
                 for payment, amount in zip(finance.echeancier, amounts, strict=True)]
        if all(amount is not None for amount in amounts):
            total = sum((amount or Decimal(0) for amount in amounts), Decimal(0))
            rows.append((Cell((Paragraph((Run("Total", bold=True),)),), colspan=2), None,
                         _text(format_amount(total), bold=True, align="right")))
        yield Table(tuple(rows), header_rows=1, widths=(2, 7, 2))

    def _markdown(self, text: str, path: PathKey) -> tuple[Block, ...]:
        try:
            return parse_markdown(text, headings=False)
        except MarkupError as error:
            raise InvalidInput([Problem(self.source.locate(path), field_path(path), str(error))]) from None
