"""Reading generated files back, as a reader would: text of the PDF pages, paragraphs of the DOCX."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import docx
from docx.table import Table
from pypdf import PdfReader

BULLET = "•"


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def agency_footer(path: Path) -> tuple[str, ...]:
    """The agency's footer lines printed on the pages of a document of `path`'s project."""
    from ars_docs.source.project import Project

    root = next((folder for folder in path.parents if (folder / "arsdocs.yaml").is_file()), None)
    agency = Project.open(root).settings.agence if root is not None else None
    return tuple(line for line in agency.footer_lines() if line) if agency else ()


def pdf_body_text(path: Path) -> str:
    """The text of every page, without the page furniture (the page numbers « 1/2 », the agency's
    footer) and without list bullets, which Word draws from numbering rather than from text."""
    pages = pdf_pages(path)
    footer = agency_footer(path)
    texts = []
    for number, text in enumerate(pages, start=1):
        for line in footer:
            text = text.replace(line, "", 1)
        furniture = re.compile(rf"(^\s*{number}/{len(pages)}\s*|\s*{number}/{len(pages)}\s*$)")
        stripped, count = furniture.subn("", text, count=1)
        assert count == 1, f"page {number} of {path.name} has no '{number}/{len(pages)}'"
        texts.append(stripped.replace(BULLET, ""))
    return "\n".join(texts)


def docx_paragraphs(path: Path) -> list[str]:
    """The body's paragraphs in reading order, table cells row by row (a merged cell once)."""
    document = docx.Document(str(path))
    return list(_paragraphs_in(document.element.body, document))


def _paragraphs_in(element, parent) -> list[str]:  # type: ignore[no-untyped-def]
    found: list[str] = []
    for child in element.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            found.append(paragraph_text(child))
        elif tag == "tbl":
            seen: list[object] = []  # the cell elements themselves: ids of lxml proxies get reused
            for row in Table(child, parent).rows:
                for cell in row.cells:
                    if any(cell._tc is element for element in seen):
                        continue
                    seen.append(cell._tc)
                    found.extend(_paragraphs_in(cell._tc, cell))
    return found


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraph_text(element) -> str:  # type: ignore[no-untyped-def]
    """All the text a reader sees in a paragraph, tracked insertions and deletions included
    (python-docx's Paragraph.text leaves out the runs inside w:ins and w:del)."""
    marks = {f"{W}br": "\n", f"{W}tab": "\t", f"{W}noBreakHyphen": "-"}
    parts = []
    for node in element.iter(f"{W}t", f"{W}delText", f"{W}br", f"{W}tab", f"{W}noBreakHyphen"):
        parts.append(marks.get(node.tag, node.text or ""))
    return "".join(parts)


def docx_styles(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of each body paragraph, in order."""
    document = docx.Document(str(path))
    return [(paragraph.style.name if paragraph.style is not None else "", paragraph_text(paragraph._p))
            for paragraph in document.paragraphs]


def libreoffice_to_pdf(documents: list[Path], folder: Path) -> Path:
    """LibreOffice headless opens each .docx and lays it out as PDF in `folder`, as a reader would."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice manque : lancez ./dev.sh test, qui l'installe"
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profil').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, documents)],
                   check=True, capture_output=True, timeout=600)
    return folder


def squash(text: str) -> str:
    """Text without any white space: line breaks and spacing differ between layouts, words do not."""
    return re.sub(r"\s+", "", text)


MM = 25.4 / 72


@dataclass(frozen=True)
class Word:
    """A word as a PDF reader places it: its box in millimetres from the page's top-left corner."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


def pdf_lines(path: Path) -> list[list[list[Word]]]:
    """Each page's lines of words, as poppler's `pdftotext -bbox-layout` reads them."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext manque : lancez ./dev.sh test, qui installe poppler-utils"
    output = subprocess.run([pdftotext, "-bbox-layout", str(path), "-"], check=True, capture_output=True,
                            text=True, timeout=120).stdout
    root = ElementTree.fromstring(output)
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        lines = []
        for line in page.iterfind(".//x:line", namespace):
            lines.append([Word(word.text or "", *(float(word.get(key, 0)) * MM
                                                  for key in ("xMin", "yMin", "xMax", "yMax")))
                          for word in line.iterfind("x:word", namespace)])
        pages.append(lines)
    return pages


def docx_framed(path: Path) -> list[str]:
    """The paragraphs placed in a frame fixed on the page (w:framePr: a letter's address in the
    envelope window): readers lay them out where the frame is, not in the flow of the text."""
    document = docx.Document(str(path))
    return [paragraph_text(p) for p in document.element.body.iter(f"{W}p")
            if p.find(f"{W}pPr/{W}framePr") is not None]


UNO_SCRIPT = Path(__file__).resolve().parents[1] / "uno" / "revisions.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def libreoffice_text(docx: Path, action: str, folder: Path) -> list[str]:
    """The text of `docx` once LibreOffice has accepted (or rejected) all its tracked changes. The
    file is copied first: LibreOffice leaves a lock file beside what it opens."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / docx.name
    shutil.copy(docx, copy)
    target = folder / f"{docx.stem}-{action}.txt"
    subprocess.run([SYSTEM_PYTHON, str(UNO_SCRIPT), action, str(copy), str(target), str(folder / "profil")],
                   check=True, capture_output=True, timeout=300)
    return target.read_text(encoding="utf-8-sig").split("\n")
