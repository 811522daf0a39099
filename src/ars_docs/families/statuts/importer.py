"""`arsdocs import statuts FICHIER.docx`: a draft that arsdocs built and a member edited in Word or
LibreOffice becomes the next version, `v<N+1>.yaml`, beside the others.

The titles and articles are the document's headings (`Titre I – …`, `Article 3 – …`); their
bookmarks, which arsdocs names after the identifiers and which Word and LibreOffice keep, give the
identifiers back; a heading without one (a new article) takes an identifier made from its title.
Citations « article 12 », « articles 16 et 17 » that point to an article of the edited document
become `[[id]]` again. Pending tracked changes are refused, or accepted on request.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any

import yaml

from ars_docs.families.statuts.compose import LoadedDraft, article_changes
from ars_docs.families.statuts.models import Draft
from ars_docs.families.statuts.rules import check_draft
from ars_docs.families.statuts.wordreading import (
    Imported,
    ImportedTitle,
    StatutesImportError,
    plain_text,
    read_document,
)
from ars_docs.source.errors import InvalidInput
from ars_docs.source.fields import slug
from ars_docs.source.project import Project
from ars_docs.source.validation import validate
from ars_docs.source.yamlsource import load_yaml, parse_yaml

# « article 12 », « articles 16 et 17 », but not an article of another text (« article 9 de la loi »,
# « article 10-1 »), which the statutes cite as written.
_OTHER_TEXT = r"(?![\d-])(?!\s+(?:de\s+la\s+loi|de\s+l'ordonnance|du\s+code|du\s+décret|du\s+règlement))"
_CITATION = re.compile(r"\barticles?\s+((?:\d+(?:er)?(?:\s+(?:bis|ter|quater))?)"
                       r"(?:(?:\s*,\s*|\s+et\s+)\d+(?:er)?(?:\s+(?:bis|ter|quater))?)*)" + _OTHER_TEXT)
_LABEL = re.compile(r"\d+(?:er)?(?:\s+(?:bis|ter|quater))?")


def _slug(text: str, taken: set[str]) -> str:
    """An identifier made from a heading, not yet taken."""
    base = slug(text)[:40].strip("-") or "article"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _cited(text: str, labels: dict[str, str]) -> str:
    """« article 12 », « articles 16 et 17 » -> `[[id]]`, `[[id|id]]`, when every number is an
    article of the document."""
    def replace(match: re.Match[str]) -> str:
        found = [" ".join(label.split()) for label in _LABEL.findall(match.group(1))]
        if not found or any(label not in labels for label in found):
            return match.group(0)
        return "[[" + "|".join(labels[label] for label in found) + "]]"
    return _CITATION.sub(replace, text)


def draft_data(base: dict[str, Any], titles: list[ImportedTitle], number: int, day: datetime.date,
               author: str | None) -> dict[str, Any]:
    """The next version's data: the base version's settings, the document's titles and articles."""
    old_clauses = {article["id"]: article.get("clause") for title in base["titres"] for article in title["articles"]}
    old_by_title = {article["intitule"]: article["id"] for title in base["titres"] for article in title["articles"]}
    taken_titles: set[str] = {t.anchor.removeprefix("titre-") for t in titles if t.anchor}
    taken_articles: set[str] = {a.anchor.removeprefix("article-") for t in titles for a in t.articles if a.anchor}
    ids: dict[int, str] = {}
    for title in titles:
        for article in title.articles:
            known = article.anchor.removeprefix("article-") if article.anchor else None
            if known is None and article.intitule in old_by_title and old_by_title[article.intitule] not in \
                    taken_articles:
                known = old_by_title[article.intitule]
                taken_articles.add(known)
            ids[id(article)] = known or _slug(article.intitule, taken_articles)
    labels = {article.label: ids[id(article)] for title in titles for article in title.articles}
    version = {**base["version"], "numero": number, "date": day, "statut": "projet"}
    if author:
        version["auteur"] = author
    data = {key: value for key, value in base.items() if key not in ("version", "titres")}
    data["version"] = version
    data["titres"] = []
    for title in titles:
        title_id = title.anchor.removeprefix("titre-") if title.anchor else _slug(title.intitule, taken_titles)
        articles = []
        for article in title.articles:
            identifier = ids[id(article)]
            entry: dict[str, Any] = {"id": identifier}
            if old_clauses.get(identifier):
                entry["clause"] = old_clauses[identifier]
            entry["intitule"] = plain_text(article.intitule)
            entry["texte"] = "\n\n".join(_cited(paragraph, labels) for paragraph in _joined_lists(article.paragraphs))
            articles.append(entry)
        data["titres"].append({"id": title_id, "intitule": plain_text(title.intitule), "articles": articles})
    return data


def _joined_lists(paragraphs: list[str]) -> list[str]:
    """List items one per line, each list one Markdown block."""
    blocks: list[str] = []
    for paragraph in paragraphs:
        is_item = paragraph.startswith(("- ", "1. "))
        if is_item and blocks and blocks[-1].startswith(("- ", "1. ")):
            blocks[-1] += "\n" + paragraph
        else:
            blocks.append(paragraph)
    return blocks


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value + ("\n" if style and not value.endswith("\n")
                                                                      else ""), style=style)


_Dumper.add_representer(str, _string)


def import_statutes(project: Project, path: Path, accept: bool) -> Imported:
    from ars_docs.base.registry import public_funding
    from ars_docs.families.statuts.builder import EXPECTED, STATUTES, VERSION_FILE
    from ars_docs.families.statuts.models import ExpectedClauses

    document, titles, comments, base_number = read_document(path, accept)
    title = plain_text(document.core_properties.title or "")
    found: tuple[Path, LoadedDraft] | None = None
    for candidate in sorted(p for p in (project.root / STATUTES).glob("*") if p.is_dir()):
        version_file = candidate / f"v{base_number}.yaml"
        if version_file.is_file():
            source = load_yaml(version_file, project.name(version_file))
            draft = validate(Draft, source)
            if plain_text(draft.association.titre) in title:
                found = candidate, LoadedDraft(draft, source)
    if found is None:
        raise StatutesImportError(f"aucune version {base_number} d'une association de {STATUTES}/ ne correspond à "
                                  f"« {title} »")
    folder, base = found
    numbers = [int(m.group(1)) for m in (VERSION_FILE.fullmatch(p.name) for p in folder.glob("*.yaml")) if m]
    number = max(numbers) + 1
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date() if epoch else datetime.date.today())
    modifier = document.core_properties.last_modified_by
    author = modifier if modifier and modifier != document.core_properties.author else None
    data = draft_data(base.source.data, titles, number, day, author)
    target = folder / f"v{number}.yaml"
    text = (f"# Version {number}, importée de « {path.name} » (arsdocs import statuts).\n"
            + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6))
    written = parse_yaml(text.encode("utf-8"), project.name(target))
    new = LoadedDraft(validate(Draft, written), written)
    expected_source = load_yaml(project.root / EXPECTED, EXPECTED)
    problems = list(check_draft(new.draft, written, validate(ExpectedClauses, expected_source), expected_source,
                                public_funding(project, new.draft.association.titre)))
    if problems:
        raise InvalidInput(problems)
    from ars_docs.source.safefiles import write_atomically

    write_atomically(target, text.encode("utf-8"))
    rows = [change.row() for change in article_changes(base, new)]
    changes = [f"{row['nouveau']:>4} (v{base_number} : {row['ancien']}) {row['intitule']} : {row['nature']}"
               for row in rows]
    return Imported(target, number, changes, comments)
