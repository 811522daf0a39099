"""`arsdocs import`: returned reply forms, a statutes' Word file, a contact list."""

from __future__ import annotations

from pathlib import Path

import click

from ars_docs.cli.common import HELP, open_project
from ars_docs.source.errors import ArsDocsError
from ars_docs.source.lock import at_work


@click.command(name="import")
@HELP
@click.argument("quoi", type=click.Choice(["reponses", "statuts", "destinataires"]))
@click.argument("chemin", type=click.Path(path_type=Path))
@click.option("--accepter-modifications", is_flag=True,
              help="statuts : accepte les modifications suivies en attente au lieu de refuser le fichier.")
@click.option("--colonne", "colonnes", multiple=True, metavar="\"EN-TÊTE=champ\"",
              help="destinataires : la colonne d'en-tête EN-TÊTE donne ce champ (etablissement, finess, adresse, "
                   "complement, code_postal, ville, civilite, prenom, nom, fonction, service, email, identifiant).")
@click.pass_context
def import_(context: click.Context, quoi: str, chemin: Path, accepter_modifications: bool,
            colonnes: tuple[str, ...]) -> None:
    """Importe les formulaires de réponse remplis (PDF ou Word) d'un DOSSIER dans data/membres.yaml
    (import reponses DOSSIER), un projet de statuts modifié dans Word ou LibreOffice comme version
    suivante (import statuts FICHIER.docx), ou une liste de destinataires d'un tableur dans
    data/recipients.yaml (import destinataires FICHIER.xlsx|.csv)."""
    if quoi == "statuts":
        _import_statutes(context, chemin, accepter_modifications)
        return
    if quoi == "destinataires":
        _import_recipients(context, chemin, colonnes)
        return
    from ars_docs.directory.members import MEMBERS, save_members
    from ars_docs.families.letters import replies

    dossier = chemin
    project = open_project(context)
    with at_work(project.root, "import", f"{MEMBERS} n'a pas été modifié, ou l'a été en entier ; relancez l'import "
                 "(une réponse déjà importée n'est pas importée deux fois)"):
        outcomes, members = replies.import_replies(project, dossier)
        for line in replies.report_lines(outcomes):
            click.echo(line)
        if any(outcome.taken for outcome in outcomes):
            save_members(project, members)
    refused = sum(not outcome.taken for outcome in outcomes)
    click.echo(f"{len(outcomes) - refused} réponse(s) importée(s), {refused} refusée(s) ; "
               f"{len(members)} établissement(s) dans {MEMBERS}")
    if refused:
        raise ArsDocsError(f"{refused} fichier(s) refusé(s) : voir ci-dessus ; "
                           "rien de ce qui était déjà importé n'est perdu")


def _import_recipients(context: click.Context, fichier: Path, colonnes: tuple[str, ...]) -> None:
    from ars_docs.families.letters.contacts import import_recipients

    mapping = {}
    for given in colonnes:
        header, separator, name = given.rpartition("=")
        if not separator or not header.strip():
            raise click.UsageError(f"--colonne « {given} » : écrire \"En-tête du fichier=champ\"")
        mapping[header.strip()] = name.strip()
    project = open_project(context)
    for line in import_recipients(project, fichier, mapping):
        click.echo(line)


def _import_statutes(context: click.Context, fichier: Path, accept: bool) -> None:
    from ars_docs.families.statuts.importer import import_statutes

    project = open_project(context)
    if not fichier.exists() and not fichier.is_symlink():
        raise ArsDocsError(f"fichier introuvable : « {fichier} »")  # anything else there: refused when read
    with at_work(project.root, "import", "aucune version n'a été écrite à moitié ; relancez l'import"):
        imported = import_statutes(project, fichier, accept)
    click.echo(f"Version {imported.version} écrite : {project.name(imported.path)}")
    click.echo(f"{len(imported.changes)} article(s) modifié(s) par rapport à la version d'origine :"
               if imported.changes else "Aucun article modifié par rapport à la version d'origine.")
    for change in imported.changes:
        click.echo(f"  {change}")
    if imported.comments:
        click.echo(f"{len(imported.comments)} commentaire(s) dans le document (à traiter à part) :")
        for comment in imported.comments:
            click.echo(f"  {comment}")
