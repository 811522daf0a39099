"""Fillable text fields (AcroForm) added to a tagged PDF that Typst laid out (`moteur_pdf: typst`).

Typst draws the page and leaves an empty box where each field goes (`champ` in the form's Typst
shell), whose place and size it reports. Here each box becomes a text field: a widget annotation at
that place, named for screen readers (/TU), with its appearance (PDF/A-2 wants it, and forbids
/NeedAppearances), inside a /Form structure element put in the box's own structure element (the
empty cell or division Typst tagged for it), so that PDF/UA readers meet the field where the page
shows it. What is typed is drawn with the project's regular font, embedded subset to
`FORM_CHARACTERS` (and to the characters of the values already written): every French letter, not
the ~2,600 characters of the whole font.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from ars_docs.writers.typst import points
from ars_docs.writers.weasyprint import FORM_CHARACTERS, PdfError

FONT_FILE = "LiberationSans-Regular.ttf"
FONT_RESOURCE = "F1"
READ_ONLY = 1  # bit 1 of a field's /Ff flags
PRINT = 4  # bit 3 of an annotation's /F flags
_FIELD_TAGS = ("/Div", "/TD")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    """What a screen reader says of the field (/TU)."""
    value: str = ""
    read_only: bool = False


@dataclass(frozen=True)
class Place:
    """Where Typst laid out a field's box: its page (from 1), its top-left corner from the page's
    top-left, its size, in points."""

    name: str
    page: int
    x: float
    y: float
    width: float
    height: float

    @classmethod
    def of(cls, reported: Mapping[str, Any]) -> Place:
        return cls(str(reported["nom"]), int(reported["page"]), *(points(reported[key]) for key in
                                                                  ("x", "y", "largeur", "hauteur")))


@dataclass(frozen=True)
class _Font:
    """A subset font's parts, made once per process and set of characters."""

    name: str
    program: bytes
    widths: list[int]
    glyphs: dict[int, int]
    to_unicode: bytes
    metrics: dict[str, Any]


_FONTS: dict[tuple[Path, frozenset[str]], _Font] = {}


def _font(path: Path, characters: frozenset[str]) -> _Font:
    key = (path, characters)
    if key not in _FONTS:
        if len(_FONTS) >= 16:
            _FONTS.pop(next(iter(_FONTS)))
        _FONTS[key] = _subset(path, characters)
    return _FONTS[key]


def _subset(path: Path, characters: frozenset[str]) -> _Font:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset…": tables a form needs not
    font = TTFont(path, recalcTimestamp=False)  # the same bytes on every run: the font's own date, not now
    options = subset.Options()
    options.layout_features = []
    options.hinting = False  # half the time, less than half the bytes (16 kB); viewers draw field text unhinted
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(character) for character in characters))
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    program = output.getvalue()
    font = TTFont(io.BytesIO(program))
    scale = 1000 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    metrics = font["hmtx"].metrics
    widths = [round(metrics[glyph][0] * scale) for glyph in order]
    glyphs = {code: font.getGlyphID(glyph) for code, glyph in font.getBestCmap().items()}
    entries = sorted((glyph, code) for code, glyph in glyphs.items() if code <= 0xFFFF)
    blocks = [entries[start:start + 100] for start in range(0, len(entries), 100)]
    to_unicode = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "".join(f"{len(block)} beginbfchar\n" + "".join(f"<{glyph:04X}> <{code:04X}>\n" for glyph, code in block)
                  + "endbfchar\n" for block in blocks)
        + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    tag = "".join(chr(65 + byte % 26) for byte in hashlib.sha256("".join(sorted(characters)).encode()).digest()[:6])
    return _Font(f"{tag}+{font['name'].getDebugName(6) or 'Police'}", program, widths, glyphs, to_unicode, {
        "bbox": [round(value * scale) for value in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale), "descent": round(hhea.descent * scale),
        "cap": round(getattr(os2, "sCapHeight", 0) * scale) or round(hhea.ascent * scale)})


def _font_object(pdf: pikepdf.Pdf, font: _Font) -> Any:
    program = pikepdf.Stream(pdf, font.program)
    program.Length1 = len(font.program)
    name = pikepdf.Name("/" + font.name)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=name, Flags=32, FontBBox=font.metrics["bbox"], ItalicAngle=0,
        Ascent=font.metrics["ascent"], Descent=font.metrics["descent"], CapHeight=font.metrics["cap"], StemV=80,
        FontFile2=pdf.make_indirect(program))
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=name,
        CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                         Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor), W=pikepdf.Array([0, pikepdf.Array(font.widths)]),
        CIDToGIDMap=pikepdf.Name.Identity)
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=name, Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=pikepdf.Array([pdf.make_indirect(descendant)]),
        ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, font.to_unicode))))


