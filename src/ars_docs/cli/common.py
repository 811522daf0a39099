"""What the commands share: the project they work on, their help option, the release gate's option."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ars_docs.base.registry import settings_problems

if TYPE_CHECKING:
    from ars_docs.source.errors import Problem
    from ars_docs.source.project import Project


def open_project(context: click.Context) -> Project:
    """The project, its settings whole: the parts its components declare checked too (every
    command refuses a misspelt key of arsdocs.yaml, not only those that build)."""
    from ars_docs.source.errors import InvalidInput
    from ars_docs.source.project import Project

    project = Project.open(context.obj["projet"])
    problems = settings_problems(project)
    if problems:
        raise InvalidInput(problems)
    return project


HELP = click.help_option("-h", "--help", help="Affiche cette aide et quitte.")


DEFINITIVE = click.option(
    "--definitif", is_flag=True,
    help="Pour ce qui part ou se signe : refuse le bloc marque provisoire, les valeurs « à confirmer », "
         "« à compléter », « TODO » ou « XXX », les adresses de test (example.fr…) et, pour check, les lettres "
         "à signer qui ne le sont pas. Sans cette option, ils sont signalés à la fin.")


def on_time(refusals: list[Problem], warnings: list[Problem], override: bool) -> None:
    """A letter past its reply deadline or its webinar is not signed or sent unless `--hors-delai`
    says so (then each is a warning); one dated long ago is a warning."""
    from ars_docs.source.errors import InvalidInput, warn

    if refusals and not override:
        raise InvalidInput(refusals)
    for problem in (*refusals, *warnings):
        warn(problem)
