"""Rules of the PDF/A-2 (ISO 19005-2) and PDF/UA-1 (ISO 14289-1) standards, as veraPDF's validation
profiles number and word them (`veraPDF-validation-profiles`: PDF_A/PDFA-2A.xml, PDF_UA/PDFUA-1.xml),
re-implemented on pikepdf for what arsdocs writes. Each rule says, for one PDF, every place that
breaks it (an empty list: the rule holds). `RULES` lists them; docs/regles.md lists them too, with the
rules left out and why.

A rule's identifier is the profile's: specification, clause and test number, « PDFA-2 6.2.8-3 »
for clause 6.2.8, test 3 of ISO 19005-2.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pikepdf
from lxml import etree

from helpers.pdfcheck import rdf_value

# --- the document as the rules read it ----------------------------------------------------------


@dataclass
class Checked:
    """A PDF read once for every rule: its bytes, pikepdf's document, its structure elements."""

    raw: bytes
    pdf: pikepdf.Pdf = field(init=False)

    def __post_init__(self) -> None:
        self.pdf = pikepdf.open(io.BytesIO(self.raw))

    @cached_property
    def objects(self) -> list[Any]:
        return [item for item in self.pdf.objects if item is not None]

    @cached_property
    def elements(self) -> list[pikepdf.Dictionary]:
        """Every structure element, in document order."""
        root = self.pdf.Root.get("/StructTreeRoot")
        found: list[pikepdf.Dictionary] = []

        def walk(node: Any) -> None:
            for kid in kids(node):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    found.append(kid)
                    walk(kid)

        if root is not None:
            walk(root)
        return found

    @cached_property
    def role_map(self) -> dict[str, str]:
        root = self.pdf.Root.get("/StructTreeRoot")
        mapping = root.get("/RoleMap") if root is not None else None
        return {str(key): str(value) for key, value in mapping.items()} if mapping is not None else {}

    def standard(self, element: pikepdf.Dictionary) -> str:
        """The standard structure type of an element (its role mapped, at most ten steps)."""
        kind = str(element.get("/S", ""))
        for _ in range(10):
            if kind in STANDARD_TYPES or kind not in self.role_map:
                return kind
            kind = self.role_map[kind]
        return kind

    @cached_property
    def annotations(self) -> list[tuple[int, pikepdf.Dictionary]]:
        return [(number, annotation) for number, page in enumerate(self.pdf.pages, start=1)
                for annotation in page.obj.get("/Annots", [])]

    @cached_property
    def xmp(self) -> etree._Element | None:
        metadata = self.pdf.Root.get("/Metadata")
        return etree.fromstring(metadata.read_bytes()) if metadata is not None else None

    def xmp_value(self, namespace: str, name: str) -> str | None:
        return rdf_value(self.xmp, f"{{{namespace}}}{name}") if self.xmp is not None else None

    @cached_property
    def level(self) -> str | None:
        return self.xmp_value(PDFAID, "conformance")


def kids(node: Any) -> list[Any]:
    value = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"

STANDARD_TYPES = {f"/{name}" for name in (
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
    "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby",
    "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form"
)}
"""ISO 32000-1:2008, 14.8.4."""


@dataclass(frozen=True)
class Rule:
    identifier: str
    """« PDFA-2 6.2.8-3 »: the veraPDF profile's specification, clause and test number."""
    description: str
    check: Callable[[Checked], Iterator[str]]
    archival_a: bool = False
    """Level A only (a print file is PDF/A-2b: its structure trees do not survive the merge)."""
    accessible: bool = False
    """PDF/UA-1 (not claimed by a print file)."""

    @property
    def name(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.identifier.lower()).strip("_")

    def problems(self, document: Checked) -> list[str]:
        return list(self.check(document))


RULES: list[Rule] = []


def rule(identifier: str, description: str, *, archival_a: bool = False, accessible: bool = False
         ) -> Callable[[Callable[[Checked], Iterator[str]]], Callable[[Checked], Iterator[str]]]:
    def register(check: Callable[[Checked], Iterator[str]]) -> Callable[[Checked], Iterator[str]]:
        RULES.append(Rule(identifier, description, check, archival_a, accessible))
        return check
    return register


