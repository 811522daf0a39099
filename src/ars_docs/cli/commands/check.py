"""`arsdocs check`: everything a build would read, validated; nothing written."""

from __future__ import annotations

import click

from ars_docs.build.registry import families
from ars_docs.cli.common import DEFINITIVE, HELP, open_project


@click.command()
@HELP
@DEFINITIVE
@click.pass_context
def check(context: click.Context, definitif: bool) -> None:
    """Valide les données et les gabarits de toutes les familles, sans rien écrire."""
    from ars_docs.build import release
    from ars_docs.build.engine import checked_plans

    project = open_project(context)
    planned = checked_plans(project, families(project), composed=True)
    found = release.findings(project, planned)
    if definitif:
        release.enforce(found, "vérification définitive refusée")
    counts = [f"{builder.documents(items)} {builder.label}" for builder, items in planned]
    click.echo(f"Tout est valide{' et prêt à partir' if definitif else ''} : {', '.join(counts)}.")
    release.report(found)
