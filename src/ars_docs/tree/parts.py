"""Rendering a Markdown + Jinja template of a family into document blocks, failures located."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ars_docs.source.errors import InvalidInput, Location, Problem
from ars_docs.source.project import Project
from ars_docs.tree.doctree import Block
from ars_docs.tree.markdown import MarkupError, parse_markdown
from ars_docs.tree.templating import located, markdown_environment


class MarkdownParts:
    """The Markdown templates of `templates/<family>/`."""

    def __init__(self, project: Project, family: str) -> None:
        self.project = project
        self.folder = project.templates / family
        self.environment = markdown_environment(self.folder)
        self.environment.globals["agence"] = project.settings.agence
        """The issuing agency (`agence:` in arsdocs.yaml) in every family's text: « entre
        l'{{ agence.nom }} et… », never an agency's name written in a shared template."""
        self._parsed: dict[str, tuple[Block, ...]] = {}
        """Blocks by Markdown text: the parts a mailing's letters share (the sender, the signature)
        render to the same text a thousand times; blocks are immutable."""

    def exists(self, template: str) -> bool:
        return (self.folder / template).is_file()

    def part(self, template: str, context: Mapping[str, Any]) -> tuple[Block, ...]:
        path = self.folder / template
        with located(path, self.project.root):
            text = self.environment.get_template(template).render(context)
        found = self._parsed.get(text)
        if found is not None:
            return found
        try:
            blocks = parse_markdown(text)
        except MarkupError as error:
            raise InvalidInput([Problem(_markup_location(self.project.name(path), path, error), "", str(error))]) \
                from None
        if len(self._parsed) >= _PARSED_KEPT:
            self._parsed.clear()
        self._parsed[text] = blocks
        return blocks


_PARSED_KEPT = 512


def _markup_location(name: str, path: Path, error: MarkupError) -> Location:
    """Where the offending text is in the template; else the line of the Markdown it rendered
    (the same line, unless Jinja blocks before it took lines away)."""
    if error.needle:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if error.needle in line:
                return Location(name, number, line.index(error.needle) + 1)
    return Location(name, error.line)
