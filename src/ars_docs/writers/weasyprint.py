"""HTML to PDF with WeasyPrint: confined to the project's files, warnings are errors,
the bytes depend on the inputs only (SOURCE_DATE_EPOCH, fixed identifier), and every PDF is
PDF/A-2a and PDF/UA-1 at once (`PDF_VARIANT`)."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ars_docs.source.errors import ArsDocsError
from ars_docs.writers.weasyprint_tags import one_link_per_link, page_furniture_as_artefacts


class PdfError(ArsDocsError):
    """WeasyPrint could not render the document as written."""


# Resources are addressed under a host that can never resolve (RFC 2606), mapped onto the project
# folder: the PDF then names its images the same wherever the project lies, and nothing is
# fetched from anywhere else.
PROJECT_HOST = "projet.arsdocs.invalid"
PROJECT_URL = f"https://{PROJECT_HOST}/"


def project_url(relative: str) -> str:
    return PROJECT_URL + quote(relative)


def _confined_fetcher(root: Path, allowed: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        """Serves only the allowed files of the project; no network, no other file."""

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme != "https" or parts.netloc != PROJECT_HOST:
                raise ValueError(f"adresse refusée (seuls les fichiers du projet sont lus) : {url}")
            path = (root / unquote(parts.path).lstrip("/")).resolve()
            if not any(path == folder or folder in path.parents for folder in allowed):
                raise ValueError(f"fichier refusé, hors des dossiers permis du projet : {path}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": kind})

    return ConfinedFetcher()


# WeasyPrint applies one variant at a time: "pdf/a-2a" tags the document (level A: structure tree,
# /MarkInfo, /Lang) and makes it archival (sRGB output intent, XMP metadata, printed annotations);
# "pdf/ua-1" adds only its identification. This variant is the first with the identification of
# both. (Page furniture is made artefacts below.) PDF/A-2 rather
# than 3: the documents carry no attachment, and part 2 is what archiving services accept widely.
# The name contains "pdf/a" so that WeasyPrint writes the output intent as GTS_PDFA1.
PDF_VARIANT = "pdf/a-2a+pdf/ua-1"

# PDF/A-2 accepts in the XMP metadata only the schemas it predefines, or those described by an
# extension schema (ISO 19005-2, 6.6.2.3): PDF/UA's identification schema is not predefined.
_UA_IDENTIFICATION = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" \
pdfuaid:part="1"/>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def _register_variant() -> None:
    from functools import partial

    from weasyprint.pdf import VARIANTS
    from weasyprint.pdf.pdfa import pdfa

    if PDF_VARIANT in VARIANTS:
        return
    archival = partial(pdfa, version=2, variant="A")

    def archival_and_accessible(pdf: object, document: Any, *arguments: object) -> None:
        metadata = document.metadata
        rdf = metadata.generate_rdf_metadata

        def with_ua(variant: str, version: int, conformance: str) -> bytes:
            return bytes(rdf(variant, version, conformance)).replace(b"</rdf:RDF>", _UA_IDENTIFICATION + b"</rdf:RDF>")

        metadata.generate_rdf_metadata = with_ua
        try:
            archival(pdf, document, *arguments)
        finally:
            del metadata.generate_rdf_metadata

    VARIANTS[PDF_VARIANT] = (archival_and_accessible, {
        "pdf_version": "1.7", "pdf_identifier": True, "output_intent": "srgb", "pdf_tags": True})


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def collected_warnings() -> Iterator[_Collect]:
    """WeasyPrint's warnings, kept rather than printed: the build treats them as errors."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """fontTools stamps subset fonts with the time unless SOURCE_DATE_EPOCH is set."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = before or str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]


def _reuse_image_streams() -> None:
    """WeasyPrint decodes and re-encodes a PNG for every PDF it is drawn in (the logo: a seventh of a
    letter's time). Its image objects are shared across documents through the `cache` given to
    `write_pdf`; keep each one's encoded stream and hand every PDF a fresh copy of it (the PDF
    writer replaces the mask by a reference, so the dictionaries must not be shared)."""
    import pydyf
    from weasyprint.images import RasterImage

    if getattr(RasterImage, "_arsdocs_reuse", False):
        return
    encode = RasterImage.get_x_object

    def fresh(stream: pydyf.Stream) -> pydyf.Stream:
        extra = pydyf.Dictionary(stream.extra)
        if isinstance(extra.get("SMask"), pydyf.Stream):
            extra["SMask"] = fresh(extra["SMask"])
        return pydyf.Stream(stream.stream, extra, stream.compress)

    def get_x_object(self: RasterImage, interpolate: bool, dpi_ratio: float) -> pydyf.Stream:
        """Never interpolated: PDF/A-2 6.2.8 (veraPDF PDFA-2A rule 6.2.8-3) wants `Interpolate`
        false, whatever `image-rendering` the template's stylesheet asks for."""
        encoded = self.__dict__.setdefault("_arsdocs_encoded", {})
        if dpi_ratio not in encoded:
            encoded[dpi_ratio] = encode(self, False, dpi_ratio)
        return fresh(encoded[dpi_ratio])

    RasterImage.get_x_object = get_x_object
    RasterImage._arsdocs_reuse = True


