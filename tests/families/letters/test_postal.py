"""The postal address block (NF Z 10-011, La Poste): 6 lines of 38 characters at most, shortened
with the norm's abbreviations, the last line in capitals without accents or hyphens."""

from __future__ import annotations

import pytest

from ars_docs.families.letters import postal
from ars_docs.source import postalnorm


@pytest.mark.parametrize(("code", "town", "expected"), [
    ("51092", "Reims Cedex", "51092 REIMS CEDEX"),
    ("08011", "Charleville-Mézières Cedex", "08011 CHARLEVILLE MEZIERES CEDEX"),
    ("57085", "Metz Cedex 03", "57085 METZ CEDEX 03"),
    ("54270", "Essey-lès-Nancy", "54270 ESSEY LES NANCY"),
    ("51700", "Cœur-d'Œuvre", "51700 COEUR D OEUVRE"),
    ("52100", "Saint-Dizier-la-Grande-Commune-du-Bord-de-Marne", "52100 ST DIZIER LA GDE COMMUNE DU BORD DE MARNE"),
])
def test_the_last_line_is_in_capitals_without_accents_hyphens_or_punctuation(code: str, town: str,
                                                                             expected: str) -> None:
    line = postal.locality_line(code, town)
    assert line == expected
    assert line.isascii() and "-" not in line and "'" not in line


@pytest.mark.parametrize(("line", "expected"), [
    ("29 avenue du Maréchal de Lattre de Tassigny", "29 AV DU MAL DE LATTRE DE TASSIGNY"),
    ("20 boulevard du Général Charles de Gaulle prolongé", "20 BD DU GAL CHARLES DE GAULLE PROLONGE"),
    ("Centre hospitalier universitaire de Reims, site Debré", "CHU DE REIMS SITE DEBRE"),
    ("12 rue du Docteur Schweitzer", "12 rue du Docteur Schweitzer"),  # fits: left as typed
])
def test_long_lines_take_the_norms_abbreviations_only_as_far_as_needed(line: str, expected: str) -> None:
    assert postal.fitted(line) == expected


def test_the_norms_abbreviations_are_the_ones_domain_rules_quote() -> None:
    table = dict(postal.ABBREVIATIONS)
    for word, short in (("AVENUE", "AV"), ("BOULEVARD", "BD"), ("CHEMIN", "CHE"), ("IMPASSE", "IMP"),
                        ("PLACE", "PL"), ("ROUTE", "RTE"), ("SAINT", "ST"), ("SAINTE", "STE"), ("MARECHAL", "MAL"),
                        ("GENERAL", "GAL"), ("DOCTEUR", "DOC")):
        assert table[word] == short


def test_person_and_function_lines() -> None:
    assert postal.person_line("Madame", "Claire", "Martin") == "Madame Claire MARTIN"
    assert postal.person_line(None, "Camille", "Roth") == "Camille ROTH"
    assert postal.person_line("Monsieur", "Jean-Baptiste", "Delacroix-Fontaine") == "M Jean-Baptiste DELACROIX-FONTAINE"
    assert postal.function_line("Chef de pôle", "Pôle Femme-Enfant") == "Chef de pôle - Pôle Femme-Enfant"
    assert postal.function_line("Cheffe de service", "Chirurgie pédiatrique") == "Chirurgie pédiatrique"
    assert postal.function_line("Présidente de la commission médicale d'établissement", None) == \
        "PRESIDENTE DE LA CME"


def test_problems_name_the_line() -> None:
    good = ["Madame Claire MARTIN", "Directrice", "CHU de Reims", "45 rue Cognacq-Jay", "51092 REIMS CEDEX"]
    assert postalnorm.problems(good) == []
    assert [p.line for p in postalnorm.problems([*good[:-1], "Hôpital", "Bâtiment A", "51092 REIMS CEDEX"])] == [7]
    assert [p.line for p in postalnorm.problems([*good[:-1], "51092 Reims Cedex"])] == [5]
    assert [p.line for p in postalnorm.problems(["x" * 39, "51092 REIMS"])] == [1]
    assert [p.line for p in postalnorm.problems(["Madame", "", "51092 REIMS"])] == [2]


def test_characters_that_postal_capitals_cannot_write_are_named() -> None:
    assert postal.postal_capitals("Großbach") == "GROSSBACH"
    assert postal.unwritable("Αθήνα 😀 Reims") == sorted(set("Αθήνα"))  # the emoji is no letter: dropped
    assert postal.unwritable("Épinal-sur-Moselle 2") == []


def _establishment(function: str, service: str | None = None):  # type: ignore[no-untyped-def]
    from ars_docs.directory.models import Establishment

    person = {"civilite": "Madame", "prenom": "Claire", "nom": "Martin", "fonction": function,
              "email": "claire.martin@chu.fr", **({"service": service} if service else {})}
    return Establishment.model_validate({"id": "chu", "nom": "CHU de Reims", "adresse": ["45 rue Cognacq-Jay"],
                                         "code_postal": "51092", "ville": "Reims Cedex", "destinataires": [person]})


def test_a_block_with_an_abbreviated_line_is_in_capitals_throughout() -> None:
    """« PRESIDENTE DE LA CME » alone in capitals among lines in lower case reads as a mistake (the
    mail room's finding): a block that must abbreviate a line is written in postal capitals."""
    from ars_docs.families.letters.salutation import function_title

    chu = _establishment("president_cme")
    lines = [line.text for line in postal.address_block(chu, 0, function_title(chu.destinataires[0]))]
    assert lines == ["MADAME CLAIRE MARTIN", "PRESIDENTE DE LA CME", "CHU DE REIMS", "45 RUE COGNACQ JAY",
                     "51092 REIMS CEDEX"]
    director = _establishment("directeur")
    lines = [line.text for line in postal.address_block(director, 0, function_title(director.destinataires[0]))]
    assert lines == ["Madame Claire MARTIN", "Directrice", "CHU de Reims", "45 rue Cognacq-Jay", "51092 REIMS CEDEX"]


@pytest.mark.parametrize(("typed", "written"), [("03.83.39.79.13", "03 83 39 79 13"), ("0383397913", "03 83 39 79 13"),
                                                ("03-83-39-79-13", "03 83 39 79 13"),
                                                ("+33 3 83 39 79 13", "+33 3 83 39 79 13")])
def test_telephone_numbers_are_written_in_pairs(typed: str, written: str) -> None:
    from ars_docs.source.fields import check_telephone

    assert check_telephone(typed) == written


@pytest.mark.parametrize("typed", ["03 83 39 79", "03 83 39 79 13 14", "tél. 03 83 39 79 13"])
def test_a_telephone_number_that_is_not_one_is_refused(typed: str) -> None:
    from ars_docs.source.fields import check_telephone

    with pytest.raises(ValueError, match="numéro de téléphone invalide"):
        check_telephone(typed)
