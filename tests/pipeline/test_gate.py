"""The release gate and what goes out with a mailing, from the side of the mail room and of the
signatory: `check --definitif` refuses each stand-in at its place, `send --envoyer` and `sign`
refuse a project that holds one; a draft contract says « PROJET » on every page until it is signed;
a reminder agrees with its letter; a print file holds what the letters announce."""

from __future__ import annotations

import email
import email.policy
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pikepdf
import pytest
from PIL import Image

from ars_docs.pipeline.gate import PLACEHOLDER_LOGO_PIXELS, logo_pixels, reserved_domain, unfinished
from helpers.pdfcheck import artefact_text
from helpers.project import REPO, TEST_DOMAIN, cleared_for_release, copy_project, run, use_engine
from helpers.readback import pdf_pages

Edit = Callable[[Path, str, str], None]
COURRIER = "data/courriers/lancement-dsr.yaml"
RELANCE = "data/relances/relance-dsr.yaml"
CONTRACT = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"
CPOM_OUT = Path("out/cpom/dsr-chirurgie-pediatrique-2027-2030")


# --- the rules, in process (fast tier) ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "found"), [
    ("à confirmer", "à confirmer"), ("À CONFIRMER", "À CONFIRMER"), ("A completer", "A completer"),
    ("Code : à confirmer", "à confirmer"), ("185 000 € (à compléter)", "à compléter"),
    ("[À compléter]", "À compléter"), ("Montant — à confirmer", "à confirmer"),
    ("TODO", "TODO"), ("voir todo plus bas", "todo"), ("M. XXX", "XXX"), ("Tél. xxxx", "xxxx"),
    # instructions and words that merely contain the letters are not stand-ins
    ("formulaire de réponse de l'établissement, à compléter et à retourner", None),
    ("Présence à confirmer par retour de courriel", None), ("taille XXL", None), ("todolist", None),
    ("Nancy", None),
])
def test_what_says_it_is_unfinished(text: str, found: str | None) -> None:
    assert unfinished(text) == found


@pytest.mark.parametrize(("address", "reserved"), [
    ("claire.martin@example.fr", True), ("a@example.com", True), ("a@services.example.org", True),
    ("a@chu.example", True), ("a@chu.test", True), ("a@chu.invalid", True), ("a@poste.localhost", True),
    ("a@EXAMPLE.FR", True), ("a@ars.sante.fr", False), ("a@chru-nancy.fr", False), ("a@examples.fr", False),
    ("a@example-chu.fr", False),
])
def test_reserved_domains(address: str, reserved: bool) -> None:
    assert reserved_domain(address) is reserved


def test_the_placeholder_brand_block_is_known_by_its_pixels(tmp_path: Path) -> None:
    shipped = REPO / "templates/commun/bloc-marque-provisoire.png"
    assert logo_pixels(shipped) == PLACEHOLDER_LOGO_PIXELS  # tools/make_placeholder_logo.py: update the constant
    with Image.open(shipped) as image:  # saved again by an image editor, under another name
        image.save(tmp_path / "logo-ars.png", compress_level=1)
        image.convert("RGBA").save(tmp_path / "logo-alpha.png")
        image.convert("RGB").crop((0, 0, 10, 10)).save(tmp_path / "autre.png")
        changed = image.convert("RGB")
    changed.putpixel((0, 0), (255, 0, 0))
    changed.save(tmp_path / "modifie.png")
    assert (tmp_path / "logo-ars.png").read_bytes() != shipped.read_bytes()
    assert logo_pixels(tmp_path / "logo-ars.png") == PLACEHOLDER_LOGO_PIXELS
    assert logo_pixels(tmp_path / "logo-alpha.png") == PLACEHOLDER_LOGO_PIXELS
    assert logo_pixels(tmp_path / "autre.png") is None  # another size: not even decoded
    assert logo_pixels(tmp_path / "modifie.png") not in (None, PLACEHOLDER_LOGO_PIXELS)


# --- the gate, through the command line --------------------------------------------------------------

