"""What a signatory checks in a CPOM's content, in process: missions served, « dont » lines at any
depth and in cycles, units, the reporting date, targets set before their action sheet begins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ars_docs.families.cpom.builder import load_contract
from ars_docs.families.cpom.compose import CpomComposer, day_and_month, indicators_in_order
from ars_docs.families.cpom.rules import check_cpom
from ars_docs.source.errors import InvalidInput
from ars_docs.source.project import Project
from ars_docs.tree.doctree import Table, inline_text, paragraphs
from ars_docs.tree.parts import MarkdownParts
from helpers.project import copy_project

Edit = Callable[[Path, str, str], None]
CONTRACT = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "projet")


def _check(root: Path) -> list[str]:
    try:
        cpom, source = load_contract(Project.open(root), root / CONTRACT)
    except InvalidInput as error:
        return [str(problem) for problem in error.problems]
    return [str(problem) for problem in check_cpom(cpom, source)]


def _line_of(root: Path, text: str) -> int:
    lines = (root / CONTRACT).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def _annex_text(root: Path, number: int) -> tuple[str, Table]:
    opened = Project.open(root)
    cpom, source = load_contract(opened, root / CONTRACT)
    document = CpomComposer(MarkdownParts(opened, "cpom"), cpom, source).annex(number)
    text = "\n".join(inline_text(p.inlines) for p in paragraphs(document.blocks))
    tables = [block for block in _walk(document.blocks) if isinstance(block, Table)]
    return text, tables[-1]


def _walk(blocks: tuple[object, ...]) -> list[object]:
    found: list[object] = []
    for block in blocks:
        found.append(block)
        found.extend(_walk(getattr(block, "blocks", ())))
    return found


def test_the_example_is_valid_and_serves_every_mission(project: Path) -> None:
    assert _check(project) == []
    text, _ = _annex_text(project, 1)
    assert "2° rendre lisible l’offre de soins, y compris pour le public" in text
    assert "Missions du DSR servies (art. D.\u00a06327-6 II)\u00a0: 1° animer et coordonner" in text


def test_an_uncovered_mission_is_refused_with_its_line(project: Path, edit: Edit) -> None:
    edit(project / CONTRACT, "    missions: [1, 2, 6]", "    missions: [1, 6]")
    line = _line_of(project, "orientations:")
    assert _check(project) == [
        f"{CONTRACT}:{line}:1 : orientations : mission du DSR (article D. 6327-6 II) servie par aucune orientation : "
        "2° (rendre lisible l'offre de soins, y compris pour le public) — ajoutez-la à « missions » d'une orientation"]


def test_several_uncovered_missions_are_named_together(project: Path, edit: Edit) -> None:
    edit(project / CONTRACT, "    missions: [1, 2, 6]", "    missions: [1, 6]")
    edit(project / CONTRACT, "    missions: [5]\n", "    missions: [1]\n")
    [problem] = _check(project)
    assert "missions du DSR (article D. 6327-6 II) servies par aucune orientation : 2° (" in problem
    assert "; 5° (former les professionnels" in problem and "ajoutez-les" in problem


def test_a_mission_out_of_range_or_repeated_is_refused(project: Path, edit: Edit) -> None:
    edit(project / CONTRACT, "    missions: [5]\n", "    missions: [5, 5]\n")
    line = _line_of(project, "    missions: [5, 5]")
    assert _check(project) == [f"{CONTRACT}:{line}:19 : orientations[4].missions[2] : mission 5° citée deux fois"]
    edit(project / CONTRACT, "    missions: [5, 5]\n", "    missions: [5, 7]\n")
    assert _check(project) == [f"{CONTRACT}:{line}:19 : orientations[4].missions[2] : mission 7° inconnue : "
                               "« missions » en compte 6"]


def test_the_missions_are_the_contracts_data_and_never_counted_in_prose(project: Path) -> None:
    """D. 6327-6 II has at least a 6° (domain rules §9): the missions are data, listed in annex 1 as
    the contract gives them; no sentence counts them (« chacune des cinq missions »)."""
    text, _ = _annex_text(project, 1)
    assert "6° à compléter après lecture du 6° du II de l’article D.\u00a06327-6" in text
    assert "cinq" not in text.lower() and "chacune d’elles est servie par une orientation au moins" in text


def test_above_the_auditors_threshold_the_budget_carries_the_fee_and_annex_4_the_obligations(
        project: Path, edit: Edit) -> None:
    """255 000 € in 2027 is above the 153 000 € of D. 612-5: a funding line names the auditor's fee
    (else a located error), and annex 4 requires the certified accounts, the report and their
    publication, with the annuality of FIR credits; a template that drops them is refused."""
    text, _ = _annex_text(project, 4)
    flat = text.replace("\n", " ")
    assert "sous réserve de la disponibilité des crédits" in flat
    assert "dépassent 153\u202f000\u00a0€ en 2027 (255\u202f000\u00a0€)" in flat
    assert "commissaire aux comptes" in flat and "comptes certifiés" in flat and "publie" in flat
    edit(project / CONTRACT, ", honoraires du commissaire aux comptes)", ")")
    line = _line_of(project, "  lignes:")
    assert _check(project) == [
        f"{CONTRACT}:{line}:3 : financement.lignes : le contrat verse 255\u202f000\u00a0€ en 2027, plus que les "
        "153\u202f000\u00a0€ au-delà desquels l'association fait certifier ses comptes (code de commerce, L. 612-4 et "
        "D. 612-5) : le budget doit porter les honoraires du commissaire aux comptes ; nommez-les dans le libellé "
        "d'une ligne"]
    edit(project / CONTRACT, "secrétariat)", "secrétariat, honoraires du commissaire aux comptes)")
    (project / "templates/cpom/annexe-4.md").write_text("Les crédits sont imputés sur le FIR.\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        _annex_text(project, 4)
    assert [str(problem) for problem in refused.value.problems] == [
        "templates/cpom/annexe-4.md : l'annexe financière engage des crédits du fonds d'intervention régional sur "
        "plusieurs années : elle doit dire qu'ils sont alloués chaque année « sous réserve de la disponibilité des "
        "crédits » notifiés à l'agence",
        "templates/cpom/annexe-4.md : le contrat verse 255\u202f000\u00a0€ en 2027 (plus de 153\u202f000\u00a0€) : "
        "l'annexe financière doit exiger les comptes certifiés par un commissaire aux comptes, son rapport et leur "
        "publication (code de commerce, L. 612-4 et D. 612-5)"]


def _add_indicators(root: Path, edit: Edit, *lines: str) -> None:
    block = "".join(f"  - {{code: {code}, parent: {parent}, libelle: {label}, type: nombre, definition: d, "
                    f"source: s, cibles: {{2028: \"1\"}}}}\n" for code, parent, label in
                    (line.split("|") for line in lines))
    edit(root / CONTRACT, "\nfinancement:\n", block + "\nfinancement:\n")


def test_a_cycle_of_dont_lines_is_refused_once_at_its_first_member(project: Path, edit: Edit) -> None:
    _add_indicators(project, edit, "CYC01|CYC03|un", "CYC02|CYC01|deux", "CYC03|CYC02|trois", "CYC04|CYC02|quatre")
    line = _line_of(project, "code: CYC01")
    assert _check(project) == [
        f"{CONTRACT}:{line}:27 : indicateurs[20].parent : indicateurs « dont » en boucle : CYC01 → CYC03 → CYC02 → "
        "CYC01 (chacun détaille le suivant) : l'un d'eux doit être sans parent"]


def test_an_indicator_that_details_itself_is_a_cycle(project: Path, edit: Edit) -> None:
    _add_indicators(project, edit, "SEL01|SEL01|moi")
    [problem] = _check(project)
    assert "en boucle : SEL01 → SEL01" in problem


def test_dont_lines_at_every_allowed_depth_are_all_printed_once(project: Path, edit: Edit) -> None:
    # Written children first: the order of the file does not matter, the hierarchy does.
    _add_indicators(project, edit, "DEP02|DEP01|dont troisième niveau", "DEP01|ACT02a|deuxième niveau")
    assert _check(project) == []
    text, table = _annex_text(project, 3)
    cpom, _ = load_contract(Project.open(project), project / CONTRACT)
    order = [(indicator.code, depth) for indicator, depth in indicators_in_order(cpom.indicateurs)]
    assert sorted(code for code, _ in order) == sorted(indicator.code for indicator in cpom.indicateurs)
    assert len(table.rows) - 1 == len(order)
    assert order[1:5] == [("ACT02", 0), ("ACT02a", 1), ("DEP01", 2), ("DEP02", 3)]
    rows = {inline_text(row[0].paragraphs[0].inlines): row for row in table.rows[1:] if row[0] is not None}
    labels = {code: inline_text(row[1].paragraphs[0].inlines) for code, row in rows.items() if row[1] is not None}
    assert labels["DEP02"] == "dont troisième niveau"  # written with its « dont »: not doubled
    assert labels["DEP01"] == "dont deuxième niveau" and labels["ACT01"] == "Établissements membres du DSR"
    assert [rows[code][1].indent for code in ("ACT02", "ACT02a", "DEP01", "DEP02")] == [0, 1, 2, 3]
    for indicator in cpom.indicateurs:
        assert indicator.code in text


def test_a_dont_line_deeper_than_three_levels_is_refused(project: Path, edit: Edit) -> None:
    _add_indicators(project, edit, "DEP01|ACT02a|un", "DEP02|DEP01|deux", "DEP03|DEP02|trois")
    line = _line_of(project, "code: DEP03")
    assert _check(project) == [
        f"{CONTRACT}:{line}:27 : indicateurs[22].parent : ligne « dont » de niveau 4 (ACT02 → ACT02a → DEP01 → "
        "DEP02 → DEP03) : au plus 3 niveaux sous un indicateur, au-delà l'annexe 3 serait illisible"]


def test_every_indicator_has_a_unit_shown_in_annex_3(project: Path) -> None:
    _, table = _annex_text(project, 3)
    header = [inline_text(cell.paragraphs[0].inlines) for cell in table.rows[0] if cell is not None]
    unit = header.index("Unité")
    units = {inline_text(row[0].paragraphs[0].inlines): inline_text(row[unit].paragraphs[0].inlines)
             for row in table.rows[1:] if row[0] is not None and row[unit] is not None}
    assert units["ACT01"] == "nombre" and units["QUA01"] == "%" and units["GRA01"] == "oui/non"
    assert units["COO02"] == "date" and units["RH01"] == units["RH01a"] == "ETP"


def test_the_reporting_date_is_a_setting_stated_in_annex_3(project: Path, edit: Edit) -> None:
    text, _ = _annex_text(project, 3)
    assert "au plus tard le 31\u00a0mars de l’année suivante" in text
    edit(project / CONTRACT, "  transmission_indicateurs: 31/03\n", "  transmission_indicateurs: 1/3\n")
    text, _ = _annex_text(project, 3)
    assert "au plus tard le 1\u00a0mars de l’année suivante" in text.replace("1er", "1")
    edit(project / CONTRACT, "  transmission_indicateurs: 1/3\n", "  transmission_indicateurs: 29/02\n")
    line = _line_of(project, "transmission_indicateurs:")
    assert _check(project) == [f"{CONTRACT}:{line}:29 : contrat.transmission_indicateurs : échéance « 29/02 » "
                               "invalide : ce jour n'existe pas chaque année"]


def test_reporting_date_default_is_31_march() -> None:
    from ars_docs.families.cpom.models import Contract
    contract = Contract(titre="t", organisme="o", date="2027-01-01")  # type: ignore[arg-type]
    assert day_and_month(contract.transmission_indicateurs) == "31 mars"
    assert day_and_month("01/04") == "1er avril"


def test_a_target_before_every_sheet_that_measures_it_begins_is_warned(project: Path, edit: Edit,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert _check(project) == []
    assert "Attention" not in capsys.readouterr().err
    edit(project / CONTRACT, "        2027: Programme régional de formation ; deux premiers protocoles\n", "")
    edit(project / CONTRACT, "    mesure_a_partir_de: 2029\n    cibles: {2029:",
         "    mesure_a_partir_de: 2029\n    cibles: {2027: \"5\", 2029:")
    assert _check(project) == []
    warnings = capsys.readouterr().err.splitlines()
    # FOR01, FOR02 and FOR03 have 2027 targets, FOR03a too through its parent's sheet
    assert [w.split(" : ")[2] for w in warnings] == [
        "indicateurs[12].cibles.2027", "indicateurs[13].cibles.2027", "indicateurs[14].cibles.2027",
        "indicateurs[15].cibles.2027"]
    assert warnings[3].endswith("cible de FOR03a pour 2027, avant la première année (2028) du calendrier des "
                                "fiches actions qui le mesurent")


def test_an_amount_indicator_is_in_euros_to_the_cent() -> None:
    from ars_docs.families.cpom.rules import format_value, parse_value

    assert format_value("montant", parse_value("montant", "12,50")) == "12,50\u00a0€"
    assert format_value("montant", parse_value("montant", "185000")) == "185\u202f000\u00a0€"
    with pytest.raises(ValueError, match="au centime près"):
        parse_value("montant", "1,005")
    with pytest.raises(ValueError, match="moins de mille milliards"):
        parse_value("montant", "1e30")


def test_a_budget_amount_out_of_bounds_is_refused_where_it_is_written(project: Path, edit: Edit) -> None:
    edit(project / CONTRACT, "montants: {2027: 30000, 2028: 15000,", "montants: {2027: 1e30, 2028: 15.005,")
    line = _line_of(project, "montants: {2027: 1e30")
    assert _check(project) == [
        f"{CONTRACT}:{line}:24 : financement.lignes[3].montants.2027 : doit valoir au plus 999999999999, pas « 1e30 »",
        f"{CONTRACT}:{line}:36 : financement.lignes[3].montants.2028 : au plus 2 décimales (les centimes), pas "
        "« 15.005 »"]


def test_every_funding_line_is_spent_by_an_action_sheet_that_names_it(project: Path, edit: Edit) -> None:
    text, _ = _annex_text(project, 2)
    assert "Fiche action\u00a01.3 – Déployer la plateforme régionale de télé-expertise" in text
    edit(project / CONTRACT, "      financement: [MI2-1-1]\n", "")
    line = _line_of(project, "    - code: MI2-1-1")
    assert _check(project) == [
        f"{CONTRACT}:{line}:13 : financement.lignes[2].code : ligne « MI2-1-1 » (Télémédecine (plateforme régionale "
        "de télé-expertise en chirurgie pédiatrique), 95\u202f000\u00a0€) qu'aucune fiche action ne met en œuvre : "
        "nommez-la dans « financement » de la fiche de l'action qui la dépense"]
    edit(project / CONTRACT, "      financement: [dsr, MI4-1-1]\n", "      financement: [dsr, MI4-1-1, MI9-9-9]\n")
    assert any(".fiche.financement[3] : ligne de financement « MI9-9-9 » inconnue" in problem
               for problem in _check(project))


def test_each_sheet_names_the_lines_it_spends(project: Path) -> None:
    _, table = _annex_text(project, 2)  # the last sheet: training, spent from the DSR line
    rows = {inline_text(row[0].paragraphs[0].inlines): inline_text(row[1].paragraphs[0].inlines)
            for row in table.rows[1:] if row[0] is not None and row[1] is not None}
    assert rows["Financement"].startswith("à confirmer – Dispositifs spécifiques régionaux - chirurgie pédiatrique")


def test_the_membership_target_is_never_below_the_members_by_law(project: Path, edit: Edit) -> None:
    edit(project / CONTRACT, 'cibles: {2027: "21", 2028: "23"', 'cibles: {2027: "18", 2028: "23"')
    line = _line_of(project, 'cibles: {2027: "18"')
    assert _check(project) == [
        f"{CONTRACT}:{line}:20 : indicateurs[1].cibles.2027 : cible de ACT01 pour 2027 (18) en dessous des 21 "
        "établissements dont l'adhésion est obligatoire (contrat.membres_de_droit) : ils sont membres de droit"]


def test_targets_that_contradict_the_calendar_or_the_contract_are_warned(project: Path, edit: Edit,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    edit(project / CONTRACT, 'cibles: {2028: "80"', 'cibles: {2027: "60", 2028: "80"')
    edit(project / CONTRACT, "cibles: {2028: oui, 2029: oui, 2030: oui}",
         "cibles: {2027: oui, 2028: oui, 2029: oui, 2030: oui}")
    assert _check(project) == []
    warnings = [line.removeprefix("Attention : ") for line in capsys.readouterr().err.splitlines()]
    qua03, rep01 = _line_of(project, 'cibles: {2027: "60"'), _line_of(project, "porte_sur: annee-precedente") + 1
    assert warnings == [
        f"{CONTRACT}:{qua03}:14 : indicateurs[9].cibles.2027 : cible de QUA03 pour 2027 : ce qu'il mesure n'est "
        "produit qu'à partir de 2028 (mesure_a_partir_de, calendrier de la fiche action) ; avant, aucune cible "
        "(retirez l'année : l'annexe imprime « — »)",
        f"{CONTRACT}:{rep01}:14 : indicateurs[16].cibles.2027 : cible de REP01 pour 2027 : elle porte sur 2026, avant "
        "le début du contrat (2027) ; la première cible de cet indicateur est celle de 2028"]
    edit(project / CONTRACT, "    mesure_a_partir_de: 2028\n    cibles: {2027: \"60\"",
         "    mesure_a_partir_de: 2026\n    cibles: {2027: \"60\"")
    assert _check(project) == [f"{CONTRACT}:{qua03 - 1}:25 : indicateurs[9].mesure_a_partir_de : année 2026 hors du "
                               "contrat (2027 à 2030)"]


def test_a_target_equal_to_the_reference_before_anything_is_measured_commits_to_nothing(
        project: Path, edit: Edit, capsys: pytest.CaptureFixture[str]) -> None:
    """QUA03's 2027 target was its 2025 reference (40 %), a year before the conventions it counts
    are signed: the finance officer's finding, now a warning at its place."""
    edit(project / CONTRACT, 'cibles: {2028: "80"', 'cibles: {2027: "40", 2028: "80"')
    assert _check(project) == []
    line = _line_of(project, 'cibles: {2027: "40", 2028: "80"')
    assert capsys.readouterr().err.splitlines() == [
        f"Attention : {CONTRACT}:{line}:14 : indicateurs[9].cibles.2027 : cible de QUA03 pour 2027 : ce qu'il mesure "
        "n'est produit qu'à partir de 2028 (mesure_a_partir_de, calendrier de la fiche action) ; égale à la valeur de "
        "référence, elle n'engage à rien : avant, aucune cible (retirez l'année : l'annexe imprime « — »)"]


