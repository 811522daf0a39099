"""Value types shared by every document family, with French error messages."""

from __future__ import annotations

import functools
import re
import unicodedata
from contextvars import ContextVar
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


class Record(BaseModel):
    """Base of every data model: a misspelt key is an error, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


PRINTABLE: ContextVar[frozenset[str] | None] = ContextVar("printable", default=None)
"""The characters the documents' fonts can draw (set when a project is opened): any other one
would print as an empty box in the PDF, so a text that has one is refused."""


def _text_checker(allowed: str):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        value = unicodedata.normalize("NFC", value.strip())
        if not value:
            raise ValueError("ne doit pas être vide")
        printable = PRINTABLE.get()
        for char in value:
            if char in allowed:
                continue
            if char in "\n\r\t":
                raise ValueError("retour à la ligne ou tabulation interdits : ce champ tient sur une ligne")
            if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
                raise ValueError(f"caractère de contrôle ou non attribué interdit (U+{ord(char):04X})")
            if printable is not None and char not in printable:
                raise ValueError(f"caractère « {char} » (U+{ord(char):04X}) absent des polices des documents : "
                                 "il ne s'imprimerait pas")
        return value
    return check


_IDENTIFIER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


IDENTIFIER_LENGTH = 64
"""At most, in characters: identifiers make file names (two of them, the letter's and the
recipient's, with a prefix and a suffix, must stay under the 255 bytes of a file system)."""


def slug(text: str) -> str:
    """ASCII, lowercase, dashes: `Éloïse Müller-Lefèvre` -> `eloise-muller-lefevre` (an identifier,
    or empty when the text has no Latin letter or digit), cut at a dash to IDENTIFIER_LENGTH."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(name) > IDENTIFIER_LENGTH:
        cut = name[: IDENTIFIER_LENGTH + 1]
        name = cut[: cut.rindex("-")] if "-" in cut else cut[:IDENTIFIER_LENGTH]
    return name


def folded(text: str) -> str:
    """Lower case, without accents, one character for one: « À CONFIRMER » is « a confirmer », at
    the same positions (a word found in it is found in the text at the same place)."""
    if text.isascii():
        return text.lower()  # what the general case gives ASCII, a hundred times faster
    return "".join(map(_folded_character, text))


@functools.lru_cache(maxsize=4096)
def _folded_character(character: str) -> str:
    bare = "".join(part for part in unicodedata.normalize("NFKD", character.casefold())
                   if not unicodedata.combining(part))
    return bare[:1] or character


def check_identifier(value: str) -> str:
    if not _IDENTIFIER.fullmatch(value):
        raise ValueError(
            f"identifiant « {value} » invalide : lettres minuscules sans accent, chiffres et tirets "
            "(par exemple « chu-reims »)")
    if len(value) > IDENTIFIER_LENGTH:
        raise ValueError(
            f"identifiant de {len(value)} caractères, {IDENTIFIER_LENGTH} au plus : il sert de nom "
            "de fichier")
    return value


def check_email(value: str) -> str:
    """The address as every mail program reads it: a domain with accents in its ASCII form
    (« exämple.fr » → « xn--exmple-cua.fr »), the form SMTP, the headers and the calendar carry;
    accents before the @ need SMTPUTF8, which a relay may not offer: refused."""
    value = value.strip()
    if not value.isascii() and "@" in value and not value.rpartition("@")[0].isascii():
        raise ValueError(
            f"adresse électronique « {value} » : les caractères accentués ne sont admis qu'après "
            "l'@, dans le nom de domaine : avant l'@, beaucoup de serveurs de messagerie les refusent")
    try:
        address = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValueError(f"adresse électronique invalide « {value} »") from None
    return str(address.ascii_email)


def _digits(count: int, what: str):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        if not re.fullmatch(rf"\d{{{count}}}", value):
            raise ValueError(f"{what} invalide « {value} » : {count} chiffres attendus")
        return value
    return check


def check_telephone(value: str) -> str:
    """A French number as the typographic rules write it: ten digits in pairs separated by spaces
    (« 03 83 39 79 13 »), whatever separated them (dots, hyphens, none); from abroad, « +33 3 83 39
    79 13 ». Anything else (a letter, a missing digit) is refused."""
    digits = re.sub(r"[\s.\-\u00a0\u202f]", "", value)
    if re.fullmatch(r"0\d{9}", digits):
        return " ".join(digits[index:index + 2] for index in range(0, 10, 2))
    if re.fullmatch(r"\+33\d{9}", digits):
        rest = digits[3:]
        return "+33 " + rest[0] + " " + " ".join(rest[index:index + 2] for index in range(1, 9, 2))
    raise ValueError(f"numéro de téléphone invalide « {value} » : dix chiffres attendus (03 83 39 79 13), "
                     "ou +33 et neuf chiffres")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def check_finess(value: str) -> str:
    """Nine characters: the département (2A or 2B in Corsica), six digits and a check digit (Luhn's
    formula). A wrong key is a typo, and a letter to the wrong establishment worse than an error.
    Corsica's numbers are accepted without checking their key: the FINESS rule for them is not
    known here for sure."""
    value = value.strip().upper()
    if not re.fullmatch(r"(\d\d|2[AB])\d{7}", value):
        raise ValueError(f"numéro FINESS invalide « {value} » : 9 chiffres attendus (2A ou 2B et 7 chiffres en Corse)")
    if value[:2] not in ("2A", "2B") and not _luhn(value):
        raise ValueError(f"numéro FINESS « {value} » : la clé (le dernier chiffre) ne correspond pas aux huit "
                         "premiers : une faute de frappe ?")
    return value


def _check_url(value: str) -> str:
    if not re.fullmatch(r"https://[^\s<>\"]+", value):
        raise ValueError(f"lien invalide « {value} » : une adresse https:// attendue")
    return value


_YES = {"oui", "true", "vrai", "yes"}
_NO = {"non", "false", "faux", "no"}


def parse_yes_no(text: str) -> bool:
    """« oui » or « non » (or their English and logical forms), whatever the case: the one reading
    of a yes/no answer, for settings, data fields and indicator values."""
    word = text.strip().lower()
    if word in _YES | _NO:
        return word in _YES
    raise ValueError(f"doit valoir « oui » ou « non », pas « {text} »")


def _yes_no(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_yes_no(value)
    raise ValueError(f"doit valoir « oui » ou « non », pas « {value} »")


Text = Annotated[str, AfterValidator(_text_checker("\u00ad\u200d"))]
"""One line of text: no control character (soft hyphen and joiner allowed)."""
MultilineText = Annotated[str, AfterValidator(_text_checker("\u00ad\u200d\n"))]
"""Several lines (Markdown): line breaks allowed, no other control character."""
Identifier = Annotated[str, AfterValidator(check_identifier)]
Email = Annotated[str, AfterValidator(check_email)]
Telephone = Annotated[str, AfterValidator(check_telephone)]
PostalCode = Annotated[str, AfterValidator(_digits(5, "code postal"))]
Finess = Annotated[str, AfterValidator(check_finess)]
Url = Annotated[str, AfterValidator(_check_url)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
