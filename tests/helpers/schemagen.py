"""Hypothesis strategies derived from the pydantic models' JSON schemas: any document a file of
the project could hold, shaped as the model says (types, required keys, bounds, patterns, enums),
with texts drawn from the hostile alphabet of `TEXT`.

hypothesis-jsonschema does this for any schema, but its 0.23 release uses Hypothesis internals
that Hypothesis 6.170 removed ('many' object has no attribute 'more'): this covers the subset of
JSON Schema that pydantic writes ($ref/$defs, anyOf, enum, object, array, string formats)."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import strategies as st

SPECIAL = ["&", "<b>", "</p>", "{{ 7*7 }}", "{% if x %}", "{#", "'", '"', "’", "« »", "\\", "*", "_", "`", "#",
           "|", "<<", ":::", "[x](https://a.fr)", "![i](file:///etc/passwd)", "e\u0301", "שלום", "Жанна", "😀",
           "\u00ad", "\u200b", "\u0007", "\ufeff", "\n", "1er", "n°", "10 %", "A" * 90, "x@y.fr", "=1+1",
           "@SUM(A1)", "-2", "  ", "ß", "ﬁ", "%PDF", "]]>", "<!--", "\r\n.\r\n", "=?utf-8?q?x?="]
LATIN = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F), max_size=12)
TEXT = st.lists(st.one_of(LATIN, st.text(max_size=6), st.sampled_from(SPECIAL)), min_size=1, max_size=4).map("".join)
READABLE = st.lists(st.one_of(LATIN, st.sampled_from(
    ["&", "<b>", "</p>", "{{ 7*7 }}", "{% if x %}", "{#", "'", '"', "’", "« »", "\\", "*", "_", "`", "#", "|", "<<",
     ":::", "e\u0301", "Жанна", "1er", "n°", "10 %", "x@y.fr", "=1+1", "@SUM(A1)", "-2", "ß", "ﬁ", "%PDF", "]]>",
     "<!--", "=?utf-8?q?x?=", "\u00ad"])), min_size=1, max_size=4).map("".join)
"""Texts the documents' fonts can print, markup of every language arsdocs writes in them."""
YEARS = st.sampled_from(["2026", "2027", "2028", "2029", "2030", "2031", "1999", "deux-mille"])


def from_model(model: Any) -> st.SearchStrategy[Any]:
    schema = model.model_json_schema()
    return _strategy(schema, schema.get("$defs", {}))


def _strategy(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: _strategy(defs[name], defs))
    if "anyOf" in schema:
        return st.one_of([_strategy(option, defs) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | TEXT
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum", -10), schema.get("maximum", 10**6)) | st.integers()
    if kind == "number":
        return st.decimals(schema.get("minimum", -10), schema.get("maximum", 10**9), places=2,
                           allow_nan=False).map(float)
    if kind == "boolean":
        return st.booleans() | st.sampled_from(["oui", "non", "peut-être"])
    if kind == "null":
        return st.none()
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(_strategy(schema.get("items", {}), defs), min_size=low,
                        max_size=min(schema.get("maxItems", low + 3), low + 3))
    if kind == "object":
        return _object(schema, defs)
    return TEXT


def _string(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    form = schema.get("format")
    if form == "date":
        return st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 12, 31)) | TEXT
    if form == "date-time":
        return st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2035, 12, 31)).map(
            lambda moment: moment.isoformat() + "Z") | TEXT
    if form == "time":
        return st.times().map(lambda moment: moment.strftime("%H:%M")) | TEXT
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True) | TEXT
    text = TEXT if "maxLength" not in schema else TEXT.map(lambda value: value[: schema["maxLength"]])
    return text | st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True)  # identifiers, often asked


def _object(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    properties = schema.get("properties")
    if properties is not None:
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {key: _strategy(value, defs) for key, value in properties.items() if key in required},
            optional={key: _strategy(value, defs) for key, value in properties.items() if key not in required})
    values = schema.get("additionalProperties")
    if isinstance(values, dict):
        return st.dictionaries(YEARS, _strategy(values, defs), max_size=4)
    return st.dictionaries(TEXT, TEXT, max_size=3)