def test_annex_3_cites_the_instruction_it_applies(project: Path) -> None:
    text, _ = _annex_text(project, 3)
    assert "appliquent l’instruction n°\u00a0DGOS/R3/DGS/SP1/2023/122 du 3\u00a0août\u00a02023 (IV)" in text


def test_the_payment_schedule_states_amounts_computed_from_the_financial_annex(project: Path, edit: Edit) -> None:
    _, table = _annex_text(project, 4)
    rows = [[inline_text(cell.paragraphs[0].inlines) if cell and cell.paragraphs else "" for cell in row]
            for row in table.rows]
    assert rows[0] == ["Date", "Versement", "Montant"]
    # 2027: 255 000 €, 70 % then the rest; 2028: 230 000 €
    assert [row[2] for row in rows[1:5]] == ["178\u202f500\u00a0€", "76\u202f500\u00a0€", "161\u202f000\u00a0€",
                                            "69\u202f000\u00a0€"]
    assert rows[-1][0] == "Total" and rows[-1][2] == "905\u202f000\u00a0€"
    edit(project / CONTRACT, "dotation: 2027, part: 70,", "dotation: 2027, part: 80,")
    edit(project / CONTRACT, "dotation: 2027, objet", "dotation: 2027, part: 30, objet")
    line = _line_of(project, "dotation: 2027, part: 30")
    assert _check(project) == [f"{CONTRACT}:{line}:48 : financement.echeancier[2].part : les versements de la "
                               "dotation 2027 dépasseraient 100 % de celle-ci (110 %)"]


