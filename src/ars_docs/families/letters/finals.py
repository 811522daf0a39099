"""The items made from a mailing's letters once they are in place: the webinar invitation, the
manifest, and the print files (each establishment's letters, then its reply form)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ars_docs.base.builder import FinalItem
from ars_docs.families.letters import kit
from ars_docs.families.letters.items import LetterItem
from ars_docs.families.letters.models import Mailing, Webinar
from ars_docs.families.letters.salutation import full_name, function_title
from ars_docs.source.project import Project
from ars_docs.writers.manifest import manifest_csv, manifest_json
from ars_docs.writers.printfile import PrintEntry, print_file


@dataclass(frozen=True)
class InvitationItem(FinalItem):
    """The webinar invitation (iCalendar) of a letter."""

    stem: str
    letter: Mailing
    webinar: Webinar
    suffixes = ("ics",)

    @property
    def key(self) -> str:
        return f"{self.stem}.ics"  # as the build records have always named it


@dataclass(frozen=True)
class ManifestItem(FinalItem):
    """The manifest of a letter's mailing (CSV and JSON), made from all its letters' files."""

    stem: str
    letters: tuple[LetterItem, ...]
    inputs: list[list[str]]
    """The letters' fingerprints: the manifest is remade when a letter is."""
    suffixes = ("csv", "json")

    @property
    def fingerprinted(self) -> Any:
        return self.inputs


@dataclass(frozen=True)
class PrintFileItem(FinalItem):
    """A print file, ready for a duplex printer: each letter, then, when it expects an answer, its
    establishment's reply form: each letter goes in its own envelope, with the form it announces."""

    stem: str
    title: str
    letters: tuple[LetterItem, ...]
    inputs: list[list[str]]
    """The fingerprints of the letters and of their forms."""
    suffixes = ("pdf",)


    @property
    def fingerprinted(self) -> Any:
        return self.inputs


def make_final(item: FinalItem, project: Project, hashes: Mapping[str, str]) -> dict[str, bytes]:
    """The files of an item made from the mailing's letters once in place (`hashes`: SHA-256 of
    every output of the family, by path relative to out/)."""
    if isinstance(item, InvitationItem):
        return {f"{item.stem}.ics": kit.invitation(item.webinar, item.letter, project.settings.agence)}
    if isinstance(item, ManifestItem):
        rows = [asdict(row) for row in _manifest_rows(item.letters, hashes)]
        return {f"{item.stem}.csv": manifest_csv(MANIFEST_COLUMNS, rows), f"{item.stem}.json": manifest_json(rows)}
    assert isinstance(item, PrintFileItem), item
    return _print_file(item, project)


def _print_file(item: PrintFileItem, project: Project) -> dict[str, bytes]:
    entries = []
    for letter in item.letters:
        recipient = full_name(letter.recipient)
        entries.append(PrintEntry(project.out / f"{letter.stem}.pdf", letter.establishment.nom, recipient))
        if letter.form:  # in the same envelope: what the letter announces
            entries.append(PrintEntry(project.out / letter.form, letter.establishment.nom,
                                              f"{FORM_BOOKMARK} ({recipient})"))
    return {f"{item.stem}.pdf": print_file(entries, f"{item.title} — impression")}


@dataclass(frozen=True)
class ManifestRow:
    """A line of the manifest: who, and each file made for them with its SHA-256."""

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


MANIFEST_COLUMNS = tuple(ManifestRow.__dataclass_fields__)

FORM_BOOKMARK = "Formulaire de réponse"
"""The bookmark of a reply form in a print file, after the letter it goes with (« Formulaire de
réponse (Madame Claire MARTIN) »)."""


def mailing_finals(family: str, letters: list[LetterItem], fingerprints: Mapping[str, str]) -> list[FinalItem]:
    """Per letter: the invitation and the manifest, made from all its letters, and the print
    file (or its volumes), each made from its own letters: their inputs are the letters'
    fingerprints (and their forms')."""
    by_folder: dict[str, list[LetterItem]] = {}
    for item in letters:
        by_folder.setdefault(f"{family}/{item.letter_id}", []).append(item)
    finals: list[FinalItem] = []
    for folder, letters in by_folder.items():
        first = letters[0]
        if first.webinar is not None:
            invitation = kit.INVITATION.removesuffix(".ics")
            finals.append(InvitationItem(f"{folder}/{invitation}", first.letter, first.webinar))
        finals.append(ManifestItem(f"{folder}/{kit.MANIFEST}", tuple(letters),
                                  _fingerprints_of(letters, fingerprints)))
        for number, volume in enumerate(volumes := _volumes(letters), 1):
            name = kit.PRINT_FILE if len(volumes) == 1 else f"{kit.PRINT_FILE}-{number:03}"
            forms = {letter.form: fingerprints[letter.form.removesuffix(".pdf")]
                     for letter in volume if letter.form}
            finals.append(PrintFileItem(f"{folder}/{name}", first.letter.titre, tuple(volume),
                                   _fingerprints_of(volume, fingerprints) + [[*form] for form in forms.items()]))
    return finals


def _volumes(letters: list[LetterItem]) -> list[list[LetterItem]]:
    """The print files of a mailing: about `PRINT_VOLUME` letters each, an establishment's letters
    (each with its form) never split between two."""
    volumes: list[list[LetterItem]] = [[]]
    for position, letter in enumerate(letters):
        starts_group = position == 0 or letters[position - 1].group != letter.group
        if starts_group and len(volumes[-1]) >= kit.PRINT_VOLUME:
            volumes.append([])
        volumes[-1].append(letter)
    return volumes


def _fingerprints_of(items: list[LetterItem], fingerprints: Mapping[str, str]) -> list[list[str]]:
    return [[item.key, fingerprints[item.key]] for item in items]


def _manifest_rows(letters: tuple[LetterItem, ...], hashes: Mapping[str, str]) -> list[ManifestRow]:
    """What was made for whom, with the SHA-256 of each file, for the mailing's records."""
    rows: list[ManifestRow] = []
    for letter in letters:
        files = [f"{letter.stem}.{suffix}" for suffix in ("docx", "pdf", "eml")]
        person, establishment = letter.recipient, letter.establishment
        rows.append(ManifestRow(
            establishment.nom, establishment.finess or "", person.civilite or "", person.prenom,
            person.nom, function_title(person, establishment.statut), person.email,
            *(name.rsplit("/", 1)[1] for name in files),
            *(hashes[name] for name in files)))
    return rows
