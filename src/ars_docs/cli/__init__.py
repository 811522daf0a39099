"""The `arsdocs` command. Thin: each command imports its work lazily.

Expected failures are `ArsDocsError`s (one French message, exit code 1); anything else is a bug.
"""

from __future__ import annotations

from pathlib import Path

import click

from ars_docs.cli import text as clitext
from ars_docs.version import __version__

clitext.install()  # click's own messages in French, before the commands' options name their types

from ars_docs.cli.commands import build, check, import_, init, send, serve, sign  # noqa: E402
from ars_docs.cli.common import HELP  # noqa: E402


@click.group(subcommand_metavar="COMMANDE [ARGUMENTS]...")
@HELP
@click.option("--projet", type=click.Path(file_okay=False, path_type=Path), default=Path("."), metavar="DOSSIER",
              help="Dossier du projet, celui qui contient arsdocs.yaml (par défaut : le dossier courant).")
@click.version_option(__version__, prog_name="arsdocs", message="%(prog)s %(version)s",
                      help="Affiche la version et quitte.")
@click.pass_context
def main(context: click.Context, projet: Path) -> None:
    """Produit les documents officiels d'une agence régionale de santé (courriers, statuts, annexes de
    CPOM) en Word et PDF, à partir de données."""
    context.obj = {"projet": projet}


for command in (init.init, check.check, build.build, send.send, sign.sign, serve.serve, import_.import_):
    main.add_command(command)
