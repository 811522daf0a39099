"""What a PDF says of itself, read back with pikepdf: its archival and accessibility claims (XMP),
its structure tree, its fonts and the glyphs it draws, its actions and links."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from fontTools.ttLib import TTFont
from lxml import etree

NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
      "pdf": "http://ns.adobe.com/pdf/1.3/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
      "pdfuaid": "http://www.aiim.org/pdfua/ns/id/", "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#"}


def xmp_value(document: pikepdf.Pdf, name: str) -> str | None:
    """A property of the XMP metadata, written as an attribute or as an element."""
    prefix, local = name.split(":")
    return rdf_value(etree.fromstring(document.Root.Metadata.read_bytes()), f"{{{NS[prefix]}}}{local}")


def rdf_value(root: Any, qualified: str) -> str | None:
    """The value of an XMP property (`{namespace}name`) among the packet's descriptions."""
    for description in root.iter(f"{{{NS['rdf']}}}Description"):
        if qualified in description.attrib:
            return str(description.attrib[qualified])
        element = description.find(qualified)
        if element is not None:
            return "".join(element.itertext()).strip()
    return None


def declared_schemas(document: pikepdf.Pdf) -> set[str]:
    """The namespaces that the PDF/A extension schemas of the metadata describe."""
    root = etree.fromstring(document.Root.Metadata.read_bytes())
    return {element.text or "" for element in root.iter(f"{{{NS['pdfaSchema']}}}namespaceURI")}


