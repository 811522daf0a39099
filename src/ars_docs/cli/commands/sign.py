"""`arsdocs sign`: PAdES signatures on the built documents of a family that signs."""

from __future__ import annotations

from pathlib import Path

import click

from ars_docs.base.builder import SIGN
from ars_docs.base.registry import get_builder
from ars_docs.cli.common import HELP, on_time, open_project
from ars_docs.cli.text import FamilyChoice
from ars_docs.source.lock import at_work


@click.command()
@HELP
@click.argument("famille", type=FamilyChoice(SIGN))
@click.option("--certificat", type=click.Path(path_type=Path), envvar="ARSDOCS_CERTIFICAT",
              required=True, metavar="FICHIER.p12",
              help="Certificat et clé du signataire (PKCS#12) ; ou la variable ARSDOCS_CERTIFICAT. Le mot de "
                   "passe est lu dans la variable d'environnement ARSDOCS_CERTIFICAT_MOT_DE_PASSE.")
@click.option("--horodatage", metavar="URL", envvar="ARSDOCS_HORODATAGE",
              help="Serveur d'horodatage (RFC 3161) ; ou la variable ARSDOCS_HORODATAGE. Sans lui, la date "
                   "de signature est celle de cet ordinateur.")
@click.option("--courrier", metavar="ID", help="Ne signe que les lettres de ce courrier.")
@click.option("--hors-delai", is_flag=True, help="Signe même un courrier dont la date limite de réponse ou le "
              "webinaire est passé (décision explicite ; sinon : redatez le courrier et reconstruisez-le).")
@click.pass_context
def sign(context: click.Context, famille: str, certificat: Path, horodatage: str | None, courrier: str | None,
         hors_delai: bool) -> None:
    """Signe électroniquement (PAdES) les lettres construites, en PDF.

    La signature est ajoutée à la fin du PDF (mise à jour incrémentale) : le PDF/A reste valide.
    Le certificat est refusé avant toute lettre s'il est expiré ou pas encore valable, si son usage
    ne permet pas de signer, ou si sa chaîne ne mène pas aux autorités de signature.racines ; chaque
    lettre signée est relue et sa signature vérifiée.
    Le courriel de chaque lettre est refait avec la lettre signée. Une lettre signée n'est plus
    reconstruite par arsdocs build sans --force. Un courrier dont la date limite de réponse ou le
    webinaire est passé n'est pas signé (sauf --hors-delai) ; un courrier daté de plus de sept jours
    donne un avertissement."""
    import os

    from ars_docs.pipeline import gate
    from ars_docs.pipeline.signing import sign as sign_family
    from ars_docs.writers import signing

    project = open_project(context)
    builder = get_builder(famille)
    gate.enforce(gate.findings(project, [(builder, [])], signatures=False), "signature refusée")
    roots = signing.trusted_roots(project.root, project.section("signature", signing.SignatureSettings),
                                  lambda index: project.settings_source.locate(("signature", "racines", index)))
    key = signing.load_key(certificat, os.environ.get(signing.PASSWORD_VARIABLE), horodatage, roots)
    on_time(*builder.timeliness(project, courrier, "signer"), hors_delai)
    with at_work(project.root, "sign", "les lettres déjà signées le restent, les autres n'ont pas été "
                 "modifiées ; relancez la signature pour signer les autres"):
        report = sign_family(project, builder, key, courrier)
    click.echo(f"{builder.label} : {report.signed} lettre(s) signée(s) par {key.holder}, "
               f"{report.already} déjà signée(s)" + (" ; horodatage : " + horodatage if horodatage else ""))
