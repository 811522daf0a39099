"""Rendering a Markdown + Jinja template of a family into document blocks, failures located."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from ars_docs.doctree import Block
from ars_docs.errors import InvalidInput, Location, Problem
from ars_docs.markdown import MarkupError, parse_markdown
from ars_docs.project import Project
from ars_docs.templating import markdown_environment, template_problem


class MarkdownParts:
    """The Markdown templates of `templates/<family>/`."""

    def __init__(self, project: Project, family: str) -> None:
        self.project = project
        self.folder = project.templates / family
        self.environment = markdown_environment(self.folder)

    def exists(self, template: str) -> bool:
        return (self.folder / template).is_file()

    def part(self, template: str, context: Mapping[str, Any]) -> tuple[Block, ...]:
        path = self.folder / template
        try:
            return parse_markdown(self.environment.get_template(template).render(context))
        except jinja2.TemplateNotFound:
            raise InvalidInput([Problem(Location(self.project.name(path)), "", "gabarit introuvable")]) from None
        except MarkupError as error:
            raise InvalidInput([Problem(_markup_location(self.project.name(path), path, error), "", str(error))]) \
                from None
        except Exception as error:  # any failure inside a template is the template's, located there
            raise InvalidInput([template_problem(error, path, self.project.root)]) from None


def _markup_location(name: str, path: Path, error: MarkupError) -> Location:
    """Where the offending text is in the template; else the line of the Markdown it rendered
    (the same line, unless Jinja blocks before it took lines away)."""
    if error.needle:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if error.needle in line:
                return Location(name, number, line.index(error.needle) + 1)
    return Location(name, error.line)
