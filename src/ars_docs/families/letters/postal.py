"""The recipient's address block as La Poste reads it (norm NF Z 10-011; domain rules §7).

At most 6 lines of at most 38 characters, no blank line, in the person-first order that
administrative letters use (and La Poste delivers):

1. the person: civility, first name, NAME;
2. their function and service;
3. the establishment;
4. the delivery complement (building, hospital of a group), when there is one;
5. number and street (or BP, TSA);
6. POSTAL CODE LOCALITY, in capitals, without accents, hyphens or punctuation.

A line over 38 characters is shortened with the norm's abbreviations, never by cutting words, and is
then written in capitals without accents, as La Poste's own addresses are. An address that still
does not fit is an error naming the line, which the data can settle by writing the lines by hand
(`adresse_postale:` of the establishment or of the recipient). The letter's text keeps full names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import Field, model_validator

from ars_docs.directory.models import Establishment
from ars_docs.source.fields import Record
from ars_docs.source.postalnorm import MAX_LENGTH, AddressProblem, problems
from ars_docs.source.project import Project
from ars_docs.tree import fontmetrics

FONT_SIZE_PT = 10.0
"""The address's size in both shells (lettre.css, `ARS destinataire` of lettre.docx)."""

# Abbreviations of street types, titles and usual words. Street types and titles: the list of the
# norm NF Z 10-011 (annex of street-type abbreviations, also La Poste's and the RIVOLI/FANTOIR files'),
# of which domain rules §7 quote AV, BD, CHE, IMP, PL, RTE, ST/STE, MAL, GAL, DOC. Establishment
# words (CH, CHU, CHRU, GH, HU): the short names the FINESS register and the ARS use.
# Longer phrases first: the first match in this order wins.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    # establishments (FINESS short names)
    ("CENTRE HOSPITALIER REGIONAL UNIVERSITAIRE", "CHRU"),
    ("CENTRE HOSPITALIER UNIVERSITAIRE", "CHU"),
    ("CENTRE HOSPITALIER REGIONAL", "CHR"),
    ("CENTRE HOSPITALIER INTERCOMMUNAL", "CHI"),
    ("CENTRE HOSPITALIER", "CH"),
    ("GROUPEMENT HOSPITALIER DE TERRITOIRE", "GHT"),
    ("GROUPE HOSPITALIER", "GH"),
    ("HOPITAUX UNIVERSITAIRES", "HU"),
    ("COMMISSION MEDICALE D ETABLISSEMENT", "CME"),
    ("CONFERENCE MEDICALE D ETABLISSEMENT", "CME"),
    # street types (NF Z 10-011)
    ("ZONE INDUSTRIELLE", "ZI"),
    ("ZONE ARTISANALE", "ZA"),
    ("ZONE D ACTIVITE", "ZA"),
    ("CENTRE COMMERCIAL", "CCAL"),
    ("ROND POINT", "RPT"),
    ("BOULEVARD", "BD"),
    ("AVENUE", "AV"),
    ("CHEMIN", "CHE"),
    ("CHAUSSEE", "CHS"),
    ("IMPASSE", "IMP"),
    ("PLACE", "PL"),
    ("ROUTE", "RTE"),
    ("ALLEE", "ALL"),
    ("COURS", "CRS"),
    ("FAUBOURG", "FG"),
    ("PASSAGE", "PAS"),
    ("PROMENADE", "PROM"),
    ("QUARTIER", "QUA"),
    ("RESIDENCE", "RES"),
    ("SQUARE", "SQ"),
    ("HAMEAU", "HAM"),
    ("LIEU DIT", "LD"),
    ("BATIMENT", "BAT"),
    ("IMMEUBLE", "IMM"),
    # titles in street names (NF Z 10-011)
    ("MARECHAL", "MAL"),
    ("GENERAL", "GAL"),
    ("DOCTEUR", "DOC"),
    ("PROFESSEUR", "PR"),
    ("PRESIDENT", "PDT"),
    ("COMMANDANT", "CDT"),
    ("CAPITAINE", "CAP"),
    ("LIEUTENANT", "LT"),
    ("COLONEL", "COL"),
    ("MONSEIGNEUR", "MGR"),
    ("NOTRE DAME", "ND"),
    ("SAINTE", "STE"),
    ("SAINT", "ST"),
    ("GRANDE", "GDE"),
    ("GRAND", "GD"),
)
_ABBREVIATION_PATTERNS = tuple((re.compile(rf"\b{phrase}\b"), short) for phrase, short in ABBREVIATIONS)
_CIVILITY_SHORT = {"Madame": "MME", "Monsieur": "M"}


