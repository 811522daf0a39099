"""The manifest writer: what a mailing made, as a table, in CSV for a French spreadsheet and in JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def spreadsheet_safe(value: str) -> str:
    """The cell as text for Excel and LibreOffice: a leading quote before what would start a
    formula (« =HYPERLINK(…) » in a name), as OWASP recommends; the JSON keeps the value as is."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def manifest_csv(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes:
    """As a French Excel opens it: semicolons, UTF-8 with a byte-order mark, CRLF; no cell a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([[spreadsheet_safe(row[column]) for column in columns] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def manifest_json(rows: Sequence[Mapping[str, str]]) -> bytes:
    return (json.dumps([dict(row) for row in rows], ensure_ascii=False, indent=2) + "\n").encode("utf-8")
