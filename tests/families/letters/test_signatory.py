"""Signatories as French administrations sign: the director general in their own name (no
delegation line), « Pour … et par délégation », « … par suppléance », an acting holder « par
intérim »; a delegation line that is neither is refused at its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.project import run
from helpers.readback import docx_paragraphs, pdf_body_text

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
LETTER = "data/courriers/lancement-dsr.yaml"
OUT = Path("out/letters/lancement-dsr/chu-reims--claire-martin")


def _signatory(project: Path) -> tuple[str, str]:
    assert run(project, "build", "letters").exit_code == 0
    text = " ".join(pdf_body_text(project / f"{OUT}.pdf").split())
    word = " ".join(" ".join(docx_paragraphs(project / f"{OUT}.docx")).split())
    return text, word


def test_a_director_general_signs_in_his_own_name(small_project: Path, edit: Edit) -> None:
    letter = small_project / LETTER
    edit(letter, "  fonction: Le Directeur de la Politique médico-soignante\n"
                 "  delegation: Pour la directrice générale et par délégation\n",
         "  fonction: Le Directeur général\n")
    for text in _signatory(small_project):
        assert "Le Directeur général, Dr Romain HELLMANN" in text, text
        assert "délégation" not in text and "Pour " not in text.split("Le Directeur général,")[0][-40:]


def test_an_acting_director_signs_par_interim(small_project: Path, edit: Edit) -> None:
    edit(small_project / LETTER, "  delegation: Pour la directrice générale et par délégation\n",
         "  interim: oui\n")
    for text in _signatory(small_project):
        assert "Le Directeur de la Politique médico-soignante par intérim, Dr Romain HELLMANN" in text, text


def test_suppleance_is_written_as_given(small_project: Path, edit: Edit) -> None:
    edit(small_project / LETTER, "Pour la directrice générale et par délégation",
         "Pour la directrice générale empêchée et par suppléance")
    for text in _signatory(small_project):
        assert ("Pour la directrice générale empêchée et par suppléance, Le Directeur de la Politique "
                "médico-soignante, Dr Romain HELLMANN") in text, text


def test_a_delegation_line_that_delegates_nothing_is_refused(small_project: Path, edit: Edit) -> None:
    edit(small_project / LETTER, "Pour la directrice générale et par délégation", "La directrice générale")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert ("data/courriers/lancement-dsr.yaml:28:15 : signataire.delegation : « La directrice générale » : une "
            "délégation s'écrit « Pour la directrice générale et par délégation »") in result.output, result.output
