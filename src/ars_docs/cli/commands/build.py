"""`arsdocs build`: a family's documents (or all) into out/, incrementally."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ars_docs.base.builder import COMPARE
from ars_docs.base.registry import ALL, builder_names, families, get_builder
from ars_docs.cli.common import DEFINITIVE, HELP, open_project
from ars_docs.cli.text import FamilyChoice
from ars_docs.source.errors import ArsDocsError
from ars_docs.source.lock import at_work

if TYPE_CHECKING:
    from ars_docs.base.builder import Builder, Item
    from ars_docs.source.project import Project


@click.command()
@HELP
@click.argument("famille", type=FamilyChoice(extra=(ALL,)))
@click.option("--comparer", metavar="VERSIONS",
              help="Statuts : versions à comparer, « v1..v3 », « v1 » (avec la dernière) ou « git:RÉVISION » "
                   "(la dernière version telle qu'enregistrée à cette révision). Par défaut, les deux dernières. "
                   "CPOM (avenant) : état antérieur du contrat, un fichier .yaml ou « git:RÉVISION ». "
                   "Avec all : « git:RÉVISION » seulement.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), metavar="N",
              help="Nombre de processus de travail (par défaut : le nombre de cœurs de la machine).")
@click.option("--force", is_flag=True, help="Reconstruit tout, même ce qui est à jour.")
@click.option("--moteur-pdf", type=click.Choice(["weasyprint", "typst"]),
              help="Ce qui compose les PDF, à la place du réglage moteur_pdf de arsdocs.yaml.")
@click.option("--verifier", is_flag=True,
              help="N'écrit rien : reconstruit tout à part et échoue si un fichier de out/ n'est pas celui "
                   "que les données actuelles produisent (pour les équipes qui gardent out/ dans leur dépôt).")
@DEFINITIVE
@click.pass_context
def build(context: click.Context, famille: str, comparer: str | None, jobs: int | None, force: bool,
          moteur_pdf: str | None, verifier: bool, definitif: bool) -> None:
    """Construit les documents d'une famille (ou de toutes : all) dans out/.

    Seuls les documents dont les données, les gabarits, les réglages ou la version d'arsdocs ont
    changé sont reconstruits ; les fichiers des documents qui n'existent plus sont supprimés."""
    from ars_docs.pipeline import engine, gate

    compared = builder_names(COMPARE)
    labels = [get_builder(name).label for name in compared]
    if comparer and famille not in (*compared, ALL):
        raise click.UsageError(f"--comparer ne vaut que pour les {' et les '.join(labels)}")
    if comparer and famille == ALL and not comparer.startswith("git:"):
        common = " et aux ".join(labels)
        raise click.UsageError(f"avec all, --comparer ne vaut que sous la forme git:RÉVISION (commune aux {common}) ; "
                               "sinon, construisez chaque famille avec sa propre comparaison")
    project = open_project(context)
    if moteur_pdf:
        project = project.with_settings(moteur_pdf=moteur_pdf)
    builders = families(project, famille)
    for builder in builders:
        builder.configure(compare=comparer)
    valid = engine.checked_plans(project, builders)
    found = gate.findings(project, valid, signatures=False)  # `sign` comes after the build
    if definitif:
        gate.enforce(found, "construction définitive refusée")
    workers = jobs or engine.default_jobs()
    with at_work(project.root, "build", "les fichiers déjà en place dans out/ sont entiers, les fichiers "
                 "temporaires ont été retirés ; relancez la construction pour la terminer"):
        if verifier:
            _verify(project, valid, workers)
            return
        with _progress() as progress:
            reports = engine.build(project, valid, jobs=workers, force=force, progress=progress)
    for report in reports:
        click.echo(str(report))
    gate.report(found)


def _verify(project: Project, planned: list[tuple[Builder, list[Item]]], workers: int) -> None:
    import dataclasses
    import tempfile

    from ars_docs.pipeline import engine

    with tempfile.TemporaryDirectory(prefix="arsdocs-verification-") as folder:
        fresh = dataclasses.replace(project, output=Path(folder))
        with _progress() as progress:
            engine.build(fresh, planned, jobs=workers, force=True, progress=progress)
        lines = engine.differences(Path(folder), project.out, [builder.name for builder, _ in planned])
    if lines:
        listing = "\n  ".join(lines)
        raise ArsDocsError(f"{len(lines)} fichier(s) de out/ ne sont pas ce que les données actuelles "
                           f"produisent :\n  {listing}\nReconstruisez (arsdocs build) et enregistrez le résultat.")
    click.echo("Vérification réussie : out/ est exactement ce que les données actuelles produisent.")


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int], Callable[[int], None] | None]]:
    """A progress bar with the count and the time remaining, on a terminal only (CI logs get the
    summary lines)."""
    bars: list[Any] = []

    def start(total: int) -> Callable[[int], None] | None:
        if total < 2 or not sys.stderr.isatty():
            return None
        bar = click.progressbar(length=total, label="Construction", show_eta=True, show_pos=True, file=sys.stderr)
        bar.__enter__()
        bars.append(bar)
        return bar.update

    try:
        yield start
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