@pytest.fixture
def ready(small_project: Path, edit: Edit) -> Path:
    """The small project with every stand-in replaced and no electronic signature asked for."""
    cleared_for_release(small_project)
    for name in (COURRIER, RELANCE):
        edit(small_project / name, "signature_electronique: oui", "signature_electronique: non")
    return small_project


def _line(project: Path, name: str, text: str) -> int:
    return next(number for number, line in enumerate((project / name).read_text("utf-8").splitlines(), 1)
                if text in line)


@pytest.mark.slow
def test_check_definitif_refuses_each_stand_in_at_its_place_and_accepts_once_replaced(ready: Path,
                                                                                      edit: Edit) -> None:
    accepted = run(ready, "check", "--definitif")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.splitlines()[-1] == ("Tout est valide et prêt à partir : 3 courriers, 3 relances, "
                                                "3 statuts, 5 annexes de CPOM.")
    clean = {path: path.read_bytes() for path in [*ready.rglob("*.yaml"), *ready.rglob("*.png")]}

    # one of each kind
    logo = ready / "templates/commun/logo-officiel.png"  # the placeholder, under another name
    logo.write_bytes((REPO / "templates/commun/bloc-marque-provisoire.png").read_bytes())
    edit(ready / "arsdocs.yaml", "logo: templates/commun/bloc-marque.png", "logo: templates/commun/logo-officiel.png")
    edit(ready / COURRIER, "lieu: Nancy", "lieu: À CONFIRMER")
    edit(ready / "data/recipients.yaml", f"camille.roth@{TEST_DOMAIN}", "camille.roth@services.example.org")
    edit(ready / "data/recipients.yaml", f"pierre.royer@{TEST_DOMAIN}", "pierre.royer@example.com")
    edit(ready / "data/webinaires.yaml", "organisateur:\n      nom: ARS Grand Est — Cellule parcours",
         "organisateur:\n      nom: TODO")
    edit(ready / CONTRACT, "code: MI2-2-2", "code: à confirmer")
    refused = run(ready, "check", "--definitif")
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    assert lines[0] == "Erreur : vérification définitive refusée, à remplacer avant l'envoi ou la signature : " \
                       "6 éléments", refused.output
    assert lines[1:] == [
        "  arsdocs.yaml:5:7 : logo : « templates/commun/logo-officiel.png » est le bloc marque provisoire fourni "
        "avec arsdocs (« Logo provisoire — à remplacer ») : indiquez le bloc marque officiel de l'ARS",
        f"  {COURRIER}:{_line(ready, COURRIER, 'lieu:')}:7 : lieu : « À CONFIRMER » : valeur à compléter avant "
        "l'envoi",
        f"  {CONTRACT}:{_line(ready, CONTRACT, 'code: à confirmer')}:13 : financement.lignes[1].code : « à confirmer » "
        ": valeur à compléter avant l'envoi",
        f"  data/recipients.yaml:{_line(ready, 'data/recipients.yaml', 'services.example.org')}:16 : "
        "etablissements[1].destinataires[2].email : adresse de test « camille.roth@services.example.org » (domaine "
        "réservé, personne ne la reçoit) : indiquez l'adresse réelle",
        f"  data/recipients.yaml:{_line(ready, 'data/recipients.yaml', 'example.com')}:16 : "
        "etablissements[2].destinataires[1].email : adresse de test « pierre.royer@example.com » (domaine "
        "réservé, personne ne la reçoit) : indiquez l'adresse réelle",
        f"  data/webinaires.yaml:{_line(ready, 'data/webinaires.yaml', 'nom: TODO')}:12 : "
        "webinaires[1].organisateur.nom : « TODO » : valeur à compléter avant l'envoi"]
    assert not (ready / "out").exists()

    # without --definitif: valid, and the same findings said once, at the end, on the error stream
    warned = run(ready, "check")
    assert warned.exit_code == 0 and warned.stdout.startswith("Tout est valide : ")
    assert warned.stderr.count("Attention") == 1 and warned.stderr.splitlines()[1:] == lines[1:]

    # build --definitif refuses before writing anything; build alone builds and warns after its report
    assert run(ready, "build", "cpom", "--definitif").exit_code == 1 and not (ready / "out").exists()
    built = run(ready, "build", "cpom")
    assert built.exit_code == 0 and built.stdout.startswith("annexes de CPOM : 5 construit(s)")
    assert built.stderr.splitlines()[1:] == [lines[3]]  # the contract's own finding, not the letters'

    for path, data in clean.items():  # every stand-in replaced again: accepted
        path.write_bytes(data)
    logo.unlink()
    assert run(ready, "check", "--definitif").exit_code == 0


