"""`arsdocs send`: a mailing's e-mails, shown, then sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ars_docs.base.builder import SEND
from ars_docs.base.registry import get_builder
from ars_docs.cli.common import HELP, on_time, open_project
from ars_docs.cli.text import FamilyChoice
from ars_docs.source.errors import ArsDocsError, warn
from ars_docs.source.lock import at_work

if TYPE_CHECKING:
    from ars_docs.families.letters import sending
    from ars_docs.source.project import Project


SEND_LABELS = {
    "a-envoyer": "à envoyer",
    "a-renvoyer": "à renvoyer",
    "nouvelle-adresse": "à envoyer (nouvelle adresse)",
    "envoye": "envoyé",
    "deja-envoye": "déjà envoyé",
    "modifie": "modifié depuis son envoi : non renvoyé",
    "incertain": "état inconnu (le serveur n'a pas confirmé, ou l'envoi a été coupé) : non renvoyé",
    "meme-adresse": "adresse qui reçoit déjà ce courrier : un seul message",
    "refuse": "refusé par le serveur",
    "echec": "échec",
}


@click.command()
@HELP
@click.argument("famille", type=FamilyChoice(SEND))
@click.option("--courrier", metavar="ID", help="Le courrier à envoyer (identifiant de data/courriers/ ou "
              "data/relances/) s'il y en a plusieurs.")
@click.option("--envoyer", is_flag=True, help="Envoie pour de vrai ; sans cette option, montre ce qui serait envoyé.")
@click.option("--smtp", metavar="HOTE[:PORT]", help="Serveur SMTP, à la place de celui de arsdocs.yaml.")
@click.option("--sans-starttls", is_flag=True, help="Sans chiffrement : permis seulement vers un serveur de "
              "cette machine (essais).")
@click.option("--debit", type=click.IntRange(1, 600), metavar="N", help="Au plus N messages par minute.")
@click.option("--hors-delai", is_flag=True, help="Envoie même un courrier dont la date limite de réponse ou le "
              "webinaire est passé (décision explicite ; sinon : redatez le courrier et reconstruisez-le).")
@click.option("--renvoyer", metavar="ADRESSE", multiple=True,
              help="Renvoie le message de cette adresse, s'il est à l'état inconnu ou modifié depuis son envoi "
                   "(décision explicite, après vérification ; l'option se répète).")
@click.pass_context
def send(context: click.Context, famille: str, courrier: str | None, envoyer: bool, smtp: str | None,
         sans_starttls: bool, debit: int | None, hors_delai: bool, renvoyer: tuple[str, ...]) -> None:
    """Envoie par courriel les courriers construits (pièces jointes : la lettre et l'invitation).

    Chaque envoi est consigné dans envois/<courrier>.jsonl, par adresse : une reprise n'envoie jamais
    deux fois le même courrier à une adresse, même si le nom ou l'établissement du destinataire a
    changé depuis ; un message que le serveur n'a pas confirmé n'est renvoyé qu'avec --renvoyer.
    Un courrier dont la date limite de réponse ou le webinaire est passé n'est pas envoyé (sauf
    --hors-delai) ; l'en-tête Date: de chaque message est l'heure de son envoi."""
    from ars_docs.families.letters import sending
    from ars_docs.families.letters import smtp as smtp_client
    from ars_docs.pipeline import gate

    project = open_project(context)
    found = gate.findings(project, [(get_builder(famille), [])], signatures=False)  # signatures: below
    if envoyer:
        gate.enforce(found, "envoi refusé")
    folder = get_builder(famille).mailing_folder
    letter_id = _letter_to_send(project, folder, courrier)
    items, journal = sending.plan(project, famille, letter_id)
    resend = frozenset(sending.identity(address) for address in renvoyer)
    refusals = sending.resend_refusals(items, journal, resend)
    if refusals:
        raise ArsDocsError(" ; ".join(refusals))
    statuses = sending.statuses(items, journal, resend)
    _refuse_unsigned(project, famille, folder, letter_id, items, statuses, envoyer)
    if not envoyer:
        _dry_run(project, famille, letter_id, items, statuses, journal)
        gate.report(found)
        return
    on_time(*get_builder(famille).timeliness(project, letter_id, "envoyer"), hors_delai)
    settings = smtp_client.smtp_settings(project, smtp, sans_starttls, debit)
    sender = smtp_client.Sender(settings)
    outcomes: dict[str, int] = {}
    with at_work(project.root, "send", f"le journal {project.name(journal.path)} dit qui a reçu son courrier ; "
                 "relancez la même commande pour envoyer aux autres, jamais deux fois au même destinataire"):
        try:
            for item, outcome in sending.send_all(items, journal, sender, settings.debit_par_minute, resend):
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                click.echo(_line(item, outcome, journal))
        except sending.SendStopped as stopped:
            raise ArsDocsError(
                f"envoi arrêté : le serveur n'a pas confirmé le message à {stopped.item.address} après la fin "
                f"des données (connexion coupée, ou pas de réponse en {settings.delai_confirmation_s:g} s, le délai "
                f"de la RFC 5321) ; il a pu le remettre. Il est consigné « état inconnu » et ne sera pas renvoyé : "
                f"vérifiez, puis relancez la commande (avec --renvoyer {stopped.item.address} s'il faut le "
                f"renvoyer)") from None
        finally:
            sender.close()
    click.echo("Bilan : " + ", ".join(f"{SEND_LABELS[key]} {count}" for key, count in sorted(outcomes.items())))
    failed = outcomes.get("refuse", 0) + outcomes.get("echec", 0)
    if failed:
        raise ArsDocsError(f"{failed} envoi(s) en échec : voir ci-dessus ; une nouvelle exécution les retentera")


def _refuse_unsigned(project: Project, famille: str, folder: str, letter_id: str, items: list[sending.Outgoing],
                     statuses: list[str], envoyer: bool) -> None:
    """A mailing signed electronically leaves only signed: refused with --envoyer, said without."""
    from ars_docs.families.letters import sending
    from ars_docs.families.letters.data import load_mailing

    letter = load_mailing(project, project.root / folder / f"{letter_id}.yaml").letter
    if not letter.signataire.signature_electronique:
        return
    due = {item.address for item, status in zip(items, statuses, strict=True) if status in sending.STATUS_DUE}
    waiting = [item for item in sending.unsigned(project, famille, items) if item.address in due]
    if waiting:
        refusal = (f"{len(waiting)} lettre(s) à envoyer ne sont pas signées, alors que le courrier prévoit une "
                   f"signature électronique (signataire.signature_electronique: oui) : lancez d'abord "
                   f"« arsdocs sign {famille} »")
        if envoyer:
            raise ArsDocsError(refusal)
        click.echo(f"Attention : {refusal}")


def _dry_run(project: Project, famille: str, letter_id: str, items: list[sending.Outgoing], statuses: list[str],
             journal: sending.Journal) -> None:
    """What --envoyer would do, and would refuse, said beforehand; nothing sent."""
    from ars_docs.families.letters import sending
    late, old = get_builder(famille).timeliness(project, letter_id, "envoyer")
    for problem in (*late, *old):
        warn(problem)
    for item, status in zip(items, statuses, strict=True):
        click.echo(_line(item, status, journal))
    due_count = sum(status in sending.STATUS_DUE for status in statuses)
    click.echo(f"Rien n'a été envoyé ({due_count} message(s) à envoyer) : ajoutez --envoyer pour envoyer.")
    if "incertain" in statuses:
        click.echo("État inconnu : le serveur a peut-être remis ces messages. Vérifiez auprès du destinataire "
                   "ou dans les journaux du serveur ; pour renvoyer quand même : --renvoyer ADRESSE.")


def _line(item: sending.Outgoing, status: str, journal: sending.Journal) -> str:
    detail = journal.detail(item) if status not in ("envoye", "deja-envoye", "a-envoyer", "meme-adresse") else ""
    return f"{SEND_LABELS[status]} : {item.label} <{item.address}>" + (f" ({detail})" if detail else "")


def _letter_to_send(project: Project, folder: str, courrier: str | None) -> str:
    letters = sorted(path.stem for path in (project.root / folder).glob("*.yaml"))
    if courrier is None and len(letters) == 1:
        return letters[0]
    if courrier is None or courrier not in letters:
        raise click.UsageError(f"--courrier : choisir parmi {', '.join(letters)}")
    return courrier
