"""Reading YAML as an officer writes it: what YAML does to a list between brackets."""

from __future__ import annotations

import pytest

from ars_docs.source.errors import InvalidInput
from ars_docs.source.yamlsource import parse_yaml


def test_a_phrase_cut_in_two_by_the_comma_of_a_bracket_list_is_refused_at_its_place() -> None:
    """« [Universités de Reims, de Lorraine et de Strasbourg, …] » is three items to YAML: the
    annexes printed two partners (the finance officer's finding)."""
    text = "partenaires: [Universités de Reims, de Lorraine et de Strasbourg, Établissements membres]\n"
    with pytest.raises(InvalidInput) as refused:
        parse_yaml(text.encode(), "data/cpom/contrat.yaml")
    assert [str(problem) for problem in refused.value.problems] == [
        "data/cpom/contrat.yaml:1:37 : « Universités de Reims, de Lorraine et de Strasbourg » est coupé en deux "
        "éléments par la virgule de la liste entre crochets : s'il n'en fait qu'un, mettez-le entre guillemets"]


@pytest.mark.parametrize("text", ['p: ["Universités de Reims, de Lorraine et de Strasbourg", X]\n',
                                  "p: [nom, prenom, email]\n", "p:\n  - Universités de Reims\n  - de Lorraine\n"])
def test_quoted_items_and_ordinary_lists_pass(text: str) -> None:
    parse_yaml(text.encode(), "x.yaml")
