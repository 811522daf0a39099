"""arsdocs from Python (an intranet service, a notebook): open a project, check it, build its
families; results and located problems come back as objects, nothing is printed.

    >>> import ars_docs
    >>> project = ars_docs.open_project("mon-projet")
    >>> result = ars_docs.check(project)
    >>> result.ok, [str(problem) for problem in result.problems]
    >>> ars_docs.build_documents(project, "courriers").reports

Expected failures raise `ArsDocsError` (a French message: a project that cannot be opened, another
command at work); problems of the data and templates are returned, each with its file, line and
field (`Problem`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ars_docs.source.errors import WARNINGS, ArsDocsError, InvalidInput, Problem
from ars_docs.source.project import Project

if TYPE_CHECKING:
    from ars_docs.pipeline.engine import Report as EngineReport

__all__ = ["ArsDocsError", "BuildResult", "CheckResult", "Problem", "Project", "Report", "build_documents",
           "check", "families", "open_project"]


@dataclass(frozen=True)
class CheckResult:
    """What `check` says of a project."""

    problems: tuple[Problem, ...]
    """What is wrong in the data and templates (empty: every family is valid)."""
    findings: tuple[Problem, ...]
    """Values to replace before anything leaves the agency (the release gate of `--definitif`)."""
    documents: dict[str, int]
    """How many documents each family would build, by family name, when valid."""
    warnings: tuple[Problem, ...] = ()
    """What is allowed but probably not meant (the command line prints them « Attention : »)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def ready(self) -> bool:
        """Valid and free of values to replace: what `check --definitif` accepts."""
        return self.ok and not self.findings


@dataclass(frozen=True)
class Report:
    """A family built: its counts, and where its files are."""

    family: str
    built: int
    unchanged: int
    removed: int
    files: int
    folder: str


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    """What stopped the build (nothing was written then)."""
    findings: tuple[Problem, ...]
    reports: tuple[Report, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def open_project(folder: str | Path) -> Project:
    """The project in `folder` (the one with arsdocs.yaml), its settings checked."""
    from ars_docs.base.registry import settings_problems

    project = Project.open(Path(folder))
    problems = settings_problems(project)
    if problems:
        raise InvalidInput(problems)
    return project


def families(project: Project) -> list[str]:
    """The families this project has data for (`courriers`, `statuts`…), by their names."""
    from ars_docs.base.registry import families as present

    return [builder.name for builder in present(project)]


def check(project: Project) -> CheckResult:
    """Every family validated, nothing written (`arsdocs check`)."""
    from ars_docs.base.registry import families as present
    from ars_docs.pipeline import gate
    from ars_docs.pipeline.engine import checked_plans

    with _kept_warnings() as warnings:
        try:
            planned = checked_plans(project, present(project), composed=True)
        except InvalidInput as failure:
            return CheckResult(tuple(failure.problems), (), {}, tuple(warnings))
        found = gate.findings(project, planned)
    return CheckResult((), tuple(found), {builder.name: builder.documents(items) for builder, items in planned},
                       tuple(warnings))


def build_documents(project: Project, family: str = "all", *, jobs: int = 1, force: bool = False,
                    pdf_engine: str | None = None, definitive: bool = False) -> BuildResult:
    """A family's documents (or all) into out/, incrementally (`arsdocs build`). `pdf_engine`:
    « weasyprint » or « typst » instead of the project's setting; `definitive`: refuse, as
    `--definitif`, a project that keeps values to replace (returned as problems)."""
    from ars_docs.base.registry import ALIASES, ALL, builder_names
    from ars_docs.base.registry import families as present
    from ars_docs.pipeline import engine, gate
    from ars_docs.source.lock import at_work

    name = ALIASES.get(family, family)
    if name not in (*builder_names(), ALL):
        raise ArsDocsError(f"famille inconnue « {family} » : {', '.join([*builder_names(), ALL])}")
    if pdf_engine is not None:
        if pdf_engine not in ("weasyprint", "typst"):
            raise ArsDocsError(f"moteur PDF inconnu « {pdf_engine} » : weasyprint ou typst")
        project = project.with_settings(moteur_pdf=pdf_engine)
    with _kept_warnings() as warnings:
        try:
            planned = engine.checked_plans(project, present(project, name))
        except InvalidInput as failure:
            return BuildResult(tuple(failure.problems), (), (), tuple(warnings))
        found = tuple(gate.findings(project, planned, signatures=False))
        if definitive and found:
            return BuildResult(found, found, (), tuple(warnings))
        with at_work(project.root, "build", "les fichiers déjà en place dans out/ sont entiers"):
            reports = engine.build(project, planned, jobs=jobs, force=force)
    return BuildResult((), found, tuple(_report(builder.name, report) for (builder, _), report
                                        in zip(planned, reports, strict=True)), tuple(warnings))


def _report(family: str, report: EngineReport) -> Report:
    return Report(family, report.built, report.unchanged, report.removed, report.files, report.folder)


@contextlib.contextmanager
def _kept_warnings() -> Iterator[list[Problem]]:
    """The warnings a check or a build says, kept for the result instead of printed (per thread
    and task: an intranet service may run several at once)."""
    kept: list[Problem] = []
    token = WARNINGS.set(kept)
    try:
        yield kept
    finally:
        WARNINGS.reset(token)
