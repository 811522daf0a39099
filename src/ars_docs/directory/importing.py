"""`arsdocs import destinataires FICHIER`: a contact list (.xlsx or .csv) merged into
`data/recipients.yaml`.

Columns are found by their headers, whatever their case, accents or spacing (« Établissement »,
« CODE POSTAL », « Prénom », « Courriel »…), or by `--colonne "En-tête=champ"`. Rows are grouped by
establishment; each row is checked as the data file would be (FINESS key, function, e-mail…), and
any bad row is reported with its row and column: then nothing is written. The merge is by
establishment (its identifier) and e-mail: new ones are added, changed ones updated, the others
kept, and the file's comments too (ruamel.yaml); importing the same rows again changes nothing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ars_docs.directory.models import Establishment, FunctionForms, Recipient
from ars_docs.directory.recipients import RECIPIENTS
from ars_docs.directory.spreadsheet import Sheet, column_letter, read_sheet
from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem
from ars_docs.source.fields import slug
from ars_docs.source.project import Project
from ars_docs.source.validation import french_errors

# field: (what the header says, normalized; the first is shown), required
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "etablissement": (("etablissement", "nom etablissement", "nom de l etablissement", "structure",
                       "raison sociale"), True),
    "identifiant": (("identifiant", "identifiant etablissement", "id"), False),
    "finess": (("finess", "n finess", "numero finess", "no finess"), False),
    "adresse": (("adresse", "adresse 1", "voie", "rue"), True),
    "complement": (("complement", "complement d adresse", "adresse 2", "batiment"), False),
    "code_postal": (("code postal", "cp"), True),
    "ville": (("ville", "commune", "localite"), True),
    "civilite": (("civilite",), False),
    "prenom": (("prenom",), True),
    "nom": (("nom", "nom de famille"), True),
    "fonction": (("fonction", "poste"), True),
    "service": (("service", "pole", "service ou pole"), False),
    "email": (("courriel", "email", "e mail", "mail", "adresse electronique", "adresse mail"), True),
}
LABELS = {"etablissement": "Établissement", "identifiant": "Identifiant", "finess": "FINESS",
          "adresse": "Adresse", "complement": "Complément", "code_postal": "Code postal", "ville": "Ville",
          "civilite": "Civilité", "prenom": "Prénom", "nom": "Nom", "fonction": "Fonction", "service": "Service",
          "email": "Courriel"}
"""The headers of the spreadsheet template (`arsdocs init` writes one), in this order."""
FUNCTIONS = {
    "directeur": "directeur", "directrice": "directeur", "directeur d etablissement": "directeur",
    "directeur general": "directeur_general", "directrice generale": "directeur_general", "dg": "directeur_general",
    "president de la cme": "president_cme", "presidente de la cme": "president_cme", "president cme": "president_cme",
    "presidente cme": "president_cme", "chef de service": "chef_service", "cheffe de service": "chef_service",
    "chef de pole": "chef_pole", "cheffe de pole": "chef_pole",
    # the data file's own values, as `normalized` reads them (« chef_service » → « chef service »)
    **{name.replace("_", " "): name for name in ("directeur_general", "president_cme", "chef_service", "chef_pole")},
}
CODES = ("finess", "code_postal")
"""Codes that a spreadsheet turns into numbers (dropping leading zeros, put back below): a number is
taken there; anywhere else a number, a date or a true/false value is refused at its cell."""
CIVILITIES = {"madame": "Madame", "mme": "Madame", "monsieur": "Monsieur", "m": "Monsieur", "mr": "Monsieur"}
ESTABLISHMENT_FIELDS = ("nom", "finess", "adresse", "code_postal", "ville")
PERSON_FIELDS = ("civilite", "prenom", "nom", "fonction", "service", "email")


def normalized(text: str) -> str:
    """`  Code  Postal ` and `code postal` alike: no case, accents, punctuation or extra spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


@dataclass
class Imported:
    establishments: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _columns(sheet: Sheet, mapping: dict[str, str]) -> dict[str, int]:
    """Each field's column; a missing required one is an error that names it."""
    by_header = {normalized(header): index for index, header in enumerate(sheet.headers) if header}
    found: dict[str, int] = {}
    for header, name in mapping.items():
        if name not in COLUMNS:
            raise ArsDocsError(f"--colonne « {header}={name} » : champ inconnu ; champs possibles : "
                               f"{', '.join(COLUMNS)}")
        if normalized(header) not in by_header:
            raise ArsDocsError(f"{sheet.name} : --colonne « {header}={name} » : aucune colonne « {header} » "
                               f"(en-têtes : {', '.join(h for h in sheet.headers if h)})")
        found[name] = by_header[normalized(header)]
    for name, (headers, _) in COLUMNS.items():
        if name not in found:
            index = next((by_header[header] for header in headers if header in by_header), None)
            if index is not None:
                found[name] = index
    missing = [LABELS[name] for name, (_, required) in COLUMNS.items() if required and name not in found]
    if missing:
        raise InvalidInput([Problem(Location(sheet.name, 1), "", f"colonne(s) manquante(s) : {', '.join(missing)} "
                                    "(ou --colonne \"En-tête du fichier=champ\")")])
    return found