@pytest.mark.slow
def test_a_stand_in_in_a_literal_block_is_found_at_its_own_line(ready: Path, edit: Edit) -> None:
    draft = "data/statuts/dsr-chirurgie-pediatrique/v2.yaml"
    edit(ready / draft, "Son sigle est « DSR-CP Grand Est ».", "Son sigle est « XXX ».")
    result = run(ready, "check", "--definitif")
    assert result.exit_code == 1
    line = _line(ready, draft, "Son sigle est")  # the third line of its block (`texte: |`), not the block's first
    assert (f"  {draft}:{line}:27 : titres[1].articles[1].texte : « XXX » : valeur à compléter avant "
            "l'envoi") in result.output


@pytest.mark.slow
def test_send_and_sign_refuse_a_project_with_a_stand_in(ready: Path, edit: Edit, tmp_path: Path) -> None:
    edit(ready / "data/recipients.yaml", f"claire.martin@{TEST_DOMAIN}", "claire.martin@example.fr")
    assert run(ready, "build", "letters").exit_code == 0
    sent = run(ready, "send", "letters", "--envoyer", "--hors-delai", "--smtp", "127.0.0.1:9", "--sans-starttls")
    assert sent.exit_code == 1
    assert sent.output.startswith("Erreur : envoi refusé, à remplacer avant l'envoi ou la signature : 1 élément\n"
                                  "  data/recipients.yaml:")
    assert "claire.martin@example.fr" in sent.output and not (ready / "envois").exists()
    dry = run(ready, "send", "letters")  # without --envoyer: what would be sent, and the finding as a warning
    assert dry.exit_code == 0 and "Attention : à remplacer avant l'envoi" in dry.stderr
    before = {path: path.read_bytes() for path in (ready / "out").rglob("*.pdf")}
    signed = run(ready, "sign", "relances", "--hors-delai", "--certificat", str(tmp_path / "absent.p12"))
    assert signed.exit_code == 1  # refused before the certificate is even read
    assert signed.output.startswith("Erreur : signature refusée, à remplacer avant l'envoi ou la signature : "
                                    "1 élément\n  data/recipients.yaml:")
    assert {path: path.read_bytes() for path in (ready / "out").rglob("*.pdf")} == before


@pytest.mark.slow
def test_letters_that_must_be_signed_are_a_finding_until_signed(small_project: Path) -> None:
    cleared_for_release(small_project)
    result = run(small_project, "check", "--definitif")
    assert result.exit_code == 1
    assert (f"  {COURRIER}:{_line(small_project, COURRIER, 'signature_electronique')}:27 : "
            "signataire.signature_electronique : 3 lettre(s) du courrier « lancement-dsr » doivent être signées et "
            "ne le sont pas : lancez « arsdocs build letters » puis « arsdocs sign letters »") in result.output
    # a build does not refuse what only `sign`, after it, can do
    assert run(small_project, "build", "letters", "--definitif").exit_code == 0


