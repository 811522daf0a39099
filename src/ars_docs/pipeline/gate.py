"""The release gate: what must not leave the agency.

A project is written with stand-ins — the provisional brand block that `init` and the example ship,
values marked « à confirmer », recipients at `example.fr` — and drafts are fine with them. What is
sent or signed is not: `check --definitif` and `build --definitif` refuse each stand-in at its file
and line, `send --envoyer` and `sign` always do; without `--definitif`, `check` and `build` list
them once, at the end, as warnings.

What is looked at: every text value of the YAML files a family reads (`Builder.release_sources`),
the brand block of the families that print it (recognised by its pixels, whatever its file's
name), and the letters a mailing says must be signed (`Builder.unsigned`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ars_docs.source.errors import ArsDocsError, Problem
from ars_docs.source.fields import folded as fold
from ars_docs.source.safefiles import UnsafeFile, read_bounded
from ars_docs.source.validation import field_path
from ars_docs.source.yamlsource import STAND_IN_TAG, YamlDocument, load_yaml

if TYPE_CHECKING:
    from ars_docs.base.builder import Builder, Item
    from ars_docs.source.project import Project

PLACEHOLDER_LOGO_SIZE = (900, 300)
PLACEHOLDER_LOGO_PIXELS = "6f799fee52028334d1fda56c4e151be8ce4373b43a14d8272886d1ed5a8e41ae"
"""SHA-256 of the pixels of templates/commun/bloc-marque-provisoire.png (tools/make_placeholder_logo.py):
the same image saved again, or under another name, is still recognised."""

_MARKERS = ("a confirmer", "a completer")
_WORD_MARKERS = re.compile(r"(?<![\w])(todo|xxx+|tbd)(?![\w])", re.IGNORECASE)
_OPENING = "[(«<:–—-"
"""What may come before a marker that stands for the value, besides nothing: an opening bracket, a
colon, a dash (spaces between them aside)."""
_EMAIL = re.compile(r"[\w.+'-]+@((?:[\w-]+\.)*[\w-]+)", re.UNICODE)
RESERVED_DOMAINS = ("example", "test", "invalid", "localhost")
"""RFC 2606 and RFC 6761: names that never reach anyone (`example.fr` included, by its second label)."""


def unfinished(text: str) -> str | None:
    """The stand-in a value holds, as written, or None. « TODO », « XXX » anywhere as words;
    « à confirmer », « à compléter » when they stand for the value: alone, at its start, after a
    colon or a dash, or in brackets (« formulaire à compléter et à retourner » is an instruction)."""
    word = _WORD_MARKERS.search(text)
    if word:
        return word.group(0)
    folded = fold(text)
    for marker in _MARKERS:
        for found in re.finditer(rf"\b{marker}\b", folded):
            before = folded[:found.start()].rstrip()
            if not before or before[-1] in _OPENING:
                return text[found.start():found.end()]
    return None


def reserved_host(host: str) -> bool:
    labels = host.casefold().rstrip(".").split(".")
    return labels[-1] in RESERVED_DOMAINS or (len(labels) >= 2 and labels[-2] == "example")


def reserved_domain(address: str) -> bool:
    return reserved_host(address.rsplit("@", 1)[-1])


_URL = re.compile(r"https?://([^/\s?#:]+)[^\s]*", re.IGNORECASE)
_EXAMPLE_WORD = re.compile(r"(?<![a-z])(exemple|example)(?![a-z])", re.IGNORECASE)


def example_link(host: str, path: str) -> bool:
    """A link to a reserved host (RFC 2606, RFC 6761) or whose path says it is an example."""
    return reserved_host(host) or bool(_EXAMPLE_WORD.search(path))


def value_findings(source: YamlDocument) -> Iterator[Problem]:
    """Every stand-in among the text values of a YAML file, at its line: the values `arsdocs init`
    marks `!a-remplacer`, unfinished values, test addresses and example links."""
    for path in sorted(source.stand_ins, key=str):
        yield Problem(source.locate(path), field_path(path),
                      f"valeur du projet de départ ({STAND_IN_TAG}) : remplacez-la par la vôtre, puis retirez "
                      "l'étiquette")
    for path, text in source.texts():
        for found in _URL.finditer(text):
            if example_link(found.group(1), found.string[found.end(1):found.end()]):
                yield Problem(source.locate_inside(path, text[:found.start()], found.group(0)), field_path(path),
                              f"lien d'exemple « {found.group(0)} » : indiquez le lien réel")
        marker = unfinished(text)
        if marker is not None:
            yield Problem(source.locate_inside(path, text[:text.find(marker)], marker), field_path(path),
                          f"« {marker} » : valeur à compléter avant l'envoi")
        for found in _EMAIL.finditer(text):
            if reserved_domain(found.group(0)):
                yield Problem(source.locate_inside(path, text[:found.start()], found.group(0)), field_path(path),
                              f"adresse de test « {found.group(0)} » (domaine réservé, personne ne la reçoit) : "
                              "indiquez l'adresse réelle")


def logo_pixels(path: Path) -> str | None:
    """The digest of the image's pixels, or None if it has not the placeholder's size (an image
    is never decoded whole unless it could be the placeholder: a logo may be huge)."""
    from PIL import Image

    with Image.open(path) as image:
        if image.size != PLACEHOLDER_LOGO_SIZE:
            return None
        colours = image.convert("RGB")  # saved again with an alpha channel or a palette: the same pixels
        return hashlib.sha256(colours.tobytes()).hexdigest()


def logo_findings(project: Project) -> Iterator[Problem]:
    try:
        pixels = logo_pixels(project.logo)
    except Exception:  # Pillow's many ways to refuse: then it is not the placeholder, and the build says what is wrong
        return
    if pixels == PLACEHOLDER_LOGO_PIXELS:
        yield Problem(project.settings_source.locate(("logo",)), "logo",
                      f"« {project.settings.logo} » est le bloc marque provisoire fourni avec arsdocs (« Logo "
                      "provisoire — à remplacer ») : indiquez le bloc marque officiel de l'ARS")


def findings(project: Project, planned: list[tuple[Builder, list[Item]]], *, signatures: bool = True) -> list[Problem]:
    """What must not leave the agency, for these families. `signatures`: the letters that must be
    signed and are not (not for `build`, which makes them unsigned: `sign` comes after)."""
    found: set[Problem] = set()
    sources: dict[Path, None] = {}
    logo = False
    for builder, items in planned:
        sources.update(dict.fromkeys(builder.release_sources(project)))
        logo = logo or builder.prints_logo
        with contextlib.suppress(ArsDocsError):  # what does not load is the check's to say
            found.update(builder.gate_findings(project))
        if signatures:
            found.update(builder.unsigned(project, items))
    if logo:
        found.update(logo_findings(project))
    found.update(value_findings(project.settings_source))
    for path in sources:
        try:
            source = load_yaml(path, project.name(path))
        except ArsDocsError:
            continue  # its errors are the check's to say
        found.update(value_findings(source))
    for builder, _ in planned:
        if builder.template_folder:
            found.update(template_findings(project, project.templates / builder.template_folder))
    return sorted(found)


MAX_TEMPLATE = 4 * 2**20
"""A template is a few kilobytes; what is larger is not read for stand-ins."""


def template_findings(project: Project, folder: Path) -> Iterator[Problem]:
    """The texts a family's templates mark `a_remplacer(…)` (what `arsdocs init` writes)."""
    from ars_docs.source.errors import Location, position
    from ars_docs.tree.templating import STAND_IN_CALL

    call = re.compile(rf"\b{STAND_IN_CALL}\s*\(")
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix not in (".md", ".txt", ".html", ".typ") or not path.is_file():
            continue
        try:
            text = read_bounded(path, MAX_TEMPLATE).decode("utf-8", errors="replace")
        except (OSError, UnsafeFile):
            continue  # what cannot be read is the check's to say
        # a template's comments may name the mark (its instructions), without marking anything
        text = re.sub(r"\{#.*?#\}", lambda comment: re.sub(r"[^\n]", " ", comment.group()), text, flags=re.S)
        for found in call.finditer(text):
            yield Problem(Location(project.name(path), *position(text, found.start())), "",
                          "texte du projet de départ (a_remplacer) : écrivez le vôtre à la place")


DEFINITIVE_HINT = "arsdocs check --definitif les refuse, comme send --envoyer et sign"


def _listing(problems: list[Problem]) -> str:
    count = len(problems)
    return ("1 élément" if count == 1 else f"{count} éléments") + "".join(f"\n  {problem}" for problem in problems)


class ReleaseRefused(ArsDocsError):
    """`--definitif`, `send --envoyer`, `sign`: what must not leave, every finding at its place."""

    def __init__(self, problems: list[Problem], what: str) -> None:
        self.problems = sorted(set(problems))
        super().__init__(f"{what}, à remplacer avant l'envoi ou la signature : {_listing(self.problems)}")


def enforce(problems: list[Problem], what: str) -> None:
    if problems:
        raise ReleaseRefused(problems, what)


def report(problems: list[Problem]) -> None:
    """Without `--definitif`: the findings as warnings, once, after the work."""
    if problems:
        click.echo(f"Attention : à remplacer avant l'envoi ou la signature ({DEFINITIVE_HINT}) : "
                   f"{_listing(problems)}", err=True)