def read_recipients(path: Path, name: str, mapping: dict[str, str]) -> Imported:
    sheet = read_sheet(path, name)
    columns = _columns(sheet, mapping)
    imported, problems = Imported(), []
    first_row: dict[str, int] = {}
    imported.notes += sheet.skipped
    for number, cells in sheet.rows:
        value = {name: cells[index].strip() for name, index in columns.items()}

        def at(name: str, message: str, number: int = number) -> Problem:
            index = columns.get(name, columns["etablissement"])
            return Problem(Location(sheet.name, number, index + 1), "",
                           f"colonne {column_letter(index)} (« {sheet.headers[index]} ») : {message}")

        typed = [at(name, f"{kind} (« {value[name]} ») là où un texte est attendu : mettez la cellule au format "
                          "Texte dans le tableur, puis retapez la valeur")
                 for name, index in columns.items()
                 if (kind := sheet.kinds.get((number, index))) and not (name in CODES and kind == "un nombre")]
        if typed:
            problems += typed
            continue

        function = FUNCTIONS.get(normalized(value["fonction"]))
        if function is None:
            problems.append(at("fonction", f"fonction inconnue « {value['fonction']} » ; fonctions reconnues : "
                                           "Directeur, Directeur général, Président de la CME, Chef de service, "
                                           "Chef de pôle"))
            continue
        civility = CIVILITIES.get(normalized(value.get("civilite", "")).replace(" ", ""))
        if value.get("civilite") and civility is None:
            problems.append(at("civilite", f"civilité inconnue « {value['civilite']} » : Madame, Monsieur ou vide"))
            continue
        finess = value.get("finess", "")
        if finess.isdigit() and len(finess) < 9:
            finess = finess.zfill(9)  # a spreadsheet drops a number's leading zeros
        postal = value["code_postal"].zfill(5) if value["code_postal"].isdigit() else value["code_postal"]
        place = {"nom": value["etablissement"], "finess": finess or None,
                 # as the postal norm orders them: the complement (a building) before the street
                 "adresse": [line for line in (value.get("complement", ""), value["adresse"]) if line],
                 "code_postal": postal, "ville": value["ville"]}
        person = {"civilite": civility, "prenom": value["prenom"], "nom": value["nom"], "fonction": function,
                  "service": value.get("service") or None, "email": value["email"]}
        ident = value.get("identifiant") or slug(value["etablissement"])
        checked = _validated(place, person, ident, at)
        if isinstance(checked, list):
            problems.extend(checked)
            continue
        establishment, recipient = checked
        if establishment.id in imported.establishments:
            if imported.establishments[establishment.id] != establishment.model_dump(
                    include=set(ESTABLISHMENT_FIELDS), exclude_none=True):
                problems.append(at("etablissement", f"même établissement que la ligne {first_row[establishment.id]} "
                                                    "mais avec d'autres coordonnées : elles doivent être identiques"))
                continue
        else:
            first_row[establishment.id] = number
            imported.establishments[establishment.id] = establishment.model_dump(
                include=set(ESTABLISHMENT_FIELDS), exclude_none=True)
            if (establishment.finess or "")[:2] in ("2A", "2B"):
                imported.notes.append(f"ligne {number} : numéro FINESS corse {establishment.finess} accepté sans "
                                      "vérifier sa clé")
        imported.people.setdefault(establishment.id, []).append(recipient.model_dump(exclude_none=True))
    if problems:
        raise InvalidInput(problems)
    return imported


def _validated(place: dict[str, Any], person: dict[str, Any], ident: str, at: Any
               ) -> tuple[Establishment, Recipient] | list[Problem]:
    problems: list[Problem] = []
    recipient = establishment = None
    try:
        recipient = Recipient.model_validate({key: value for key, value in person.items() if value is not None})
    except ValidationError as failure:
        problems += [at(name if name in COLUMNS else "nom", message)
                     for name, message in french_errors(failure, Recipient)]
    try:
        # checked with its person (an establishment has at least one), or a stand-in when that one is wrong
        stand_in = {"prenom": "-", "nom": "-", "fonction": "directeur", "email": "x@example.fr"}
        establishment = Establishment.model_validate(
            {"id": ident, **{key: value for key, value in place.items() if value is not None},
             "destinataires": [recipient.model_dump(exclude_none=True) if recipient else stand_in]})
    except ValidationError as failure:
        names = {"nom": "etablissement", "id": "identifiant"}
        problems += [at(names.get(name, name), message) for name, message in french_errors(failure, Establishment)]
    if problems or recipient is None or establishment is None:
        return problems
    return establishment, recipient


