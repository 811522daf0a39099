"""The example mailing, built once: every letter in both formats, saying the same thing."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import docx
import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from ars_docs.families.letters.builder import LettersBuilder
from ars_docs.families.letters.items import LetterItem
from ars_docs.source.project import Project
from ars_docs.tree.doctree import inline_text, paragraphs
from helpers.pdfcheck import tagged_text
from helpers.project import REPO, engine_of
from helpers.readback import BULLET, docx_paragraphs, pdf_body_text, pdf_pages, squash

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

# Independent statement of the salutation rules (domain §2), to check the builder against.
TITLES = {
    "directeur": ("Directrice", "Directeur"),
    "directeur_general": ("Directrice générale", "Directeur général"),
    "president_cme": ("Présidente de la commission médicale d’établissement",
                      "Président de la commission médicale d’établissement"),
    "chef_service": ("Cheffe de service", "Chef de service"),
    "chef_pole": ("Cheffe de pôle", "Chef de pôle"),
}


def expected_term(person: dict[str, str], status: str = "public") -> str:
    """A private for-profit establishment has a conférence médicale d'établissement (CSP L. 6161-2)."""
    if "formule" in person:
        return person["formule"].rstrip(",")
    titles = [title.replace("commission", "conférence") if status == "prive" else title
              for title in TITLES[person["fonction"]]]
    if person.get("civilite") == "Madame":
        return "Madame la " + titles[0]
    if person.get("civilite") == "Monsieur":
        return "Monsieur le " + titles[1]
    return "Madame, Monsieur"


def example_recipients() -> list[tuple[dict[str, object], dict[str, str]]]:
    data = yaml.safe_load((REPO / "data" / "recipients.yaml").read_text(encoding="utf-8"))
    return [(establishment, person) for establishment in data["etablissements"]
            for person in establishment["destinataires"]]


def output_stem(project: Path, establishment: dict[str, object], person: dict[str, str]) -> Path:
    folder = project / "out" / "letters" / "lancement-dsr"
    surname = unicodedata.normalize("NFKD", person["nom"]).encode("ascii", "ignore").decode().lower()
    matches = [path for path in folder.glob(f"{establishment['id']}--*.pdf") if surname in path.stem.split("--")[1]]
    assert len(matches) == 1, (establishment["id"], person["nom"], matches)
    return matches[0].with_suffix("")


RECIPIENTS = example_recipients()
IDS = [f"{e['id']}/{p['prenom']}-{p['nom']}" for e, p in RECIPIENTS]


def test_one_pdf_docx_html_and_eml_per_recipient_with_ascii_names(built_by: Path) -> None:
    files = sorted(f.name for f in (built_by / "out" / "letters" / "lancement-dsr").iterdir())
    per_recipient = [name for name in files if "--" in name]
    assert len(per_recipient) == 4 * len(RECIPIENTS) == 208
    assert all(re.fullmatch(r"[a-z0-9-]+--[a-z0-9-]+\.(pdf|docx|html|eml)", name) for name in per_recipient)
    assert sorted(set(files) - set(per_recipient)) == ["formulaires", "impression.pdf", "invitation-webinaire.ics",
                                                       "manifeste.csv", "manifeste.json"]
    forms = sorted(f.name for f in (built_by / "out" / "letters" / "lancement-dsr" / "formulaires").iterdir())
    assert len(forms) == 3 * 21 and all(re.fullmatch(r"reponse-[a-z0-9-]+\.(pdf|docx|html)", name) for name in forms)


@pytest.mark.parametrize(("establishment", "person"), RECIPIENTS, ids=IDS)
def test_letter_is_personalised_in_both_formats(built_by: Path, establishment: dict[str, object],
                                                person: dict[str, str]) -> None:
    stem = output_stem(built_by, establishment, person)
    term = expected_term(person, str(establishment.get("statut", "public")))
    closing = f"Nous vous prions d’agréer, {term}, l’expression de nos salutations distinguées."
    name = str(establishment["nom"]).replace("'", "’")

    body = docx_paragraphs(stem.with_suffix(".docx"))
    assert f"{term}," in body, "salutation paragraph"
    assert closing.replace(" ", "\u00a0", 0) in [p.replace("\u00a0", " ").replace("\u202f", " ") for p in body]
    table = docx.Document(str(stem.with_suffix(".docx"))).tables[1]
    assert table.cell(1, 0).text == name and table.cell(3, 0).text == name, "merged establishment cell"
    assert [c.text for c in table.rows[0].cells] == ["Nom établissement adhérent", "Médecin référent",
                                                     "Médecin référent", "Directeur référent", "Directeur référent"]

    pdf = squash(pdf_body_text(stem.with_suffix(".pdf")))
    assert squash(f"{term},") in pdf and squash(closing) in pdf
    with pikepdf.open(stem.with_suffix(".pdf")) as document:
        read = squash(tagged_text(document))  # in the order of the structure, as a screen reader reads it
    assert squash(f"Nom établissement adhérent Médecin référent Directeur référent {name} Nom Nom") in read


