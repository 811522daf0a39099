"""The `arsdocs` command. Thin: each command imports its work lazily.

Expected failures are `ArsDocsError`s (one French message, exit code 1); anything else is a bug.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ars_docs import __version__
from ars_docs.build.lock import at_work
from ars_docs.build.registry import ALL, COMPARE, SEND, SIGN, builder_names, families, get_builder
from ars_docs.cli import text as clitext
from ars_docs.cli.text import FamilyChoice
from ars_docs.source.errors import ArsDocsError

clitext.install()  # click's own messages in French

if TYPE_CHECKING:
    from ars_docs.build.registry import Builder, Item
    from ars_docs.source.project import Project


def _open_project(context: click.Context) -> Project:
    from ars_docs.source.project import Project

    return Project.open(context.obj["projet"])


HELP = click.help_option("-h", "--help", help="Affiche cette aide et quitte.")


@click.group(subcommand_metavar="COMMANDE [ARGUMENTS]...")
@HELP
@click.option("--projet", type=click.Path(file_okay=False, path_type=Path), default=Path("."), metavar="DOSSIER",
              help="Dossier du projet, celui qui contient arsdocs.yaml (par défaut : le dossier courant).")
@click.version_option(__version__, prog_name="arsdocs", message="%(prog)s %(version)s",
                      help="Affiche la version et quitte.")
@click.pass_context
def main(context: click.Context, projet: Path) -> None:
    """Produit les documents de l'ARS Grand Est (courriers, statuts, annexes de CPOM) en Word et PDF."""
    context.obj = {"projet": projet}


@main.command()
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


DEFINITIVE = click.option(
    "--definitif", is_flag=True,
    help="Pour ce qui part ou se signe : refuse le bloc marque provisoire, les valeurs « à confirmer », "
         "« à compléter », « TODO » ou « XXX », les adresses de test (example.fr…) et, pour check, les lettres "
         "à signer qui ne le sont pas. Sans cette option, ils sont signalés à la fin.")


@main.command()
@HELP
@DEFINITIVE
@click.pass_context
def check(context: click.Context, definitif: bool) -> None:
    """Valide les données et les gabarits de toutes les familles, sans rien écrire."""
    from ars_docs.build import release
    from ars_docs.build.engine import checked_plans

    project = _open_project(context)
    planned = checked_plans(project, families(project), composed=True)
    found = release.findings(project, planned)
    if definitif:
        release.enforce(found, "vérification définitive refusée")
    counts = [f"{builder.documents(items)} {builder.label}" for builder, items in planned]
    click.echo(f"Tout est valide{' et prêt à partir' if definitif else ''} : {', '.join(counts)}.")
    release.report(found)


@main.command()
@HELP
@click.argument("famille", type=FamilyChoice([*builder_names(), ALL]))
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
    from ars_docs.build import engine, release

    compared = builder_names(COMPARE)
    labels = [get_builder(name).label for name in compared]
    if comparer and famille not in (*compared, ALL):
        raise click.UsageError(f"--comparer ne vaut que pour les {' et les '.join(labels)}")
    if comparer and famille == ALL and not comparer.startswith("git:"):
        common = " et aux ".join(labels)
        raise click.UsageError(f"avec all, --comparer ne vaut que sous la forme git:RÉVISION (commune aux {common}) ; "
                               "sinon, construisez chaque famille avec sa propre comparaison")
    project = _open_project(context)
    if moteur_pdf:
        project = project.with_settings(moteur_pdf=moteur_pdf)
    builders = families(project, famille)
    for builder in builders:
        builder.configure(compare=comparer)
    valid = engine.checked_plans(project, builders)
    found = release.findings(project, valid, signatures=False)  # `sign` comes after the build
    if definitif:
        release.enforce(found, "construction définitive refusée")
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
    release.report(found)


def _verify(project: Project, planned: list[tuple[Builder, list[Item]]], workers: int) -> None:
    import dataclasses
    import tempfile

    from ars_docs.build import engine

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


SEND_LABELS = {
    "a-envoyer": "à envoyer",
    "envoye": "envoyé",
    "deja-envoye": "déjà envoyé",
    "modifie": "modifié depuis son envoi : non renvoyé",
    "incertain": "envoi interrompu, état inconnu : vérifiez avant de renvoyer",
    "refuse": "refusé par le serveur",
    "echec": "échec",
}


@main.command()
@HELP
@click.argument("famille", type=FamilyChoice(builder_names(SEND)))
@click.option("--courrier", metavar="ID", help="Le courrier à envoyer (identifiant de data/courriers/ ou "
              "data/relances/) s'il y en a plusieurs.")
@click.option("--envoyer", is_flag=True, help="Envoie pour de vrai ; sans cette option, montre ce qui serait envoyé.")
@click.option("--smtp", metavar="HOTE[:PORT]", help="Serveur SMTP, à la place de celui de arsdocs.yaml.")
@click.option("--sans-starttls", is_flag=True, help="Sans chiffrement : permis seulement vers un serveur de "
              "cette machine (essais).")
