"""French typography (domain §3), applied once to the document tree."""

from __future__ import annotations

import datetime

import pytest

from ars_docs.doctree import Run
from ars_docs.frenchdates import clock_time, long_date, short_date
from ars_docs.typography import typeset_inlines, typeset_text

NB, NNB = "\u00a0", "\u202f"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Objet : x", f"Objet{NB}: x"),
    ("Tél: 03", f"Tél{NB}: 03"),
    ("recours ;", f"recours{NNB};"),
    ("vraiment ? oui !", f"vraiment{NNB}? oui{NNB}!"),
    ("« DSR »", f"«{NNB}DSR{NNB}»"),
    ("n°DGOS/P1/2024/155", f"n°{NB}DGOS/P1/2024/155"),
    ("le 22 mai 2026", f"le 22{NB}mai 2026"),
    ("1 062 168 €", f"1 062 168{NB}€"),
    ("l'ARS", "l’ARS"),
    ("Mme Margot", f"Mme{NB}Margot"),
    ("https://exemple.fr/a?b=c", "https://exemple.fr/a?b=c"),
    ("14h00", "14h00"),
    ("CPOM 2027-2030", "CPOM 2027-2030"),
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
