"""Archival and accessible documents: every PDF read back with pikepdf (PDF/A-2a and PDF/UA-1),
every Word file with python-docx, and every HTML page in a real browser, headless Chromium, where
the axe-core engine looks for accessibility failures."""

from __future__ import annotations

import functools
import io
import itertools
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docx
import pikepdf
import pytest
import yaml
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont

from helpers.pdfcheck import (
    artefact_text,
    declared_schemas,
    font_program,
    fonts,
    javascript,
    missing_glyphs,
    structure_tree,
    uris,
    xmp_value,
)
from helpers.project import REPO, engine_of
from helpers.readback import MM, Word, pdf_lines

pytestmark = pytest.mark.slow

AXE = REPO / "tests/navigateur/node_modules/axe-core/axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PRINT_FILE = re.compile(r"impression(-\d{3})?\.pdf")


def documents(project: Path, suffix: str) -> list[Path]:
    return sorted(path for path in (project / "out").rglob(f"*.{suffix}")
                  if ".arsdocs" not in path.parts and not PRINT_FILE.fullmatch(path.name) and path.name != "index.html")


def meeting_links(project: Path) -> set[str]:
    data = yaml.safe_load((project / "data/webinaires.yaml").read_text(encoding="utf-8"))
    return {webinar["lien"] for webinar in data["webinaires"]}


# --- PDF ------------------------------------------------------------------------------------------

def test_every_pdf_says_it_is_pdfa_2a_and_pdfua_1(built_by: Path) -> None:
    pdfs = documents(built_by, "pdf")
    assert len(pdfs) > 100
    for path in pdfs:
        with pikepdf.open(path) as document:
            name = path.relative_to(built_by)
            assert xmp_value(document, "pdfaid:part") == "2" and xmp_value(document, "pdfaid:conformance") == "A", name
            assert xmp_value(document, "pdfuaid:part") == "1", name
            assert "http://www.aiim.org/pdfua/ns/id/" in declared_schemas(document), name  # PDF/A-2 extension schema
            assert [str(intent.S) for intent in document.Root.OutputIntents] == ["/GTS_PDFA1"], name
            assert document.pdf_version == "1.7" and len(document.trailer.ID) == 2, name


def test_every_pdf_is_tagged_in_french_with_its_metadata(built_by: Path) -> None:
    for path in documents(built_by, "pdf"):
        with pikepdf.open(path) as document:
            name = path.relative_to(built_by)
            assert bool(document.Root.MarkInfo.Marked) is True, name
            assert str(document.Root.Lang) == "fr-FR", name
            assert bool(document.Root.ViewerPreferences.DisplayDocTitle) is True, name
            tree = structure_tree(document)
            roles = [node.role for node in tree.walk()]
            assert roles[1] == "Document" and "P" in roles, name
            title = xmp_value(document, "dc:title")
            assert title and title == str(document.docinfo.Title), name
            author = xmp_value(document, "dc:creator")
            assert author and author == str(document.docinfo.Author), name


def test_documents_carry_subject_and_keywords_from_the_data(built_by: Path) -> None:
    letter = built_by / "out/letters/lancement-dsr/chu-reims--helene-poirier.pdf"
    courrier = yaml.safe_load((built_by / "data/courriers/lancement-dsr.yaml").read_text(encoding="utf-8"))
    with pikepdf.open(letter) as document:
        assert xmp_value(document, "dc:description") == str(document.docinfo.Subject)
        assert courrier["objet"].split(" ")[0] in xmp_value(document, "dc:description")
        assert xmp_value(document, "pdf:Keywords") == "CHU de Reims, lancement-dsr"
        assert "CHU de Reims" in xmp_value(document, "dc:title") and "POIRIER" in xmp_value(document, "dc:title")


def test_every_font_is_embedded_with_every_glyph_it_draws(built_by: Path) -> None:
    checked = 0
    for path in documents(built_by, "pdf"):
        with pikepdf.open(path) as document:
            for name, font in fonts(document):
                assert font_program(font), f"{path.name}: font {name} ({font.get('/BaseFont')}) not embedded"
            assert missing_glyphs(document) == [], path.name
            checked += 1
    assert checked > 100


