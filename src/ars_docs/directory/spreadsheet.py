"""A contact list as an officer keeps it: the first sheet of an .xlsx file, or a .csv file as Excel
and LibreOffice write it (separator `;` or `,`, UTF-8 with or without BOM, or Windows-1252),
read as rows of text with their numbers as the spreadsheet shows them."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ars_docs.source.errors import ArsDocsError
from ars_docs.source.safefiles import DAMAGED_ZIP, UnsafeFile, read_imported, zip_problem

MAX_BYTES = 20 * 2**20
MAX_ROWS = 50_000
"""Five times the 10,000 recipients of a national mailing."""
MAX_COLUMNS = 100
MAX_CELLS = 1_000_000
MAX_PART = 32 * 2**20
"""The largest part of an .xlsx once unpacked: the sheet of 10,000 recipients is about 3 MiB."""
MAX_UNPACKED = 64 * 2**20
MAX_PARTS = 1_000
_KINDS = {"n": "un nombre", "d": "une date", "b": "une valeur vrai/faux", "e": "une erreur de formule"}


class SpreadsheetError(ArsDocsError):
    """A contact list that is not read, named with the file."""


@dataclass(frozen=True)
class Sheet:
    name: str
    """The file, as the user named it."""
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    """(the row's number in the spreadsheet, its cells as text), the empty rows left out."""
    kinds: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row number, column index) -> what a cell holds when it is not text (« un nombre », « une
    date »…): a field that expects text refuses it at its cell."""
    skipped: list[str] = field(default_factory=list)
    """What was not imported, in French: hidden sheets, hidden or filtered rows."""


@dataclass
class _Table:
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    kinds: dict[tuple[int, int], str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """`0` -> `A`, `27` -> `AB`: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheet(path: Path, name: str) -> Sheet:
    suffix = path.suffix.lower()
    if suffix == ".ods":
        raise SpreadsheetError(f"{name} : arsdocs ne lit pas les fichiers .ods ; enregistrez la feuille en .xlsx ou "
                               "en .csv (Fichier > Enregistrer sous) et importez ce fichier")
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetError(f"{name} : un tableau .xlsx ou .csv est attendu, "
                               f"pas « {path.suffix or 'sans extension'} »")
    try:
        raw = read_imported(path, MAX_BYTES)
    except UnsafeFile as error:
        raise SpreadsheetError(f"{name} : {error}") from None
    table = _xlsx(raw, name) if suffix == ".xlsx" else _csv(raw, name)
    if not table.rows:
        raise SpreadsheetError(f"{name} : le tableau est vide (pas même une ligne d'en-têtes)")
    _, first = table.rows[0]
    headers = [cell.strip() for cell in first]
    rows = [(number, cells + [""] * (len(headers) - len(cells)))
            for number, cells in table.rows[1:] if any(cell.strip() for cell in cells)]
    return Sheet(name, headers, rows, table.kinds, table.skipped)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _limits(name: str, what: str) -> SpreadsheetError:
    return SpreadsheetError(f"{name} : {what} ; arsdocs n'importe pas un tel fichier (découpez-le, ou enregistrez "
                            "seulement la feuille des contacts)")


def _check_package(raw: bytes, name: str) -> None:
    """The zip of an .xlsx, bounded before anything is unpacked."""
    problem = zip_problem(raw, max_part=MAX_PART, max_total=MAX_UNPACKED, max_parts=MAX_PARTS)
    if problem == DAMAGED_ZIP:
        raise SpreadsheetError(f"{name} : fichier .xlsx illisible (abîmé, ou protégé par un mot de passe ?)")
    if problem:
        raise _limits(name, problem)


def _xlsx(raw: bytes, name: str) -> _Table:
    _check_package(raw, name)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file: whatever the library raises
        raise SpreadsheetError(f"{name} : fichier .xlsx illisible (abîmé, ou protégé par un mot de passe ?)") from None
    try:
        table = _Table()
        visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        table.skipped += [f"feuille masquée « {sheet.title} » non importée" for sheet in workbook.worksheets
                          if sheet.sheet_state != "visible"]
        if not visible:
            raise SpreadsheetError(f"{name} : aucune feuille visible (les feuilles masquées ne sont pas importées)")
        table.skipped += [f"feuille « {sheet.title} » non importée : seule la première feuille visible, "
                          f"« {visible[0].title} », l'est" for sheet in visible[1:]]
        _read_rows(workbook, visible[0], name, table)
        return table
    except ArsDocsError:
        raise
    except Exception:  # a damaged part found while reading the rows
        raise SpreadsheetError(f"{name} : fichier .xlsx illisible (abîmé, ou protégé par un mot de passe ?)") from None
    finally:
        workbook.close()


def _read_rows(workbook: Any, sheet: Any, name: str, table: _Table) -> None:
    """The rows of a sheet as its XML has them: the declared dimensions are not trusted (a sheet
    that declares 17 billion cells is read as the cells it holds); hidden rows (hidden by hand or
    by a filter) are left out and named; rows, columns and cells are bounded as they come."""
    from openpyxl.worksheet._reader import WorkSheetParser

    hidden: list[int] = []
    cells_seen = 0
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            if number > MAX_ROWS:
                raise _limits(name, f"plus de {MAX_ROWS} lignes")
            cells_seen += len(cells)
            if cells_seen > MAX_CELLS:
                raise _limits(name, f"plus de {MAX_CELLS} cellules")
            if str(parser.row_dimensions.get(str(number), {}).get("hidden", "")).lower() in ("1", "true"):
                if any(cell["value"] not in (None, "") for cell in cells):
                    hidden.append(number)
                continue
            values: dict[int, str] = {}
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS:
                    raise _limits(name, f"une valeur en colonne {column_letter(column - 1)}, ligne {number} (au plus "
                                        f"{MAX_COLUMNS} colonnes)")
                if cell["value"] is None:
                    continue
                values[column - 1] = _text(cell["value"])
                if cell["data_type"] in _KINDS:
                    table.kinds[(number, column - 1)] = _KINDS[cell["data_type"]]
            if values:
                table.rows.append((number, [values.get(index, "") for index in range(max(values) + 1)]))
    if hidden:
        shown = ", ".join(str(number) for number in hidden[:20]) + (" …" if len(hidden) > 20 else "")
        table.skipped.append(f"{len(hidden)} ligne(s) masquée(s) ou filtrée(s) non importée(s) (ligne(s) {shown}) : "
                             "affichez-les dans le tableur pour les importer")


def _csv(raw: bytes, name: str) -> _Table:
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # what Excel writes on Windows
            text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first.count)
    table = _Table()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        for row in reader:
            number = reader.line_num
            if len(table.rows) >= MAX_ROWS:
                raise _limits(name, f"plus de {MAX_ROWS} lignes")
            if len(row) > MAX_COLUMNS and any(cell.strip() for cell in row[MAX_COLUMNS:]):
                raise _limits(name, f"une valeur au-delà de la colonne {column_letter(MAX_COLUMNS - 1)}, "
                                    f"ligne {number}")
            table.rows.append((number, [cell.strip() for cell in row[:MAX_COLUMNS]]))
    except csv.Error:
        raise SpreadsheetError(f"{name} : ligne {reader.line_num} : CSV illisible (guillemet non fermé, ou cellule de "
                               "plus de 128 000 caractères ?)") from None
    return table
