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
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ars_docs.families.statuts.compose import LoadedDraft, article_changes
from ars_docs.families.statuts.models import Draft
from ars_docs.families.statuts.rules import check_draft
from ars_docs.source.errors import ArsDocsError, InvalidInput
from ars_docs.source.fields import slug
from ars_docs.source.project import Project
from ars_docs.source.safefiles import UnsafeFile, read_imported, zip_problem
from ars_docs.source.validation import validate
from ars_docs.source.yamlsource import load_yaml, parse_yaml
from ars_docs.writers.docx_body import anchor_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TITLE = re.compile(r"Titre\s+([IVXLC]+)\s*[–—-]\s*(.+)", re.DOTALL)
_ARTICLE = re.compile(r"Article\s+(\d+(?:er)?(?:\s+(?:bis|ter|quater))?)\s*[–—-]\s*(.+)", re.DOTALL)
_VERSION = re.compile(r"version\s+(\d+)\b")
# « article 12 », « articles 16 et 17 », but not an article of another text (« article 9 de la loi »,
# « article 10-1 »), which the statutes cite as written.
_OTHER_TEXT = r"(?![\d-])(?!\s+(?:de\s+la\s+loi|de\s+l'ordonnance|du\s+code|du\s+décret|du\s+règlement))"
_CITATION = re.compile(r"\barticles?\s+((?:\d+(?:er)?(?:\s+(?:bis|ter|quater))?)"
                       r"(?:(?:\s*,\s*|\s+et\s+)\d+(?:er)?(?:\s+(?:bis|ter|quater))?)*)" + _OTHER_TEXT)
_LABEL = re.compile(r"\d+(?:er)?(?:\s+(?:bis|ter|quater))?")


MAX_BYTES = 20 * 2**20
MAX_PART = 32 * 2**20
"""A part of the .docx once unpacked: the statutes' document.xml is about 200 kB."""
MAX_UNPACKED = 64 * 2**20


class StatutesImportError(ArsDocsError):
    """The file cannot become a version of the statutes."""


@dataclass
class ImportedArticle:
    label: str
    intitule: str
    anchor: str | None
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ImportedTitle:
    intitule: str
    anchor: str | None
    articles: list[ImportedArticle] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    path: Path
    version: int
    changes: list[str]
    comments: list[str]


def _plain(text: str) -> str:
    """Text as the YAML writes it: the typography (curly apostrophe, no-break spaces) is the build's."""
    return text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")


def _runs_text(element: Any) -> str:
    """A paragraph's text in Markdown: bold and italic marked, superscripts joined (« 1er »)."""
    parts: list[str] = []
    for run in element.iter(f"{W}r"):
        ancestors = {ancestor.tag for ancestor in run.iterancestors()}
        if f"{W}del" in ancestors or f"{W}moveFrom" in ancestors:
            continue  # refused earlier unless accepted: accepting drops deleted text
        text = "".join(node.text or "" if node.tag == f"{W}t" else "\n" if node.tag == f"{W}br" else "\t"
                       for node in run if node.tag in (f"{W}t", f"{W}br", f"{W}tab"))
        if not text:
            continue
        properties = run.find(f"{W}rPr")
        bold = properties is not None and _on(properties.find(f"{W}b"))
        italic = properties is not None and _on(properties.find(f"{W}i"))
        text = _escaped(text)
        if bold and text.strip():
            text = f"**{text}**"
        elif italic and text.strip():
            text = f"*{text}*"
        parts.append(text)
    return re.sub(r"\*\*\*\*", "", "".join(parts))


def _on(element: Any) -> bool:
    return element is not None and element.get(f"{W}val", "true") not in ("0", "false")


def _escaped(text: str) -> str:
    """Word text is text, never Markdown: its marks are escaped (the build prints them as typed)."""
    return re.sub(r"([\\*_`\[\]<>])", r"\\\1", text)


def _style(paragraph: Any, styles: dict[str, str]) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return styles.get(style.get(f"{W}val"), "") if style is not None else "Normal"