def streams(document: Checked) -> Iterator[pikepdf.Stream]:
    return (item for item in document.objects if isinstance(item, pikepdf.Stream))


def images(document: Checked) -> Iterator[pikepdf.Stream]:
    return (item for item in streams(document) if item.get("/Subtype") == "/Image")


def fonts(document: Checked) -> Iterator[pikepdf.Dictionary]:
    """The fonts text is shown with: a composite font's descendant (CIDFont) is part of it."""
    return (item for item in document.objects
            if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/Font"
            and item.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2"))


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, pikepdf.Array) else [str(value)]


# --- ISO 19005-2 (PDF/A-2) -------------------------------------------------------------------------

@rule("PDFA-2 6.1.2-1", "The file header begins at byte zero with « %PDF-1.n » and a single EOL marker")
def _header(document: Checked) -> Iterator[str]:
    if not re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)%", document.raw):
        yield f"header {document.raw[:12]!r}"


@rule("PDFA-2 6.1.2-2", "The header's EOL is followed by a % and at least four bytes above 127")
def _binary_comment(document: Checked) -> Iterator[str]:
    match = re.match(rb"%PDF-1\.\d(?:\r\n|\r|\n)%(.{4})", document.raw, re.S)
    if match is None or any(byte <= 127 for byte in match.group(1)):
        yield "no binary comment after the header"


@rule("PDFA-2 6.1.3-1", "The trailer dictionary contains the ID keyword (two file identifiers)")
def _identifier(document: Checked) -> Iterator[str]:
    identifier = document.pdf.trailer.get("/ID")
    if not isinstance(identifier, pikepdf.Array) or len(identifier) != 2:
        yield "no /ID of two strings in the trailer"


@rule("PDFA-2 6.1.3-2", "The keyword Encrypt is not used in the trailer dictionary")
def _not_encrypted(document: Checked) -> Iterator[str]:
    if "/Encrypt" in document.pdf.trailer or document.pdf.is_encrypted:
        yield "/Encrypt in the trailer"


@rule("PDFA-2 6.1.3-3", "No data follows the last end-of-file marker but a single optional EOL marker")
def _end_of_file(document: Checked) -> Iterator[str]:
    end = document.raw.rfind(b"%%EOF")
    if end < 0 or document.raw[end + 5:] not in (b"", b"\n", b"\r", b"\r\n"):
        yield f"after the last %%EOF: {document.raw[end + 5:end + 25]!r}"


@rule("PDFA-2 6.1.7.1-3", "A stream dictionary does not contain the F, FFilter or FDecodeParms keys")
def _external_streams(document: Checked) -> Iterator[str]:
    for stream in streams(document):
        for key in ("/F", "/FFilter", "/FDecodeParms"):
            if key in stream.stream_dict:
                yield f"stream {stream.objgen} has {key}"


@rule("PDFA-2 6.1.7.2-1", "No stream uses the LZWDecode or Crypt filter")
def _lzw(document: Checked) -> Iterator[str]:
    for stream in streams(document):
        for name in _filters(stream):
            if name in ("/LZWDecode", "/Crypt"):
                yield f"stream {stream.objgen}: filter {name}"


@rule("PDFA-2 6.1.13-3", "No string is longer than 32767 bytes")
def _long_strings(document: Checked) -> Iterator[str]:
    def walk(value: Any, depth: int = 0) -> Iterator[str]:
        if isinstance(value, pikepdf.String) and len(bytes(value)) > 32767:
            yield f"a string of {len(bytes(value))} bytes"
        elif depth < 4 and isinstance(value, pikepdf.Array | pikepdf.Dictionary):
            for item in value.values() if isinstance(value, pikepdf.Dictionary) else value:
                if not (isinstance(item, pikepdf.Object) and item.is_indirect):
                    yield from walk(item, depth + 1)

    for item in document.objects:
        yield from walk(item.stream_dict if isinstance(item, pikepdf.Stream) else item)


@rule("PDFA-2 6.1.13-7", "The file contains no more than 8388607 indirect objects")
def _object_count(document: Checked) -> Iterator[str]:
    if len(document.pdf.objects) > 8388607:
        yield f"{len(document.pdf.objects)} objects"