FORM_CHARACTERS = frozenset(
    [chr(code) for code in range(0x20, 0x7F)] + [chr(code) for code in range(0xA0, 0x100)]
    + list("ŒœŸ‘’‚“”„–—…€\u2009\u202f"))
"""What the fields of a reply form may receive, and the fonts of a form keep besides the glyphs
its text draws: Basic Latin, Latin-1 (every French letter with its accents, « », the no-break
space), Œ œ Ÿ, typographic quotes and dashes, the ellipsis, €, thin and narrow no-break spaces."""


def _subset_form_fonts() -> None:
    """WeasyPrint embeds each font a form field uses whole (~400 kB for Liberation Sans, most of a
    form's time spent compressing it, and of each e-mail's size): it cannot know what will be typed.
    We do: the glyphs of `FORM_CHARACTERS` join those the page draws, and the font is subset to
    them like any other (cmap, widths and /ToUnicode included, so a reader can draw what is typed)."""
    from weasyprint import pdf as weasy_pdf

    if getattr(weasy_pdf, "_arsdocs_form_fonts", False):
        return
    build_fonts_dictionary = weasy_pdf.build_fonts_dictionary

    def build_with_form_fonts_subset(pdf: Any, fonts: Any, compress: bool, subset: bool, options: Any) -> Any:
        for font in fonts.values():
            if font.used_in_forms and subset:
                for glyph, (character, width) in _form_glyphs(font.name, font.file_content).items():
                    font.to_unicode.setdefault(glyph, character)
                    font.widths.setdefault(glyph, width)
                font.used_in_forms = False
        return build_fonts_dictionary(pdf, fonts, compress, subset, options)

    weasy_pdf.build_fonts_dictionary = build_with_form_fonts_subset
    weasy_pdf._arsdocs_form_fonts = True


_FORM_GLYPHS: dict[tuple[bytes, int], dict[int, tuple[str, float]]] = {}


def _form_glyphs(name: bytes, program: bytes) -> dict[int, tuple[str, float]]:
    """Glyph -> (character, width in thousandths of an em) of `FORM_CHARACTERS` in a font, read
    once per process and font."""
    key = (name, len(program))
    if key not in _FORM_GLYPHS:
        import io

        from fontTools.ttLib import TTFont

        font = TTFont(io.BytesIO(program), lazy=True)
        cmap, metrics, upem = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        _FORM_GLYPHS[key] = {font.getGlyphID(cmap[ord(character)]): (character, metrics[cmap[ord(character)]][0]
                                                                     * 1000 / upem)
                             for character in sorted(FORM_CHARACTERS) if ord(character) in cmap}
    return _FORM_GLYPHS[key]


class PdfWriter:
    """Renders HTML pages to PDF, reusing fonts, images and their encoded streams across documents."""

    def __init__(self, root: Path, allowed: tuple[Path, ...]) -> None:
        from weasyprint.text.fonts import FontConfiguration

        _reuse_image_streams()
        _subset_form_fonts()
        _register_variant()
        page_furniture_as_artefacts()
        one_link_per_link()

        self.fetcher = _confined_fetcher(root.resolve(), tuple(path.resolve() for path in allowed))
        self.fonts = FontConfiguration()
        self.cache: dict[str, object] = {}

    def render(self, html: str, base: str, name: str, epoch: int, forms: bool = False) -> bytes:
        """`base`: the folder, relative to the project, that the HTML's relative URLs start from."""
        from weasyprint import HTML

        with collected_warnings() as warnings, _source_date(epoch):
            document = HTML(string=html, base_url=project_url(base + "/"), url_fetcher=self.fetcher)
            pdf = document.write_pdf(
                font_config=self.fonts, cache=self.cache, pdf_forms=forms, pdf_variant=PDF_VARIANT,
                # PDF/A wants a file identifier: ours comes from the name, not from chance (reproducible)
                pdf_identifier=hashlib.sha256(name.encode()).hexdigest()[:32].encode())
        if warnings.messages:
            details = "\n  ".join(dict.fromkeys(warnings.messages))
            raise PdfError(f"le PDF « {name} » n'a pas pu être composé proprement :\n  {details}")
        assert isinstance(pdf, bytes)
        return pdf