def test_a_body_the_contract_names_must_exist_in_the_statutes(project: Path, edit: Edit) -> None:
    """Fiche 4.1 was led by a « Commission scientifique » that the statutes never create (the
    finance officer's finding): a body the contract gives work to is looked up in the association's
    last statutes, at its place; the conseil d'administration they create passes."""
    from ars_docs.base import registry
    from ars_docs.families.cpom.obligations import bodies_problems

    edit(project / CONTRACT, "      pilote: Coordonnateur médical du DSR\n      partenaires: [\"Universités",
         "      pilote: Commission scientifique du DSR\n      partenaires: [\"Universités")
    opened = Project.open(project)
    cpom, source = load_contract(opened, project / CONTRACT)
    founding = registry.founding_text(opened, cpom.contrat.organisme)
    assert founding is not None and founding[0] == "data/statuts/dsr-chirurgie-pediatrique/v2.yaml"
    line = _line_of(project, "pilote: Commission scientifique du DSR")
    assert [str(problem) for problem in bodies_problems(cpom, source, founding)] == [
        f"{CONTRACT}:{line}:15 : objectifs[8].fiche.pilote : « Commission scientifique » : aucune instance de ce nom "
        "dans les statuts de l'association (data/statuts/dsr-chirurgie-pediatrique/v2.yaml) ; créez-la dans les "
        "statuts, ou confiez ce rôle à une instance qu'ils prévoient"]
