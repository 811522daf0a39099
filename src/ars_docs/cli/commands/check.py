"""`arsdocs check`: everything a build would read, validated; nothing written."""

from __future__ import annotations

import click

from ars_docs.base.registry import families
from ars_docs.cli.common import DEFINITIVE, HELP, open_project


@click.command()
@HELP
@DEFINITIVE
@click.pass_context
def check(context: click.Context, definitif: bool) -> None:
    """Valide les données et les gabarits de toutes les familles, sans rien écrire."""
    from ars_docs.pipeline import gate
    from ars_docs.pipeline.engine import checked_plans

    project = open_project(context)
    planned = checked_plans(project, families(project), composed=True)
    found = gate.findings(project, planned)
    if definitif:
        gate.enforce(found, "vérification définitive refusée")
    counts = [f"{builder.documents(items)} {builder.label}" for builder, items in planned]
    click.echo(f"Tout est valide{' et prêt à partir' if definitif else ''} : {', '.join(counts)}.")
    gate.report(found)
