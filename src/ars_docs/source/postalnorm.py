"""The postal norm for a finished address block (NF Z 10-011, La Poste): at most six lines of at
most 38 characters, the last one the postal code and the locality in capitals without accents.
Below the families: an establishment's address (letters) and the agency's own (`agence:` in
arsdocs.yaml) are checked by the same rule."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_LINES = 6
MAX_LENGTH = 38


@dataclass(frozen=True)
class AddressProblem:
    """Why an address block does not meet the norm; `line` is 1-based."""

    line: int
    message: str


def problems(lines: Sequence[str]) -> list[AddressProblem]:
    """What is wrong with a finished address block (empty list: it meets the norm)."""
    found: list[AddressProblem] = []
    if len(lines) > MAX_LINES:
        found.append(AddressProblem(MAX_LINES + 1, f"{len(lines)} lignes, la norme postale en permet {MAX_LINES}"))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            found.append(AddressProblem(number, "ligne vide"))
        elif len(line) > MAX_LENGTH:
            found.append(AddressProblem(number, f"« {line} » : {len(line)} caractères, la norme postale en permet "
                                                f"{MAX_LENGTH} (même abrégée)"))
    if lines:
        last = lines[-1]
        if not re.fullmatch(r"\d{5} [A-Z0-9]+(?: [A-Z0-9]+)*", last):
            found.append(AddressProblem(len(lines), f"« {last} » : la dernière ligne doit être le code postal puis "
                                                    "la localité, en capitales sans accent, tiret ni ponctuation"))
    return found