# --- a draft contract looks like a draft -------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("engine", ["weasyprint", "typst"])
def test_an_unsigned_contract_says_projet_everywhere_and_a_signed_one_nowhere(tmp_path: Path, edit: Edit,
                                                                            engine: str) -> None:
    project = use_engine(copy_project(tmp_path / "projet"), engine)
    assert run(project, "build", "cpom").exit_code == 0
    annex = project / CPOM_OUT / "annexe-3-indicateurs"
    with pikepdf.open(annex.with_suffix(".pdf")) as document:
        for page in document.pages:  # portrait and landscape: a watermark on each, as page furniture
            assert "PROJET" in artefact_text(document, page)
    pages = pdf_pages(annex.with_suffix(".pdf"))
    assert all("PROJET — Contrat pluriannuel d’objectifs et de moyens 2027-2030" in page for page in pages)
    with zipfile.ZipFile(annex.with_suffix(".docx")) as package:
        headers = "".join(package.read(name).decode() for name in package.namelist() if "header" in name)
    assert 'string="PROJET"' in headers and "PowerPlusWaterMarkObject" in headers and "PROJET — Contrat" in headers
    page = annex.with_suffix(".html").read_text(encoding="utf-8")
    assert "PROJET — Contrat pluriannuel" in page  # the accessible page says it in its header

    edit(project / CONTRACT, "  statut: projet", "  statut: signe")
    assert run(project, "build", "cpom").exit_code == 0
    for stem in (annex, project / CPOM_OUT / "annexes-1-a-4"):
        assert "PROJET" not in " ".join(pdf_pages(stem.with_suffix(".pdf")))
        with zipfile.ZipFile(stem.with_suffix(".docx")) as package:
            headers = "".join(package.read(name).decode() for name in package.namelist() if "header" in name)
        assert "PowerPlusWaterMarkObject" not in headers and "PROJET" not in headers
        assert "PROJET" not in stem.with_suffix(".html").read_text(encoding="utf-8")


# --- reminders and what goes with a letter -----------------------------------------------------------

@pytest.mark.slow
def test_a_reminder_comes_after_the_deadline_and_announces_no_past_webinar(small_project: Path, edit: Edit) -> None:
    edit(small_project / RELANCE, "date: 2026-05-26", "date: 2026-05-15")
    edit(small_project / RELANCE, "date_limite: 2026-06-05", "date_limite: 2026-06-01")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert (f"{RELANCE}:{_line(small_project, RELANCE, 'date: 2026-05-15')}:7 : date : la relance du 15/05/2026 "
            "dirait la réponse manquante alors que le courrier « lancement-dsr » l'attend jusqu'au 22/05/2026 : "
            "datez la relance après cette échéance") in result.output
    edit(small_project / RELANCE, "date: 2026-05-15", "date: 2026-05-26\nwebinaire: lancement-dsr-2026")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "webinaire : le webinaire « lancement-dsr-2026 » a eu lieu le 22/05/2026, avant le courrier du " \
           "26/05/2026" in result.output
    edit(small_project / RELANCE, "date: 2026-05-26\nwebinaire: lancement-dsr-2026", "date: 2026-06-02")
    result = run(small_project, "check")  # its own deadline comes before it
    assert result.exit_code == 1 and "cette date doit suivre celle du courrier, le 02/06/2026" in result.output


@pytest.mark.slow
def test_the_annex_line_says_what_goes_with_the_letter(small_project: Path, edit: Edit) -> None:
    edit(small_project / COURRIER, "annexe: formulaire de réponse de l'établissement ; par courriel, invitation",
         "annexe: par courriel, invitation")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert f"{COURRIER}:{_line(small_project, COURRIER, 'annexe:')}:9 : annexe : le formulaire de réponse de " \
           "l'établissement part avec chaque lettre (reponse:) : nommez-le dans l'annexe" in result.output


def _kind(page: str) -> str:
    if not page.strip():
        return "blanche"
    if re.search(r"\b[2-9]/[2-9]\s*$", page):
        return "suite"  # the second page of a letter
    if "Réponse au courrier du" in page:
        return "formulaire " + next(name for name in ("CHU de Reims", "Centre hospitalier de Troyes") if name in page)
    return "lettre " + next(name for name in ("Claire", "Camille", "Pierre") if name.upper() in page.upper())