def _bookmarks(paragraph: Any) -> list[str]:
    return [mark.get(f"{W}name", "") for mark in paragraph.iter(f"{W}bookmarkStart")]


def _revisions(body: Any) -> list[str]:
    """Every pending tracked change, described for the message that refuses them."""
    found = []
    for kind, label in (("ins", "insertion"), ("del", "suppression"), ("moveFrom", "déplacement"),
                        ("moveTo", "déplacement")):
        for element in body.iter(f"{W}{kind}"):
            text = "".join(node.text or "" for node in element.iter(f"{W}t", f"{W}delText")).strip()
            what = f"« {text[:60]} »" if text else "(marque de paragraphe)"
            found.append(f"{label} de {element.get(f'{W}author', '?')} : {what}")
    return found


def _accept_all(body: Any) -> None:
    """What « accept all » does: deleted text and moved-from text go, insertions stay."""
    for kind in ("del", "moveFrom"):
        for element in list(body.iter(f"{W}{kind}")):
            parent = element.getparent()
            if parent.tag == f"{W}rPr":  # a deleted paragraph mark: the paragraph joins the next
                paragraph = parent.getparent().getparent()
                following = paragraph.getnext()
                parent.remove(element)
                if following is not None and following.tag == f"{W}p":
                    position = 1 if following.find(f"{W}pPr") is not None else 0
                    for child in [c for c in paragraph if c.tag != f"{W}pPr"]:
                        following.insert(position, child)
                        position += 1
                    paragraph.getparent().remove(paragraph)
            else:
                parent.remove(element)
    for kind in ("ins", "moveTo"):
        for element in list(body.iter(f"{W}{kind}")):
            parent = element.getparent()
            if parent.tag == f"{W}rPr":
                parent.remove(element)
                continue
            position = parent.index(element)
            for child in list(element):
                parent.insert(position, child)
                position += 1
            parent.remove(element)


def read_document(path: Path, accept: bool) -> tuple[Any, list[ImportedTitle], list[str], int]:
    """(the Word document, its titles and articles, its comments, the version it was built from)."""
    import docx

    unreadable = f"« {path.name} » n'est pas un document Word (.docx) lisible"
    try:
        raw = read_imported(path, MAX_BYTES)
    except UnsafeFile as error:
        raise StatutesImportError(f"« {path.name} » : {error}") from None
    problem = zip_problem(raw, max_part=MAX_PART, max_total=MAX_UNPACKED)
    if problem:
        raise StatutesImportError(f"{unreadable} : {problem}")
    try:
        document = docx.Document(io.BytesIO(raw))
        body = document.element.body
        if body is None:
            raise ValueError("no body")
    except Exception:  # a damaged or foreign file: whatever python-docx or lxml raise (bad XML, a part missing)
        raise StatutesImportError(f"{unreadable} (abîmé, ou d'un autre format enregistré en .docx ?)") from None
    try:
        return _read(document, body, path, accept)
    except ArsDocsError:
        raise
    except Exception:  # a part that parses but does not hold what Word writes
        raise StatutesImportError(f"{unreadable} : sa structure n'est pas celle d'un document Word") from None