def merged(project: Project, imported: Imported) -> tuple[list[str], str | None]:
    """data/recipients.yaml with the imported rows merged in (None if that changes nothing), and
    what was added and changed."""
    path = project.root / RECIPIENTS
    yaml = YAML()
    yaml.width = 120
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    before = path.read_text(encoding="utf-8") if path.is_file() else None
    document = yaml.load(before) if before is not None else None
    if document is None:
        document = CommentedMap(etablissements=CommentedSeq())
    places = document.setdefault("etablissements", CommentedSeq())
    by_id = {str(place.get("id")): place for place in places}
    lines: list[str] = []
    for ident, values in imported.establishments.items():
        place = by_id.get(ident) or _same_establishment(places, values)
        if place is None:
            place = by_id[ident] = CommentedMap(id=ident)
            places.append(place)
            lines.append(f"ajouté : {values['nom']}")
        else:
            changed = [key for key in ESTABLISHMENT_FIELDS if key in values and _plain(place.get(key)) != values[key]]
            if changed:
                lines.append(f"modifié : {values['nom']} ({', '.join(changed)})")
        for key in ESTABLISHMENT_FIELDS:
            if key in values and _plain(place.get(key)) != values[key]:
                place[key] = _flow(values[key])
        people = place.setdefault("destinataires", CommentedSeq())
        for person in imported.people[ident]:
            lines.extend(_merge_person(people, person, values["nom"]))
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    text = buffer.getvalue()
    return lines, None if text == before else text


def _same_establishment(places: CommentedSeq, values: dict[str, Any]) -> Any:
    """The establishment of the file that the row names otherwise than by its identifier: by its
    FINESS number, else by its name (whatever the case, accents or spacing)."""
    for place in places:
        if values.get("finess") and str(place.get("finess", "")) == values["finess"]:
            return place
    return next((place for place in places if normalized(str(place.get("nom", ""))) == normalized(values["nom"])),
                None)


def _merge_person(people: CommentedSeq, person: dict[str, Any], establishment: str) -> list[str]:
    known = next((entry for entry in people
                  if str(entry.get("email", "")).casefold() == person["email"].casefold()), None)
    who = f"{establishment} : {person['prenom']} {person['nom']}"
    if known is None:
        people.append(CommentedMap((key, person[key]) for key in PERSON_FIELDS if key in person))
        return [f"ajouté : {who}"]
    changed = [key for key in PERSON_FIELDS if key in person and _plain(known.get(key)) != person[key]]
    for key in changed:
        known[key] = person[key]
    return [f"modifié : {who} ({', '.join(changed)})"] if changed else []


def _plain(value: Any) -> Any:
    return [str(item) for item in value] if isinstance(value, list) else (None if value is None else str(value))


def _flow(value: Any) -> Any:
    """As the data files are written by hand: an address on one line, numbers that are codes quoted."""
    if isinstance(value, list):
        sequence = CommentedSeq(DoubleQuotedScalarString(line) for line in value)
        sequence.fa.set_flow_style()
        return sequence
    return DoubleQuotedScalarString(value) if value.isdigit() else value


FUNCTION_LABELS = {"directeur": "Directeur", "directeur_general": "Directeur général",
                   "president_cme": "Président de la CME", "chef_service": "Chef de service",
                   "chef_pole": "Chef de pôle"}


def function_label(person: Recipient) -> str:
    """The function as the spreadsheet writes it (a function written out: its masculine form)."""
    return person.fonction.masculin if isinstance(person.fonction, FunctionForms) else FUNCTION_LABELS[person.fonction]


def write_template(path: Path, establishments: list[Establishment]) -> None:
    """A spreadsheet with the headers `import destinataires` expects, and the given people as
    examples: importing it as it is changes nothing."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Destinataires"
    sheet.append(list(LABELS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for place in establishments:
        for person in place.destinataires:
            cells = {"etablissement": place.nom, "identifiant": place.id, "finess": place.finess or "",
                     "adresse": place.adresse[-1], "complement": " ".join(place.adresse[:-1]),
                     "code_postal": place.code_postal, "ville": place.ville, "civilite": person.civilite or "",
                     "prenom": person.prenom, "nom": person.nom, "fonction": function_label(person),
                     "service": person.service or "", "email": person.email}
            sheet.append([cells[name] for name in LABELS])
    for index, label in enumerate(LABELS.values()):
        sheet.column_dimensions[column_letter(index)].width = max(14, len(label) + 4)
    sheet.freeze_panes = "A2"
    workbook.save(path)