@pytest.mark.slow
@pytest.mark.parametrize("family", ["letters", "relances"])
def test_the_print_file_puts_the_form_after_each_letter_that_announces_it(small_project: Path, family: str) -> None:
    """Each letter is an envelope: the form it announces (« Annexe : formulaire… ») follows it."""
    assert run(small_project, "build", family).exit_code == 0
    folder = small_project / "out" / family / ("lancement-dsr" if family == "letters" else "relance-dsr")
    print_file = folder / "impression.pdf"
    pages = [_kind(page) for page in pdf_pages(print_file)]
    starts = [(kind, index) for index, kind in enumerate(pages) if kind not in ("blanche", "suite")]
    assert [kind for kind, _ in starts] == ["lettre Claire", "formulaire CHU de Reims", "lettre Camille",
                                            "formulaire CHU de Reims", "lettre Pierre",
                                            "formulaire Centre hospitalier de Troyes"], pages
    # each letter and each form starts a new sheet in duplex: on a front page, after a blank back if need be
    assert all(index % 2 == 0 for _, index in starts) and len(pages) % 2 == 0, pages
    assert pages[starts[1][1] + 1] == "blanche" and pages[-1] == "blanche"  # a form is one page: its back is blank
    with pikepdf.open(print_file) as document:
        assert "/AcroForm" not in document.Root  # the form's fields printed as drawn, not left fillable
        with document.open_outline() as outline:
            assert [(item.title, [child.title for child in item.children]) for item in outline.root] == [
                ("CHU de Reims", ["Madame Claire MARTIN", "Formulaire de réponse (Madame Claire MARTIN)",
                                  "Camille ROTH", "Formulaire de réponse (Camille ROTH)"]),
                ("Centre hospitalier de Troyes", ["Monsieur Pierre ROYER",
                                                  "Formulaire de réponse (Monsieur Pierre ROYER)"])]
    message = email.message_from_bytes((folder / "chu-reims--claire-martin.eml").read_bytes(),
                                       policy=email.policy.default)
    attached = [part.get_filename() for part in message.iter_attachments()]
    assert "reponse-chu-reims.pdf" in attached
    body = message.get_body(("plain",)).get_content()
    assert "Le formulaire de réponse de votre établissement est joint (reponse-chu-reims.pdf)" in body
    letter = " ".join(pdf_pages(folder / "chu-reims--claire-martin.pdf"))
    assert "Annexe\u00a0: formulaire de réponse de l’établissement" in letter


def test_the_gate_knows_every_value_the_starter_leaves_to_replace(tmp_path: Path) -> None:
    """`init` marks each value to replace (`!a-remplacer` in YAML, `a_remplacer(…)` in a template),
    and names no agency, person or place of its own: `check` passes, `check --definitif` refuses
    each of them at its line, and passes once they are replaced."""
    import re

    from helpers.project import cleared_for_release

    project = tmp_path / "nouveau"
    assert run(tmp_path, "init", str(project)).exit_code == 0
    assert run(project, "check").exit_code == 0
    files = [project / "arsdocs.yaml", *sorted((project / "data").rglob("*.yaml"))]
    marked = sum(len(re.findall(r"(?<!« )!a-remplacer(?! »)", path.read_text(encoding="utf-8"))) for path in files)
    refused = run(project, "check", "--definitif")
    assert refused.exit_code == 1
    assert refused.output.count("valeur du projet de départ (!a-remplacer)") == marked >= 30
    assert "templates/letters/premier-courrier.md:5:4 : texte du projet de départ (a_remplacer)" in refused.output
    every = " ".join(path.read_text(encoding="utf-8") for path in [*files, *(project / "templates/letters").glob("*")]
                     if path.suffix in (".yaml", ".md", ".txt"))
    assert not re.search(r"Grand Est|Nancy|Reims|Margot|Claire Martin", every)
    for path in files:  # the officer's own values
        text = path.read_text(encoding="utf-8").replace("!a-remplacer ", "")
        text = text.replace("@agence.example", "@agence-sante.fr").replace("@etablissement.example", "@hopital.fr")
        path.write_text(text, encoding="utf-8")
    body = project / "templates/letters/premier-courrier.md"
    body.write_text(re.sub(r"\{\{ a_remplacer\(.*?\) \}\}", "Le dispositif régional est créé.",
                           body.read_text(encoding="utf-8")), encoding="utf-8")
    cleared_for_release(project)
    accepted = run(project, "check", "--definitif")
    assert accepted.exit_code == 0, accepted.output


