"""Reading a draft of the statutes edited in Word or LibreOffice: the document, bounded before it is
unpacked, its pending tracked changes (refused, or accepted on request), its comments, and its
titles and articles from the headings' styles (`Titre I – …`, `Article 3 – …`) and bookmarks."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ars_docs.source.errors import ArsDocsError
from ars_docs.source.safefiles import UnsafeFile, read_imported, zip_problem
from ars_docs.writers.docx_body import anchor_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TITLE = re.compile(r"Titre\s+([IVXLC]+)\s*[–—-]\s*(.+)", re.DOTALL)
_ARTICLE = re.compile(r"Article\s+(\d+(?:er)?(?:\s+(?:bis|ter|quater))?)\s*[–—-]\s*(.+)", re.DOTALL)
_VERSION = re.compile(r"version\s+(\d+)\b")
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


def plain_text(text: str) -> str:
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
    comments = [f"{comment.author or '?'} : {plain_text(comment.text).strip()}" for comment in document.comments]
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
        if element.tag == f"{W}tbl" and article is not None:
            raise StatutesImportError(f"l'article « {article.intitule} » contient un tableau : un article des "
                                      "statuts n'a que des paragraphes et des listes")
        if element.tag != f"{W}p":
            continue
        style = _style(element, styles)
        text = _runs_text(element).strip()
        anchors = [anchor for anchor in map(anchor_of, _bookmarks(element)) if anchor and anchor not in seen]
        if style == "Heading 1":
            title = _title(_heading_text(text), anchors)
            if title is None and titles:
                break  # an annex after the articles
            if title is not None:
                titles.append(title)
                seen.update(filter(None, [title.anchor]))
            article = None
        elif style == "Heading 2" and titles:
            article = _article(_heading_text(text), anchors)
            seen.update(filter(None, [article.anchor]))
            titles[-1].articles.append(article)
        elif style.startswith("ARS signature"):
            break
        elif article is not None and text:
            article.paragraphs.append(plain_text(_LIST_MARKS.get(style, "") + text))
    if not titles or not any(title.articles for title in titles):
        raise StatutesImportError("aucun titre ni article trouvé : les intitulés doivent garder les styles Titre 1 "
                                  "(« Titre I – … ») et Titre 2 (« Article 1er – … »)")
    return titles


_LIST_MARKS = {"List Bullet": "- ", "List Number": "1. "}
"""A list item's paragraph, as Markdown writes it."""


def _heading_text(text: str) -> str:
    return plain_text(re.sub(r"\\(.)", r"\1", text.replace("**", "")))


def _title(heading: str, anchors: list[str]) -> ImportedTitle | None:
    """A « Titre I – … » heading, or None for another heading of level 1."""
    match = _TITLE.fullmatch(heading)
    if match is None:
        return None
    return ImportedTitle(match.group(2).strip(), next((a for a in anchors if a.startswith("titre-")), None))


def _article(heading: str, anchors: list[str]) -> ImportedArticle:
    match = _ARTICLE.fullmatch(heading)
    if match is None:
        raise StatutesImportError(f"intitulé d'article illisible « {heading} » : « Article N – Intitulé » attendu")
    return ImportedArticle(" ".join(match.group(1).split()), match.group(2).strip(),
                           next((a for a in anchors if a.startswith("article-")), None))