@pytest.mark.parametrize(("establishment", "person"), RECIPIENTS, ids=IDS)
def test_pdf_and_docx_carry_the_same_paragraph_sequence(built_by: Path, establishment: dict[str, object],
                                                        person: dict[str, str]) -> None:
    """In the order of the PDF's structure (what a screen reader reads), and with WeasyPrint in the
    order it draws too (Typst draws a cell spanning two rows after them: docs/construction.md, « Moteurs PDF »)."""
    stem = output_stem(built_by, establishment, person)
    body = docx_paragraphs(stem.with_suffix(".docx"))
    assert len(body) >= 30, "the whole letter, not a fragment"
    with pikepdf.open(stem.with_suffix(".pdf")) as document:
        assert squash(tagged_text(document).replace(BULLET, "")) == squash("".join(body))
    if engine_of(built_by) == "weasyprint":
        assert squash(pdf_body_text(stem.with_suffix(".pdf"))) == squash("".join(body))


def test_docx_paragraphs_are_the_document_tree(built_by: Path) -> None:
    """The Word body is exactly the tree's paragraphs, in order. Word needs an empty paragraph in
    an empty table cell, and the shell's logo line has no text: empty paragraphs are left out."""
    project = Project.open(built_by)
    builder = LettersBuilder()
    letters = [item for item in builder.plan(project) if isinstance(item, LetterItem)]
    for letter in letters[:5]:
        document = builder.composer(project).letter(letter)
        expected = [inline_text(p.inlines) for p in paragraphs(document.blocks)]
        assert [text for text in docx_paragraphs(project.out / f"{letter.stem}.docx") if text] == expected


def test_pages_numbered_and_fonts_embedded(built_by: Path) -> None:
    path = next((built_by / "out" / "letters" / "lancement-dsr").glob("*.pdf"))
    pages = pdf_pages(path)
    assert len(pages) == 2
    assert re.search(r"(^|\s)1/2(\s|$)", pages[0]) and re.search(r"(^|\s)2/2(\s|$)", pages[1])
    reader = PdfReader(path)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, "font embedded"
    assert reader.metadata.title.startswith("Lancement du DSR de chirurgie pédiatrique en Grand Est — ")
    docx_path = path.with_suffix(".docx")
    with zipfile.ZipFile(docx_path) as package:
        footer = "".join(package.read(n).decode() for n in package.namelist() if "footer" in n)
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_french_typography_in_both_formats(built_by: Path) -> None:
    stem = output_stem(built_by, *RECIPIENTS[0])
    document = docx.Document(str(stem.with_suffix(".docx")))
    texts = [p.text for p in document.paragraphs]
    objet = next(t for t in texts if t.startswith("Objet"))
    assert objet.startswith("Objet\u00a0:")
    assert any("n°\u00a0DGOS/R3/2023/125" in t for t in texts)
    assert any(t.endswith("niveaux de recours\u202f;") for t in texts)
    superscripts = [r.text for p in document.paragraphs for r in p.runs if r.font.superscript]
    assert superscripts.count("er") >= 2, "1er août 2023, 1er juillet 1901"
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "instruction n°\u00a0DGOS/R3/2023/125 du 1" in bold
    assert "\u202f;" in pdf_body_text(stem.with_suffix(".pdf"))


def test_webinar_sentence_comes_from_the_webinar_data(built_by: Path) -> None:
    stem = output_stem(built_by, *RECIPIENTS[0])
    assert squash("est organisé le 22 mai 2026, de 14h00 à 15h30.") in squash(pdf_body_text(stem.with_suffix(".pdf")))


CORE_NAMESPACES = {"http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
                   "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"}


def test_word_properties_are_in_the_core_properties_namespaces(built_by: Path) -> None:
    """docxcompose rebinds python-docx's "cp" prefix: properties then landed, twice, in the
    custom-properties namespace, which the core properties' schema does not allow."""
    from lxml import etree

    folder = built_by / "out" / "letters" / "lancement-dsr"
    for path in [next(folder.glob("*.docx")), next((folder / "formulaires").glob("*.docx"))]:
        with zipfile.ZipFile(path) as package:
            root = etree.fromstring(package.read("docProps/core.xml"))
        names = [etree.QName(child) for child in root]
        assert {name.namespace for name in names} <= CORE_NAMESPACES, path.name
        assert len({name.localname for name in names}) == len(names), f"a property twice in {path.name}"
        if path.parent == folder:  # a letter: the keywords the writer sets, in the right place
            keywords = root.find("{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords")
            assert keywords is not None and keywords.text and "lancement-dsr" in keywords.text