class EnvelopeSettings(Record):
    """Where the address must lie to show through the envelope's window (`enveloppe:`): a frame on the
    A4 page, in millimetres from its top-left corner. The default is the common French DL envelope
    (110 × 220 mm, window 45 × 100 mm on the right, 20 mm from the right edge and 15 mm from the
    bottom); for a left-window envelope, for instance `gauche_mm: 20`."""

    gauche_mm: float = Field(default=110.0, ge=0, le=190)
    haut_mm: float = Field(default=55.0, ge=0, le=90)
    largeur_mm: float = Field(default=85.0, ge=70, le=120)
    """At least 70 mm: a line of 38 characters needs about that much."""
    hauteur_mm: float = Field(default=33.0, ge=27, le=60)
    """At least 27 mm: six lines of the address at 11.5 pt, below a 2 mm inset."""
    degagement_mm: float = Field(default=5.0, ge=0, le=20)
    """Blank kept around the frame, where nothing else is printed: the letter moves in the envelope."""

    @model_validator(mode="after")
    def _on_the_first_third(self) -> EnvelopeSettings:
        if self.gauche_mm + self.largeur_mm > 210:
            raise ValueError(f"le cadre dépasse le bord droit de la page : {self.gauche_mm:g} + "
                             f"{self.largeur_mm:g} mm > 210 mm")
        if self.haut_mm + self.hauteur_mm > 99:
            raise ValueError(f"le cadre descend sous le premier pli de la lettre pliée en trois : {self.haut_mm:g} + "
                             f"{self.hauteur_mm:g} mm > 99 mm")
        return self


def envelope(project: Project) -> EnvelopeSettings:
    """The envelope of the project's letters (`enveloppe:` of arsdocs.yaml), by default a DL one."""
    return project.section("enveloppe", EnvelopeSettings) or EnvelopeSettings()