def test_headings_are_in_order_and_bookmarked(built_by: Path) -> None:
    with_headings = 0
    for path in documents(built_by, "pdf"):
        with pikepdf.open(path) as document:
            levels = [int(node.role[1]) for node in structure_tree(document).walk()
                      if re.fullmatch(r"H[1-6]", node.role)]
            if not levels:
                continue
            with_headings += 1
            assert levels[0] == 1, f"{path.name}: first heading is H{levels[0]}"
            jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
            assert not jumps, f"{path.name}: heading levels skipped {jumps}"
            with document.open_outline() as outline:
                assert len(outline.root) >= levels.count(1), path.name
    assert with_headings >= 8 + 21  # statutes, annexes, the reply forms


def test_tables_have_header_cells_and_the_logo_its_alternative_text(built_by: Path) -> None:
    logo_text = "République française — Agence régionale de santé Grand Est"
    for path in documents(built_by, "pdf"):
        with pikepdf.open(path) as document:
            nodes = list(structure_tree(document).walk())
            for table in (node for node in nodes if node.role == "Table"):
                assert any(cell.role == "TH" for cell in table.walk()), f"{path.name}: a table without header cells"
            figures = [node for node in nodes if node.role == "Figure"]
            assert all(figure.alt for figure in figures), path.name
            if path.parent.name == "lancement-dsr" and "--" in path.name:
                assert [figure.alt for figure in figures] == [logo_text]


def _elements(element: pikepdf.Dictionary, role: str) -> Iterator[pikepdf.Dictionary]:
    if str(element.get("/S", "")) == role:
        yield element
    kids = element.get("/K")
    for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _elements(kid, role)


def _attribute(element: pikepdf.Dictionary, name: str) -> pikepdf.Object:
    """An attribute of a structure element: its /A is one attribute dictionary or an array of them
    (ISO 32000-1, 14.7.5; WeasyPrint writes the one, Typst the other)."""
    attributes = element.A
    for owner in (list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]):
        if isinstance(owner, pikepdf.Dictionary) and name in owner:
            return owner[name]
    raise KeyError(name)


def test_a_header_row_repeated_on_a_later_page_is_an_artefact_and_the_table_is_one(built_by: Path) -> None:
    """The indicator table runs over two landscape pages: WeasyPrint draws its header row again on
    the second, as an artefact; the structure holds one table, one header row, and every body
    cell of either page points to header cells of that row."""
    path = built_by / "out/cpom/dsr-chirurgie-pediatrique-2027-2030/annexe-3-indicateurs.pdf"
    with pikepdf.open(path) as document:
        assert len(document.pages) == 2
        assert "Définition ou formule" not in artefact_text(document, document.pages[0])
        assert "Définition ou formule" in artefact_text(document, document.pages[1])
        [table] = list(_elements(document.Root.StructTreeRoot, "/Table"))
        headers = {str(cell.ID) for cell in _elements(table, "/TH")}
        assert len(headers) == 11
        cells = list(_elements(table, "/TD"))
        pages = {document.pages[1].obj.objgen: 0, document.pages[0].obj.objgen: 0}
        for cell in cells:
            pointed = {str(key) for key in _attribute(cell, "/Headers")}
            assert len(pointed) == 1 and pointed <= headers, cell
            pages[cell.Pg.objgen] += 1
        assert all(pages.values()), "body cells on both pages"
        assert len(cells) == 19 * 11


def test_page_numbers_are_artefacts(built_by: Path) -> None:
    """Page furniture (the numbers "1/2") is drawn as artefacts: outside the structure, screen
    readers skip it."""
    checked = 0
    for path in documents(built_by, "pdf"):
        if "formulaires" in path.parts:
            continue  # one page, no number
        with pikepdf.open(path) as document:
            total = len(document.pages)
            for number, page in enumerate(document.pages, 1):
                assert f"{number}/{total}" in artefact_text(document, page), f"{path.name}, page {number}"
                checked += 1
    assert checked > 100


