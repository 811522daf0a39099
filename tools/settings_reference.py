"""The settings reference of the documentation site (docs/reference/reglages.md), generated from
what the components declare: `Settings` for every document, and each family's `settings_sections`.

Run by the mkdocs hook (tools/mkdocs_hooks.py) at each build of the site, so that a setting added to
a model is documented without writing anything; the tests build the site with `--strict`.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ars_docs.base.registry import builder_class, builder_names
from ars_docs.source.project import Settings

_CHECKS = {  # the validators of source/fields.py, by what they accept
    "check_email": "adresse électronique",
    "check_telephone": "numéro de téléphone (par paires : 03 83 39 79 13)",
    "check_identifier": "identifiant (minuscules, chiffres, tirets)",
    "check_finess": "numéro FINESS (9 chiffres)",
    "_check_url": "adresse web (https://…)",
    "_yes_no": "oui ou non",
}
_BOUNDS = ((annotated_types.Ge, "au moins"), (annotated_types.Gt, "plus que"), (annotated_types.Le, "au plus"),
           (annotated_types.Lt, "moins que"), (annotated_types.MinLen, "au moins"),
           (annotated_types.MaxLen, "au plus"))


def _checked(metadata: list[Any]) -> str | None:
    for item in metadata:
        function = getattr(item, "func", None)
        name = getattr(function, "__name__", "") or getattr(getattr(function, "__func__", None), "__name__", "")
        if name in _CHECKS:
            return _CHECKS[name]
    return None


def _kind(annotation: Any, metadata: list[Any]) -> str:
    """The type of a value, in French."""
    checked = _checked(metadata)
    origin, arguments = get_origin(annotation), get_args(annotation)
    if hasattr(annotation, "__metadata__"):  # Annotated[type, validators, bounds]
        return _kind(arguments[0], [*metadata, *annotation.__metadata__])
    if origin in (Union, types.UnionType):
        return " ou ".join(_kind(argument, metadata) for argument in arguments if argument is not type(None))
    if origin is Literal:
        return "une de : " + ", ".join(f"`{argument}`" for argument in arguments)
    if origin is list:
        return f"liste ({_kind(arguments[0], [])})"
    if origin is dict:
        return f"table ({_kind(arguments[1], [])} par clé)"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table (voir ses clés)"
    if checked:
        return checked
    return {str: "texte", int: "nombre entier", float: "nombre", bool: "oui ou non"}.get(annotation, str(annotation))


def _constraints(field: FieldInfo) -> str:
    found = []
    for item in field.metadata:
        for kind, words in _BOUNDS:
            if isinstance(item, kind):
                value = getattr(item, next(iter(item.__dataclass_fields__)))
                found.append(f"{words} {value:g}" if isinstance(value, float) else f"{words} {value}")
    return ", ".join(found)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**obligatoire**"
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return ""
    else:
        value = field.default
    if value is None or value == [] or value == {}:
        return "facultatif"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        rows.append(f"| `{key}` | {_kind(field.annotation, list(field.metadata))} | {_default(field)} | "
                    f"{_constraints(field)} |")
        for nested in _models(field.annotation):
            rows.extend(_rows(nested, f"{key}."))
    return rows


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for argument in get_args(annotation) for found in _models(argument)]


def settings_reference() -> str:
    """Every key of arsdocs.yaml, by the component that declares it, as Markdown tables."""
    header = "| clé | valeur | par défaut | bornes |\n|---|---|---|---|"
    parts = ["## Tous les documents (`source/project.py`, `Settings`)", "", header,
             *_rows(Settings, ""), ""]
    sharing: dict[int, list[str]] = {}  # families that declare the same sections (reminders share the letters')
    for name in builder_names():
        sharing.setdefault(id(builder_class(name).settings_sections), []).append(name)
    for names in sharing.values():
        builder = builder_class(names[0])
        if not builder.settings_sections:
            continue
        parts += [f"## Famille {' et '.join(f'`{name}`' for name in names)} ({builder.label})", ""]
        for key, model in builder.settings_sections.items():
            parts += [f"### `{key}:` (`{model.__module__.removeprefix('ars_docs.')}.{model.__name__}`)", "",
                      header, *_rows(model, f"{key}."), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(settings_reference())
