"""The mailing kit of a letter: one e-mail per recipient (the letter and the webinar invitation
attached), the invitation alone, a print file of every letter, and a manifest of what was made.

Every byte depends on the data only: dates come from the letter, identifiers and MIME boundaries
from names, never from the clock or chance.
"""

from __future__ import annotations

import binascii
import csv
import datetime
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pikepdf

from ars_docs.families.letters.models import Letter, Organizer, Webinar
from ars_docs.source.project import Agency
from ars_docs.tree.french import PARIS

INVITATION = "invitation-webinaire.ics"
PRINT_FILE = "impression"
PRINT_VOLUME = 200
"""Letters per print file: a mailing of more is printed from several (impression-001.pdf…)."""
MANIFEST = "manifeste"


def invitation(webinar: Webinar, letter: Letter, agency: Agency | None) -> bytes:
    """The webinar as an iCalendar event (RFC 5545), its time zone defined by its rule, importable by
    calendar programs for any date; the product identifier (RFC 5545 §3.7.3) names the agency
    (`agence.sigle`) that issues it, when the project says which."""
    from icalendar import Calendar, Event, vCalAddress, vText  # only when an invitation is made

    from ars_docs.families.letters.timezones import vtimezone

    organizer: Organizer = webinar.organisateur or letter.courriel.expediteur
    start, end = webinar.instants()
    calendar = Calendar()
    calendar.add("prodid", f"-//{agency.sigle}//arsdocs//FR" if agency else "-//arsdocs//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(vtimezone(webinar.fuseau, [start, end]))
    event = Event()
    event.add("uid", f"{webinar.id}@arsdocs")
    event.add("dtstamp", datetime.datetime.combine(letter.date, datetime.time(12), tzinfo=datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", webinar.titre)
    event.add("location", webinar.lien)
    event.add("url", webinar.lien)
    event.add("description", f"{webinar.titre}\nLien de connexion : {webinar.lien}")
    person = vCalAddress(f"mailto:{organizer.email}")
    person.params["cn"] = vText(organizer.nom)
    event.add("organizer", person)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass(frozen=True)
class Envelope:
    """Who an e-mail goes to, and what it says."""

    name: str
    email: str
    body: str
    attachment_name: str
    message_id: str
    form: tuple[str, bytes] | None = None
    """The establishment's fillable reply form (file name, PDF), attached when given."""


def email(letter: Letter, envelope: Envelope, pdf: bytes, ics: bytes | None) -> bytes:
    """A ready-to-send message (Outlook opens it as a draft: X-Unsent), CRLF line endings; the
    invitation attached when the letter announces a webinar, the reply form when it expects one."""
    sender = letter.courriel.expediteur
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(sender.nom, addr_spec=sender.email)
    message["To"] = Address(envelope.name, addr_spec=envelope.email)
    if letter.reponse is not None:
        message["Reply-To"] = Address(addr_spec=letter.reponse.adresse)
    message["Subject"] = letter.objet
    message["Date"] = format_datetime(datetime.datetime.combine(letter.date, datetime.time(9), tzinfo=PARIS))
    message["Message-ID"] = envelope.message_id
    message["X-Unsent"] = "1"
    message.set_content(envelope.body)
    message.make_mixed()
    message.attach(_attachment(pdf, envelope.attachment_name))
    if ics is not None:
        message.attach(_shared_attachment(ics, "text", "calendar", INVITATION,
                                          (("method", "PUBLISH"), ("charset", "utf-8"))))
    if envelope.form is not None:
        message.attach(_shared_attachment(envelope.form[1], "application", "pdf", envelope.form[0]))
    message.set_boundary("=_arsdocs_" + hashlib.sha256(envelope.message_id.encode()).hexdigest()[:24])
    buffer = io.BytesIO()
    _Generator(buffer, policy=message.policy).flatten(message)
    return buffer.getvalue()


class _Generator(BytesGenerator):
    """`as_bytes` to the byte, writing each body at once rather than line by line (the base64 of
    the attachments is ~2,000 lines a message: two thirds of the time of an e-mail), and the
    attachments every e-mail of an establishment or a mailing shares as they were written once."""

    def _write_lines(self, lines: str) -> None:
        # every line end (\r\n, \r, \n) as the policy's
        self.write(lines.replace("\r\n", "\n").replace("\r", "\n").replace("\n", self._NL))  # type: ignore[attr-defined]

    def _write_headers(self, msg: EmailMessage) -> None:
        """Each header folded once per process and value: the sender, the subject, the date and the
        parts' headers are the same in every e-mail of a mailing, and refolding a header is the
        costliest step of writing one."""
        policy = self.policy
        assert policy is not None
        # SMTP's settings, as flatten clones it (a policy is immutable: equal settings, equal folding)
        settings = (type(policy).__name__, policy.linesep, policy.max_line_length, policy.cte_type,
                    getattr(policy, "utf8", False))
        for name, value in msg.raw_items():
            key = (settings, name, str(value), type(value).__name__)
            folded = _FOLDED.get(key)
            if folded is None:
                folded = policy.fold_binary(name, value)
                if len(_FOLDED) >= _FOLDED_KEPT:
                    _FOLDED.clear()
                _FOLDED[key] = folded
            self._fp.write(folded)  # type: ignore[attr-defined]
        self.write(self._NL)  # type: ignore[attr-defined]

    def _write(self, msg: EmailMessage) -> None:
        written = getattr(msg, "arsdocs_bytes", None)
        if written is None:
            super()._write(msg)  # type: ignore[misc]
        else:
            self._fp.write(written)  # type: ignore[attr-defined]


def _attachment(pdf: bytes, filename: str) -> EmailMessage:
    """The part `add_attachment` makes for a PDF, its base64 written at once rather than line by
    line (76 characters a line: SMTP's 78 less the line end, as the standard library writes them)."""
    part = EmailMessage(policy=SMTP)
    part.set_content(b"", maintype="application", subtype="pdf", filename=filename)  # its headers
    assert SMTP.max_line_length == 78  # 57 bytes a line: 76 characters of base64
    encoded = binascii.b2a_base64(pdf, newline=False).decode("ascii")
    part.set_payload("".join(f"{encoded[start:start + 76]}\n" for start in range(0, len(encoded), 76)))
    return part


_FOLDED: dict[tuple[Any, ...], bytes] = {}
_FOLDED_KEPT = 4096

_SHARED: dict[tuple[str, str, str, tuple[tuple[str, str], ...], bytes], EmailMessage] = {}
_SHARED_KEPT = 8


def _shared_attachment(data: bytes, maintype: str, subtype: str, filename: str,
                       params: tuple[tuple[str, str], ...] = ()) -> EmailMessage:
    """An attachment part, encoded and written once for every e-mail that carries the same file
    (the establishment's reply form, the mailing's invitation): the same bytes as `add_attachment`."""
    key = (maintype, subtype, filename, params, data)
    part = _SHARED.get(key)
    if part is None:
        part = EmailMessage(policy=SMTP)
        part.set_content(data, maintype=maintype, subtype=subtype, filename=filename, params=dict(params),
                         disposition="attachment")
        buffer = io.BytesIO()
        _Generator(buffer, policy=SMTP).flatten(part, linesep="\r\n")
        part.arsdocs_bytes = buffer.getvalue()  # type: ignore[attr-defined]
        if len(_SHARED) >= _SHARED_KEPT:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = part
    return part




@dataclass(frozen=True)
class PrintEntry:
    pdf: Path
    establishment: str
    recipient: str


def print_file(entries: Sequence[PrintEntry], title: str) -> bytes:
    """Every letter in one PDF, a bookmark per establishment and, under it, per recipient; a blank
    page after a letter of odd length, so that each letter starts on a new sheet in duplex.

    qpdf (pikepdf) copies the pages: a tenth of the time and half the memory of pypdf."""
    output = pikepdf.Pdf.new()
    sources: list[pikepdf.Pdf] = []
    with output.open_outline() as outline:
        parents: dict[str, pikepdf.OutlineItem] = {}
        for entry in entries:
            source = pikepdf.Pdf.open(entry.pdf)
            sources.append(source)
            if "/AcroForm" in source.Root:  # a signed letter: its visible signature drawn on the page
                source.flatten_annotations("print")
            start = len(output.pages)
            output.pages.extend(source.pages)
            if entry.establishment not in parents:
                parents[entry.establishment] = pikepdf.OutlineItem(entry.establishment, start)
                outline.root.append(parents[entry.establishment])
            parents[entry.establishment].children.append(pikepdf.OutlineItem(entry.recipient, start))
            if len(source.pages) % 2:
                box = source.pages[-1].mediabox
                output.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
    output.docinfo["/Title"] = title
    output.docinfo["/Producer"] = "arsdocs"
    _archival(output, sources[0] if sources else None)
    buffer = io.BytesIO()
    output.save(buffer, deterministic_id=True)
    for source in sources:
        source.close()
    return buffer.getvalue()


def _archival(output: pikepdf.Pdf, first: pikepdf.Pdf | None) -> None:
    """PDF/A-2b, as its letters are (they are 2a: the structure trees do not survive the merge):
    their output intent, and the identification in XMP metadata that mirror the document info."""
    if first is not None and "/OutputIntents" in first.Root:
        intents = pikepdf.Array()
        for intent in first.Root.OutputIntents:
            copied = pikepdf.Dictionary({key: value for key, value in intent.items() if key != "/DestOutputProfile"})
            copied.DestOutputProfile = output.copy_foreign(intent.DestOutputProfile)
            intents.append(copied)
        output.Root.OutputIntents = intents
    with output.open_metadata(set_pikepdf_as_editor=False) as metadata:
        metadata.load_from_docinfo(output.docinfo)
        metadata["pdfaid:part"] = "2"
        metadata["pdfaid:conformance"] = "B"
    output.Root.Lang = pikepdf.String("fr-FR")


@dataclass(frozen=True)
class ManifestRow:
    etablissement: str
    finess: str
    civilite: str
    prenom: str
    nom: str
    fonction: str
    email: str
    docx: str
    pdf: str
    eml: str
    sha256_docx: str
    sha256_pdf: str
    sha256_eml: str


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def spreadsheet_safe(value: str) -> str:
    """The cell as text for Excel and LibreOffice: a leading quote before what would start a
    formula (« =HYPERLINK(…) » in a name), as OWASP recommends; the JSON keeps the value as is."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def manifest_csv(rows: Sequence[ManifestRow]) -> bytes:
    """As a French Excel opens it: semicolons, UTF-8 with a byte-order mark, CRLF; no cell a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(ManifestRow.__dataclass_fields__)
    writer.writerows([[spreadsheet_safe(value) for value in asdict(row).values()] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def manifest_json(rows: Sequence[ManifestRow]) -> bytes:
    return (json.dumps([asdict(row) for row in rows], ensure_ascii=False, indent=2) + "\n").encode("utf-8")
