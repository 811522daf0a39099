"""`arsdocs init`: a new project, or the whole example."""

from __future__ import annotations

from pathlib import Path

import click

from ars_docs.cli.common import HELP


@click.command()
@HELP
@click.argument("dossier", type=click.Path(path_type=Path))
@click.option("--exemple", is_flag=True, help="Crée l'exemple complet (courriers, relances, statuts, annexes "
              "du CPOM) au lieu du petit projet à compléter.")
def init(dossier: Path, exemple: bool) -> None:
    """Crée dans DOSSIER (nouveau ou vide) un petit projet à compléter : un courrier, deux
    destinataires, les gabarits et les réglages, que check et build all acceptent tels quels.
    Avec --exemple : l'exemple complet d'arsdocs."""
    from ars_docs.cli import starter

    starter.create(dossier, example=exemple)
    steps = starter.EXAMPLE_STEPS if exemple else starter.FIRST_STEPS
    click.echo(f"{'Exemple' if exemple else 'Projet'} créé dans {dossier.resolve()}.\n{steps}")
