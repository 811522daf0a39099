"""`arsdocs init`: a new project, or the whole example."""

from __future__ import annotations

from pathlib import Path

import click

from ars_docs.cli.common import HELP


@click.command()
@HELP
@click.argument("dossier", type=click.Path(path_type=Path))
@click.option("--familles", default="courriers", show_default=True, metavar="LISTE",
              help="Les familles du projet, séparées par des virgules : courriers, statuts, cpom.")
@click.option("--exemple", is_flag=True, help="Crée l'exemple complet (courriers, relances, statuts, annexes "
              "du CPOM) au lieu du petit projet à compléter.")
def init(dossier: Path, familles: str, exemple: bool) -> None:
    """Crée dans DOSSIER (nouveau ou vide) un petit projet à compléter, que check et build all
    acceptent tels quels : pour les courriers, un courrier à deux destinataires ; pour les
    statuts, un premier projet de statuts d'association loi 1901 ; pour le CPOM, des annexes
    réduites à une orientation, une fiche action, un indicateur et une ligne de financement ;
    avec les gabarits et les réglages. Avec --exemple : l'exemple complet d'arsdocs."""
    from ars_docs.cli import starter

    families = starter.parse_families(familles)
    starter.create(dossier, example=exemple, families=families)
    steps = starter.EXAMPLE_STEPS if exemple else starter.first_steps(families)
    click.echo(f"{'Exemple' if exemple else 'Projet'} créé dans {dossier.resolve()}.\n{steps}")
