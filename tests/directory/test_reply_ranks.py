"""Which answer of an establishment is current (`Answer.rank`): a later date replaces, a date in the
future (dated at its import) ranks below every believed date, and different answers at the same rank
are refused, none of them taken. The rule is the documentation's (« Réponses : laquelle est en vigueur »)."""

from __future__ import annotations

import datetime
from pathlib import Path

from ars_docs.directory.members import Answer, Member, Referent
from ars_docs.families.letters.replies import _take, _ties

KNOWN = {"chu-reims": "CHU de Reims"}
T0 = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=datetime.UTC)


def _answer(name: str, doctor: str, at: datetime.datetime, believed: bool = True) -> Answer:
    return Answer(date=at, fichier=name, date_fiable=believed, referents=[
        Referent(role="medecin", libelle="Médecin référent",
                 valeurs={"nom": doctor, "prenom": "Hélène", "email": "h@chu-reims.fr"}),
        Referent(role="directeur", libelle="Directeur référent",
                 valeurs={"nom": "Martin", "prenom": "Claire", "email": "c@chu-reims.fr"})])


def test_a_later_answer_replaces_and_an_earlier_one_is_refused() -> None:
    members: dict[str, Member] = {}
    assert _take("a.pdf", "chu-reims", _answer("a.pdf", "Poirier", T0), KNOWN, members).taken
    assert _take("b.pdf", "chu-reims", _answer("b.pdf", "Durand", T0 + datetime.timedelta(hours=1)), KNOWN,
                 members).taken
    old = _take("c.pdf", "chu-reims", _answer("c.pdf", "Ancien", T0 - datetime.timedelta(days=1)), KNOWN, members)
    assert not old.taken and "plus ancienne que celle déjà importée" in old.message
    assert members["chu-reims"].reponse.fichier == "b.pdf"
    assert [answer.fichier for answer in members["chu-reims"].historique] == ["a.pdf"]


def test_a_date_not_believed_never_outranks_a_genuine_answer_saved_before_its_import() -> None:
    """A file dated next year was imported today (dated today); a genuine answer saved yesterday,
    imported after it, becomes current: it was refused as « plus ancienne » before."""
    members: dict[str, Member] = {}
    future = _take("futur.pdf", "chu-reims", _answer("futur.pdf", "Futur", T0, believed=False), KNOWN, members)
    assert future.taken and "date du fichier dans le futur" in future.message
    genuine = _answer("vrai.pdf", "Poirier", T0 - datetime.timedelta(days=1))
    outcome = _take("vrai.pdf", "chu-reims", genuine, KNOWN, members)
    assert outcome.taken, outcome.message
    assert "remplace futur.pdf, dont la date du fichier n'était pas crue" in outcome.message
    assert members["chu-reims"].reponse == genuine
    again = _take("futur.pdf", "chu-reims", _answer("futur.pdf", "Futur", T0 + datetime.timedelta(days=2),
                                                     believed=False), KNOWN, members)
    assert again.taken and again.message == "CHU de Reims : réponse déjà importée"
    other = _take("autre-futur.pdf", "chu-reims", _answer("autre-futur.pdf", "X", T0 + datetime.timedelta(days=3),
                                                           believed=False), KNOWN, members)
    assert not other.taken and "cette réponse passe après celle, datée, déjà importée" in other.message
    assert members["chu-reims"].reponse == genuine


def test_different_answers_at_the_same_date_are_all_refused() -> None:
    candidates = [(Path("a.pdf"), "chu-reims", _answer("a.pdf", "Poirier", T0)),
                  (Path("b.pdf"), "chu-reims", _answer("b.pdf", "Durand", T0)),
                  (Path("c.pdf"), "chu-reims", _answer("c.pdf", "Poirier", T0 + datetime.timedelta(minutes=1)))]
    refused = _ties(candidates, KNOWN)
    assert set(refused) == {Path("a.pdf"), Path("b.pdf")}
    assert "réponses différentes pour CHU de Reims à la même date (20/05/2026 10:00) : a.pdf, b.pdf ; " \
           "impossible de dire laquelle est la dernière, aucune n'est importée" in refused[Path("a.pdf")].message
    same = [(Path("a.pdf"), "chu-reims", _answer("a.pdf", "Poirier", T0)),
            (Path("copie.pdf"), "chu-reims", _answer("copie.pdf", "Poirier", T0))]
    assert _ties(same, KNOWN) == {}, "the same answer twice is no tie"


def test_a_different_answer_at_the_current_ones_date_is_refused() -> None:
    members: dict[str, Member] = {}
    assert _take("a.pdf", "chu-reims", _answer("a.pdf", "Poirier", T0), KNOWN, members).taken
    outcome = _take("b.pdf", "chu-reims", _answer("b.pdf", "Durand", T0), KNOWN, members)
    assert not outcome.taken and "à la même date (20/05/2026 10:00) : impossible de dire" in outcome.message
    assert members["chu-reims"].reponse.fichier == "a.pdf"
