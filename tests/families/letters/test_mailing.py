"""The mailing kit of the example letter, read back as the programs that receive it would."""

from __future__ import annotations

import csv
import datetime
import email
import hashlib
import json
import shutil
import subprocess
import zipfile
import zoneinfo
from collections.abc import Callable
from email import policy
from email.header import decode_header, make_header
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
import yaml
from pypdf import PdfReader, PdfWriter

from ars_docs.writers.printfile import PrintEntry, print_file
from helpers.project import REPO, run

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
FOLDER = Path("out/letters/lancement-dsr")
DATA = REPO / "data"
LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_exemple-dsr-chirurgie-pediatrique%40thread.v2/0"


def _recipients() -> list[tuple[dict[str, object], dict[str, str]]]:
    data = yaml.safe_load((DATA / "recipients.yaml").read_text(encoding="utf-8"))
    return [(e, p) for e in data["etablissements"] for p in e["destinataires"]]


def _manifest(project: Path) -> list[dict[str, str]]:
    raw = (project / FOLDER / "manifeste.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, for Excel"
    with (project / FOLDER / "manifeste.csv").open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=";"))


def test_manifest_opens_as_a_french_spreadsheet(example_build: Path) -> None:
    rows = _manifest(example_build)
    assert list(rows[0]) == ["etablissement", "finess", "civilite", "prenom", "nom", "fonction", "email", "docx",
                             "pdf", "eml", "sha256_docx", "sha256_pdf", "sha256_eml"]
    expected = [(str(e["nom"]), p["email"]) for e, p in _recipients()]
    assert [(row["etablissement"], row["email"]) for row in rows] == expected
    lefevre = next(row for row in rows if row["nom"] == "Lefèvre")
    assert lefevre["fonction"] == "Président de la commission médicale d'établissement"
    assert lefevre["finess"] == "510000029" and lefevre["civilite"] == "Monsieur"
    for row in rows:
        for kind in ("docx", "pdf", "eml"):
            data = (example_build / FOLDER / row[kind]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row[f"sha256_{kind}"]
    as_json = json.loads((example_build / FOLDER / "manifeste.json").read_text(encoding="utf-8"))
    assert as_json == rows


def test_every_email_is_ready_to_send(example_build: Path) -> None:
    rows = _manifest(example_build)
    letter = yaml.safe_load((DATA / "courriers" / "lancement-dsr.yaml").read_text(encoding="utf-8"))
    assert len(rows) == 52
    for row in rows:
        message = email.message_from_bytes((example_build / FOLDER / row["eml"]).read_bytes(), policy=policy.default)
        assert message["To"].addresses[0].addr_spec == row["email"]
        assert message["To"].addresses[0].display_name == f"{row['prenom']} {row['nom']}"
        assert message["From"].addresses[0].addr_spec == "ars-grandest-dsr@ars.sante.fr"
        assert message["Reply-To"].addresses[0].addr_spec == "dsrgrandest@gmail.com"
        assert message["Subject"] == letter["objet"]
        assert message["X-Unsent"] == "1"
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert body.splitlines()[0].endswith(",") and "22\u00a0mai\u00a02026, de 14h00 à 15h30" in body
        attachments = {part.get_filename(): part for part in message.iter_attachments()}
        form = f"reponse-{row['pdf'].split('--')[0]}.pdf"
        assert set(attachments) == {row["pdf"], "invitation-webinaire.ics", form}
        assert attachments[form].get_content() == (example_build / FOLDER / "formulaires" / form).read_bytes()
        assert attachments[row["pdf"]].get_content() == (example_build / FOLDER / row["pdf"]).read_bytes()
        assert attachments["invitation-webinaire.ics"].get_content_type() == "text/calendar"
        # a text part without its charset is read as US-ASCII (RFC 2046 §4.1.2): « p��diatrique »
        assert attachments["invitation-webinaire.ics"].get_content_charset() == "utf-8"
        assert "pédiatrique" in attachments["invitation-webinaire.ics"].get_content()
        _check_event(_event(attachments["invitation-webinaire.ics"].get_payload(decode=True)))
    poirier = next(row for row in rows if row["nom"] == "Poirier")
    message = email.message_from_bytes((example_build / FOLDER / poirier["eml"]).read_bytes(), policy=policy.default)
    assert message.get_body(preferencelist=("plain",)).get_content().splitlines()[0] == "Madame la Professeure,"


def _event(data: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    return events[0]


def _check_event(event: icalendar.Event) -> None:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == datetime.datetime(2026, 5, 22, 14, 0, tzinfo=paris)
    assert start.astimezone(datetime.UTC) == datetime.datetime(2026, 5, 22, 12, 0, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 5, 22, 15, 30, tzinfo=paris)
    assert str(event["location"]) == str(event["url"]) == LINK
    assert str(event["organizer"]) == "mailto:ars-grandest-dsr@ars.sante.fr"
    assert str(event["summary"]).startswith("Webinaire d'information")


def test_invitation_alone_is_at_14h_paris_time(example_build: Path) -> None:
    _check_event(_event((example_build / FOLDER / "invitation-webinaire.ics").read_bytes()))


def _starts(reader: PdfReader) -> list[tuple[str, str, int]]:
    """(establishment, recipient, first page, from 1) of every bookmark."""
    found = []
    outline = reader.outline
    for index, item in enumerate(outline):
        if isinstance(item, list):
            parent = outline[index - 1].title
            found += [(parent, child.title, reader.get_destination_page_number(child) + 1) for child in item]
    return found


def test_print_file_one_bookmark_per_recipient_and_form_each_on_an_odd_page(example_build: Path) -> None:
    """Each letter, then the reply form it announces (one envelope each), each starting a sheet in
    duplex: as many forms as letters."""
    reader = PdfReader(example_build / FOLDER / "impression.pdf")
    rows = _manifest(example_build)
    starts = _starts(reader)
    expected: list[tuple[str, str]] = []
    for row in rows:
        name = f"{row['civilite']} {row['prenom']} {row['nom'].upper()}".strip()
        expected += [(row["etablissement"], name), (row["etablissement"], f"Formulaire de réponse ({name})")]
    assert [(e, r) for e, r, _ in starts] == expected
    assert all(page % 2 == 1 for _, _, page in starts)
    lengths = [len(PdfReader(example_build / FOLDER / row["pdf"]).pages) for row in rows] + [1] * len(rows)
    assert len(reader.pages) == sum(n + n % 2 for n in lengths)
    for (establishment, label, page) in starts:
        if label.startswith("Formulaire de réponse"):
            assert "Réponse au courrier du" in reader.pages[page - 1].extract_text(), establishment


def test_print_file_adds_a_blank_page_after_an_odd_letter(example_build: Path, tmp_path: Path) -> None:
    letter = next((example_build / FOLDER).glob("chu-reims--*.pdf"))
    one_page = tmp_path / "une-page.pdf"
    writer = PdfWriter()
    writer.add_page(PdfReader(letter).pages[0])
    writer.write(one_page)
    entries = [PrintEntry(one_page, "A", "premier"), PrintEntry(letter, "A", "deuxième"),
               PrintEntry(one_page, "B", "troisième")]
    reader = PdfReader(__import__("io").BytesIO(print_file(entries, "essai")))
    assert [page for _, _, page in _starts(reader)] == [1, 3, 5]
    assert len(reader.pages) == 6
    assert reader.pages[1].extract_text() == "" and reader.pages[5].extract_text() == ""


def _calc_cells(csv_file: Path, folder: Path) -> list[tuple[str, str | None]]:
    """The manifest as LibreOffice Calc opens it (semicolons, UTF-8): each cell's text and formula."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice manque : lancez ./dev.sh test, qui l'installe"
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profil').as_uri()}", "--headless",
                    "--infilter=CSV:59,34,76,1", "--convert-to", "ods", "--outdir", str(folder), str(csv_file)],
                   check=True, capture_output=True, timeout=300)
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    with zipfile.ZipFile(folder / f"{csv_file.stem}.ods") as package:
        content = ElementTree.fromstring(package.read("content.xml"))
    return [("".join(cell.itertext()), cell.get(f"{{{table}}}formula"))
            for cell in content.iter(f"{{{table}}}table-cell") if cell.find(f"{{{text}}}p") is not None]


def test_no_cell_of_the_manifest_is_a_formula_in_a_spreadsheet(small_project: Path, edit: Edit,
                                                               tmp_path: Path) -> None:
    """A name typed as a formula stays text when Calc opens the manifest; the same cell written
    as is (the counter-proof) is a formula that Calc computes."""
    edit(small_project / "data/recipients.yaml", "nom: Martin", 'nom: "=2+3"')
    assert run(small_project, "build", "letters").exit_code == 0
    cells = _calc_cells(small_project / FOLDER / "manifeste.csv", tmp_path)
    assert ("'=2+3", None) in cells and all(formula is None for _, formula in cells)
    raw = tmp_path / "brut.csv"
    raw.write_text("nom;prenom\r\n=2+3;Claire\r\n", encoding="utf-8")
    assert any(formula for _, formula in _calc_cells(raw, tmp_path)), "Calc computes an unquoted formula"


def test_texts_longer_than_a_header_or_a_calendar_line_are_folded_and_read_back_whole(
        small_project: Path, edit: Edit) -> None:
    """A subject, a sender's name and a webinar's title of hundreds of characters: the headers
    are folded into lines of at most 78 characters (RFC 5322), the calendar into lines of at
    most 75 octets (RFC 5545), and each program reads the whole text back."""
    subject = "Objet " + " ".join(f"élément{number}" for number in range(50))
    sender = "ARS Grand Est — " + " ".join(f"cellule{number}" for number in range(40))
    title = "Webinaire " + " ".join(f"séance{number}" for number in range(60))
    letter = small_project / "data/courriers/lancement-dsr.yaml"
    edit(letter, "objet: Information relative au lancement du dispositif spécifique régional (DSR) de chirurgie "
                 "pédiatrique en Grand Est", f"objet: {subject}")
    edit(letter, "    nom: ARS Grand Est — Cellule parcours", f"    nom: {sender}")
    edit(small_project / "data/webinaires.yaml",
         "titre: Webinaire d'information sur le DSR de chirurgie pédiatrique en Grand Est", f"titre: {title}")
    assert run(small_project, "build", "letters").exit_code == 0
    raw = (small_project / FOLDER / "chu-reims--claire-martin.eml").read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    assert max(len(line) for line in head.splitlines()) <= 78
    message = email.message_from_bytes(raw, policy=policy.default)
    assert str(make_header(decode_header(message["Subject"]))) == subject
    assert str(make_header(decode_header(message["From"]))).startswith(sender)
    calendar = (small_project / FOLDER / "invitation-webinaire.ics").read_bytes()
    assert max(len(line) for line in calendar.split(b"\r\n")) <= 75
    assert str(_event(calendar)["summary"]) == title


NOTE = """titre: Note d'information
gabarit: note.md
lieu: Nancy
date: 2026-06-01
objet: Information sur le calendrier du DSR
expediteur:
  direction: Direction de la Politique médico-soignante
  service: Cellule parcours
  suivi_par: [{titre: Mme, prenom: Margot, nom: Defolie, email: margot.defolie@ars.sante.fr,
               telephone: 03.83.39.79.13}]
signataire:
  prenom: Romain
  nom: Hellmann
  fonction: Le Directeur de la Politique médico-soignante
  delegation: Pour la directrice générale et par délégation
  organisme: Agence Régionale de Santé GRAND EST
  signature_electronique: non
courriel:
  gabarit: note.txt
  expediteur: {nom: ARS Grand Est — Cellule parcours, email: ars-grandest-dsr@ars.sante.fr}
"""


def test_a_mailing_carries_only_its_own_pieces(small_project: Path) -> None:
    """A mailing without a webinar sends no invitation, one that expects no answer has no reply
    form, and each mailing has its own e-mail text (before, the DSR's invitation, form and text
    went with any mailing)."""
    (small_project / "data/courriers/note.yaml").write_text(NOTE, encoding="utf-8")
    (small_project / "templates/letters/note.md").write_text(
        "Le calendrier du DSR est arrêté.\n\nNous vous prions d'agréer, {{ destinataire.appel }}, l'expression "
        "de nos salutations distinguées.\n", encoding="utf-8")
    (small_project / "templates/letters/note.txt").write_text(
        "{{ destinataire.salutation }}\n\nVeuillez trouver ci-joint notre note du {{ courrier.date | date_longue }}.\n",
        encoding="utf-8")
    result = run(small_project, "build", "letters")
    assert result.exit_code == 0, result.output
    note = small_project / "out/letters/note"
    assert not (note / "formulaires").exists() and not (note / "invitation-webinaire.ics").exists()
    message = email.message_from_bytes((note / "chu-reims--claire-martin.eml").read_bytes(), policy=policy.default)
    assert [part.get_filename() for part in message.iter_attachments()] == ["chu-reims--claire-martin.pdf"]
    assert message["Reply-To"] is None
    assert message.get_body(preferencelist=("plain",)).get_content().splitlines() == [
        "Madame la Directrice,", "", "Veuillez trouver ci-joint notre note du 1er\u00a0juin\u00a02026."]
    dsr = email.message_from_bytes((small_project / FOLDER / "chu-reims--claire-martin.eml").read_bytes(),
                                   policy=policy.default)
    assert {part.get_filename() for part in dsr.iter_attachments()} == {
        "chu-reims--claire-martin.pdf", "invitation-webinaire.ics", "reponse-chu-reims.pdf"}
