"""Validating a YAML document against a pydantic model, with French, located messages."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ars_docs.source.errors import InvalidInput, Problem
from ars_docs.source.yamlsource import PathKey, YamlDocument

Model = TypeVar("Model", bound=BaseModel)


def field_path(path: Iterable[str | int]) -> str:
    """`etablissements[3].destinataires[1].email`: list positions count from 1, as people do."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


def duplicates(source: YamlDocument, labels: Iterable[tuple[PathKey, str]], what: str = "identifiant"
               ) -> Iterator[Problem]:
    """Each label met again, at its place, with the line where it was first: the one check of
    identifiers that must be unique (establishments, webinars, titles and articles, orientations…)."""
    seen: dict[str, PathKey] = {}
    for path, label in labels:
        if label in seen:
            yield Problem(source.locate(path), field_path(path),
                          f"{what} « {label} » en double (déjà utilisé ligne {source.locate(seen[label]).line})")
        seen.setdefault(label, path)


def _known_fields(model: type[BaseModel], path: PathKey) -> list[str]:
    """The field names of the model at `path` (for suggesting a fix to a misspelt key)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None


_MESSAGES: tuple[tuple[str, str], ...] = (
    ("missing", "champ obligatoire manquant"),
    ("string_type", "doit être un texte, pas une liste ni une table"),
    ("str_type", "doit être un texte, pas une liste ni une table"),
    ("dict_type", "doit être une table de clés et de valeurs (clé: valeur)"),
    ("model_type", "doit être une table de clés et de valeurs (clé: valeur)"),
    ("model_attributes_type", "doit être une table de clés et de valeurs (clé: valeur)"),
    ("list_type", "doit être une liste (lignes commençant par « - »)"),
    ("int_*", "doit être un nombre entier, pas {shown}"),
    ("decimal_max_places", "au plus {decimal_places} décimales (les centimes), pas {shown}"),
    ("float_*", "doit être un nombre, pas {shown}"),
    ("decimal_*", "doit être un nombre, pas {shown}"),
    ("bool_*", "doit valoir « oui » ou « non », pas {shown}"),
    ("date*", "date invalide {shown} : une date qui existe, écrite AAAA-MM-JJ (par exemple 2026-05-22)"),
    ("time*", "heure invalide {shown} : écrire HH:MM entre guillemets (par exemple \"14:00\")"),
    ("greater_than_equal", "doit valoir au moins {ge}, pas {either}"),
    ("greater_than", "doit valoir plus que {gt}, pas {either}"),
    ("less_than_equal", "doit valoir au plus {le}, pas {either}"),
    ("less_than", "doit valoir moins que {lt}, pas {either}"),
    ("string_too_long", "{length} caractères, {max_length} au plus"),
    ("string_too_short", "au moins {min_length} caractère(s)"),
    ("too_short", "au moins {min_length} élément(s) attendu(s)"),
    ("too_long", "au plus {max_length} élément(s) attendu(s)"),
)
"""pydantic's error types, in order (`prefix*` for a family of them), and what each says in French."""


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "None"  # a bound pydantic did not give, shown as it always was


def _french(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    shown = f"« {value} »" if isinstance(value, str) else ""
    if kind == "extra_forbidden":
        return unknown_key(str(error["loc"][-1]), _known_fields(model, tuple(error["loc"][:-1])))
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return f"valeur {shown} non reconnue ; valeurs possibles : {', '.join(expected)}"
    if kind == "greater_than_equal" and context.get("ge") == 0:
        return f"doit être positif ou nul, pas {shown or value}"
    if kind == "too_long" and isinstance(value, str):
        kind = "string_too_long"
    fields = _Fields({**context, "shown": shown, "either": shown or value,
                      "length": len(value) if isinstance(value, str) else "trop de"})
    for pattern, message in _MESSAGES:
        if kind == pattern or (pattern.endswith("*") and kind.startswith(pattern[:-1])):
            return message.format_map(fields)
    return f"valeur invalide ({error['msg']})"


def french_errors(failure: ValidationError, model: type[BaseModel]) -> Iterator[tuple[str, str]]:
    """(field, message in French) of each error of a validation that has no file behind it."""
    for error in failure.errors(include_url=False):
        yield str(error["loc"][0]) if error["loc"] else "", _french(error, model)


def validate(model: type[Model], document: YamlDocument) -> Model:
    """The document as a `model`, or InvalidInput listing every problem with its position."""
    try:
        return model.model_validate(document.data)
    except ValidationError as failure:
        raise InvalidInput(list(problems_from(failure, document, model))) from None


def validate_part(model: type[Model], document: YamlDocument, at: PathKey) -> Model:
    """The value at `at` of the document (a section of arsdocs.yaml) as a `model`, or InvalidInput
    with every problem at its position in the whole document."""
    value: Any = document.data
    for key in at:
        value = value[key]
    try:
        return model.model_validate(value)
    except ValidationError as failure:
        raise InvalidInput(list(problems_from(failure, document, model, at))) from None


def unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else f" ; clés possibles : {', '.join(known)}"
    return f"clé inconnue « {key} »{hint}"


def problems_from(failure: ValidationError, document: YamlDocument, model: type[BaseModel],
                  at: PathKey = ()) -> Iterable[Problem]:
    for error in failure.errors(include_url=False):
        path = at + tuple(part for part in error["loc"]
                          if not isinstance(part, str) or not part.startswith("function-"))
        is_key = error["type"] == "extra_forbidden"
        yield Problem(document.locate(path, key=is_key), field_path(path), _french(error, model))
