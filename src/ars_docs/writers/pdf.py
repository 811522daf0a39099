"""HTML to PDF with WeasyPrint: confined to the project's files, warnings are errors,
and the bytes depend on the inputs only (SOURCE_DATE_EPOCH, fixed identifier)."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ars_docs.errors import ArsDocsError


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


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _warnings_collected() -> Iterator[_Collect]:
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
        encoded = self.__dict__.setdefault("_arsdocs_encoded", {})
        if (interpolate, dpi_ratio) not in encoded:
            encoded[interpolate, dpi_ratio] = encode(self, interpolate, dpi_ratio)
        return fresh(encoded[interpolate, dpi_ratio])

    RasterImage.get_x_object = get_x_object
    RasterImage._arsdocs_reuse = True


class PdfWriter:
    """Renders HTML pages to PDF, reusing fonts, images and their encoded streams across documents."""

    def __init__(self, root: Path, allowed: tuple[Path, ...]) -> None:
        from weasyprint.text.fonts import FontConfiguration

        _reuse_image_streams()

        self.fetcher = _confined_fetcher(root.resolve(), tuple(path.resolve() for path in allowed))
        self.fonts = FontConfiguration()
        self.cache: dict[str, object] = {}

    def render(self, html: str, base: str, name: str, epoch: int, forms: bool = False) -> bytes:
        """`base`: the folder, relative to the project, that the HTML's relative URLs start from."""
        from weasyprint import HTML

        with _warnings_collected() as warnings, _source_date(epoch):
            document = HTML(string=html, base_url=project_url(base + "/"), url_fetcher=self.fetcher)
            pdf = document.write_pdf(
                font_config=self.fonts, cache=self.cache, pdf_forms=forms,
                pdf_identifier=hashlib.sha256(name.encode()).hexdigest()[:32].encode())
        if warnings.messages:
            details = "\n  ".join(dict.fromkeys(warnings.messages))
            raise PdfError(f"le PDF « {name} » n'a pas pu être composé proprement :\n  {details}")
        assert isinstance(pdf, bytes)
        return pdf
