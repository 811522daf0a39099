"""The `arsdocs` command. Thin: each command imports its work lazily.

Expected failures are `ArsDocsError`s (one French message, exit code 1); anything else is a bug.
"""

from __future__ import annotations

from pathlib import Path

import click

from ars_docs import __version__
from ars_docs.builders import builder_names

ALL = "all"


def _open_project(context: click.Context):  # type: ignore[no-untyped-def]
    from ars_docs.project import Project

    return Project.open(context.obj["projet"])


def _selected(famille: str) -> list[str]:
    return builder_names() if famille == ALL else [famille]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--projet", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default="dossier courant", help="Dossier du projet (celui qui contient arsdocs.yaml).")
@click.version_option(__version__, prog_name="arsdocs", message="%(prog)s %(version)s")
@click.pass_context
def main(context: click.Context, projet: Path) -> None:
    """Produit les documents de l'ARS Grand Est (courriers, statuts, annexes de CPOM) en Word et PDF."""
    context.obj = {"projet": projet}


@main.command()
@click.pass_context
def check(context: click.Context) -> None:
    """Valide les données et les gabarits de toutes les familles, sans rien écrire."""
    from ars_docs.builders import ProblemCollector, get_builder

    project = _open_project(context)
    collector = ProblemCollector()
    counts = []
    for name in builder_names():
        builder = get_builder(name)
        jobs = collector.attempt(builder.jobs, project)
        if jobs is not None:
            counts.append(f"{len(jobs)} {builder.label}")
    collector.raise_if_any()
    click.echo(f"Tout est valide : {', '.join(counts)}.")


@main.command()
@click.argument("famille", type=click.Choice([*builder_names(), ALL]))
@click.option("--comparer", metavar="VERSIONS",
              help="Statuts : versions à comparer, « v1..v3 », « v1 » (avec la dernière) ou « git:RÉVISION » "
                   "(la dernière version telle qu'enregistrée à cette révision). Par défaut, les deux dernières.")
@click.pass_context
def build(context: click.Context, famille: str, comparer: str | None) -> None:
    """Construit les documents d'une famille (ou de toutes : all) dans out/."""
    from ars_docs.builders import ProblemCollector, get_builder

    if comparer and famille not in ("statuts", ALL):
        raise click.UsageError("--comparer ne vaut que pour les statuts")
    project = _open_project(context)
    builders = [get_builder(name) for name in _selected(famille)]
    for builder in builders:
        builder.configure(compare=comparer)
    collector = ProblemCollector()
    planned = [(builder, collector.attempt(builder.jobs, project)) for builder in builders]
    collector.raise_if_any()  # every family is valid before anything is written
    for builder, jobs in planned:
        assert jobs is not None
        written = builder.publish(project, jobs)
        folders = sorted({project.name(path.parent) for path in written})
        click.echo(f"{builder.label} : {len(jobs)} documents ({len(written)} fichiers) dans {', '.join(folders)}")
