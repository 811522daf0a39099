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


def _french(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    shown = f"« {value} »" if isinstance(value, str) else ""
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "extra_forbidden":
        return unknown_key(str(error["loc"][-1]), _known_fields(model, tuple(error["loc"][:-1])))
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return f"valeur {shown} non reconnue ; valeurs possibles : {', '.join(expected)}"
    if kind in ("string_type", "str_type"):
        return "doit être un texte, pas une liste ni une table"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "doit être une table de clés et de valeurs (clé: valeur)"
    if kind == "list_type":
        return "doit être une liste (lignes commençant par « - »)"
    if kind.startswith("int_"):
        return f"doit être un nombre entier, pas {shown}"
    if kind == "decimal_max_places":
        return f"au plus {context.get('decimal_places')} décimales (les centimes), pas {shown}"
    if kind.startswith("float_") or kind.startswith("decimal_"):
        return f"doit être un nombre, pas {shown}"
    if kind.startswith("bool_"):
        return f"doit valoir « oui » ou « non », pas {shown}"
    if kind.startswith("date"):
        return f"date invalide {shown} : une date qui existe, écrite AAAA-MM-JJ (par exemple 2026-05-22)"
    if kind.startswith("time"):
        return f"heure invalide {shown} : écrire HH:MM entre guillemets (par exemple \"14:00\")"
    if kind == "greater_than_equal" and context.get("ge") == 0:
        return f"doit être positif ou nul, pas {shown or value}"
    bounds = {"greater_than_equal": ("au moins", "ge"), "greater_than": ("plus que", "gt"),
              "less_than_equal": ("au plus", "le"), "less_than": ("moins que", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"doit valoir {words} {context.get(key)}, pas {shown or value}"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return f"{len(value) if isinstance(value, str) else 'trop de'} caractères, {context.get('max_length')} au plus"
    if kind == "string_too_short":
        return f"au moins {context.get('min_length')} caractère(s)"
    if kind == "too_short":
        return f"au moins {context.get('min_length')} élément(s) attendu(s)"
    if kind == "too_long":
        return f"au plus {context.get('max_length')} élément(s) attendu(s)"
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