@pytest.mark.slow
def test_answers_outside_the_sending_domain_are_a_finding_unless_named(ready: Path, edit: Edit) -> None:
    """The source letter asks for replies at a consumer mailbox (gmail.com) while the e-mails come
    from ars.sante.fr: a finding at the reply address's line, until the settings name it."""
    settings = ready / "arsdocs.yaml"
    edit(settings, "  reponses_hors_domaine: [dsrgrandest@gmail.com]\n", "")
    refused = run(ready, "check", "--definitif")
    assert refused.exit_code == 1
    line = _line(ready, COURRIER, "adresse: dsrgrandest@gmail.com")
    assert (f"  {COURRIER}:{line}:12 : reponse.adresse : les réponses sont demandées à « dsrgrandest@gmail.com », "
            "hors du domaine des courriels envoyés (ars.sante.fr) : cela se lit comme un hameçonnage et les réponses "
            "sortent de la messagerie de l'agence ; indiquez une adresse de l'agence, ou, si c'est voulu, nommez-la "
            "dans arsdocs.yaml (agence.reponses_hors_domaine)") in refused.output.splitlines(), refused.output
    edit(settings, "  dpd:", "  reponses_hors_domaine: [DSRGrandEst@gmail.com]\n  dpd:")  # named: known, kept
    accepted = run(ready, "check", "--definitif")
    assert accepted.exit_code == 0, accepted.output
    for name in (COURRIER, RELANCE):
        edit(ready / name, "adresse: dsrgrandest@gmail.com", "adresse: dsr-chirurgie@grand-est.ars.sante.fr")
    edit(settings, "  reponses_hors_domaine: [DSRGrandEst@gmail.com]\n", "")
    accepted = run(ready, "check", "--definitif")
    assert accepted.exit_code == 0, accepted.output  # a subdomain of the sender's is the agency's


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["weasyprint", "typst"])
def test_every_form_and_its_email_carry_the_personal_data_notice(small_project: Path, engine: str,
                                                                edit: Edit) -> None:
    """GDPR art. 13: the form that collects names and addresses says who processes them (the agency,
    its data-protection officer), why, on what basis, who receives them, how long, the rights and
    the CNIL: on the PDF (each engine), the Word form, the HTML page and in the e-mail. Without the
    officer's address, `check` refuses the letter at its `reponse:`."""
    use_engine(small_project, engine)
    assert run(small_project, "build", "letters").exit_code == 0
    folder = small_project / "out/letters/lancement-dsr"
    said = ["responsable du traitement", "ars-grandest-dpd@example.fr", "mission d’intérêt public",
            "conservées", "réclamation", "CNIL"]
    pdf = " ".join(" ".join(pdf_pages(folder / "formulaires/reponse-chu-reims.pdf")).split())
    word = " ".join(paragraph.text for paragraph in docx.Document(
        str(folder / "formulaires/reponse-chu-reims.docx")).paragraphs)
    page = (folder / "formulaires/reponse-chu-reims.html").read_text(encoding="utf-8")
    message = email.message_from_bytes((folder / "chu-reims--claire-martin.eml").read_bytes(),
                                       policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    for text in (pdf.replace("- ", "-"), word, page, body):
        assert all(words in " ".join(text.split()) for words in said), text[-1500:]
    assert "Agence régionale de santé Grand Est" in pdf and "Données personnelles" in word
    assert len(pdf_pages(folder / "formulaires/reponse-chu-reims.pdf")) == 1  # the form stays one page
    edit(small_project / "arsdocs.yaml", "  dpd: ars-grandest-dpd@example.fr", "")
    refused = run(small_project, "check")
    assert refused.exit_code == 1
    assert ("data/courriers/lancement-dsr.yaml:31:1 : reponse : le formulaire de réponse recueille des noms et des "
            "adresses : sa mention d'information (RGPD, art. 13) nomme l'agence, responsable du traitement, et son "
            "délégué à la protection des données : indiquez dans arsdocs.yaml « agence: » et son adresse « dpd: »"
            ) in refused.output, refused.output