def test_no_javascript_and_no_link_but_the_meeting_and_mail_addresses(built_by: Path) -> None:
    allowed = meeting_links(built_by)
    for path in sorted((built_by / "out").rglob("*.pdf")):
        with pikepdf.open(path) as document:
            assert javascript(document) == [], path.name
            for uri in uris(document):
                assert uri.startswith("mailto:") or uri in allowed, f"{path.name}: external link {uri}"


def test_reply_forms_name_their_fields_and_have_their_appearances(built_by: Path) -> None:
    form = built_by / "out/letters/lancement-dsr/formulaires/reponse-chu-reims.pdf"
    with pikepdf.open(form) as document:
        assert "/NeedAppearances" not in document.Root.AcroForm  # forbidden by PDF/A-2
        fields = list(document.Root.AcroForm.Fields)
        assert len(fields) == 2 + 6
        assert all("/AP" in field and str(field.TU) and str(field.TU) != str(field.T) for field in fields)
        assert {str(field.TU) for field in fields} >= {"Établissement", "Médecin référent : Nom",
                                                       "Directeur référent : Courriel"}


def test_reply_form_fields_lie_in_their_cells_and_are_tagged_there(built_by: Path) -> None:
    """Each field where the page shows it (read back with word coordinates: the row's label to its
    left, its column's heading above), its widget in a /Form structure element reached from the
    page's parent tree, under the cell or division that holds it."""
    form = built_by / "out/letters/lancement-dsr/formulaires/reponse-chu-reims.pdf"
    words = [word for line in pdf_lines(form)[0] for word in line]

    def first(text: str) -> Word:
        return next(word for word in words if word.text == text)

    with pikepdf.open(form) as document:
        page = document.pages[0]
        height = float(page.mediabox[3]) * MM
        rects = {str(field.T): [float(value) * MM for value in field.Rect] for field in page.Annots}
        for role in ("medecin", "directeur"):
            for row, field in (("Nom", "nom"), ("Prénom", "prenom"), ("Courriel", "email")):
                left, bottom, _, top = rects[f"{role}_{field}"]
                top, bottom = height - max(top, bottom), height - min(top, bottom)
                label, heading = first(row), first("Médecin" if role == "medecin" else "Directeur")
                assert label.right < left and top - 1 < label.top < bottom + 1, (role, row)
                assert heading.bottom < top and heading.left - 5 < left < heading.right, (role, row)
        name_left, name_bottom, _, name_top = rects["etablissement"]
        label = first("Établissement")
        top, bottom = height - max(name_top, name_bottom), height - min(name_top, name_bottom)
        beside = label.right < name_left and top - 1 < label.top < bottom + 1
        above = label.bottom < top + 1 and top - label.bottom < 10  # WeasyPrint: the whole width, on the next line
        assert beside or above, (label, rects["etablissement"])
        if engine_of(built_by) != "typst":
            return  # WeasyPrint tags its own fields
        parents = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
        for widget in page.Annots:
            element = parents[int(widget.StructParent)]
            assert element.S == "/Form" and element.K.Obj.objgen == widget.objgen, str(widget.T)
            assert element.P.S in ("/TD", "/Div"), str(widget.T)


def _widths(font: pikepdf.Dictionary) -> dict[int, float]:
    """The glyph widths of a Type0 font's /W array (`c [w1 w2 …]` and `c1 c2 w` forms)."""
    widths, items, index = {}, list(font.DescendantFonts[0].get("/W", [])), 0
    while index < len(items):
        if isinstance(items[index + 1], pikepdf.Array):
            widths.update({int(items[index]) + offset: float(width) for offset, width in enumerate(items[index + 1])})
            index += 2
        else:
            widths.update(dict.fromkeys(range(int(items[index]), int(items[index + 1]) + 1), float(items[index + 2])))
            index += 3
    return widths


