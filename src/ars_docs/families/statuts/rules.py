"""Numbering, references and the legal checks of a draft (domain rules §4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ars_docs.base.builder import PublicFunding
from ars_docs.families.statuts.models import Article, Draft, ExpectedClause, ExpectedClauses
from ars_docs.source.errors import Problem, warn
from ars_docs.source.fields import folded
from ars_docs.source.validation import duplicates, field_path
from ars_docs.source.yamlsource import PathKey, YamlDocument
from ars_docs.tree.french import format_amount

REFERENCE = re.compile(r"\[\[([^\[\]]*)\]\]")
LOCAL_LAW_DEPARTEMENTS = {"57": "Moselle", "67": "Bas-Rhin", "68": "Haut-Rhin"}
MIN_SIGNATORIES = {"loi-1901": 2, "droit-local": 7}
# The wording each regime requires, and that the other must not contain.
WORDING = {
    "loi-1901": ("loi du 1er juillet 1901",),
    "droit-local": ("articles 21 à 79 du code civil local", "inscrite au registre des associations"),
}
BIRTH_DATE = re.compile(r"\b(né|née|nés|nées)\s+le\b|date\s+de\s+naissance|\bnaissance\s*:", re.IGNORECASE)
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    text = ""
    for value, letters in _ROMAN:
        while number >= value:
            text, number = text + letters, number - value
    return text


@dataclass(frozen=True)
class NumberedArticle:
    article: Article
    number: int
    title_id: str
    path: PathKey


def number_articles(draft: Draft) -> list[NumberedArticle]:
    """Articles numbered from 1 across titles, in the order written."""
    numbered: list[NumberedArticle] = []
    for t, title in enumerate(draft.titres):
        for a, article in enumerate(title.articles):
            numbered.append(NumberedArticle(article, len(numbered) + 1, title.id, ("titres", t, "articles", a)))
    return numbered


def article_name(number: int) -> str:
    return "1er" if number == 1 else str(number)


def cite(numbers: list[int]) -> str:
    """`article 12`, `articles 12 et 13`, `articles 2, 5 et 9`."""
    names = [article_name(n) for n in sorted(numbers)]
    if len(names) == 1:
        return f"article {names[0]}"
    return f"articles {', '.join(names[:-1])} et {names[-1]}"


def resolve_references(text: str, numbers: dict[str, int]) -> str:
    return REFERENCE.sub(lambda match: cite([numbers[label.strip()] for label in match.group(1).split("|")]), text)


def check_draft(draft: Draft, source: YamlDocument, expected: ExpectedClauses, expected_source: YamlDocument,
                funding: PublicFunding | None = None) -> Iterator[Problem]:
    numbered = number_articles(draft)
    yield from _duplicates(draft, source)
    yield from _references(numbered, source, {title.id for title in draft.titres})
    _self_references(numbered, source)
    _typed_numbers(numbered, source)
    yield from _clauses(numbered, source, expected, expected_source, funding)
    yield from _regime(draft, numbered, source)
    yield from _seat(draft, numbered, source)
    yield from _members_by_right(numbered, source)
    yield from _majority_by_right(numbered, source)
    yield from _seat_in_article(draft, numbered, source)
    yield from _signatories(draft, source)
    yield from _birth_dates(source)


def _duplicates(draft: Draft, source: YamlDocument) -> Iterator[Problem]:
    """Title labels are unique among titles, article labels among articles."""
    titles = [(("titres", t, "id"), title.id) for t, title in enumerate(draft.titres)]
    articles = [(("titres", t, "articles", a, "id"), article.id)
                for t, title in enumerate(draft.titres) for a, article in enumerate(title.articles)]
    yield from duplicates(source, titles)
    yield from duplicates(source, articles)


def _references(numbered: list[NumberedArticle], source: YamlDocument, titles: set[str]) -> Iterator[Problem]:
    known = {item.article.id for item in numbered}
    for item in numbered:
        path = (*item.path, "texte")
        for match in REFERENCE.finditer(item.article.texte):
            for label in match.group(1).split("|"):
                if label.strip() not in known:
                    kind = (" : c'est un titre ; un renvoi désigne un article (celui du titre qu'il faut citer)"
                            if label.strip() in titles else "")
                    yield Problem(source.locate_inside(path, item.article.texte[:match.start()], match.group(0)),
                                  field_path(path), f"renvoi à un article inconnu « {label.strip()} »{kind}")


def _self_references(numbered: list[NumberedArticle], source: YamlDocument) -> None:
    """An article that cites itself (« dans les conditions de l'article 12 » in article 12) is
    allowed, but rarely meant: a warning."""
    for item in numbered:
        path = (*item.path, "texte")
        for match in REFERENCE.finditer(item.article.texte):
            if item.article.id in (label.strip() for label in match.group(1).split("|")):
                warn(Problem(source.locate_inside(path, item.article.texte[:match.start()], match.group(0)),
                             field_path(path), f"l'article « {item.article.id} » se cite lui-même"))


HAND_NUMBER = re.compile(r"\b(articles?|art\.)\s+(\d+)(?:er)?\b(?![-‑.]\d)", re.IGNORECASE)
OTHER_TEXT = re.compile(r"\s*(?:(?:,|à|et)\s*\d+(?:er)?\s*)*(?:du|de la|de l['’]|des|de ce|de cette)\b", re.IGNORECASE)
"""What follows « article 2 » when it is another text's article (« de la loi du 1er juillet 1901 »,
« articles 21 à 79 du code civil local »), not one of these statutes."""


def _typed_numbers(numbered: list[NumberedArticle], source: YamlDocument) -> None:
    """« article 12 » typed by hand: right today, wrong once an article is added before it (the
    numbering is the build's); a warning at its place, with the reference that follows the numbering."""
    for item in numbered:
        path = (*item.path, "texte")
        text = item.article.texte
        for match in HAND_NUMBER.finditer(text):
            if OTHER_TEXT.match(text, match.end()):
                continue
            target = next((other.article.id for other in numbered if other.number == int(match.group(2))), None)
            instead = f"écrivez [[{target}]]" if target else "écrivez [[identifiant]] de l'article cité"
            warn(Problem(source.locate_inside(path, text[:match.start()], match.group(0)), field_path(path),
                         f"« {match.group(0)} » écrit à la main : la numérotation le rendra faux dès qu'un "
                         f"article sera ajouté ou retiré avant lui ; {instead}"))


def _clauses(numbered: list[NumberedArticle], source: YamlDocument, expected: ExpectedClauses,
             expected_source: YamlDocument, funding: PublicFunding | None) -> Iterator[Problem]:
    wanted = {clause.id: clause for clause in expected.clauses}
    covered = {clause for item in numbered for clause in item.article.clauses}
    for item in numbered:
        for clause_id in item.article.clauses:
            if clause_id not in wanted:
                path = (*item.path, "clause")
                yield Problem(source.locate(path), field_path(path),
                              f"clause « {clause_id} » absente de {expected_source.name}")
    for index, clause in enumerate(expected.clauses):
        relax = (f" (si elle ne vaut pas pour cette association, retirez-la ou changez-la dans "
                 f"{expected_source.locate(('clauses', index))})")
        if clause.id in covered:
            yield from _said(clause, [item for item in numbered if clause.id in item.article.clauses], source, relax)
            continue
        threshold = clause.subventions_publiques_au_dela_de
        if threshold is None:
            yield Problem(source.locate(("titres",), key=True), "titres",
                          f"clause attendue absente : « {clause.libelle} » ({clause.id}) ; aucun article "
                          f"n'a « clause: {clause.id} »{relax}")
        elif funding is not None and funding.amount > threshold:
            above = (f"plus de {format_amount(Decimal(threshold))} de subventions publiques dans l'année"
                     if threshold else "des subventions publiques")
            yield Problem(source.locate(("titres",), key=True), "titres",
                          f"clause attendue absente : « {clause.libelle} » ({clause.id}) : le CPOM {funding.contract} "
                          f"verse à l'association {format_amount(funding.amount)} en {funding.year}, {above} ; "
                          f"aucun article n'a « clause: {clause.id} »")


def _said(clause: ExpectedClause, articles: list[NumberedArticle], source: YamlDocument,
          relax: str) -> Iterator[Problem]:
    """A covered clause whose articles do not say what it must (one vote per member, the bases of
    the quorum…): located at the first article's « clause: »."""
    text = folded("\n".join(item.article.texte for item in articles))
    for wanted in clause.doit_dire:
        phrases = [wanted] if isinstance(wanted, str) else wanted
        if any(says(text, phrase) for phrase in phrases):
            continue
        first = articles[0]
        path = (*first.path, "clause")
        said = " ni ".join(f"« {phrase} »" for phrase in phrases)
        where = cite([item.number for item in articles])
        subject = f"les {where} couvrent" if len(articles) > 1 else f"l'{where} couvre"
        yield Problem(source.locate(path), field_path(path),
                      f"{subject} la clause « {clause.libelle} » ({clause.id}) mais ne "
                      f"{'disent' if len(articles) > 1 else 'dit'} pas {said}{relax}")


GAP = 2
"""How many words may stand between two words of an expected formulation: « une voix » is said by
« une seule voix », « dispose d'une voix », « une et une seule voix »."""
_WORD = re.compile(r"\w+")


def says(text: str, phrase: str) -> bool:
    """Whether `text` says `phrase` by its meaning rather than its letter: the phrase's words in
    their order, without case or accents, with at most `GAP` other words between two of them
    (« présents ou représentés » is in « présents, ou dûment représentés »)."""
    wanted = _WORD.findall(folded(phrase))
    words = _WORD.findall(folded(text))
    if not wanted:
        return True
    for start, word in enumerate(words):
        if word != wanted[0]:
            continue
        position, found = start, True
        for next_word in wanted[1:]:
            window = words[position + 1:position + 2 + GAP]
            if next_word not in window:
                found = False
                break
            position += 1 + window.index(next_word)
        if found:
            return True
    return False


_POSTAL_ONLY = re.compile(r"\b(?:cedex|b\.?\s?p\.?(?=\s*\d)|boite postale|cs(?=\s*\d))\b", re.IGNORECASE)
"""What a mail room reads but no one can go to: « Cedex », a post-office box (« BP 12 », « boîte
postale »), a « CS 30002 » (correspondance spéciale)."""


def _seat(draft: Draft, numbered: list[NumberedArticle], source: YamlDocument) -> Iterator[Problem]:
    """The registered office is a place (the prefecture records it, the association's domicile at
    law): a geographic address, never a postal distribution one."""
    seat = draft.association.siege
    fields: list[tuple[PathKey, str]] = [(("association", "siege", "adresse", index), line)
                                         for index, line in enumerate(seat.adresse)]
    fields.append((("association", "siege", "ville"), seat.ville))
    fields += [((*item.path, "texte"), item.article.texte) for item in numbered if item.article.clause == "siege"]
    for path, text in fields:
        found = _POSTAL_ONLY.search(folded(text))
        if found:
            written = text[found.start():found.end()]
            yield Problem(source.locate_inside(path, text[:found.start()], written), field_path(path),
                          f"« {written} » : le siège est une adresse géographique, pas une adresse de distribution "
                          "du courrier ; écrivez la voie, le code postal et la commune du lieu (sans Cedex, BP "
                          "ni CS)")


def _seat_in_article(draft: Draft, numbered: list[NumberedArticle], source: YamlDocument) -> Iterator[Problem]:
    """The seat of the data (the cover, the prefecture's form) is the one the seat article fixes:
    its town and its postal code are in the article's text (the seat moved in the data alone was
    still « valid »)."""
    seat = draft.association.siege
    for item in numbered:
        if item.article.clause != "siege":
            continue
        said = folded(item.article.texte)
        missing = [value for value in (seat.code_postal, seat.ville) if folded(value) not in said]
        if missing:
            path = (*item.path, "texte")
            yield Problem(source.locate(path), field_path(path),
                          f"l'article du siège ne fixe pas le siège des données (association.siege : "
                          f"{seat.code_postal} {seat.ville}) : son texte ne dit "
                          + (f"ni « {missing[0]} » ni « {missing[1]} »" if len(missing) > 1
                             else f"pas « {missing[0]} »")
                          + " ; les deux doivent dire le même lieu")


BY_RIGHT = "membres de droit"
"""The college whose members belong by law (the DSR's authorised establishments): they cannot be
refused, nor struck off for unpaid dues."""


def _has_members_by_right(numbered: list[NumberedArticle]) -> bool:
    """Whether the composition has a college of members by right."""
    return any(BY_RIGHT in folded(item.article.texte) for item in numbered if item.article.clause == "composition")


EXCLUSION_GROUNDS = ("cotisation", "motif grave", "exclusion")
"""Why an association strikes a member off: none may reach a member by right, whose membership
ends only with its authorisation or derogation (D. 6327-6 I: the DSR is the holders of it)."""


def _members_by_right(numbered: list[NumberedArticle], source: YamlDocument) -> Iterator[Problem]:
    """Where the statutes have a college of members by right, each ground for striking a member
    off (unpaid dues, a serious reason, an exclusion), in a line that strikes off, must come after
    the words that leave the members by right out (« pour un membre d'un autre collège que celui des
    membres de droit, … »): a ground before them would reach them."""
    if not _has_members_by_right(numbered):
        return
    for item in numbered:
        if item.article.clause != "perte-qualite-membre":
            continue
        text, offset = item.article.texte, 0
        for line in text.splitlines(keepends=True):
            said = folded(line)
            if "radiation" in said or "radie" in said or "exclu" in said:
                spared = said.find(BY_RIGHT)
                for ground in EXCLUSION_GROUNDS:
                    at = said.find(ground)
                    if at >= 0 and (spared < 0 or at < spared):
                        word = line[at:at + len(ground)]
                        yield Problem(source.locate_inside((*item.path, "texte"), text[:offset + at], word),
                                      field_path((*item.path, "texte")),
                                      f"« {word} » : ce motif de radiation atteindrait les membres de droit, dont "
                                      "l'adhésion ne prend fin qu'avec leur autorisation ou leur dérogation (D. 6327-6 "
                                      "I) : écrivez d'abord qu'il ne vaut que pour les autres collèges, en nommant "
                                      "celui des membres de droit")
            offset += len(line)


MAJORITY_WORDS = ("majorite des voix", "ponder", "moitie des voix")
"""How a voting article keeps the members by right in control: their college holds the majority of
the votes (weights by college), or a decision needs the majority within it."""


def _majority_by_right(numbered: list[NumberedArticle], source: YamlDocument) -> Iterator[Problem]:
    """With a college of members by right, the article on votes must say how they keep the majority
    of the votes in every assembly: « une voix quel que soit son collège » would let the associate
    members outvote the holders of the authorisation, statute changes and dissolution included."""
    if not _has_members_by_right(numbered):
        return
    voting = [item for item in numbered if "voix-et-quorum" in item.article.clauses]
    sentences = re.split(r"(?<=[.;:])\s+", folded("\n".join(item.article.texte for item in voting)))
    if voting and not any(BY_RIGHT in sentence and any(word in sentence for word in MAJORITY_WORDS)
                          for sentence in sentences):
        path = (*voting[0].path, "clause")
        yield Problem(source.locate(path), field_path(path),
                      "les statuts ont un collège des membres de droit, mais l'article des voix ne dit pas comment "
                      "ils gardent la majorité des voix : une voix par membre quel que soit son collège laisserait "
                      "les autres collèges décider sans eux ; pondérez les voix par collège (le collège des membres "
                      "de droit disposant de la majorité des voix), ou exigez la majorité dans leur collège")


def _regime(draft: Draft, numbered: list[NumberedArticle], source: YamlDocument) -> Iterator[Problem]:
    departement = draft.association.siege.code_postal[:2]
    local = LOCAL_LAW_DEPARTEMENTS.get(departement)
    where = source.locate(("regime",))
    if local and draft.regime == "loi-1901":
        yield Problem(where, "regime", f"siège en {local} ({draft.association.siege.ville}) : la loi de 1901 "
                      "ne s'y applique pas ; le droit local (articles 21 à 79 du code civil local) impose "
                      "« regime: droit-local »")
    if not local and draft.regime == "droit-local":
        yield Problem(where, "regime", f"siège hors d'Alsace-Moselle ({draft.association.siege.ville}) : "
                      "le droit local ne s'applique pas ; « regime: loi-1901 » attendu")
    other = "droit-local" if draft.regime == "loi-1901" else "loi-1901"
    for item in numbered:
        for phrase in WORDING[other]:
            position = item.article.texte.find(phrase)
            if position >= 0:
                path = (*item.path, "texte")
                yield Problem(source.locate_inside(path, item.article.texte[:position], phrase), field_path(path),
                              f"formule « {phrase} » du régime {other} dans des statuts du régime {draft.regime} : "
                              "les deux régimes ne se mélangent pas")
    if not any(all(phrase in item.article.texte for phrase in WORDING[draft.regime]) for item in numbered):
        yield Problem(where, "regime", f"aucun article ne porte la formule du régime {draft.regime} : "
                      + " ; ".join(f"« {phrase} »" for phrase in WORDING[draft.regime]))


def _signatories(draft: Draft, source: YamlDocument) -> Iterator[Problem]:
    needed = MIN_SIGNATORIES[draft.regime]
    if len(draft.signature.signataires) < needed:
        path = ("signature", "signataires")
        yield Problem(source.locate(path), field_path(path),
                      f"{len(draft.signature.signataires)} signataire(s) ; le régime {draft.regime} en exige "
                      f"au moins {needed}")


def _birth_dates(source: YamlDocument) -> Iterator[Problem]:
    """No date of birth, ever, in statutes (domain rules §4)."""
    for path, value in source.texts():
        match = BIRTH_DATE.search(value)
        if match:
            yield Problem(source.locate_inside(path, value[:match.start()], match.group(0)), field_path(path),
                          "une date de naissance n'a pas sa place dans les statuts (ni dans aucun document publié)")
