"""A draft of statutes, and the comparison of two drafts, as document trees."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ars_docs.families.statuts.models import Draft
from ars_docs.families.statuts.rules import NumberedArticle, article_name, number_articles, resolve_references, roman
from ars_docs.source.errors import InvalidInput, Problem
from ars_docs.source.validation import field_path
from ars_docs.source.yamlsource import YamlDocument
from ars_docs.tree.doctree import Block, Cell, Contents, Document, Heading, Inline, PageBreak, Paragraph, Run, Table
from ars_docs.tree.french import long_date
from ars_docs.tree.markdown import MarkupError, parse_markdown
from ars_docs.tree.parts import MarkdownParts
from ars_docs.tree.redline import diff_blocks, diff_inlines, mark_blocks
from ars_docs.tree.typography import typeset, typeset_blocks, typeset_inlines


@dataclass(frozen=True)
class LoadedDraft:
    draft: Draft
    source: YamlDocument

    @cached_property
    def articles(self) -> list[NumberedArticle]:
        return number_articles(self.draft)

    @cached_property
    def numbers(self) -> dict[str, int]:
        return {entry.article.id: entry.number for entry in self.articles}

    @property
    def label(self) -> str:
        version = self.draft.version
        return f"version {version.numero} du {long_date(version.date)}"


def article_heading(number: int, title: str) -> str:
    return f"Article {article_name(number)} – {title}"


def _context(draft: Draft) -> dict[str, Any]:
    return {"association": draft.association, "version": draft.version, "regime": draft.regime,
            "signature": draft.signature}


def article_blocks(item: LoadedDraft, article: NumberedArticle) -> tuple[Block, ...]:
    try:
        return parse_markdown(resolve_references(article.article.texte, item.numbers), headings=False)
    except MarkupError as error:
        path = (*article.path, "texte")
        raise InvalidInput([Problem(item.source.locate(path), field_path(path), str(error))]) from None


@dataclass(frozen=True)
class Founder:
    establishment: str
    people: tuple[tuple[str, str], ...]
    """(role as the form named it, the person's name) for each role the establishment filled in."""


def _members_annex(founders: list[Founder]) -> list[Block]:
    """The founding member establishments and the people they named, a column per role (names
    only: no personal contact details in statutes)."""
    roles = list(dict.fromkeys(role for founder in founders for role, _ in founder.people))
    rows: list[tuple[Cell | None, ...]] = [tuple(Cell((Paragraph((Run(label),)),)) for label in (
        "Établissement membre", *roles))]
    for founder in founders:
        named = dict(founder.people)
        rows.append(tuple(Cell((Paragraph((Run(text),)),)) for text in (
            founder.establishment, *(named.get(role, "—") for role in roles))))
    return [PageBreak(), Heading(1, (Run("Annexe – Liste des membres fondateurs"),), anchor="annexe-membres"),
            Paragraph((Run(f"{len(founders)} établissements ont désigné leurs référents."),)),
            Table(tuple(rows), header_rows=1, widths=(2, *(1 for _ in roles)))]


class StatutesComposer:
    def __init__(self, parts: MarkdownParts, founders: list[Founder] | None = None) -> None:
        self.parts = parts
        self.founders = founders

    def statutes(self, item: LoadedDraft) -> Document:
        draft = item.draft
        blocks: list[Block] = [*self.parts.part("entete.md", _context(draft)), Contents("Sommaire"), PageBreak()]
        articles = iter(item.articles)
        for index, title in enumerate(draft.titres, start=1):
            blocks.append(Heading(1, (Run(f"Titre {roman(index)} – {title.intitule}"),), anchor=f"titre-{title.id}"))
            for _ in title.articles:
                article = next(articles)
                blocks.append(Heading(2, (Run(article_heading(article.number, article.article.intitule)),),
                                      anchor=f"article-{article.article.id}"))
                blocks.extend(article_blocks(item, article))
        blocks.extend(self.parts.part("signature.md", _context(draft)))
        if draft.annexe_membres:
            blocks.extend(_members_annex(self.founders or []))
        association = draft.association.titre
        return typeset(Document(
            title=f"Statuts de l'association « {association} » — {item.label}", date=draft.version.date,
            blocks=tuple(blocks), author=association, subject=f"Statuts, {item.label}",
            keywords=("statuts", "association", draft.regime)))

    def comparison(self, old: LoadedDraft, new: LoadedDraft) -> Document:
        changes = article_changes(old, new)
        context = {**_context(new.draft), "ancienne": old.draft.version, "nouvelle": new.draft.version,
                   "changements": [change.row() for change in changes]}
        blocks: list[Block] = list(self.parts.part("comparaison.md", context))
        blocks.extend(_compared_articles(old, new))
        association = new.draft.association.titre
        return typeset(Document(
            title=f"Comparaison des statuts « {association} » — {old.label} et {new.label}",
            date=new.draft.version.date, blocks=tuple(blocks), author=association,
            subject=f"Modifications entre la {old.label} et la {new.label}", keywords=("statuts", "comparaison"),
            reviser=new.draft.version.auteur))


@dataclass(frozen=True)
class ArticleChange:
    id: str
    title: str
    old_number: int | None
    new_number: int | None
    kinds: tuple[str, ...]
    """Among: ajouté, supprimé, modifié, déplacé, renuméroté."""

    def row(self) -> dict[str, str]:
        def name(number: int | None) -> str:
            return article_name(number) if number else "—"
        return {"nouveau": name(self.new_number), "ancien": name(self.old_number), "intitule": self.title,
                "nature": ", ".join(self.kinds)}


def _content(article: NumberedArticle) -> tuple[str, str, tuple[str, ...]]:
    return article.article.intitule, article.article.texte, article.article.clauses


def article_changes(old: LoadedDraft, new: LoadedDraft) -> list[ArticleChange]:
    """Every article whose content, existence or place differs between the two drafts, in new order
    (removed ones last). Renumbering alone is not a change of the article: it is noted with the others."""
    before = {a.article.id: a for a in old.articles}
    after = {a.article.id: a for a in new.articles}
    moved = moved_articles(old, new)
    changes: list[ArticleChange] = []
    for article in new.articles:
        previous = before.get(article.article.id)
        if previous is None:
            kinds: tuple[str, ...] = ("ajouté",)
        else:
            modified = _content(previous) != _content(article)
            renumbered_citations = not modified and (
                resolve_references(previous.article.texte, old.numbers)
                != resolve_references(article.article.texte, new.numbers))
            kinds = tuple(kind for kind, present in (
                ("modifié", modified), ("renvois renumérotés", renumbered_citations),
                ("déplacé", article.article.id in moved), ("renuméroté", previous.number != article.number))
                if present)
            if kinds in ((), ("renuméroté",)):
                continue
        changes.append(ArticleChange(article.article.id, article.article.intitule,
                                     previous.number if previous else None, article.number, kinds))
    for article in old.articles:
        if article.article.id not in after:
            changes.append(ArticleChange(article.article.id, article.article.intitule, article.number, None,
                                         ("supprimé",)))
    return changes


@dataclass(frozen=True)
class _Unit:
    """A title heading or an article of a draft, in the order of the text."""

    key: tuple[str, str]
    heading: str
    article: NumberedArticle | None = None


def _units(item: LoadedDraft) -> list[_Unit]:
    units: list[_Unit] = []
    articles = iter(item.articles)
    for index, title in enumerate(item.draft.titres, start=1):
        units.append(_Unit(("titre", title.id), f"Titre {roman(index)} – {title.intitule}"))
        for _ in title.articles:
            article = next(articles)
            units.append(_Unit(("article", article.article.id),
                               article_heading(article.number, article.article.intitule), article))
    return units


def _aligned(old: list[_Unit], new: list[_Unit]) -> list[tuple[int, int]]:
    """The longest common subsequence of the two drafts' titles and articles (by identifier): what
    stays in place. Whatever else is deleted from its old place and inserted at its new one."""
    a, b = [unit.key for unit in old], [unit.key for unit in new]
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = lengths[i + 1][j + 1] + 1 if a[i] == b[j] else max(lengths[i + 1][j], lengths[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def moved_articles(old: LoadedDraft, new: LoadedDraft) -> set[str]:
    """Articles of both drafts that are not in place: deleted here and inserted there."""
    before, after = _units(old), _units(new)
    kept = {before[i].key for i, _ in _aligned(before, after)}
    common = {unit.key for unit in before} & {unit.key for unit in after}
    return {identifier for kind, identifier in common - kept if kind == "article"}


def _compared_articles(old: LoadedDraft, new: LoadedDraft) -> Iterator[Block]:
    """Every title and article of both drafts in one text, each difference a change that can be
    accepted or rejected: accepting all gives the new draft, rejecting all the old one."""
    before, after = _units(old), _units(new)
    in_old = {unit.key: unit for unit in before}
    in_new = {unit.key: unit for unit in after}
    i = j = 0
    for old_index, new_index in [*_aligned(before, after), (len(before), len(after))]:
        for unit in before[i:old_index]:
            yield from _deleted(old, unit, in_new.get(unit.key), new)
        for unit in after[j:new_index]:
            yield from _inserted(new, unit, in_old.get(unit.key), old)
        if old_index < len(before):
            yield from _paired(old, new, before[old_index], after[new_index])
        i, j = old_index + 1, new_index + 1


def _heading_of(unit: _Unit, inlines: tuple[Inline, ...], anchor: str, note: str | None) -> Heading:
    return Heading(1 if unit.article is None else 2, inlines, anchor=anchor, note=note)


def _deleted(old: LoadedDraft, unit: _Unit, elsewhere: _Unit | None, new: LoadedDraft) -> Iterator[Block]:
    if unit.article is None:
        note = "titre déplacé" if elsewhere else "titre supprimé"
    elif elsewhere is not None and elsewhere.article is not None:
        note = f"article déplacé : article {article_name(elsewhere.article.number)} de la {new.label}"
    else:
        note = "article supprimé"
    yield from _whole(old, unit, ("moveFrom" if elsewhere else "del"), note, "supprime-")


def _inserted(new: LoadedDraft, unit: _Unit, elsewhere: _Unit | None, old: LoadedDraft) -> Iterator[Block]:
    if unit.article is None:
        note = "titre déplacé" if elsewhere else "nouveau titre"
    elif elsewhere is not None and elsewhere.article is not None:
        note = f"article déplacé : ancien article {article_name(elsewhere.article.number)}"
    else:
        note = "nouvel article"
    yield from _whole(new, unit, ("moveTo" if elsewhere else "ins"), note, "")


def _whole(item: LoadedDraft, unit: _Unit, change: str, note: str, anchor_prefix: str) -> Iterator[Block]:
    """A title or an article of one draft only, or moved: every word of it is the change."""
    kind, identifier = unit.key
    move = f"deplacement_{identifier}" if change.startswith("move") else None
    yield _heading_of(unit, (Run(unit.heading, change=change, move=move),), f"{anchor_prefix}{kind}-{identifier}",
                      note)
    if unit.article is not None:
        yield from mark_blocks(_typeset_article(item, unit.article), change, move)


def _paired(old: LoadedDraft, new: LoadedDraft, before: _Unit, after: _Unit) -> Iterator[Block]:
    kind, identifier = after.key
    note = None
    if before.article is not None and after.article is not None and before.article.number != after.article.number:
        note = f"ancien article {article_name(before.article.number)}"
    heading = diff_inlines(typeset_inlines((Run(before.heading),)), typeset_inlines((Run(after.heading),)))
    yield _heading_of(after, heading, f"{kind}-{identifier}", note)
    if before.article is not None and after.article is not None:
        yield from diff_blocks(_typeset_article(old, before.article), _typeset_article(new, after.article))


def _typeset_article(item: LoadedDraft, article: NumberedArticle) -> tuple[Block, ...]:
    """An article's blocks with their typography: a comparison compares what each draft prints (a
    space before « ; » is a no-break space in both drafts, whichever run it falls in)."""
    return typeset_blocks(article_blocks(item, article))