@rule("PDFA-2 6.2.3-1", "The output intent's DestOutputProfile is an ICC output or monitor profile")
def _output_intent(document: Checked) -> Iterator[str]:
    intents = [intent for intent in document.pdf.Root.get("/OutputIntents", [])
               if intent.get("/S") == "/GTS_PDFA1"]
    if not intents:
        yield "no GTS_PDFA1 output intent"
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        header = profile.read_bytes()[:20] if isinstance(profile, pikepdf.Stream) else b""
        if header[12:16] not in (b"mntr", b"prtr"):
            yield f"output intent profile of class {header[12:16]!r}"


@rule("PDFA-2 6.2.3-2", "Several output intents share one DestOutputProfile")
def _one_profile(document: Checked) -> Iterator[str]:
    profiles = {intent.DestOutputProfile.objgen for intent in document.pdf.Root.get("/OutputIntents", [])
                if "/DestOutputProfile" in intent}
    if len(profiles) > 1:
        yield f"{len(profiles)} different output profiles"


def graphics_states(document: Checked) -> Iterator[pikepdf.Dictionary]:
    """Every ExtGState of the pages' resources and of their forms' (direct or not), and every
    indirect one."""
    def from_resources(resources: Any, depth: int = 0) -> Iterator[pikepdf.Dictionary]:
        if not isinstance(resources, pikepdf.Dictionary) or depth > 3:
            return
        yield from resources.get("/ExtGState", {}).values()
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form":
                yield from from_resources(xobject.get("/Resources"), depth + 1)

    for page in document.pdf.pages:
        yield from from_resources(page.obj.get("/Resources"))
    yield from (item for item in document.objects
                if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/ExtGState")


@rule("PDFA-2 6.2.5-1", "An ExtGState dictionary does not contain the TR key; nor TR2 other than Default, nor HTP")
def _transfer(document: Checked) -> Iterator[str]:
    for item in graphics_states(document):
        if "/TR" in item or "/HTP" in item or item.get("/TR2", "/Default") != "/Default":
            yield "an ExtGState with a transfer function or halftone phase"


@rule("PDFA-2 6.2.8-1", "An Image dictionary does not contain the Alternates (nor the OPI) key")
def _alternates(document: Checked) -> Iterator[str]:
    for image in images(document):
        for key in ("/Alternates", "/OPI"):
            if key in image.stream_dict:
                yield f"image {image.objgen} has {key}"


@rule("PDFA-2 6.2.8-3", "If an Image dictionary contains the Interpolate key, its value is false")
def _interpolate(document: Checked) -> Iterator[str]:
    for image in images(document):
        if bool(image.stream_dict.get("/Interpolate", False)):
            yield f"image {image.objgen} ({image.get('/Width')}×{image.get('/Height')}) is interpolated"


@rule("PDFA-2 6.2.8-4", "An image's BitsPerComponent is 1, 2, 4, 8 or 16")
def _bits(document: Checked) -> Iterator[str]:
    for image in images(document):
        bits = image.get("/BitsPerComponent")
        if bits is not None and not bool(image.get("/ImageMask", False)) and int(bits) not in (1, 2, 4, 8, 16):
            yield f"image {image.objgen}: {int(bits)} bits per component"


@rule("PDFA-2 6.2.9-3", "The file contains no PostScript XObject (nor a reference XObject, 6.2.9-2)")
def _postscript(document: Checked) -> Iterator[str]:
    for stream in streams(document):
        if stream.get("/Subtype") == "/PS" or stream.get("/Subtype2") == "/PS" or "/Ref" in stream.stream_dict:
            yield f"XObject {stream.objgen} is PostScript or a reference XObject"


BLEND_MODES = {f"/{name}" for name in (
    "Normal", "Compatible", "Multiply", "Screen", "Overlay", "Darken", "Lighten", "ColorDodge", "ColorBurn",
    "HardLight", "SoftLight", "Difference", "Exclusion", "Hue", "Saturation", "Color", "Luminosity"
)}


@rule("PDFA-2 6.2.10-1", "Only the blend modes of ISO 32000-1 are used")
def _blend_modes(document: Checked) -> Iterator[str]:
    for item in graphics_states(document):
        if "/BM" in item:
            modes = item.BM if isinstance(item.BM, pikepdf.Array) else [item.BM]
            for mode in modes:
                if str(mode) not in BLEND_MODES:
                    yield f"blend mode {mode}"


def _descriptor(font: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    if font.get("/Subtype") == "/Type0":
        descendant = font.DescendantFonts[0]
        return descendant.get("/FontDescriptor")
    return font.get("/FontDescriptor")


@rule("PDFA-2 6.2.11.4.1-1", "The font programs of all fonts used for rendering are embedded")
def _embedded(document: Checked) -> Iterator[str]:
    for font in fonts(document):
        if font.get("/Subtype") == "/Type3":
            continue
        descriptor = _descriptor(font)
        if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield f"font {font.get('/BaseFont')} not embedded"


@rule("PDFA-2 6.2.11.7.2-1", "Every font maps its character codes to Unicode (a ToUnicode CMap)")
def _to_unicode(document: Checked) -> Iterator[str]:
    for font in fonts(document):
        if "/ToUnicode" not in font:
            yield f"font {font.get('/BaseFont')} has no ToUnicode"


ALLOWED_ANNOTATIONS = {f"/{name}" for name in (
    "Text", "Link", "FreeText", "Line", "Square", "Circle", "Polygon", "PolyLine", "Highlight", "Underline",
    "Squiggly", "StrikeOut", "Stamp", "Caret", "Ink", "Popup", "FileAttachment", "Widget", "PrinterMark",
    "TrapNet", "Watermark", "Redact"
)}


@rule("PDFA-2 6.3.1-1", "Only the annotation types of ISO 32000-1 but 3D, Sound, Screen and Movie")
def _annotation_types(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        if str(annotation.get("/Subtype")) not in ALLOWED_ANNOTATIONS:
            yield f"page {page}: annotation {annotation.get('/Subtype')}"


@rule("PDFA-2 6.3.2-1", "Every annotation but a Popup contains the F key")
def _annotation_flags_present(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") != "/Popup" and "/F" not in annotation:
            yield f"page {page}: {annotation.get('/Subtype')} annotation without /F"


@rule("PDFA-2 6.3.2-2", "An annotation's Print flag is set, its Hidden, Invisible, ToggleNoView and NoView flags not")
def _annotation_flags(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        flags = int(annotation.get("/F", 4))
        if not flags & 4 or flags & (1 | 2 | 32 | 256):
            yield f"page {page}: {annotation.get('/Subtype')} annotation flags {flags}"


def _zero_size(annotation: pikepdf.Dictionary) -> bool:
    left, bottom, right, top = (float(value) for value in annotation.Rect)
    return left == right and bottom == top


@rule("PDFA-2 6.3.3-1", "Every annotation but a Popup, a Link or one of zero size has an appearance dictionary")
def _appearance(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") not in ("/Popup", "/Link") and not _zero_size(annotation) \
                and "/AP" not in annotation:
            yield f"page {page}: {annotation.get('/Subtype')} annotation without /AP"


@rule("PDFA-2 6.3.3-2", "An appearance dictionary contains only the N key")
def _normal_appearance(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        appearance = annotation.get("/AP")
        if appearance is not None and set(appearance.keys()) != {"/N"}:
            yield f"page {page}: appearance keys {sorted(appearance.keys())}"


@rule("PDFA-2 6.4.1-1", "A widget annotation or a field dictionary does not contain the A or AA keys (6.4.1-2)")
def _widget_actions(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") == "/Widget" and ("/A" in annotation or "/AA" in annotation):
            yield f"page {page}: widget with an action"


@rule("PDFA-2 6.4.1-3", "The NeedAppearances flag of the interactive form is absent or false")
def _need_appearances(document: Checked) -> Iterator[str]:
    form = document.pdf.Root.get("/AcroForm")
    if form is not None and bool(form.get("/NeedAppearances", False)):
        yield "NeedAppearances true"


@rule("PDFA-2 6.4.2-1", "The interactive form dictionary does not contain the XFA key (nor the Catalog NeedsRendering)")
def _xfa(document: Checked) -> Iterator[str]:
    form = document.pdf.Root.get("/AcroForm")
    if (form is not None and "/XFA" in form) or "/NeedsRendering" in document.pdf.Root:
        yield "XFA form or NeedsRendering"


FORBIDDEN_ACTIONS = {f"/{name}" for name in (
    "Launch", "Sound", "Movie", "ResetForm", "ImportData", "Hide", "SetOCGState", "Rendition", "Trans",
    "GoTo3DView", "JavaScript"
)}


@rule("PDFA-2 6.5.1-1", "The Launch, Sound, Movie, ResetForm, ImportData, Hide, SetOCGState, Rendition, Trans, "
      "GoTo3DView and JavaScript actions are not used")
def _actions(document: Checked) -> Iterator[str]:
    for item in document.objects:
        if isinstance(item, pikepdf.Dictionary) and str(item.get("/S", "")) in FORBIDDEN_ACTIONS \
                and ("/Type" not in item or item.get("/Type") == "/Action"):
            yield f"action {item.S} ({item.objgen})"
    for _, annotation in document.annotations:
        action = annotation.get("/A")
        if action is not None and str(action.get("/S", "")) in FORBIDDEN_ACTIONS:
            yield f"annotation action {action.S}"


@rule("PDFA-2 6.5.2-1", "The Catalog and the pages do not include an AA entry (6.5.2-2)")
def _additional_actions(document: Checked) -> Iterator[str]:
    if "/AA" in document.pdf.Root:
        yield "catalog /AA"
    for number, page in enumerate(document.pdf.pages, start=1):
        if "/AA" in page.obj:
            yield f"page {number} /AA"


@rule("PDFA-2 6.6.2.1-1", "The Catalog contains the Metadata key, a metadata stream")
def _metadata(document: Checked) -> Iterator[str]:
    metadata = document.pdf.Root.get("/Metadata")
    if not isinstance(metadata, pikepdf.Stream) or metadata.get("/Subtype") != "/XML":
        yield "no XML metadata stream in the catalog"


@rule("PDFA-2 6.6.2.1-2", "The bytes and encoding attributes are not used in the XMP packet header (6.6.2.1-3)")
def _packet_header(document: Checked) -> Iterator[str]:
    metadata = document.pdf.Root.get("/Metadata")
    data = metadata.read_bytes() if isinstance(metadata, pikepdf.Stream) else b""
    header = re.search(rb"<\?xpacket begin=[^?]*\?>", data)
    if header and (b"bytes=" in header.group() or b"encoding=" in header.group()):
        yield f"packet header {header.group()!r}"


@rule("PDFA-2 6.6.4-2", "pdfaid:part is 2, the part of ISO 19005 the file conforms to")
def _pdfa_part(document: Checked) -> Iterator[str]:
    if document.xmp_value(PDFAID, "part") != "2":
        yield f"pdfaid:part {document.xmp_value(PDFAID, 'part')!r}"


@rule("PDFA-2 6.6.4-3", "pdfaid:conformance is A for level A (B for level B)")
def _pdfa_conformance(document: Checked) -> Iterator[str]:
    if document.level not in ("A", "B"):
        yield f"pdfaid:conformance {document.level!r}"


@rule("PDFA-2 6.7.2.2-1", "The catalog includes a MarkInfo dictionary whose Marked is true", archival_a=True)
def _marked(document: Checked) -> Iterator[str]:
    mark = document.pdf.Root.get("/MarkInfo")
    if mark is None or not bool(mark.get("/Marked", False)):
        yield "MarkInfo /Marked not true"


@rule("PDFA-2 6.7.3.3-1", "The logical structure is a hierarchy rooted in StructTreeRoot", archival_a=True)
def _structure_root(document: Checked) -> Iterator[str]:
    root = document.pdf.Root.get("/StructTreeRoot")
    if root is None or root.get("/Type") != "/StructTreeRoot" or not kids(root):
        yield "no StructTreeRoot, or an empty one"


@rule("PDFA-2 6.7.3.4-1", "Every non-standard structure type is mapped to a standard type", archival_a=True)
def _role_map(document: Checked) -> Iterator[str]:
    for element in document.elements:
        if document.standard(element) not in STANDARD_TYPES:
            yield f"structure type {element.S} not mapped to a standard one"


@rule("PDFA-2 6.11-1", "The catalog does not contain the Requirements key (nor AlternatePresentations, 6.10-1)")
def _requirements(document: Checked) -> Iterator[str]:
    names = document.pdf.Root.get("/Names")
    if "/Requirements" in document.pdf.Root or (names is not None and "/AlternatePresentations" in names):
        yield "Requirements or AlternatePresentations"


# --- ISO 14289-1 (PDF/UA-1) ----------------------------------------------------------------------

@rule("PDFUA-1 5-2", "pdfuaid:part is 1 in the metadata", accessible=True)
def _pdfua_part(document: Checked) -> Iterator[str]:
    if document.xmp_value(PDFUAID, "part") != "1":
        yield f"pdfuaid:part {document.xmp_value(PDFUAID, 'part')!r}"


@rule("PDFUA-1 7.1-3", "Content is marked as Artifact or tagged as real content", accessible=True)
def _content_marked(document: Checked) -> Iterator[str]:
    painting = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh"}
    for number, page in enumerate(document.pdf.pages, start=1):
        depth: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                tag = str(operands[0])
                marked = tag == "/Artifact" or (name == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                                                and "/MCID" in operands[1])
                depth.append("marked" if marked or (depth and depth[-1] == "marked") else "other")
            elif name == "EMC" and depth:
                depth.pop()
            elif name in painting and (not depth or depth[-1] != "marked"):
                yield f"page {number}: « {name} » outside any tagged or artifact content"
                break


@rule("PDFUA-1 7.1-4", "The MarkInfo Suspects value is false", accessible=True)
def _suspects(document: Checked) -> Iterator[str]:
    mark = document.pdf.Root.get("/MarkInfo")
    if mark is not None and bool(mark.get("/Suspects", False)):
        yield "Suspects true"


@rule("PDFUA-1 7.1-5", "Every non-standard structure type is mapped to a standard type", accessible=True)
def _ua_role_map(document: Checked) -> Iterator[str]:
    yield from _role_map(document)


@rule("PDFUA-1 7.1-9", "The metadata contains a dc:title", accessible=True)
def _title(document: Checked) -> Iterator[str]:
    if not document.xmp_value(DC, "title"):
        yield "no dc:title"


@rule("PDFUA-1 7.1-10", "The ViewerPreferences dictionary's DisplayDocTitle is true", accessible=True)
def _display_title(document: Checked) -> Iterator[str]:
    preferences = document.pdf.Root.get("/ViewerPreferences")
    if preferences is None or not bool(preferences.get("/DisplayDocTitle", False)):
        yield "DisplayDocTitle not true"


@rule("PDFUA-1 7.1-11", "The logical structure is a hierarchy rooted in StructTreeRoot", accessible=True)
def _ua_structure_root(document: Checked) -> Iterator[str]:
    yield from _structure_root(document)


@rule("PDFUA-1 7.1-12", "Every structure element contains its P (parent) entry", accessible=True)
def _parents(document: Checked) -> Iterator[str]:
    for element in document.elements:
        if "/P" not in element:
            yield f"{element.S} without /P"


ALLOWED_KIDS = {"/Table": {"/TR", "/THead", "/TBody", "/TFoot", "/Caption"}, "/THead": {"/TR"}, "/TBody": {"/TR"},
                "/TFoot": {"/TR"}, "/TR": {"/TH", "/TD"}, "/L": {"/L", "/LI", "/Caption"}, "/LI": {"/Lbl", "/LBody"},
                "/TOC": {"/TOC", "/TOCI", "/Caption"}}
"""PDFUA-1 7.2-3, 7.2-10, 7.2-19, 7.2-20, 7.2-27, 7.2-36 to 38: what each container may hold."""
ALLOWED_PARENTS = {"/TR": {"/Table", "/THead", "/TBody", "/TFoot"}, "/TH": {"/TR"}, "/TD": {"/TR"},
                   "/THead": {"/Table"}, "/TBody": {"/Table"}, "/TFoot": {"/Table"}, "/LI": {"/L"},
                   "/LBody": {"/LI"}, "/TOCI": {"/TOC"}}
"""PDFUA-1 7.2-4 to 9, 7.2-17, 7.2-18, 7.2-26: where each element may stand."""


@rule("PDFUA-1 7.2-3", "Tables and lists hold only what ISO 32000-1 lets them hold, where it lets them stand "
      "(7.2-3 to 7.2-38)", accessible=True)
def _table_and_list_structure(document: Checked) -> Iterator[str]:
    for element in document.elements:
        kind = document.standard(element)
        for kid in kids(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kind in ALLOWED_KIDS \
                    and document.standard(kid) not in ALLOWED_KIDS[kind]:
                yield f"{kind} holds {document.standard(kid)}"
        parent = element.get("/P")
        if kind in ALLOWED_PARENTS and (parent is None or document.standard(parent) not in ALLOWED_PARENTS[kind]):
            yield f"{kind} under {document.standard(parent) if parent is not None else 'nothing'}"


@rule("PDFUA-1 7.2-34", "The natural language of the text is determined (the catalog's Lang)", accessible=True)
def _language(document: Checked) -> Iterator[str]:
    language = str(document.pdf.Root.get("/Lang", ""))
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", language):
        yield f"catalog Lang {language!r}"


@rule("PDFUA-1 7.3-1", "Figure tags include an alternative representation or replacement text", accessible=True)
def _figures(document: Checked) -> Iterator[str]:
    for element in document.elements:
        if document.standard(element) == "/Figure" and not (str(element.get("/Alt", "")) or
                                                           str(element.get("/ActualText", ""))):
            yield "Figure without Alt"


@rule("PDFUA-1 7.4.2-1", "Headings are used in order: the first is H1, none skips a level", accessible=True)
def _heading_order(document: Checked) -> Iterator[str]:
    previous = 0
    for element in document.elements:
        kind = document.standard(element)
        if re.fullmatch(r"/H[1-6]", kind):
            level = int(kind[2])
            if level > previous + 1:
                yield f"{kind} after {'H' + str(previous) if previous else 'no heading'}"
            previous = level


def _attributes(element: pikepdf.Dictionary) -> dict[str, Any]:
    found: dict[str, Any] = {}
    value = element.get("/A")
    for entry in (value if isinstance(value, pikepdf.Array) else [value] if value is not None else []):
        if isinstance(entry, pikepdf.Dictionary):
            found.update({str(key): item for key, item in entry.items()})
    return found


def _table_cells(document: Checked, table: pikepdf.Dictionary) -> list[tuple[pikepdf.Dictionary, range, range]]:
    """The cells of a table with the rows and columns each covers (row and column spans)."""
    rows: list[pikepdf.Dictionary] = []
    for kid in kids(table):
        if isinstance(kid, pikepdf.Dictionary) and document.standard(kid) == "/TR":
            rows.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and document.standard(kid) in ("/THead", "/TBody", "/TFoot"):
            rows += [row for row in kids(kid) if isinstance(row, pikepdf.Dictionary)]
    occupied: set[tuple[int, int]] = set()
    cells = []
    for index, row in enumerate(rows):
        column = 0
        for cell in kids(row):
            if not isinstance(cell, pikepdf.Dictionary) or "/S" not in cell:
                continue
            attributes = _attributes(cell)
            while (index, column) in occupied:
                column += 1
            covered = (range(index, index + int(attributes.get("/RowSpan", 1))),
                       range(column, column + int(attributes.get("/ColSpan", 1))))
            occupied.update((r, c) for r in covered[0] for c in covered[1])
            cells.append((cell, *covered))
            column += len(covered[1])
    return cells


@rule("PDFUA-1 7.5-1", "A table cell's headers are determinable: its Headers name header cells, or a header "
      "cell of its row or column has a Scope", accessible=True)
def _table_headers(document: Checked) -> Iterator[str]:
    for table in (element for element in document.elements if document.standard(element) == "/Table"):
        cells = _table_cells(document, table)
        headers = [(cell, rows, columns) for cell, rows, columns in cells if document.standard(cell) == "/TH"]
        if not headers:
            continue  # a layout table of data cells only: nothing to determine
        identifiers = {bytes(cell.ID) for cell, _, _ in headers if "/ID" in cell}
        for cell, rows, columns in cells:
            if document.standard(cell) != "/TD":
                continue
            named = [bytes(name) for name in _attributes(cell).get("/Headers", [])]
            if named:
                unknown = [name for name in named if name not in identifiers]
                if unknown:
                    yield f"TD names unknown headers {unknown} (7.5-2)"
                continue
            scoped = any((str(_attributes(header).get("/Scope", "")) in ("/Column", "/Both") and set(hc) & set(columns))
                         or (str(_attributes(header).get("/Scope", "")) in ("/Row", "/Both") and set(hr) & set(rows))
                         for header, hr, hc in headers)
            if not scoped:
                yield f"TD of row {rows.start + 1}, column {columns.start + 1} without determinable headers"


@rule("PDFUA-1 7.18.1-2", "An annotation (but a Widget or a hidden one) has an alternate description (Contents)",
      accessible=True)
def _annotation_contents(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") not in ("/Widget", "/Popup") and not int(annotation.get("/F", 0)) & 2 \
                and not str(annotation.get("/Contents", "")):
            yield f"page {page}: {annotation.get('/Subtype')} annotation without Contents"


@rule("PDFUA-1 7.18.1-3", "A form field has a TU key (its description)", accessible=True)
def _field_descriptions(document: Checked) -> Iterator[str]:
    form = document.pdf.Root.get("/AcroForm")
    for item in form.get("/Fields", []) if form is not None else []:
        if not str(item.get("/TU", "")) and not str(item.get("/Contents", "")):
            yield f"field {item.get('/T')} without TU"


@rule("PDFUA-1 7.18.3-1", "A page with annotations has Tabs set to S", accessible=True)
def _tabs(document: Checked) -> Iterator[str]:
    for number, page in enumerate(document.pdf.pages, start=1):
        if page.obj.get("/Annots") and page.obj.get("/Tabs") != "/S":
            yield f"page {number}: Tabs {page.obj.get('/Tabs')}"


def _parent_elements(document: Checked) -> dict[int, pikepdf.Dictionary]:
    root = document.pdf.Root.get("/StructTreeRoot")
    tree = root.get("/ParentTree") if root is not None else None
    if tree is None:
        return {}
    return {int(key): value for key, value in pikepdf.NumberTree(tree).items()}


@rule("PDFUA-1 7.18.4-1", "A Widget annotation is nested within a Form tag", accessible=True)
def _widgets_in_forms(document: Checked) -> Iterator[str]:
    parents = _parent_elements(document)
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") == "/Widget":
            parent = parents.get(int(annotation.get("/StructParent", -1)))
            if parent is None or document.standard(parent) != "/Form":
                yield f"page {page}: widget {annotation.get('/T')} not in a Form element"


@rule("PDFUA-1 7.18.5-1", "A Link annotation is tagged within a Link element", accessible=True)
def _links_tagged(document: Checked) -> Iterator[str]:
    parents = _parent_elements(document)
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") == "/Link" and not int(annotation.get("/F", 0)) & 2:
            parent = parents.get(int(annotation.get("/StructParent", -1)))
            if parent is None or document.standard(parent) != "/Link":
                where = [round(float(value)) for value in annotation.Rect]
                yield f"page {page}: link at {where} under {document.standard(parent) if parent else 'nothing'}"


@rule("PDFUA-1 7.18.5-2", "A Link annotation has an alternate description in its Contents key", accessible=True)
def _links_described(document: Checked) -> Iterator[str]:
    for page, annotation in document.annotations:
        if annotation.get("/Subtype") == "/Link" and not str(annotation.get("/Contents", "")):
            yield f"page {page}: link without Contents"


@rule("PDFUA-1 7.21.4.1-1", "The font programs of all fonts used for rendering are embedded", accessible=True)
def _ua_embedded(document: Checked) -> Iterator[str]:
    yield from _embedded(document)


@rule("PDFUA-1 7.21.7-1", "Every font maps its character codes to Unicode", accessible=True)
def _ua_to_unicode(document: Checked) -> Iterator[str]:
    yield from _to_unicode(document)
