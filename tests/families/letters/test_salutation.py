"""Salutations from civility and function, never guessed (domain §2)."""

from __future__ import annotations

import pytest

from ars_docs.directory.models import Recipient
from ars_docs.families.letters.salutation import (
    address_term,
    full_name,
    function_title,
    salutation,
)


def person(**fields: str) -> Recipient:
    return Recipient.model_validate({"prenom": "Claire", "nom": "Martin", "email": "c.martin@example.fr", **fields})


@pytest.mark.parametrize(("civilite", "fonction", "expected"), [
    ("Madame", "directeur", "Madame la Directrice,"),
    ("Monsieur", "directeur", "Monsieur le Directeur,"),
    ("Madame", "directeur_general", "Madame la Directrice générale,"),
    ("Monsieur", "president_cme", "Monsieur le Président de la commission médicale d'établissement,"),
    ("Madame", "president_cme", "Madame la Présidente de la commission médicale d'établissement,"),
    ("Madame", "chef_service", "Madame la Cheffe de service,"),
    ("Monsieur", "chef_pole", "Monsieur le Chef de pôle,"),
    (None, "chef_service", "Madame, Monsieur,"),
])
def test_salutation(civilite: str | None, fonction: str, expected: str) -> None:
    fields = {"fonction": fonction} | ({"civilite": civilite} if civilite else {})
    assert salutation(person(**fields)) == expected
    assert address_term(person(**fields)) == expected[:-1]


def test_explicit_formule_wins_and_is_repeated_in_the_closing() -> None:
    recipient = person(civilite="Madame", fonction="chef_service", formule="Madame la Professeure,")
    assert salutation(recipient) == "Madame la Professeure,"
    assert address_term(recipient) == "Madame la Professeure"


def test_address_block_names() -> None:
    assert full_name(person(civilite="Madame", fonction="directeur")) == "Madame Claire MARTIN"
    assert full_name(person(fonction="directeur")) == "Claire MARTIN"
    assert function_title(person(fonction="directeur")) == "Direction"
    assert function_title(person(civilite="Monsieur", fonction="chef_service")) == "Chef de service"


@pytest.mark.parametrize(("status", "expected"), [
    ("public", "Madame la Présidente de la commission médicale d'établissement,"),
    ("espic", "Madame la Présidente de la commission médicale d'établissement,"),
    ("prive", "Madame la Présidente de la conférence médicale d'établissement,"),
])
def test_the_medical_body_follows_the_establishments_status(status: str, expected: str) -> None:
    """CSP L. 6144-1 (public), L. 6161-2 (private: a conférence; an ESPIC: a commission)."""
    president = person(civilite="Madame", fonction="president_cme")
    assert salutation(president, status) == expected  # type: ignore[arg-type]
    assert function_title(president, status) in expected  # type: ignore[arg-type]
    assert function_title(person(fonction="president_cme"), status).startswith("Présidence de la")  # type: ignore[arg-type]