def test_reply_forms_embed_fonts_subset_to_what_a_french_form_may_receive(built_by: Path) -> None:
    """Not the whole fonts (~400 kB each): the glyphs of the page and of `FORM_CHARACTERS`, each
    with its character (cmap, for a reader drawing what is typed) and its width."""
    from ars_docs.writers.weasyprint import FORM_CHARACTERS

    forms = sorted((built_by / "out/letters/lancement-dsr/formulaires").glob("*.pdf"))
    assert len(forms) == 21
    whole = TTFont(REPO / "templates/commun/polices/LiberationSans-Regular.ttf")
    drawn = {character for character in FORM_CHARACTERS if ord(character) in whole.getBestCmap()}
    assert len(drawn) == len(FORM_CHARACTERS)  # every one of them has a glyph in the project's font
    for path in forms:
        assert path.stat().st_size < 80_000, path.name
        with pikepdf.open(path) as document:
            for name, font in document.Root.AcroForm.DR.Font.items():
                program = TTFont(io.BytesIO(font_program(font)))
                cmap, widths = program.getBestCmap(), _widths(font)
                assert len(cmap) < 300, (path.name, name)  # a subset, not the ~2,600 characters of the font
                for character in drawn:
                    glyph = program.getGlyphID(cmap[ord(character)])
                    assert widths.get(glyph, 0) > 0 or character in "\u2009\u202f", (path.name, name, character)


def test_print_volumes_are_pdfa_2b(built_by: Path) -> None:
    volume = built_by / "out/letters/lancement-dsr/impression.pdf"
    with pikepdf.open(volume) as document:
        assert xmp_value(document, "pdfaid:part") == "2" and xmp_value(document, "pdfaid:conformance") == "B"
        assert [str(intent.S) for intent in document.Root.OutputIntents] == ["/GTS_PDFA1"]
        assert xmp_value(document, "dc:title") == str(document.docinfo.Title)
        assert all(font_program(font) for _, font in fonts(document))


# --- Word -----------------------------------------------------------------------------------------