@click.option("--debit", type=click.IntRange(1, 600), metavar="N", help="Au plus N messages par minute.")
@click.pass_context
def send(context: click.Context, famille: str, courrier: str | None, envoyer: bool, smtp: str | None,
         sans_starttls: bool, debit: int | None) -> None:
    """Envoie par courriel les courriers construits (pièces jointes : la lettre et l'invitation).

    Chaque envoi est consigné dans envois/<courrier>.jsonl : une reprise n'envoie jamais deux fois
    le même courrier à quelqu'un."""
    from ars_docs.build import release
    from ars_docs.families.letters import sending
    from ars_docs.families.letters.data import load_letter

    project = _open_project(context)
    found = release.findings(project, [(get_builder(famille), [])], signatures=False)  # signatures: below
    if envoyer:
        release.enforce(found, "envoi refusé")
    folder = get_builder(famille).mailing_folder
    letter_id = _letter_to_send(project, folder, courrier)
    items, journal = sending.plan(project, famille, letter_id)
    letter = load_letter(project, project.root / folder / f"{letter_id}.yaml").letter
    if letter.signataire.signature_electronique:
        waiting = [item for item in sending.unsigned(project, famille, items) if journal.status(item) == "a-envoyer"]
        if waiting:
            refusal = (f"{len(waiting)} lettre(s) à envoyer ne sont pas signées, alors que le courrier prévoit une "
                       f"signature électronique (signataire.signature_electronique: oui) : lancez d'abord "
                       f"« arsdocs sign {famille} »")
            if envoyer:
                raise ArsDocsError(refusal)
            click.echo(f"Attention : {refusal}")
    if not envoyer:
        for item in items:
            click.echo(f"{SEND_LABELS[journal.status(item)]} : {item.label} <{item.address}>")
        due = sum(journal.status(item) == "a-envoyer" for item in items)
        click.echo(f"Rien n'a été envoyé ({due} message(s) à envoyer) : ajoutez --envoyer pour envoyer.")
        release.report(found)
        return
    settings = sending.smtp_settings(project, smtp, sans_starttls, debit)
    sender = sending.Sender(settings)
    outcomes: dict[str, int] = {}
    with at_work(project.root, "send", f"le journal {project.name(journal.path)} dit qui a reçu son courrier ; "
                 "relancez la même commande pour envoyer aux autres, jamais deux fois au même destinataire"):
        try:
            for item, outcome in sending.send_all(items, journal, sender, settings.debit_par_minute):
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                click.echo(f"{SEND_LABELS[outcome]} : {item.label} <{item.address}>")
        finally:
            sender.close()
    click.echo("Bilan : " + ", ".join(f"{SEND_LABELS[key]} {count}" for key, count in sorted(outcomes.items())))
    failed = outcomes.get("refuse", 0) + outcomes.get("echec", 0)
    if failed:
        raise ArsDocsError(f"{failed} envoi(s) en échec : voir ci-dessus ; une nouvelle exécution les retentera")


def _letter_to_send(project: Project, folder: str, courrier: str | None) -> str:
    letters = sorted(path.stem for path in (project.root / folder).glob("*.yaml"))
    if courrier is None and len(letters) == 1:
        return letters[0]
    if courrier is None or courrier not in letters:
        raise click.UsageError(f"--courrier : choisir parmi {', '.join(letters)}")
    return courrier


@main.command()
@HELP
@click.argument("famille", type=FamilyChoice(builder_names(SIGN)))
@click.option("--certificat", type=click.Path(dir_okay=False, path_type=Path), envvar="ARSDOCS_CERTIFICAT",
              required=True, metavar="FICHIER.p12",
              help="Certificat et clé du signataire (PKCS#12) ; ou la variable ARSDOCS_CERTIFICAT. Le mot de "
                   "passe est lu dans la variable d'environnement ARSDOCS_CERTIFICAT_MOT_DE_PASSE.")
@click.option("--horodatage", metavar="URL", envvar="ARSDOCS_HORODATAGE",
              help="Serveur d'horodatage (RFC 3161) ; ou la variable ARSDOCS_HORODATAGE. Sans lui, la date "
                   "de signature est celle de cet ordinateur.")
@click.option("--courrier", metavar="ID", help="Ne signe que les lettres de ce courrier.")
@click.pass_context
def sign(context: click.Context, famille: str, certificat: Path, horodatage: str | None, courrier: str | None) -> None:
    """Signe électroniquement (PAdES) les lettres construites, en PDF.

    La signature est ajoutée à la fin du PDF (mise à jour incrémentale) : le PDF/A reste valide.
    Le courriel de chaque lettre est refait avec la lettre signée. Une lettre signée n'est plus
    reconstruite par arsdocs build sans --force."""
    import os

    from ars_docs.build import release
    from ars_docs.writers import signing

    project = _open_project(context)
    builder = get_builder(famille)
    release.enforce(release.findings(project, [(builder, [])], signatures=False), "signature refusée")
    key = signing.load_key(certificat, os.environ.get(signing.PASSWORD_VARIABLE), horodatage)
    with at_work(project.root, "sign", "les lettres déjà signées le restent, les autres n'ont pas été "
                 "modifiées ; relancez la signature pour signer les autres"):
        report = builder.sign(project, key, courrier)
    click.echo(f"{builder.label} : {report.signed} lettre(s) signée(s) par {key.holder}, "
               f"{report.already} déjà signée(s)" + (" ; horodatage : " + horodatage if horodatage else ""))


@main.command()
@HELP
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port de l'aperçu sur 127.0.0.1 (0 : un port libre).")
@click.pass_context
def serve(context: click.Context, port: int) -> None:
    """Aperçu local de out/ sur http://127.0.0.1 : reconstruit à chaque changement de data/, de
    templates/ ou de arsdocs.yaml, recharge la page ouverte, et y montre une erreur tant qu'elle dure."""
    from ars_docs.build import preview

    project = _open_project(context)
    try:
        preview.serve(project.root, port, click.echo)
    except KeyboardInterrupt:
        click.echo("Aperçu arrêté.")


@main.command(name="import")
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
    project = _open_project(context)
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
    project = _open_project(context)
    for line in import_recipients(project, fichier, mapping):
        click.echo(line)


def _import_statutes(context: click.Context, fichier: Path, accept: bool) -> None:
    from ars_docs.families.statuts.importer import import_statutes

    project = _open_project(context)
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