def _read(document: Any, body: Any, path: Path, accept: bool) -> tuple[Any, list[ImportedTitle], list[str], int]:
    bookmarks = [name for name in (mark.get(f"{W}name", "") for mark in body.iter(f"{W}bookmarkStart"))
                 if anchor_of(name)]
    version = _VERSION.search(document.core_properties.title or "")
    keywords = document.core_properties.keywords or ""
    if "comparaison" in keywords:
        raise StatutesImportError(f"« {path.name} » est une comparaison de deux versions, pas un projet de statuts : "
                                  "importez le .docx d'une version (statuts-vN.docx)")
    if not bookmarks or version is None or "statuts" not in keywords:
        raise StatutesImportError(f"« {path.name} » n'est pas un projet de statuts construit par arsdocs (ni titre de "
                                  "version ni repères des articles) : importez le .docx d'une version construite par "
                                  "« arsdocs build statuts », modifié dans Word ou LibreOffice")
    pending = _revisions(body)
    if pending and not accept:
        listed = "\n  ".join(pending[:20]) + ("\n  …" if len(pending) > 20 else "")
        raise StatutesImportError(f"« {path.name} » contient {len(pending)} modification(s) suivie(s) en attente ; "
                                  f"acceptez-les ou refusez-les dans Word ou LibreOffice, ou ajoutez "
                                  f"--accepter-modifications :\n  {listed}")
    if pending:
        _accept_all(body)
    styles = {style.style_id: style.name for style in document.styles}
    comments = [f"{comment.author or '?'} : {_plain(comment.text).strip()}" for comment in document.comments]
    try:
        titles = _structure(body, styles)
    except StatutesImportError as error:  # a heading or an article that does not read: said with its file
        raise StatutesImportError(f"« {path.name} » : {error.format_message()}") from None
    return document, titles, comments, int(version.group(1))


def _structure(body: Any, styles: dict[str, str]) -> list[ImportedTitle]:
    titles: list[ImportedTitle] = []
    seen: set[str] = set()
    article: ImportedArticle | None = None
    for element in body.iterchildren():
        if element.tag == f"{W}tbl":
            if article is not None:
                raise StatutesImportError(f"l'article « {article.intitule} » contient un tableau : un article des "
                                          "statuts n'a que des paragraphes et des listes")
            continue
        if element.tag != f"{W}p":
            continue
        style = _style(element, styles)
        text = _runs_text(element).strip()
        anchors = [anchor for anchor in map(anchor_of, _bookmarks(element)) if anchor and anchor not in seen]
        heading_text = _plain(re.sub(r"\\(.)", r"\1", text.replace("**", "")))
        if style == "Heading 1":
            match = _TITLE.fullmatch(heading_text)
            if match is None:
                article = None
                if titles:
                    break  # an annex after the articles
                continue
            anchor = next((a for a in anchors if a.startswith("titre-")), None)
            titles.append(ImportedTitle(match.group(2).strip(), anchor))
            seen.update(filter(None, [anchor]))
            article = None
        elif style == "Heading 2" and titles:
            match = _ARTICLE.fullmatch(heading_text)
            if match is None:
                raise StatutesImportError(f"intitulé d'article illisible « {heading_text} » : « Article N – Intitulé » "
                                          "attendu")
            anchor = next((a for a in anchors if a.startswith("article-")), None)
            article = ImportedArticle(" ".join(match.group(1).split()), match.group(2).strip(), anchor)
            seen.update(filter(None, [anchor]))
            titles[-1].articles.append(article)
        elif style.startswith("ARS signature"):
            break
        elif article is not None and text:
            if style == "List Bullet":
                text = f"- {text}"
            elif style == "List Number":
                text = f"1. {text}"
            article.paragraphs.append(_plain(text))
    if not titles or not any(title.articles for title in titles):
        raise StatutesImportError("aucun titre ni article trouvé : les intitulés doivent garder les styles Titre 1 "
                                  "(« Titre I – … ») et Titre 2 (« Article 1er – … »)")
    return titles


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
            entry["intitule"] = _plain(article.intitule)
            entry["texte"] = "\n\n".join(_cited(paragraph, labels) for paragraph in _joined_lists(article.paragraphs))
            articles.append(entry)
        data["titres"].append({"id": title_id, "intitule": _plain(title.intitule), "articles": articles})
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
    title = _plain(document.core_properties.title or "")
    found: tuple[Path, LoadedDraft] | None = None
    for candidate in sorted(p for p in (project.root / STATUTES).glob("*") if p.is_dir()):
        version_file = candidate / f"v{base_number}.yaml"
        if version_file.is_file():
            source = load_yaml(version_file, project.name(version_file))
            draft = validate(Draft, source)
            if _plain(draft.association.titre) in title:
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
