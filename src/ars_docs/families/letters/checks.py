"""Checks of a mailing's data that no single field can make: the address blocks against the postal
norm and the envelope's window, and dates against each other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ars_docs.directory.models import Establishment
from ars_docs.families.letters import postal
from ars_docs.families.letters.models import Mailing, Webinar
from ars_docs.families.letters.salutation import function_title
from ars_docs.families.letters.sending import JOURNAL_FOLDER, identity
from ars_docs.source import postalnorm
from ars_docs.source.errors import Problem, warn
from ars_docs.source.fields import folded
from ars_docs.source.project import FONTS, Agency, Project
from ars_docs.source.starters import starter_hint
from ars_docs.source.yamlsource import YamlDocument


@dataclass(frozen=True)
class MailingSource:
    id: str
    letter: Mailing
    source: YamlDocument


def date_problems(letters: list[MailingSource], webinars: dict[str, Webinar]) -> Iterator[Problem]:
    """Dates that contradict each other: an answer due before the letter is sent is an error; due
    after the webinar the letter prepares, a warning."""
    for item in letters:
        letter = item.letter
        if letter.reponse is None:
            continue
        if letter.reponse.date_limite <= letter.date:
            yield Problem(item.source.locate(("reponse", "date_limite")), "reponse.date_limite",
                          f"la réponse est attendue le {letter.reponse.date_limite:%d/%m/%Y} : cette date doit "
                          f"suivre celle du courrier, le {letter.date:%d/%m/%Y}")
        webinar = webinars.get(letter.webinaire or "")
        if webinar is not None and letter.reponse.date_limite > webinar.date:
            warn(Problem(item.source.locate(("reponse", "date_limite")), "reponse.date_limite",
                         f"la réponse est attendue le {letter.reponse.date_limite:%d/%m/%Y}, après le webinaire "
                         f"« {webinar.id} » du {webinar.date:%d/%m/%Y} qu'elle doit préparer"))


def reminder_problems(letters: list[MailingSource], reminded: dict[str, Mailing], folder: str,
                      written: set[str]) -> Iterator[Problem]:
    """A reminder names the letter it follows up, and comes after it. `reminded`: the valid letters;
    `written`: every letter file, valid or not (an invalid one has its own messages)."""
    for item in letters:
        if item.id in reminded:
            yield Problem(item.source.locate(()), "",
                          f"la relance porte l'identifiant du courrier {folder}/{item.id}.yaml : ils partageraient "
                          f"le journal d'envoi ({JOURNAL_FOLDER}/{item.id}.jsonl) et la relance ne partirait jamais ; "
                          "renommez le fichier de la relance")
        original_id = item.letter.relance_de
        if original_id is None:
            yield Problem(item.source.locate(()), "relance_de",
                          f"une relance nomme le courrier qu'elle relance (relance_de: un identifiant de {folder}/)")
            continue
        original = reminded.get(original_id)
        if original is None and original_id in written:
            continue  # the letter is there but invalid: its own problems say why
        if original is None:
            known = ", ".join(sorted(reminded)) or "aucun"
            yield Problem(item.source.locate(("relance_de",)), "relance_de",
                          f"courrier « {original_id} » inconnu dans {folder}/ (connus : {known})")
        elif item.letter.date <= original.date:
            yield Problem(item.source.locate(("date",)), "date",
                          f"la relance du {item.letter.date:%d/%m/%Y} ne suit pas le courrier « {original_id} » "
                          f"du {original.date:%d/%m/%Y}")
        elif original.reponse is not None and item.letter.date <= original.reponse.date_limite:
            yield Problem(item.source.locate(("date",)), "date",
                          f"la relance du {item.letter.date:%d/%m/%Y} dirait la réponse manquante alors que le "
                          f"courrier « {original_id} » l'attend jusqu'au {original.reponse.date_limite:%d/%m/%Y} : "
                          "datez la relance après cette échéance")


def annex_problems(letters: list[MailingSource]) -> Iterator[Problem]:
    """The annex line says what the envelope and the e-mail hold: the reply form when an answer is
    expected (`reponse:`), and no form, no invitation that does not go with the letter."""
    for item in letters:
        letter = item.letter
        if letter.annexe is None:
            continue  # the shell prints « formulaire de réponse de l'établissement » when one goes with it
        said = folded(letter.annexe)
        where = item.source.locate(("annexe",))
        if letter.reponse is not None and "formulaire" not in said:
            yield Problem(where, "annexe", "le formulaire de réponse de l'établissement part avec chaque lettre "
                                           "(reponse:) : nommez-le dans l'annexe")
        if letter.reponse is None and "formulaire" in said:
            yield Problem(where, "annexe", "l'annexe annonce un formulaire, mais le courrier n'attend pas de réponse "
                                           "(pas de reponse:) : aucun formulaire ne part avec lui")
        if letter.webinaire is None and "invitation" in said:
            yield Problem(where, "annexe", "l'annexe annonce une invitation au webinaire, mais le courrier n'en "
                                           "annonce aucun (pas de webinaire:) : aucune invitation ne part avec lui")


def past_webinar_problems(letters: list[MailingSource], webinars: dict[str, Webinar]) -> Iterator[Problem]:
    """A reminder that announces a webinar held before it is sent would invite to the past."""
    for item in letters:
        webinar = webinars.get(item.letter.webinaire or "")
        if webinar is not None and webinar.date < item.letter.date:
            yield Problem(item.source.locate(("webinaire",)), "webinaire",
                          f"le webinaire « {webinar.id} » a eu lieu le {webinar.date:%d/%m/%Y}, avant le courrier du "
                          f"{item.letter.date:%d/%m/%Y} : retirez « webinaire: » (son invitation partirait avec)")


ADDRESS_FONT = f"{FONTS}/LiberationSans-Regular.ttf"


def postal_problems(establishments: list[Establishment], source: YamlDocument,
                     project: Project) -> Iterator[Problem]:
    """Every address block that does not meet the postal norm, or that would not fit in the envelope
    window's frame, located at the data it comes from."""
    font = project.root / ADDRESS_FONT
    frame = postal.envelope(project)
    for index, establishment in enumerate(establishments):
        written = establishment.adresse_postale
        if written and not written[-1].startswith(f"{establishment.code_postal} "):
            yield Problem(source.locate(("etablissements", index, "adresse_postale", len(written) - 1)),
                          f"etablissements[{index + 1}].adresse_postale",
                          f"la dernière ligne « {written[-1]} » ne commence pas par le code postal de "
                          f"l'établissement, {establishment.code_postal}")
        for position, recipient in enumerate(establishment.destinataires):
            lines = postal.address_block(establishment, position, function_title(recipient, establishment.statut))
            found = postal.block_problems(lines)
            if font.is_file():  # a line within 38 characters may still be too wide for the frame
                found += [postalnorm.AddressProblem(number, f"« {line.text} » mesure {width:.0f} mm imprimée, le cadre "
                                                        f"de la fenêtre en a {frame.largeur_mm:g}")
                          for number, line in enumerate(lines, 1) if len(line.text) <= postalnorm.MAX_LENGTH
                          and (width := postal.printed_width_mm(line.text, font)) > frame.largeur_mm]
            for problem in found:
                origin = lines[min(problem.line, len(lines)) - 1].source
                if problem.line > postalnorm.MAX_LINES:
                    origin = ("adresse",)
                personal = origin[0] == "destinataires"
                whose = f"de {recipient.prenom} {recipient.nom}" if personal else "de l'établissement"
                where = source.locate(("etablissements", index, *origin))
                name = f"etablissements[{index + 1}]" + "".join(
                    f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in origin)
                yield Problem(where, name,
                              f"adresse postale {whose}, ligne {problem.line} : {problem.message} ; corrigez ou "
                              f"raccourcissez la donnée, ou écrivez les lignes de l'adresse à la main dans "
                              f"« adresse_postale: » {'du destinataire' if personal else whose}")