@dataclass
class StructureNode:
    role: str
    alt: str | None
    children: list[StructureNode] = field(default_factory=list)

    def walk(self) -> Iterator[StructureNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def structure_tree(document: pikepdf.Pdf) -> StructureNode:
    def node(element: pikepdf.Dictionary) -> StructureNode:
        items = _items(element.get("/K"))
        alt = element.get("/Alt")
        result = StructureNode(str(element.get("/S", "")).lstrip("/"), str(alt) if alt is not None else None)
        result.children = [node(kid) for kid in items if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
        return result

    return node(document.Root.StructTreeRoot)


def fonts(document: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    """Every font the pages use: (resource name, font dictionary), in page and form resources,
    annotation appearances included."""
    seen: set[tuple[int, int]] = set()

    def from_resources(resources: pikepdf.Dictionary | None) -> Iterator[tuple[str, pikepdf.Dictionary]]:
        if resources is None:
            return
        for name, font in resources.get("/Font", {}).items():
            if font.objgen not in seen or font.objgen == (0, 0):
                seen.add(font.objgen)
                yield name, font
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form":
                yield from from_resources(xobject.get("/Resources"))

    for page in document.pages:
        yield from from_resources(page.obj.get("/Resources"))
        for annotation in page.obj.get("/Annots", []):
            appearance = annotation.get("/AP", {}).get("/N")
            if isinstance(appearance, pikepdf.Stream):
                yield from from_resources(appearance.get("/Resources"))


def font_program(font: pikepdf.Dictionary) -> bytes | None:
    described = font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font
    descriptor = described.get("/FontDescriptor")
    if descriptor is None:
        return None
    for key in ("/FontFile2", "/FontFile", "/FontFile3"):
        if key in descriptor:
            return bytes(descriptor[key].read_bytes())
    return None


_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """Code -> text of a font, from its /ToUnicode map (the bfchar entries both engines write)."""
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for code, text in _BFCHAR.findall(font.ToUnicode.read_bytes())}


def _shown(operands: list[Any], operator: str) -> list[int]:
    """The two-byte codes (Identity-H: the glyph ids) a Tj or TJ shows."""
    strings = operands[0] if operator == "TJ" else [operands[0]]
    codes = b"".join(bytes(item) for item in strings if isinstance(item, pikepdf.String))
    return [int.from_bytes(codes[index:index + 2], "big") for index in range(0, len(codes), 2)]


def _decoded(maps: dict[str, dict[int, str]], fonts_of_page: Any, font: str, operands: list[Any],
             operator: str) -> list[str]:
    """The text a Tj or TJ shows with the page's font `font` (its map read once into `maps`)."""
    if font not in maps:
        maps[font] = _to_unicode(fonts_of_page[font])
    return [maps[font].get(code, "?") for code in _shown(operands, operator)]


def missing_glyphs(document: pikepdf.Pdf) -> list[str]:
    """Glyphs drawn with a Type0 font (Identity-H, glyph ids kept) that its embedded subset does not
    contain: a glyph id out of the font, .notdef, or an empty outline for a character that is not a
    space."""
    problems = []
    cache: dict[tuple[int, int], tuple[TTFont, dict[int, str]]] = {}
    for page_number, page in enumerate(document.pages, 1):
        resources = page.obj.get("/Resources", {}).get("/Font", {})
        current = None
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "Tf":
                current = resources.get(str(operands[0]))
            elif str(operator) in ("Tj", "TJ") and current is not None and current.get("/Subtype") == "/Type0":
                for gid in _shown(operands, str(operator)):
                    problem = _glyph_problem(current, gid, cache)
                    if problem:
                        problems.append(f"page {page_number}: {problem}")
    return sorted(set(problems))


def _glyph_problem(font: pikepdf.Dictionary, gid: int,
                   cache: dict[tuple[int, int], tuple[TTFont, dict[int, str]]]) -> str | None:
    key = font.objgen
    if key not in cache:
        program = font_program(font)
        assert program is not None, f"{font.BaseFont} is not embedded"
        cache[key] = (TTFont(io.BytesIO(program)), _to_unicode(font))
    embedded, unicode = cache[key]
    name = str(font.BaseFont)
    if gid == 0:
        return f"{name}: .notdef drawn"
    if gid >= embedded["maxp"].numGlyphs:
        return f"{name}: glyph {gid} beyond the embedded font"
    glyph = embedded["glyf"][embedded.getGlyphOrder()[gid]]
    if glyph.numberOfContours == 0 and not unicode.get(gid, "").isspace():
        return f"{name}: glyph {gid} ({unicode.get(gid, '?')!r}) has no outline in the embedded subset"
    return None


def javascript(document: pikepdf.Pdf) -> list[str]:
    """Every place where the PDF could run code."""
    found = []
    names = document.Root.get("/Names", {})
    if "/JavaScript" in names:
        found.append("catalog /Names /JavaScript")
    for key in ("/OpenAction", "/AA"):
        if key in document.Root:
            found.append(f"catalog {key}")
    for number, page in enumerate(document.pages, 1):
        if "/AA" in page.obj:
            found.append(f"page {number} /AA")
    for obj in document.objects:
        if isinstance(obj, pikepdf.Dictionary) and ("/JS" in obj or obj.get("/S") == "/JavaScript"):
            found.append(f"object {obj.objgen}: JavaScript action")
    return found


def uris(document: pikepdf.Pdf) -> list[str]:
    return [str(annotation.A.URI) for page in document.pages for annotation in page.obj.get("/Annots", [])
            if "/A" in annotation and "/URI" in annotation.A]


def artefact_text(document: pikepdf.Pdf, page: pikepdf.Page) -> str:
    """The text a page draws inside artefacts (BMC /Artifact … EMC), a line each: what screen readers
    skip."""
    fonts_of_page = page.obj.get("/Resources", {}).get("/Font", {})
    maps: dict[str, dict[int, str]] = {}
    depth, inside, current, text = 0, 0, None, []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BMC", "BDC"):
            depth += 1
            if str(operands[0]) == "/Artifact" and not inside:
                inside = depth
        elif name == "EMC":
            if inside == depth:
                inside = 0
                text.append("\n")
            depth -= 1
        elif name == "Tf":
            current = str(operands[0])
        elif name in ("Tj", "TJ") and inside and current is not None:
            text.extend(_decoded(maps, fonts_of_page, current, operands, name))
    return "".join(text)


def _marked_text(page: pikepdf.Page, marked: dict[tuple[tuple[int, int], int], list[str]]) -> None:
    """The text shown in each marked-content sequence of the page, by (page, MCID)."""
    fonts_of_page = page.obj.get("/Resources", {}).get("/Font", {})
    maps: dict[str, dict[int, str]] = {}
    sequences: list[int | None] = []
    current = None
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "BMC":
            sequences.append(None)
        elif name == "BDC":
            properties = operands[1]
            identifier = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            sequences.append(int(identifier) if identifier is not None else None)
        elif name == "EMC":
            sequences.pop()
        elif name == "Tf":
            current = str(operands[0])
        elif name in ("Tj", "TJ") and current is not None:
            identifiers = [identifier for identifier in sequences if identifier is not None]
            if identifiers:
                marked.setdefault((page.obj.objgen, identifiers[-1]), []).extend(
                    _decoded(maps, fonts_of_page, current, operands, name))


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, pikepdf.Array) else [value] if value is not None else []


def tagged_text(document: pikepdf.Pdf) -> str:
    """The text of the document in the order of its structure tree, each marked-content sequence
    where the tree puts it: what a screen reader reads (artefacts left out)."""
    marked: dict[tuple[tuple[int, int], int], list[str]] = {}
    for page in document.pages:
        _marked_text(page, marked)
    text: list[str] = []

    def walk(element: pikepdf.Dictionary, page: pikepdf.Object | None) -> None:
        page = element.get("/Pg", page)
        for kid in _items(element.get("/K")):
            if isinstance(kid, int) and page is not None:
                text.extend(marked.get((page.objgen, kid), []))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                where = kid.get("/Pg", page)
                text.extend(marked.get((where.objgen, int(kid.MCID)), []))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, page)

    walk(document.Root.StructTreeRoot, None)
    return "".join(text)
