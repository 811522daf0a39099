"""A draft of statutes, and the comparison of two drafts, as document trees."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ars_docs.doctree import Block, Cell, Contents, Document, Heading, PageBreak, Paragraph, Run, Table
from ars_docs.errors import InvalidInput, Problem
from ars_docs.frenchdates import long_date
from ars_docs.markdown import MarkupError, parse_markdown
from ars_docs.parts import MarkdownParts
from ars_docs.redline import diff_blocks, diff_inlines, mark_blocks
from ars_docs.statuts.models import Draft
from ars_docs.statuts.rules import NumberedArticle, article_name, number_articles, resolve_references, roman
from ars_docs.typography import typeset
from ars_docs.validation import field_path
from ars_docs.yamlsource import YamlDocument


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
        return parse_markdown(resolve_references(article.article.texte, item.numbers))
    except MarkupError as error:
        path = (*article.path, "texte")
        raise InvalidInput([Problem(item.source.locate(path), field_path(path), str(error))]) from None


@dataclass(frozen=True)
class Founder:
    establishment: str
    doctor: str
    director: str


def _members_annex(founders: list[Founder]) -> list[Block]:
    """The founding member establishments and their referents (names only: no personal contact
    details in statutes)."""
    rows: list[tuple[Cell | None, ...]] = [tuple(Cell((Paragraph((Run(label),)),)) for label in (
        "Établissement membre", "Médecin référent", "Directeur référent"))]
    rows += [tuple(Cell((Paragraph((Run(text),)),)) for text in (f.establishment, f.doctor, f.director))
             for f in founders]
    return [PageBreak(), Heading(1, (Run("Annexe – Liste des membres fondateurs"),), anchor="annexe-membres"),
            Paragraph((Run(f"{len(founders)} établissements ont désigné leurs référents."),)),
            Table(tuple(rows), header_rows=1, widths=(2, 1, 1))]


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
        blocks.extend(_compared_articles(old, new, {change.id: change for change in changes}))
        association = new.draft.association.titre
        return typeset(Document(
            title=f"Comparaison des statuts « {association} » — {old.label} et {new.label}",
            date=new.draft.version.date, blocks=tuple(blocks), author=association,
            subject=f"Modifications entre la {old.label} et la {new.label}", keywords=("statuts", "comparaison")))


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


def _content(article: NumberedArticle) -> tuple[str, str, str | None]:
    return article.article.intitule, article.article.texte, article.article.clause


def _moved(old: list[NumberedArticle], new: list[NumberedArticle]) -> set[str]:
    """Articles that changed title, and among the others, those outside the longest run of
    articles kept in the same order (an article that changed title is not blamed twice)."""
    titles = {a.article.id: a.title_id for a in old}
    changed_title = {a.article.id for a in new if a.article.id in titles and titles[a.article.id] != a.title_id}
    common_new = [a.article.id for a in new if a.article.id in titles and a.article.id not in changed_title]
    position = {a.article.id: index for index, a in enumerate(old)}
    sequence = [position[label] for label in common_new]
    # longest increasing subsequence of old positions, in new order
    best: list[list[int]] = []
    for index, value in enumerate(sequence):
        chain = max((c for c in best if sequence[c[-1]] < value), key=len, default=[])
        best.append([*chain, index])
    kept = {common_new[i] for i in max(best, key=len, default=[])}
    return changed_title | (set(common_new) - kept)


def article_changes(old: LoadedDraft, new: LoadedDraft) -> list[ArticleChange]:
    """Every article whose content, existence or place differs between the two drafts, in new order
    (removed ones last). Renumbering alone is not a change of the article: it is noted with the others."""
    before = {a.article.id: a for a in old.articles}
    after = {a.article.id: a for a in new.articles}
    moved = _moved(old.articles, new.articles)
    changes: list[ArticleChange] = []
    for article in new.articles:
        previous = before.get(article.article.id)
        if previous is None:
            kinds: tuple[str, ...] = ("ajouté",)
        else:
            kinds = tuple(kind for kind, present in (
                ("modifié", _content(previous) != _content(article)), ("déplacé", article.article.id in moved),
                ("renuméroté", previous.number != article.number)) if present)
            if kinds in ((), ("renuméroté",)):
                continue
        changes.append(ArticleChange(article.article.id, article.article.intitule,
                                     previous.number if previous else None, article.number, kinds))
    for article in old.articles:
        if article.article.id not in after:
            changes.append(ArticleChange(article.article.id, article.article.intitule, article.number, None,
                                         ("supprimé",)))
    return changes


def _compared_articles(old: LoadedDraft, new: LoadedDraft, changes: dict[str, ArticleChange]) -> Iterator[Block]:
    before = {a.article.id: a for a in old.articles}
    after_ids = {a.article.id for a in new.articles}
    removed_after: dict[str | None, list[NumberedArticle]] = {}
    predecessor: str | None = None
    for article in old.articles:
        if article.article.id not in after_ids:
            removed_after.setdefault(predecessor, []).append(article)
        else:
            predecessor = article.article.id
    yield from _removed(old, removed_after.pop(None, []))
    articles = iter(new.articles)
    for index, title in enumerate(new.draft.titres, start=1):
        yield Heading(1, (Run(f"Titre {roman(index)} – {title.intitule}"),), anchor=f"titre-{title.id}")
        for _ in title.articles:
            article = next(articles)
            yield from _compared_article(old, new, before.get(article.article.id), article,
                                         changes.get(article.article.id))
            yield from _removed(old, removed_after.pop(article.article.id, []))


def _compared_article(old: LoadedDraft, new: LoadedDraft, previous: NumberedArticle | None,
                      article: NumberedArticle, change: ArticleChange | None) -> Iterator[Block]:
    new_blocks = article_blocks(new, article)
    if previous is None:
        heading = (Run(article_heading(article.number, article.article.intitule), change="ins"),
                   Run(" (nouvel article)"))
        yield Heading(2, heading, anchor=f"article-{article.article.id}")
        yield from mark_blocks(new_blocks, "ins")
        return
    title = diff_inlines((Run(previous.article.intitule),), (Run(article.article.intitule),))
    notes = []
    if previous.number != article.number:
        notes.append(f"ancien article {article_name(previous.number)}")
    if change and "déplacé" in change.kinds:
        notes.append("déplacé")
    suffix = (Run(f" ({', '.join(notes)})"),) if notes else ()
    yield Heading(2, (Run(f"Article {article_name(article.number)} – "), *title, *suffix),
                  anchor=f"article-{article.article.id}")
    yield from diff_blocks(article_blocks(old, previous), new_blocks)


def _removed(old: LoadedDraft, articles: list[NumberedArticle]) -> Iterator[Block]:
    for article in articles:
        yield Heading(2, (Run(article_heading(article.number, article.article.intitule), change="del"),
                          Run(" (article supprimé)")), anchor=f"supprime-{article.article.id}")
        yield from mark_blocks(article_blocks(old, article), "del")