def personal_data_problems(letters: list[MailingSource], agency: Agency | None, exists: Callable[[str], bool]
                           ) -> Iterator[Problem]:
    """A form collects names and e-mail addresses: its notice (GDPR art. 13) names the controller
    and its data-protection officer (`agence:`, `agence.dpd`), and its template is there."""
    for item in letters:
        reply = item.letter.reponse
        if reply is None:
            continue
        if agency is None or agency.dpd is None:
            yield Problem(item.source.locate(("reponse",), key=True), "reponse",
                          "le formulaire de réponse recueille des noms et des adresses : sa mention d'information "
                          "(RGPD, art. 13) nomme l'agence, responsable du traitement, et son délégué à la protection "
                          "des données : indiquez dans arsdocs.yaml « agence: » et son adresse « dpd: »")
        if not exists(reply.mentions):
            name = f"templates/letters/{reply.mentions}"
            where = item.source.locate(("reponse", "mentions"), key=True)  # else at « reponse: »
            yield Problem(where, "reponse.mentions", f"gabarit introuvable « {name} » (mention d'information sur les "
                                                     f"données personnelles){starter_hint(name)}")


def reply_domain_findings(letters: list[MailingSource], agency: Agency | None) -> Iterator[Problem]:
    """For the release gate: answers asked at an address outside the domain the e-mails come from
    read like phishing, and leave the agency's mail; unless the settings name it
    (`agence.reponses_hors_domaine`), knowingly."""
    kept = {identity(address) for address in (agency.reponses_hors_domaine if agency else [])}
    for item in letters:
        reply = item.letter.reponse
        if reply is None or identity(reply.adresse) in kept:
            continue
        sender = item.letter.courriel.expediteur.email.rpartition("@")[2].lower()
        domain = reply.adresse.rpartition("@")[2].lower()
        if domain != sender and not domain.endswith(f".{sender}") and not sender.endswith(f".{domain}"):
            yield Problem(item.source.locate(("reponse", "adresse")), "reponse.adresse",
                          f"les réponses sont demandées à « {reply.adresse} », hors du domaine des courriels envoyés "
                          f"({sender}) : cela se lit comme un hameçonnage et les réponses sortent de la messagerie "
                          f"de l'agence ; indiquez une adresse de l'agence, ou, si c'est voulu, nommez-la dans "
                          f"arsdocs.yaml (agence.reponses_hors_domaine)")

