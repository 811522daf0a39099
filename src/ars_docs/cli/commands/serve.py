"""`arsdocs serve`: the local preview of out/, rebuilt on every change."""

from __future__ import annotations

import click

from ars_docs.cli.common import HELP, open_project


@click.command()
@HELP
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port de l'aperçu sur 127.0.0.1 (0 : un port libre).")
@click.pass_context
def serve(context: click.Context, port: int) -> None:
    """Aperçu local de out/ sur http://127.0.0.1 : reconstruit à chaque changement de data/, de
    templates/ ou de arsdocs.yaml, recharge la page ouverte, et y montre une erreur tant qu'elle dure."""
    from ars_docs.pipeline import preview

    project = open_project(context)
    try:
        preview.serve(project.root, port, click.echo)
    except KeyboardInterrupt:
        click.echo("Aperçu arrêté.")
