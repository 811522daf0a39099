"""The issuing agency is the project's (`agence:` in arsdocs.yaml), written once: the invitation's
product identifier and the contract annexes' author come from it, and nothing of the example's
agency is left in the code."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pikepdf
import pytest

from helpers.project import REPO, run

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

OCCITANIE = """
agence:
  nom: Agence régionale de santé Occitanie
  sigle: ARS Occitanie
  adresse: [ARS Occitanie, 26-28 parc Club du Millénaire, 1025 rue Henri Becquerel, 34067 MONTPELLIER CEDEX 2]
  telephone: 04 67 07 20 07
  site: www.occitanie.ars.sante.fr
  dpd: ars-oc-dpd@ars.sante.fr
"""


def _with_agency(project: Path, block: str) -> None:
    settings = project / "arsdocs.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text[:text.index("\n# L'agence qui émet")] + "\n" + block, encoding="utf-8")


def test_the_agency_comes_from_the_settings(small_project: Path) -> None:
    _with_agency(small_project, OCCITANIE)
    assert run(small_project, "build", "letters").exit_code == 0
    assert run(small_project, "build", "cpom").exit_code == 0
    ics = (small_project / "out/letters/lancement-dsr/invitation-webinaire.ics").read_text(encoding="utf-8")
    assert "PRODID:-//ARS Occitanie//arsdocs//FR" in ics
    annex = next((small_project / "out/cpom").rglob("annexe-4-*.pdf"))
    with pikepdf.open(annex) as pdf:
        assert str(pdf.docinfo["/Author"]) == "Agence régionale de santé Occitanie"
    assert docx.Document(str(annex.with_suffix(".docx"))).core_properties.author == (
        "Agence régionale de santé Occitanie")


def test_without_an_agency_no_agency_is_named(small_project: Path) -> None:
    """Without `agence:`, the invitation names no agency; a letter with a reply form is refused: its
    personal-data notice names the controller (GDPR art. 13)."""
    import yaml

    from ars_docs.families.letters import kit
    from ars_docs.families.letters.models import Mailing, WebinarsFile

    _with_agency(small_project, "")
    refused = run(small_project, "build", "letters")
    assert refused.exit_code == 1 and "RGPD, art. 13" in refused.output

    letter = Mailing.model_validate(yaml.safe_load((small_project / "data/courriers/lancement-dsr.yaml").read_text(
        encoding="utf-8")))
    webinar = WebinarsFile.model_validate(yaml.safe_load((small_project / "data/webinaires.yaml").read_text(
        encoding="utf-8"))).webinaires[0]
    ics = kit.invitation(webinar, letter, None).decode("utf-8")
    assert "PRODID:-//arsdocs//FR" in ics and "Grand Est" not in ics.split("BEGIN:VEVENT")[0]


def test_the_agencys_address_meets_the_postal_norm(small_project: Path) -> None:
    _with_agency(small_project, OCCITANIE.replace("34067 MONTPELLIER CEDEX 2", "34067 Montpellier Cedex 2"))
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert ("arsdocs.yaml:13:12 : agence.adresse : ligne 4 : « 34067 Montpellier Cedex 2 » : la dernière ligne doit "
            "être le code postal puis la localité, en capitales sans accent") in result.output, result.output


def test_no_agency_is_named_in_the_code() -> None:
    """The example's agency lives in its settings and data, not in the package (the starter names none)."""
    named = re.compile(r"Grand[ -]Est|grand-est\.ars", re.I)
    package = REPO / "src/ars_docs"
    found = [f"{path.relative_to(REPO)}:{number}" for path in package.rglob("*.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if named.search(line)]
    assert not found, found
    starter = package / "modele/arsdocs.yaml"
    assert not named.search(starter.read_text(encoding="utf-8"))


def test_every_letter_reminder_and_form_carries_the_agencys_address(small_project: Path, engine: str) -> None:
    """In each format a reader gets: the PDF (by each engine), the Word file, the HTML page."""
    from helpers.project import use_engine
    from helpers.readback import pdf_pages

    _with_agency(use_engine(small_project, engine), OCCITANIE)
    assert run(small_project, "build", "letters").exit_code == 0
    assert run(small_project, "build", "relances").exit_code == 0
    out = small_project / "out"
    documents = [*(out / "letters/lancement-dsr").glob("*--*.pdf"), *(out / "relances").rglob("*--*.pdf"),
                 *(out / "letters/lancement-dsr/formulaires").glob("*.pdf")]
    assert len(documents) >= 7
    address = "ARS Occitanie – 26-28 parc Club du Millénaire – 1025 rue Henri Becquerel – 34067 MONTPELLIER CEDEX 2"
    contact = "Tél. : 04 67 07 20 07 – www.occitanie.ars.sante.fr"
    for pdf in documents:
        first = " ".join(pdf_pages(pdf)[0].split())
        assert address in first and contact in first, pdf.name
        word = pdf.with_suffix(".docx")
        footer = _footer_text(word)
        assert address in footer and contact in footer, word.name
        page = pdf.with_suffix(".html").read_text(encoding="utf-8")
        assert f'<footer class="pied-agence"><p>{address}</p><p>{contact}</p></footer>' in page, pdf.name


def _footer_text(word: Path) -> str:
    document = docx.Document(str(word))
    text = " ".join(paragraph.text for section in document.sections for paragraph in section.footer.paragraphs)
    return " ".join(text.split())


def test_the_email_names_the_agency_and_a_reply_table_only_when_the_letter_has_one(tmp_path: Path) -> None:
    """The starter's letter has no reply table: its e-mail does not announce one (every e-mail
    said « ou le tableau figurant dans le courrier »); the issuer is the agency of the settings."""
    import email
    from email import policy

    project = tmp_path / "projet"
    assert run(tmp_path, "init", str(project)).exit_code == 0
    _with_agency_block(project, OCCITANIE)
    assert run(project, "build", "letters").exit_code == 0
    message = email.message_from_bytes(next((project / "out/letters").rglob("*.eml")).read_bytes(),
                                       policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "Le formulaire de réponse de votre établissement est joint" in body
    assert "tableau" not in body
    assert "le courrier de l’Agence régionale de santé Occitanie du" in body, body


def _with_agency_block(project: Path, block: str) -> None:
    """The starter's agency (its values marked to replace) replaced by `block`."""
    import re

    settings = project / "arsdocs.yaml"
    text = re.sub(r"\nagence:\n(?:  .*\n)+", "\n", settings.read_text(encoding="utf-8"))
    settings.write_text(text + block, encoding="utf-8")


def test_a_template_using_a_value_the_data_lacks_says_so_in_french(small_project: Path) -> None:
    """The letter's text cites its reply deadline, and the letter has no `reponse:` any more: the
    message says a value is missing, at the template's line (it was « message de Jinja : «  » »)."""
    letter = small_project / "data/courriers/lancement-dsr.yaml"
    text = letter.read_text(encoding="utf-8")
    start = text.index("reponse:\n")
    end = text.index("\n", text.index("  adresse:", start)) + 1
    letter.write_text(text[:start] + text[end:].replace("annexe: formulaire de réponse de l'établissement ; par "
                                                         "courriel, ", "annexe: "), encoding="utf-8")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert ("  templates/letters/lancement-dsr.md:26 : erreur dans le gabarit : une valeur que le gabarit utilise "
            "manque dans les données (une clé absente, ou vide)") in result.output.splitlines(), result.output