def check_places(places: Sequence[Mapping[str, Any]], fields: Sequence[FieldSpec], name: str) -> list[Place]:
    """The places Typst reported, which must be those of `fields`, in order."""
    try:
        located = [Place.of(place) for place in places]
    except (KeyError, TypeError, ValueError):
        located = []
    if [place.name for place in located] != [field.name for field in fields]:
        raise PdfError(f"le PDF « {name} » n'a pas pu être composé par Typst : la coquille du formulaire doit placer "
                       f"les champs {', '.join(field.name for field in fields)} (champ(…), dans cet ordre) ; elle "
                       f"place : {', '.join(place.name for place in located) or 'aucun'}")
    return located


def add_fields(pdf: bytes, located: Sequence[Place], fields: Sequence[FieldSpec], fonts: Path,
               size: float, name: str) -> bytes:
    """`pdf` with a text field in each place Typst reported (`check_places`: the same names as
    `fields`, in the same order). `size`: the text's size in points."""
    characters = FORM_CHARACTERS | frozenset("".join(field.value for field in fields))
    font = _font(fonts / FONT_FILE, frozenset(characters))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        boxes = _empty_boxes(document)
        if len(boxes) != len(fields):
            raise PdfError(f"le PDF « {name} » n'a pas pu être composé par Typst : chaque champ du formulaire doit "
                           f"être seul dans sa case ({len(fields)} champs, {len(boxes)} cases vides)")
        resource = _font_object(document, font)
        appearance = f"/{FONT_RESOURCE} {size:g} Tf 0 g"
        tree = document.Root.StructTreeRoot
        parents = pikepdf.NumberTree(tree.ParentTree) if "/ParentTree" in tree else pikepdf.NumberTree.new(document)
        key = int(tree.get("/ParentTreeNextKey", 0))
        widgets = []
        for field, place, box in zip(fields, located, boxes, strict=True):
            page = document.pages[place.page - 1]
            top = float(page.mediabox[3])
            widget = document.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx,
                T=pikepdf.String(field.name), TU=pikepdf.String(field.label), V=pikepdf.String(field.value),
                Ff=READ_ONLY if field.read_only else 0, F=PRINT, DA=pikepdf.String(appearance), P=page.obj,
                Rect=[place.x, top - place.y - place.height, place.x + place.width, top - place.y],
                StructParent=key))
            widget.AP = pikepdf.Dictionary(N=text_appearance(document, place.width, place.height, field.value,
                                                             (FONT_RESOURCE, resource, font.glyphs, size)))
            element = document.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.Form, P=box, Pg=page.obj,
                K=pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=widget, Pg=page.obj)))
            box.K = pikepdf.Array([element])
            parents[key] = element
            key += 1
            page.obj.Annots = pikepdf.Array([*page.obj.get("/Annots", []), widget])
            page.obj.Tabs = pikepdf.Name.S
            widgets.append(widget)
        tree.ParentTree = parents.obj
        tree.ParentTreeNextKey = key
        document.Root.AcroForm = pikepdf.Dictionary(
            Fields=pikepdf.Array(widgets), DA=pikepdf.String(appearance),
            DR=pikepdf.Dictionary(Font=pikepdf.Dictionary({f"/{FONT_RESOURCE}": resource})))
        output = io.BytesIO()
        document.save(output, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


def _empty_boxes(document: pikepdf.Pdf) -> list[Any]:
    """The structure elements Typst made of the fields' boxes, in the page's order: the cells and
    divisions with no content (nothing else on the form is an empty cell or division)."""
    found: list[Any] = []

    def walk(element: Any) -> None:
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            return
        content = element.get("/K")
        kids = [] if content is None else list(content) if isinstance(content, pikepdf.Array) else [content]
        if not kids and element.S in _FIELD_TAGS:
            found.append(element)
        for kid in kids:
            walk(kid)

    root = document.Root.StructTreeRoot.get("/K")
    for element in root if isinstance(root, pikepdf.Array) else [root]:
        walk(element)
    return found


def text_appearance(document: pikepdf.Pdf, width: float, height: float, value: str = "",
                    font: tuple[str, Any, Mapping[int, int], float] | None = None) -> Any:
    """The appearance of a text field (/AP /N): `value` drawn in `font` (its resource name, its
    Type0 font object, character -> glyph, size: a Type0 font is shown by glyph, two bytes per
    character), or nothing. The Typst forms' fields and those WeasyPrint writes without one."""
    content = "/Tx BMC\n"
    resources = pikepdf.Dictionary()
    if value and font is not None:
        resource, program, glyphs, size = font
        shown = "".join(f"{glyphs.get(ord(char), 0):04x}" for char in value)
        content += f"q BT /{resource} {size:g} Tf 0 g 2 {(height - size * 0.7) / 2:.2f} Td <{shown}> Tj ET Q\n"
        resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({f"/{resource}": program}))
    stream = pikepdf.Stream(document, (content + "EMC\n").encode("ascii"))
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    stream.BBox = pikepdf.Array([0, 0, width, height])
    stream.Resources = resources
    return document.make_indirect(stream)
