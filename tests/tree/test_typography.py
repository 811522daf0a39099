"""French typography (domain §3), applied once to the document tree."""

from __future__ import annotations

import datetime

import pytest

from ars_docs.tree.doctree import Run
from ars_docs.tree.french import clock_time, long_date, short_date
from ars_docs.tree.typography import typeset_inlines, typeset_text

NB, NNB = "\u00a0", "\u202f"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Objet : x", f"Objet{NB}: x"),
    ("Tél: 03", f"Tél{NB}: 03"),
    ("recours ;", f"recours{NNB};"),
    ("vraiment ? oui !", f"vraiment{NNB}? oui{NNB}!"),
    ("« DSR »", f"«{NNB}DSR{NNB}»"),
    ("n°DGOS/P1/2024/155", f"n°{NB}DGOS/P1/2024/155"),
    ("le 22 mai 2026", f"le 22{NB}mai{NB}2026"),
    ("1 062 168 €", f"1 062 168{NB}€"),
    ("l'ARS", "l’ARS"),
    ("Mme Margot", f"Mme{NB}Margot"),
    ("https://exemple.fr/a?b=c", "https://exemple.fr/a?b=c"),
    ("14h00", "14h00"),
    ("CPOM 2027-2030", "CPOM 2027-2030"),
    ("la loi du 1er juillet 1901", f"la loi du 1er{NB}juillet{NB}1901"),
    ("de 14 h 00 à 15 h 30", f"de 14{NB}h{NB}00 à 15{NB}h{NB}30"),
    ("51092 Reims", f"51092{NB}Reims"),
    ("l'", "l’"),  # alone in its run, before a bold word
    ("« l'objet »", f"«{NNB}l’objet{NNB}»"),
    ("écrire à o'neil@exemple.fr ou https://exemple.fr/l'a", "écrire à o'neil@exemple.fr ou https://exemple.fr/l'a"),
    ("année 2024 et 2025", "année 2024 et 2025"),
    # legal references stay whole: the letter, the article number, the date of a law
    ("article L. 612-4 du code de commerce", f"article L.{NB}612-4 du code de commerce"),
    ("articles R. 6123-202 et D. 6327-6", f"articles R.{NB}6123-202 et D.{NB}6327-6"),
    ("art. 10-1 des statuts", f"art.{NB}10-1 des statuts"),
    ("loi n° 2000-321 du 12 avril 2000", f"loi n°{NB}2000-321 du 12{NB}avril{NB}2000"),
    ("Cf. D. 612-5", f"Cf. D.{NB}612-5"),
    ("M. L. Martin", f"M.{NB}L. Martin"),  # an initial before a name is not a reference
])
def test_spacing_rules(raw: str, expected: str) -> None:
    assert typeset_text(raw) == expected


def test_ordinals_are_raised_and_never_written_eme() -> None:
    runs = typeset_inlines((Run("le 1er août, la 2e et la 3ème", bold=True),))
    assert [(r.text, r.superscript) for r in runs if isinstance(r, Run)] == [
        ("le 1", False), ("er", True), (f"{NB}août, la 2", False), ("e", True), (" et la 3", False), ("e", True)]
    assert all(isinstance(r, Run) and r.bold for r in runs)


def test_links_are_left_as_written() -> None:
    link = Run("o'neil@exemple.fr ;", link="mailto:o'neil@exemple.fr")
    assert typeset_inlines((link,)) == (link,)


def test_dates_and_times() -> None:
    assert long_date(datetime.date(2026, 4, 24)) == "24 avril 2026"
    assert long_date(datetime.date(2023, 8, 1)) == "1er août 2023"
    assert short_date(datetime.date(2026, 4, 24)) == "24/04/2026"
    assert clock_time(datetime.time(14, 0)) == "14h00" and clock_time(datetime.time(9, 5)) == "9h05"


def test_space_before_punctuation_at_the_start_of_a_run() -> None:
    """A run may begin with the space (text inserted in a comparison, after bold text)."""
    assert typeset_text(" ; à défaut") == f"{NNB}; à défaut"


def test_no_straight_apostrophe_survives_a_cut_before_emphasis() -> None:
    runs = typeset_inlines((Run("(l'"), Run("instruction", bold=True), Run("' entre")))
    assert "'" not in "".join(r.text for r in runs if isinstance(r, Run))


def test_references_stay_on_one_line_in_html() -> None:
    from ars_docs.writers.html import html_inlines

    html = html_inlines((Run(f"n°{NB}DGOS/R3/2023/125 du CPOM 2027-2030, code MI2-1-1 & <b>"),))
    assert html == (f'n°{NB}<span class="insecable">DGOS/R3/2023/125</span> du CPOM '
                    '<span class="insecable">2027-2030</span>, code <span class="insecable">MI2-1-1</span> '
                    "&amp; &lt;b&gt;")
    assert "insecable" not in html_inlines((Run("Charleville-Mézières et/ou"),))


def test_a_long_reference_may_break_after_a_slash_a_usual_one_never() -> None:
    """« DGOS/R3/2023/125 » (16 characters) is kept on one line; « DGOS/R3/DGS/SP1/2023/122 » (24)
    is not: kept whole, it set the first paragraph of annex 3 one word per line."""
    from ars_docs.tree.typography import REFERENCE, kept_whole

    assert ("DGOS/R3/2023/125", True) in kept_whole("instruction n° DGOS/R3/2023/125 du", REFERENCE)
    assert all(not whole for _, whole in kept_whole("instruction n° DGOS/R3/DGS/SP1/2023/122 du", REFERENCE))
