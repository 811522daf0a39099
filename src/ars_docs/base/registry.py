"""The families, by name: the CLI's choices come from here, and one family finds another through
it without importing it (a CPOM reads the association's statutes). Each name leads to its builder
class, imported only when used (a CLI that starts fast); what a family can do is on its class.
"""

from __future__ import annotations

import importlib

from ars_docs.base.builder import Builder, PublicFunding
from ars_docs.source.errors import ArsDocsError, InvalidInput, Problem
from ars_docs.source.fields import Record
from ars_docs.source.project import Project, Settings
from ars_docs.source.validation import unknown_key

_REGISTRY: dict[str, str] = {
    "letters": "ars_docs.families.letters.builder:LettersBuilder",
    "relances": "ars_docs.families.letters.builder:RemindersBuilder",
    "statuts": "ars_docs.families.statuts.builder:StatutsBuilder",
    "cpom": "ars_docs.families.cpom.builder:CpomBuilder",
}
"""name -> "module:Class"."""

ALIASES = {"courriers": "letters"}
"""Other names of a family on the command line and in the API: the French name of `letters`, whose
templates are in templates/letters/ and outputs in out/letters/."""


def builder_class(name: str) -> type[Builder]:
    module, _, cls = _REGISTRY[name].partition(":")
    found: type[Builder] = getattr(importlib.import_module(module), cls)
    return found


def builder_names(capability: str | None = None) -> list[str]:
    """The families, or those whose documents can also be sent (`SEND`), signed (`SIGN`) or
    compared (`COMPARE`), as their classes declare."""
    return [name for name in _REGISTRY if capability is None or capability in builder_class(name).capabilities]


def get_builder(name: str) -> Builder:
    return builder_class(name)()


ALL = "all"
"""On the command line: every family the project has."""


def families(project: Project, famille: str = ALL) -> list[Builder]:
    """The builders of `famille`, or with `all` those of the families the project has (a project
    of letters only has no data/statuts/): families are optional, but not all of them."""
    if famille != ALL:
        builder = get_builder(famille)
        if not builder.present(project):
            raise ArsDocsError(f"ce projet n'a pas de {builder.label} : le dossier {builder.data_folder}/ "
                               "n'existe pas (voir la documentation, « Un projet »)")
        return [builder]
    builders = [builder for builder in map(get_builder, builder_names()) if builder.present(project)]
    if not builders:
        folders = ", ".join(f"{get_builder(name).data_folder}/" for name in builder_names())
        raise ArsDocsError(f"aucun document à faire dans ce projet : aucun des dossiers {folders} n'existe "
                           "(voir la documentation, « Un projet »)")
    return builders


def public_funding(project: Project, organisation: str) -> PublicFunding | None:
    """The most public money any family of the project gives `organisation` in a year."""
    found = [funding for builder in map(get_builder, builder_names()) if builder.present(project)
             if (funding := builder.public_funding(project, organisation)) is not None]
    return max(found, key=lambda funding: funding.amount, default=None)


def founding_text(project: Project, organisation: str) -> tuple[str, str] | None:
    """The text that founds `organisation` (its last statutes), from whichever family has it."""
    for builder in map(get_builder, builder_names()):
        if builder.present(project) and (found := builder.founding_text(project, organisation)) is not None:
            return found
    return None


def settings_problems(project: Project) -> list[Problem]:
    """arsdocs.yaml's parts that belong to a component: each key declared by a family
    (`Builder.settings_sections`, whether the project has the family or not) and valid as its model
    says; any other key refused, with the closest known one."""
    declared: dict[str, type[Record]] = {}
    for name in builder_names():
        declared.update(builder_class(name).settings_sections)
    known = sorted({*Settings.model_fields, *declared})
    problems: list[Problem] = []
    for key in project.sections:
        if key not in declared:
            problems.append(Problem(project.settings_source.locate((key,), key=True), key, unknown_key(key, known)))
            continue
        try:
            project.section(key, declared[key])
        except InvalidInput as failure:
            problems.extend(failure.problems)
    return problems
