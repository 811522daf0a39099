"""The stylesheets and fonts a shell links, checked before anything is rendered: each file found,
in UTF-8, not empty, every rule and declaration accepted by WeasyPrint (its own parser, whose
warnings the build treats as errors), every font of an @font-face readable. Each refusal is
located in its own file, in French."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import cssselect2
import tinycss2

from ars_docs.source.errors import InvalidInput, Location, Problem
from ars_docs.source.project import Project, font_characters
from ars_docs.writers.weasyprint import collected_warnings, project_url

_LINK = re.compile(r"""<link\b[^>]*\bhref=["']([^"'{}]+\.css)["']""", re.I)

# WeasyPrint's warnings, in French, with their place in the file.
_AT = r" at (?P<line>\d+):(?P<column>\d+)"
_LOCATED = [
    (re.compile(r"Parse error" + _AT + r": (?P<what>.*)"), "erreur de syntaxe CSS : {what}"),
    (re.compile(r"@import rule (?P<what>.*) not at the beginning of the the whole rule was ignored" + _AT + r"\.?"),
     "@import placé après d'autres règles, que WeasyPrint ignorerait : mettez-le en tête du fichier"),
    (re.compile(r"Ignored `(?P<what>.*)`" + _AT + r", invalid value\.?"), "valeur refusée : « {what} »"),
    (re.compile(r"Ignored `(?P<what>.*)`" + _AT + r", unknown property\.?"), "propriété inconnue : « {what} »"),
    (re.compile(r"Ignored `(?P<what>.*)`" + _AT + r", (?P<why>.*)"), "déclaration refusée : « {what} » ({why})"),
    (re.compile(r"Unknown empty rule (?P<what>.*)" + _AT), "règle vide inconnue"),
    (re.compile(r"Error: (?P<what>.*)" + _AT + r"\.?"), "erreur CSS : {what}"),
]
# Reported by the checks below, with a better place: left out of WeasyPrint's list.
_HANDLED = ("Invalid or unsupported selector", "Font-face", "Failed to load stylesheet")


def stylesheet_problems(project: Project, shell: Path, shell_source: str) -> list[Problem]:
    """Every problem of the stylesheets the shell links (and those they import), and of their fonts."""
    problems: list[Problem] = []
    seen: set[Path] = set()
    pending = [(shell.parent, match.group(1), shell, _line_of(shell_source, match.start()))
               for match in _LINK.finditer(shell_source)]
    while pending:
        base, href, referrer, line = pending.pop(0)
        where = Location(project.name(referrer), line)
        path = _target(project, base, href)
        if isinstance(path, str):
            problems.append(Problem(where, "", path))
            continue
        if path in seen:
            continue
        seen.add(path)
        if not path.is_file():
            problems.append(Problem(where, "", f"feuille de style introuvable « {project.name(path)} »"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(Location(project.name(path)), "",
                                    "feuille de style illisible : elle n'est pas en UTF-8"))
            continue
        if not text.strip():
            problems.append(Problem(Location(project.name(path)), "", "feuille de style vide : les documents "
                                    "seraient composés sans leur mise en page"))
            continue
        rules = tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True)
        problems.extend(_rule_problems(project, path, rules, pending))
        problems.extend(_weasyprint_problems(project, path, text))
    return problems


def _target(project: Project, base: Path, href: str) -> Path | str:
    """The file a link names, or why it is refused: the writer reads no address, and no file
    outside the project's templates (writers.pdf's fetcher says the same at rendering)."""
    if re.match(r"[A-Za-z][\w+.-]*:", href) or href.startswith("//"):
        return f"adresse refusée (seuls les fichiers du projet sont lus) : {href}"
    path = (base / unquote(href)).resolve()
    if project.templates.resolve() not in path.parents:
        return f"fichier refusé, hors des dossiers permis du projet (templates/) : {href}"
    return path


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _rule_problems(project: Project, path: Path, rules: list[Any],
                   pending: list[tuple[Path, str, Path, int]]) -> Iterator[Problem]:
    name = project.name(path)
    for rule in rules:
        place = Location(name, rule.source_line, rule.source_column)
        if rule.type == "qualified-rule":
            try:
                cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                yield Problem(place, "", f"sélecteur invalide « {tinycss2.serialize(rule.prelude).strip()} »")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "import":
            url = _url(rule.prelude)
            if url is not None:
                pending.append((path.parent, url, path, rule.source_line))
        elif rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content:
            for declaration in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True):
                if declaration.type == "declaration" and declaration.lower_name == "src":
                    url = _url(declaration.value)
                    if url is not None:
                        yield from _font_problems(project, _target(project, path.parent, url), place)
                    continue
                if declaration.type == "declaration":
                    yield from _address_problems(project, path, declaration.value)
            continue
        if rule.type == "error" or (rule.type == "at-rule" and rule.lower_at_keyword == "import"):
            continue  # a syntax error: WeasyPrint's own check names it
        # any other address (a background, an image, a cursor, in any rule): the writer would refuse it
        yield from _address_problems(project, path, [*rule.prelude, *(rule.content or [])])


def _addresses(tokens: list[Any]) -> Iterator[tuple[Any, str]]:
    """Every url(…) among `tokens`, nested blocks and functions included, with its address."""
    for token in tokens:
        if token.type == "url":
            yield token, str(token.value)
        elif token.type == "function":
            if token.lower_name == "url":
                strings = [str(argument.value) for argument in token.arguments if argument.type == "string"]
                if strings:
                    yield token, strings[0]
            yield from _addresses(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _addresses(token.content)


def _address_problems(project: Project, path: Path, tokens: list[Any]) -> Iterator[Problem]:
    name = project.name(path)
    for token, url in _addresses(tokens):
        if url.startswith("#"):
            continue  # a fragment (an SVG filter): nothing is read
        target = _target(project, path.parent, url)
        place = Location(name, token.source_line, token.source_column)
        if isinstance(target, str):
            yield Problem(place, "", target)
        elif not target.is_file():
            yield Problem(place, "", f"fichier introuvable « {url} »")


def _url(tokens: list[Any]) -> str | None:
    for token in tokens:
        if token.type in ("url", "string"):
            return str(token.value)
        if token.type == "function" and token.lower_name == "url":
            strings = [str(argument.value) for argument in token.arguments if argument.type == "string"]
            return strings[0] if strings else None
    return None


def _font_problems(project: Project, path: Path | str, place: Location) -> Iterator[Problem]:
    if isinstance(path, str):
        yield Problem(place, "", path)
        return
    name = project.name(path)
    if not path.is_file():
        yield Problem(place, "", f"police introuvable « {name} »")
        return
    try:
        font_characters(path, name)
    except InvalidInput as error:
        yield from error.problems


def _weasyprint_problems(project: Project, path: Path, text: str) -> Iterator[Problem]:
    """What WeasyPrint itself says of the file alone (imports read as empty: each is checked on its own)."""
    from weasyprint import CSS
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Alone(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            return URLFetcherResponse(url, b"", headers={"Content-Type": "text/css"})

    name = project.name(path)
    with collected_warnings() as warnings:
        CSS(string=text, base_url=project_url(name), url_fetcher=Alone())
    for message in dict.fromkeys(warnings.messages):
        if message.startswith(_HANDLED):
            continue
        yield _translated(name, message)


# tinycss2's syntax errors, as WeasyPrint passes them on.
_SYNTAX = [
    ("EOF reached before {} block", "la fin du fichier arrive avant le bloc { … } d'une règle"),
    ("Unmatched ", "parenthèse, crochet ou accolade fermant sans son ouvrant"),
    ("Expected ':' after declaration name", "« : » attendu après le nom d'une propriété"),
    ("Expected <ident> for declaration name", "nom de propriété attendu"),
    ("EOF in string", "chaîne de caractères non fermée"),
    ("Bad URL token", "adresse url(…) mal écrite"),
]


def _translated(name: str, message: str) -> Problem:
    for pattern, french in _LOCATED:
        found = pattern.fullmatch(message.strip())
        if found:
            place = Location(name, int(found["line"]), int(found["column"]))
            what = found.groupdict().get("what") or ""
            if french.startswith("erreur de syntaxe"):
                what = next((text for prefix, text in _SYNTAX if what.startswith(prefix)), f"« {what} »")
            return Problem(place, "", french.format(**{**found.groupdict(), "what": what}))
    return Problem(Location(name), "", f"WeasyPrint refuse la feuille de style : {message}")