def postal_capitals(text: str) -> str:
    """`Charleville-Mézières Cedex` -> `CHARLEVILLE MEZIERES CEDEX`: capitals without accents, and
    no hyphen, apostrophe or other punctuation (œ becomes OE)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE").replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Za-z0-9]+", " ", ascii_text).upper().split())


def unwritable(text: str) -> list[str]:
    """The letters and digits of `text` that postal capitals cannot write (another script, an
    emoji): they would vanish from the address."""
    return sorted({char for char in text if char.isalnum() and not postal_capitals(char)})


def abbreviated(line: str) -> str:
    """The line in postal capitals, shortened with the norm's abbreviations one after the other
    (in the table's order) until it fits: `29 avenue du Maréchal de Lattre de Tassigny` ->
    `29 AV DU MAL DE LATTRE DE TASSIGNY`. It may still not fit."""
    text = postal_capitals(line)
    for pattern, short in _ABBREVIATION_PATTERNS:
        if len(text) <= MAX_LENGTH:
            break
        text = pattern.sub(short, text)
    return text


def fitted(line: str) -> str:
    """The line as typed if it fits, else abbreviated (which may still not fit)."""
    line = " ".join(line.split())
    return line if len(line) <= MAX_LENGTH else abbreviated(line)


def locality_line(postal_code: str, town: str) -> str:
    return fitted(postal_capitals(f"{postal_code} {town}"))


def person_line(civility: str | None, first_name: str, name: str) -> str:
    full = " ".join(filter(None, (civility, first_name, name.upper())))
    if len(full) <= MAX_LENGTH:
        return full
    short = " ".join(filter(None, (_CIVILITY_SHORT.get(civility or ""), first_name, name.upper())))
    return short if len(short) <= MAX_LENGTH else abbreviated(short)


def function_line(title: str, service: str | None) -> str:
    """`Chef de pôle - Pôle Femme-Enfant`; the service alone when both do not fit (it is what the
    establishment's mail room needs to deliver), abbreviated if need be."""
    if not service:
        return fitted(title)
    both = " ".join(f"{title} - {service}".split())
    service = " ".join(service.split())
    for candidate in (both, service, abbreviated(both)):
        if len(candidate) <= MAX_LENGTH:
            return candidate
    return abbreviated(service)


@dataclass(frozen=True)
class AddressLine:
    text: str
    source: tuple[str | int, ...]
    """Where the line comes from, as a path in the establishment's YAML record."""
    typed: str = ""
    """The data the line was made from (what turning it into postal capitals may lose)."""


def address_block(establishment: Establishment, position: int, function_title: str) -> list[AddressLine]:
    """The address block of the establishment's recipient at `position` (0-based)."""
    recipient = establishment.destinataires[position]
    person: tuple[str | int, ...] = ("destinataires", position)
    if recipient.adresse_postale:
        lines = [AddressLine(" ".join(text.split()), (*person, "adresse_postale", index))
                 for index, text in enumerate(recipient.adresse_postale)]
    else:
        lines = [AddressLine(person_line(recipient.civilite, recipient.prenom, recipient.nom), (*person, "nom"),
                             f"{recipient.prenom} {recipient.nom}"),
                 AddressLine(function_line(function_title, recipient.service),
                             (*person, "service" if recipient.service else "fonction"),
                             recipient.service or function_title)]
    if establishment.adresse_postale:
        return lines + [AddressLine(" ".join(text.split()), ("adresse_postale", index))
                        for index, text in enumerate(establishment.adresse_postale)]
    lines.append(AddressLine(fitted(establishment.nom), ("nom",), establishment.nom))
    lines += [AddressLine(fitted(text), ("adresse", index), text) for index, text in enumerate(establishment.adresse)]
    lines.append(AddressLine(locality_line(establishment.code_postal, establishment.ville), ("ville",),
                             establishment.ville))
    return uniform(lines)


def uniform(lines: list[AddressLine]) -> list[AddressLine]:
    """One case for the whole block: when a line had to be abbreviated (and so written in postal
    capitals), every line is, as the norm writes a block in capitals; a block where one line alone
    shouts (« PRESIDENT DE LA CME » among lines in lower case) reads as a mistake."""
    shortened = any(line.text == postal_capitals(line.text) and line.text != " ".join(line.typed.split())
                    for line in lines[:-1] if any(character.islower() for character in line.typed))
    if not shortened:
        return lines
    return [replace(line, text=postal_capitals(line.text)) for line in lines]


def block_problems(lines: Sequence[AddressLine]) -> list[AddressProblem]:
    """`problems`, and the characters lost in turning a line into postal capitals."""
    found = problems([line.text for line in lines])
    for number, line in enumerate(lines, 1):
        if line.text != postal_capitals(line.text):
            continue  # written as typed, in the font of the letter
        if lost := unwritable(line.typed):
            found.append(AddressProblem(number, f"« {line.typed} » : {', '.join(lost)} ne s'écri"
                                                f"{'ven' if len(lost) > 1 else ''}t pas en capitales postales "
                                                "(lettres latines et chiffres seulement)"))
    return found


def printed_width_mm(text: str, font: Path, size_pt: float = FONT_SIZE_PT) -> float:
    return fontmetrics.printed_width_mm(text, font, size_pt)