def test_every_word_file_is_titled_in_french_with_described_images_and_repeated_headers(everything: Path) -> None:
    files = documents(everything, "docx")
    assert len(files) > 100
    for path in files:
        document = docx.Document(str(path))
        properties = document.core_properties
        assert properties.title and properties.author and properties.language == "fr-FR", path.name
        defaults = document.styles.element.find(qn("w:docDefaults"))
        assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "fr-FR", path.name
        drawings = list(document.element.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"))
        assert all(drawing.get("descr") for drawing in drawings), path.name
        for table in document.element.body.iter(qn("w:tbl")):
            borders = table.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
            if borders is not None and borders.find(qn("w:top")).get(qn("w:val")) == "nil":
                continue  # a layout grid (sender and recipient side by side), not a table of data
            first_row = table.find(qn("w:tr"))
            header = first_row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
            assert header is not None, f"{path.name}: a table whose header row does not repeat"


def test_letters_show_their_logo_with_its_alternative_text(everything: Path) -> None:
    document = docx.Document(str(everything / "out/letters/lancement-dsr/chu-reims--helene-poirier.docx"))
    parts = [document.element, *(section.header._element for section in document.sections)]
    described = [drawing.get("descr") for part in parts for drawing in
                 part.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert described == ["République française — Agence régionale de santé Grand Est"]


def test_structured_documents_use_real_heading_styles(everything: Path) -> None:
    for path in documents(everything, "docx"):
        if path.parent.parent.name not in ("statuts", "cpom"):
            continue
        styles = [paragraph.style.name for paragraph in docx.Document(str(path)).paragraphs]
        levels = [int(style.split()[-1]) for style in styles if re.fullmatch(r"Heading \d", style)]
        assert levels and levels[0] == 1, path.name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), path.name


# --- HTML, in Chromium with axe-core ---------------------------------------------------------------

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *arguments: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(everything: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(everything / "out")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(" "))}));
}"""

LINKS = """() => Array.from(document.querySelectorAll("a[href]"), a => a.getAttribute("href"))"""


def test_chromium_loads_the_index_and_every_page_every_link_resolves_and_axe_finds_nothing_serious(
        everything: Path, served: str) -> None:
    from playwright.sync_api import sync_playwright

    assert AXE.is_file(), "axe-core absent : lancez ./dev.sh test (npm ci dans tests/navigateur)"
    axe = AXE.read_text(encoding="utf-8")
    pages_in_out = {path.relative_to(everything / "out").as_posix() for path in documents(everything, "html")}
    failures: list[str] = []
    moderate: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        broken: list[str] = []
        page.on("requestfailed", lambda request: broken.append(f"{request.url} ({request.failure})"))
        page.on("response", lambda response: response.status >= 400 and broken.append(
            f"{response.url} ({response.status})"))

        def audit(address: str) -> list[str]:
            response = page.goto(served + address)
            assert response is not None and response.ok, address
            page.add_script_tag(content=axe)
            for violation in page.evaluate(AXE_RUN):
                if violation["impact"] in ("serious", "critical"):
                    failures.append(f"{address}: {violation['id']} ({violation['impact']}) {violation['help']} "
                                    f"{violation['targets'][:3]}")
                else:
                    moderate[violation["id"]] = moderate.get(violation["id"], 0) + 1
            links = page.evaluate(LINKS)
            for link in links:
                if link.startswith("#"):
                    if page.locator(f"[id='{link[1:]}']").count() != 1:
                        failures.append(f"{address}: anchor {link} has no target")
                elif not re.match(r"(https|mailto):", link):
                    status = page.request.get(served + _resolve(address, link)).status
                    if status != 200:
                        failures.append(f"{address}: {link} -> {status}")
            assert page.title(), address
            return links

        listed = audit("index.html")
        linked_pages = {link for link in listed if link.endswith(".html")}
        assert linked_pages == pages_in_out  # every page is listed, and nothing else
        assert {link for link in listed if link.endswith(".pdf")} >= {
            name.removesuffix(".html") + ".pdf" for name in pages_in_out}
        for address in sorted(linked_pages):
            audit(address)
        browser.close()
    assert broken == []
    assert failures == [], "\n".join(failures)
    print(f"\n{len(linked_pages) + 1} pages in Chromium; moderate or minor findings: {moderate or 'none'}")


def _resolve(page: str, link: str) -> str:
    folder = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    return folder + link


def test_each_page_carries_the_text_of_its_pdf(everything: Path) -> None:
    """The HTML alternative says what the PDF says: every word of the PDF is in the page, in the
    same order, but the page furniture (numbers, watermark), drawn as artefacts."""
    from html.parser import HTMLParser

    from helpers.readback import pdf_body_text

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.headers: list[str] = []
            self.skip = self.header = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.skip += tag in ("style", "title", "script")
            self.header += tag == "th"

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "title", "script")
            self.header -= tag == "th"

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)
                if self.header:
                    self.headers.append(data)

    samples = [everything / "out/letters/lancement-dsr/chu-reims--helene-poirier",
               everything / "out/statuts/dsr-chirurgie-pediatrique/statuts-v2",
               everything / "out/cpom/dsr-chirurgie-pediatrique-2027-2030/annexes-1-a-4"]
    for stem in samples:
        parser = Text()
        parser.feed(stem.with_suffix(".html").read_text(encoding="utf-8"))
        # "1<sup>er</sup>" is "1er" in the PDF's text; the stylesheets set some headings in capitals
        page_text = re.sub(r"\s+", "", "".join(parser.parts)).casefold()
        position = 0
        pdf_text = re.sub(r"\.{4,}\s*\d+", "", pdf_body_text(stem.with_suffix(".pdf")))  # contents: leaders, pages
        # a draft's watermark is drawn over the page: its text may be read glued to a word it crosses
        pdf_text = pdf_text.replace("PROJET", " PROJET ")
        with pikepdf.open(stem.with_suffix(".pdf")) as document:  # page furniture: not in the page
            furniture = set(re.findall(r"\w+", " ".join(artefact_text(document, page) for page in document.pages)))
        # the header rows of a table that runs over pages are printed again on each
        repeated = set(re.findall(r"\w+", " ".join(parser.headers)))
        for word in re.findall(r"\w+", pdf_text):
            if word in furniture or (word in repeated and word.casefold() not in page_text[position:]):
                continue  # the running header is on every page; a table's header row on each of its pages
            found = page_text.find(word.casefold(), position)
            if found < 0:
                pytest.fail(f"{stem.name}: « {word} » of the PDF is not in the HTML page (after "
                            f"« {page_text[max(0, position - 40):position]} »)")
            position = found + len(word)
