"""A contact list as an officer keeps it: the first sheet of an .xlsx file, or a .csv file as Excel
and LibreOffice write it (separator `;` or `,`, UTF-8 with or without BOM, or Windows-1252),
read as rows of text with their numbers as the spreadsheet shows them."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from ars_docs.errors import ArsDocsError, os_reason

MAX_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Sheet:
    name: str
    """The file, as the user named it."""
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    """(the row's number in the spreadsheet, its cells as text), the empty rows left out."""


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
        raise ArsDocsError(f"{name} : arsdocs ne lit pas les fichiers .ods ; enregistrez la feuille en .xlsx ou en "
                           ".csv (Fichier > Enregistrer sous) et importez ce fichier")
    if suffix not in (".xlsx", ".csv"):
        raise ArsDocsError(f"{name} : un tableau .xlsx ou .csv est attendu, pas « {path.suffix or 'sans extension'} »")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ArsDocsError(f"{name} : fichier trop volumineux (au plus {MAX_BYTES // 2**20} Mio)")
        raw = path.read_bytes()
    except OSError as error:
        raise ArsDocsError(f"{name} : lecture impossible ({os_reason(error)})") from None
    table = _xlsx(raw, name) if suffix == ".xlsx" else _csv(raw)
    if not table:
        raise ArsDocsError(f"{name} : le tableau est vide (pas même une ligne d'en-têtes)")
    headers = [cell.strip() for cell in table[0]]
    rows = [(number, cells + [""] * (len(headers) - len(cells)))
            for number, cells in enumerate(table[1:], start=2) if any(cell.strip() for cell in cells)]
    return Sheet(name, headers, rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx(raw: bytes, name: str) -> list[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file: whatever the library raises
        raise ArsDocsError(f"{name} : fichier .xlsx illisible (abîmé, ou protégé par un mot de passe ?)") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv(raw: bytes) -> list[list[str]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # what Excel writes on Windows
            text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first.count)
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]
