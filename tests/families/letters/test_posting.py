"""Letters as the mail room uses them: the address in the window of the envelope, written as La
Poste reads it, in the PDF and in the Word file as LibreOffice prints it (word positions read back
with poppler's pdftotext)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ars_docs.families.letters.builder import LettersBuilder, RemindersBuilder
from ars_docs.families.letters.items import LetterItem
from ars_docs.source.project import Project
from helpers.project import REPO, copy_project, run, use_engine
from helpers.readback import Word, libreoffice_to_pdf, pdf_lines

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

FRAME = (110.0, 55.0, 195.0, 88.0)  # left, top, right, bottom (mm): the default window of arsdocs.yaml
LEFT_FRAME = (20.0, 50.0, 105.0, 83.0)
CLEARANCE = 5.0
LAST_LINE = re.compile(r"\d{5} [A-Z0-9]+(?: [A-Z0-9]+)*")


def expected_addresses(project: Path, builder: type[LettersBuilder] = LettersBuilder) -> dict[str, tuple[str, ...]]:
    """Each letter's address block as the data gives it (file stem -> lines)."""
    items = builder().plan(Project.open(project))
    return {item.stem.rsplit("/", 1)[1]: item.address for item in items if isinstance(item, LetterItem)}


def _inside(word: Word, box: tuple[float, float, float, float], margin: float = 0.1) -> bool:
    left, top, right, bottom = box
    return (word.left >= left - margin and word.right <= right + margin
            and word.top >= top - margin and word.bottom <= bottom + margin)


def _touches(word: Word, box: tuple[float, float, float, float], margin: float) -> bool:
    """Whether the word reaches into the box widened by `margin` (by more than pdftotext's rounding)."""
    left, top, right, bottom = box
    margin -= 0.1
    return not (word.right <= left - margin or word.left >= right + margin
                or word.bottom <= top - margin or word.top >= bottom + margin)


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").split())


def window_problems(pdf: Path, address: tuple[str, ...], frame: tuple[float, float, float, float]) -> list[str]:
    """What a window envelope would show wrongly: the words of page 1 near the window must be
    exactly the address lines, each word inside the frame; at most 6 lines of 38 characters."""
    first_page = pdf_lines(pdf)[0]
    near = [[word for word in line if _touches(word, frame, CLEARANCE)] for line in first_page]
    shown = [line for line in near if line]
    problems = [f"{pdf.name}: « {word.text} » hors du cadre ({word.left:.1f}, {word.top:.1f} mm)"
                for line in shown for word in line if not _inside(word, frame)]
    texts = [_plain(" ".join(word.text for word in line)) for line in shown]
    if texts != [_plain(line) for line in address]:
        problems.append(f"{pdf.name}: la fenêtre montre {texts}, pas l'adresse {list(address)}")
    if len(texts) > 6 or any(len(text) > 38 for text in texts):
        problems.append(f"{pdf.name}: {len(texts)} lignes, la plus longue de {max(map(len, texts), default=0)}")
    if not texts or not LAST_LINE.fullmatch(texts[-1]):
        problems.append(f"{pdf.name}: dernière ligne « {texts[-1] if texts else ''} »")
    return problems


# w:tblPr's children in the order of the OOXML schema (ECMA-376 part 1, CT_TblPr): Word reports a
# file whose properties are out of this order as damaged.
TABLE_PROPERTIES = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                    "tblLook", "tblCaption", "tblDescription"]


def table_properties_in_order(docx: Path) -> bool:
    import zipfile

    from lxml import etree

    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(docx) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    for properties in body.iter(f"{namespace}tblPr"):
        names = [child.tag.removeprefix(namespace) for child in properties]
        if [TABLE_PROPERTIES.index(name) for name in names] != sorted(TABLE_PROPERTIES.index(name) for name in names):
            return False
    return True


def check_family(project: Path, folder: str, frame: tuple[float, float, float, float], tmp_path: Path,
                 builder: type[LettersBuilder] = LettersBuilder, converted: Path | None = None) -> int:
    """Every letter of out/<folder>, its PDF and its Word file laid out by LibreOffice (in
    `converted` when it has already)."""
    addresses = expected_addresses(project, builder)
    letters = sorted((project / "out" / folder).glob("*--*.pdf"))
    assert sorted(path.stem for path in letters) == sorted(addresses)
    if converted is None:
        converted = libreoffice_to_pdf([path.with_suffix(".docx") for path in letters], tmp_path)
    problems = []
    for letter in letters:
        if not table_properties_in_order(letter.with_suffix(".docx")):
            problems.append(f"{letter.stem}.docx: propriétés de tableau hors de l'ordre du schéma")
        problems += window_problems(letter, addresses[letter.stem], frame)
        problems += [f"Word/LibreOffice {problem}" for problem in
                     window_problems(converted / letter.name, addresses[letter.stem], frame)]
    assert problems == [], "\n".join(problems)
    return len(letters)


@pytest.fixture(scope="module")
def word_letters(everything: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example letter and reminder's Word file, laid out by LibreOffice once for this module."""
    return libreoffice_to_pdf([stem.with_suffix(".docx") for stem in _letter_stems(everything)],
                              tmp_path_factory.mktemp("word"))


@pytest.mark.slow
def test_every_example_letter_and_reminder_shows_its_address_and_nothing_else_in_the_window(
        everything: Path, word_letters: Path, tmp_path: Path) -> None:
    assert check_family(everything, "letters/lancement-dsr", FRAME, tmp_path, converted=word_letters) == 52
    reminders = check_family(everything, "relances/relance-dsr", FRAME, tmp_path, RemindersBuilder, word_letters)
    assert reminders > 0


@pytest.mark.slow
def test_each_pdf_engine_puts_the_address_alone_in_the_window_and_cuts_no_reference(built_by: Path) -> None:
    """The PDFs of either engine (`moteur_pdf`), read back with the coordinates of their words."""
    problems, seen, cut = [], set(), []
    for folder, builder in (("letters/lancement-dsr", LettersBuilder), ("relances/relance-dsr", RemindersBuilder)):
        addresses = expected_addresses(built_by, builder)
        letters = sorted((built_by / "out" / folder).glob("*--*.pdf"))
        assert sorted(path.stem for path in letters) == sorted(addresses)
        for letter in letters:
            problems += window_problems(letter, addresses[letter.stem], FRAME)
            tokens, split = cut_tokens(letter)
            seen |= tokens
            cut += [f"{letter.stem}: {token}" for token in split]
    assert problems == [], "\n".join(problems)
    assert {"n° DGOS/R3/2023/125", "n° DGOS/P1/2024/155", "24 avril 2026", "2027-2030"} <= seen
    assert cut == [], "\n".join(cut)


@pytest.fixture(scope="module")
def long_names(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Establishments with long names, streets and towns, a long recipient's name, and the
    addresses written by hand where nothing else fits."""
    project = copy_project(tmp_path_factory.mktemp("longs") / "projet", "longs")
    result = run(project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return project


@pytest.mark.slow
def test_long_names_are_abbreviated_to_the_norm_and_still_fit_the_window(long_names: Path, tmp_path: Path) -> None:
    addresses = expected_addresses(long_names)
    # lines abbreviated in postal capitals: the whole block in capitals, one case throughout
    assert addresses["chru-nancy--jean-baptiste-delacroix-fontaine"] == (
        "M JEAN BAPTISTE DELACROIX FONTAINE",
        "DIRECTEUR GENERAL",
        "CHRU DE NANCY BRABOIS ET DU GRAND EST",
        "RES SAINT EXUPERY BATIMENT B PORTE 4",
        "129 BD DU MAL DE LATTRE DE TASSIGNY",
        "54035 NANCY CEDEX")
    assert addresses["ch-saint-remy--marie-christine-de-la-rochefoucauld-montbel"][-1] == \
        "51290 ST REMY EN BZMT ST GENEST ISSON"
    assert check_family(long_names, "letters/lancement-dsr", FRAME, tmp_path) == len(addresses)


@pytest.mark.slow
def test_a_left_window_moves_the_address_and_the_sender(tmp_path: Path, engine: str) -> None:
    project = use_engine(copy_project(tmp_path / "projet", "petit"), engine)
    with (project / "arsdocs.yaml").open("a", encoding="utf-8") as settings:
        settings.write("enveloppe:\n  gauche_mm: 20\n  haut_mm: 50\n")
    result = run(project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 0, result.output
    check_family(project, "letters/lancement-dsr", LEFT_FRAME, tmp_path / "lo")
    # The sender's column went to the right of the window.
    letter = next((project / "out/letters/lancement-dsr").glob("*--*.pdf"))
    sender = next(line for line in pdf_lines(letter)[0] if line[0].text == "Direction")
    assert sender[0].left >= LEFT_FRAME[2] + CLEARANCE - 0.1


# --- data that cannot be posted, refused by `check` with where it is and what to do -----------------

def test_an_address_that_cannot_be_shortened_is_a_located_error(small_project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    edit(small_project / "data/recipients.yaml", "    ville: Troyes Cedex\n",
         "    ville: Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson\n")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert result.output.count("\n  ") == 1  # once for the establishment, not once per recipient
    assert "data/recipients.yaml:24:12 : etablissements[2].ville : adresse postale de l'établissement, ligne 5 : " \
           "« 10003 ST REMY EN BOUZEMONT ST GENEST ET ISSON » : 45 caractères, la norme postale en permet 38 " \
           "(même abrégée) ; corrigez ou raccourcissez la donnée, ou écrivez les lignes de l'adresse à la main dans " \
           "« adresse_postale: » de l'établissement" in result.output
    assert "Traceback" not in result.output


def test_an_address_written_by_hand_keeps_the_establishments_postal_code(small_project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    edit(small_project / "data/recipients.yaml", "    ville: Troyes Cedex\n",
         '    ville: Troyes Cedex\n    adresse_postale: ["CH de Troyes", "101 avenue Anatole France", '
         '"10300 TROYES CEDEX"]\n')
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "data/recipients.yaml:25:68 : etablissements[2].adresse_postale : la dernière ligne " \
           "« 10300 TROYES CEDEX » ne commence pas par le code postal de l'établissement, 10003" in result.output


def test_a_town_in_another_script_is_refused(small_project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    edit(small_project / "data/recipients.yaml", "    ville: Troyes Cedex\n", "    ville: Αθήνα\n")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "data/recipients.yaml:24:12 : etablissements[2].ville : adresse postale de l'établissement, ligne 5 : " \
           "« Αθήνα » : Α, ή, α, θ, ν ne s'écrivent pas en capitales postales" in result.output


def test_a_line_too_wide_for_the_window_is_refused(small_project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    wide = "M" * 34  # 34 characters, within the norm's 38, but 102 mm wide in print
    edit(small_project / "data/recipients.yaml", "    nom: CHU de Reims\n", f"    nom: {wide}\n")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert f"data/recipients.yaml:3:10 : etablissements[1].nom : adresse postale de l'établissement, ligne 3 : " \
           f"« {wide} » mesure 100 mm imprimée, le cadre de la fenêtre en a 85" in result.output


def test_a_window_below_the_fold_is_refused(small_project: Path) -> None:
    with (small_project / "arsdocs.yaml").open("a", encoding="utf-8") as settings:
        settings.write("enveloppe:\n  haut_mm: 80\n")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "arsdocs.yaml" in result.output and "premier pli" in result.output


def test_reminder_dates_are_checked_against_the_letter_and_the_webinar(small_project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    letter = small_project / "data/courriers/lancement-dsr.yaml"
    edit(letter, "  date_limite: 2026-05-22\n", "  date_limite: 2026-05-29\n")
    result = run(small_project, "check")
    assert result.exit_code == 1, result.output  # the reminder of 26 May would come before this deadline
    assert "Attention : data/courriers/lancement-dsr.yaml:32:16 : reponse.date_limite : la réponse est attendue le " \
           "29/05/2026, après le webinaire « lancement-dsr-2026 » du 22/05/2026 qu'elle doit préparer" in result.output
    edit(letter, "  date_limite: 2026-05-29\n", "  date_limite: 2026-05-22\n")
    reminder = small_project / "data/relances/relance-dsr.yaml"
    edit(reminder, "date: 2026-05-26\n", "date: 2026-04-20\n")
    edit(reminder, "  date_limite: 2026-06-05\n", "  date_limite: 2026-04-10\n")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "data/relances/relance-dsr.yaml:8:7 : date : la relance du 20/04/2026 ne suit pas le courrier " \
           "« lancement-dsr » du 24/04/2026" in result.output
    assert "reponse.date_limite : la réponse est attendue le 10/04/2026 : cette date doit suivre celle du courrier, " \
           "le 20/04/2026" in result.output


def test_the_reminder_agrees_with_its_recipient_and_cites_the_letter_it_follows(small_project: Path) -> None:
    from ars_docs.tree.doctree import inline_text, paragraphs

    project = Project.open(small_project)
    builder = RemindersBuilder()
    openings = {}
    for item in builder.plan(project):
        if isinstance(item, LetterItem):
            document = builder.composer(project).letter(item)
            texts = [inline_text(p.inlines) for p in paragraphs(document.blocks)]
            openings[item.recipient.prenom] = next(t for t in texts if t.startswith("Par courrier du"))
    assert "l’Agence régionale de santé (ARS) Grand Est vous a informée du lancement" in openings["Claire"]
    assert "l’Agence régionale de santé (ARS) Grand Est vous a informé du lancement" in openings["Pierre"]
    assert "l’Agence régionale de santé (ARS) Grand Est a annoncé le lancement" in openings["Camille"]  # no civility
    assert all(text.startswith("Par courrier du 24\u00a0avril\u00a02026,") for text in openings.values())


def test_a_reminder_names_a_letter_that_exists(small_project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    edit(small_project / "data/relances/relance-dsr.yaml", "relance_de: lancement-dsr\n", "relance_de: inconnu\n")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "relance_de : courrier « inconnu » inconnu dans data/courriers/ (connus : lancement-dsr)" in result.output


def test_the_envelope_figure_of_the_documentation_is_there() -> None:
    figure = REPO / "docs" / "images" / "fenetre-enveloppe.png"
    assert figure.is_file() and figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdftotext_is_installed_by_the_test_command() -> None:
    assert shutil.which("pdftotext"), "poppler-utils manque : ./dev.sh test l'installe"


# --- what the reader reads: no false signature, no straight apostrophe, no reference cut ------------

def _letter_stems(project: Path) -> list[Path]:
    return sorted(path.with_suffix("") for family in ("letters", "relances")
                  for path in (project / "out" / family).rglob("*--*.pdf"))


def _html_text(path: Path) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.hidden += tag in ("style", "script")

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in ("style", "script")

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def _mail_text(path: Path) -> str:
    import email
    from email import policy

    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _texts(path: Path) -> str:
    from helpers.readback import docx_paragraphs, pdf_pages

    if path.suffix == ".pdf":
        return "\n".join(pdf_pages(path))
    if path.suffix == ".docx":
        return "\n".join(docx_paragraphs(path))
    if path.suffix == ".html":
        return _html_text(path)
    return _mail_text(path)


@pytest.mark.slow
def test_unsigned_letters_say_nothing_of_a_signature(everything: Path) -> None:
    stems = _letter_stems(everything)
    assert len(stems) > 52
    for stem in stems:
        for suffix in (".pdf", ".docx", ".html", ".eml"):
            text = _texts(stem.with_suffix(suffix))
            assert "lectroniquement" not in text, f"{stem.name}{suffix}"
            assert "Romain HELLMANN" in text or suffix == ".eml", f"{stem.name}{suffix}"  # the signatory, named


@pytest.mark.slow
def test_no_straight_apostrophe_in_the_text_of_any_output(everything: Path) -> None:
    outputs = [path for path in (everything / "out").rglob("*") if path.suffix in (".pdf", ".docx", ".html", ".eml")
               and ".arsdocs" not in path.parts and not path.name.startswith("impression")]
    assert len(outputs) > 400
    found = []
    for path in outputs:
        text = _texts(path)
        # addresses (e-mail, web) are the only place where U+0027 may be data as typed
        text = re.sub(r"(?:https?://|mailto:)\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", "", text)
        if "'" in text:
            at = text.index("'")
            found.append(f"{path.relative_to(everything)}: …{text[max(at - 30, 0):at + 10]!r}…")
    assert found == [], "\n".join(found[:20])


_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
UNBREAKABLE = re.compile(
    rf"n° [A-Z0-9][\w/-]*|\b\d{{1,2}}(?:er)? (?:{_MONTHS})(?: \d{{4}})?\b|\b(?:{_MONTHS}) \d{{4}}\b"
    r"|\b\d{5} [A-Z][\w-]*|\b\d{1,2} ?h ?\d\d\b|(?<![\w/-])(?=[\w/-]*\d)\w+(?:[/-]\w+)+")
"""What must never be cut at the end of a line: a number and its reference, a date, a postal code
and its town, a time, a reference or a code (« DGOS/R3/2023/125 », « 2027-2030 »)."""


def cut_tokens(pdf: Path) -> tuple[set[str], list[str]]:
    """(the protected tokens of the PDF, those split across two lines), as pdftotext reads it."""
    pages = pdf_lines(pdf)
    rows = [" ".join(_plain(word.text) for word in line) for page in pages for line in page]
    rows = [re.sub(r"\b(\d) (er|re)\b", r"\1\2", row) for row in rows]  # a raised "er" read as a word
    flowing = " ".join(rows)
    tokens = {match.group() for match in UNBREAKABLE.finditer(flowing)}
    on_lines = "\n".join(rows)
    return tokens, sorted(token for token in tokens if flowing.count(token) != on_lines.count(token))


@pytest.mark.slow
def test_references_dates_and_codes_are_never_cut_in_pdf_and_in_word(everything: Path, word_letters: Path) -> None:
    stems = _letter_stems(everything)
    converted = word_letters
    seen: set[str] = set()
    cut = []
    for stem in stems:
        for pdf, kind in ((stem.with_suffix(".pdf"), "PDF"), (converted / f"{stem.name}.pdf", "Word")):
            tokens, split = cut_tokens(pdf)
            seen |= tokens
            cut += [f"{kind} {stem.name}: {token}" for token in split]
    assert {"n° DGOS/R3/2023/125", "n° DGOS/P1/2024/155", "1er juillet 1901", "22 octobre 2024",
            "24 avril 2026", "2027-2030"} <= seen  # the reading finds them: the check is not empty
    assert cut == [], "\n".join(cut)


CLIENT_RECTS = """(pattern) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  const nodes = []; let text = "";
  const separate = new Set(["BR", "P", "DIV", "LI", "TD", "TH", "H1", "H2", "H3", "TR", "UL", "OL"]);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.nodeType === Node.ELEMENT_NODE) { if (separate.has(node.tagName)) text += "\\n"; continue; }
    nodes.push([node, text.length]); text += node.data;
  }
  const flat = text.replace(/[\\u00a0\\u202f]/g, " ");
  const at = (offset) => { let found = nodes[0];
    for (const entry of nodes) { if (entry[1] <= offset) found = entry; else break; }
    return [found[0], offset - found[1]]; };
  const results = [];
  for (const match of flat.matchAll(new RegExp(pattern, "gu"))) {
    const range = document.createRange();
    range.setStart(...at(match.index));
    range.setEnd(...at(match.index + match[0].length - 1)); range.setEnd(range.endContainer, range.endOffset + 1);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
    const top = Math.max(...rects.map(r => r.top)), bottom = Math.min(...rects.map(r => r.bottom));
    results.push([match[0], top >= bottom]);
  }
  return results;
}"""


@pytest.mark.slow
def test_references_dates_and_codes_are_never_cut_in_the_html_pages(everything: Path) -> None:
    from playwright.sync_api import sync_playwright

    letter, word = "[\\p{L}\\d_]", "[\\p{L}\\d_/-]"  # the same tokens, in JavaScript's Unicode classes
    pattern = (f"n° [A-Z0-9]{word}*|\\b\\d{{1,2}}(?:er)? (?:{_MONTHS})(?: \\d{{4}})?\\b|\\b(?:{_MONTHS}) \\d{{4}}\\b"
               f"|\\b\\d{{5}} [A-Z]{letter}*|\\b\\d{{1,2}} ?h ?\\d\\d\\b"
               f"|(?<!{word})(?={word}*\\d){letter}+(?:[/-]{letter}+)+")
    pages = [stem.with_suffix(".html") for stem in _letter_stems(everything)]
    cut, seen = [], set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        for width in (390, 1200):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for html in pages:
                page.goto(html.as_uri())
                for token, split in page.evaluate(CLIENT_RECTS, pattern):
                    seen.add(token)
                    if split:
                        cut.append(f"{width} px {html.name}: {token}")
            page.close()
        browser.close()
    assert {"n° DGOS/R3/2023/125", "1er juillet 1901", "2027-2030"} <= seen
    assert cut == [], "\n".join(cut)


@pytest.mark.slow
def test_emails_bind_dates_and_numbers_with_no_break_spaces(everything: Path) -> None:
    mails = sorted((everything / "out").rglob("*--*.eml"))
    assert mails
    for mail in mails:
        text = re.sub(r"https?://\S+", "", _mail_text(mail))
        assert re.search(rf"\d\u00a0(?:{_MONTHS})\u00a0\d{{4}}", text), mail.name
        loose = re.findall(rf"\d (?:{_MONTHS})|(?:{_MONTHS}) \d{{4}}|n° \w|\b\d{{5}} [A-Z]", text)
        assert loose == [], f"{mail.name}: {loose}"


@pytest.mark.slow
def test_every_word_file_has_its_table_properties_in_the_schemas_order(everything: Path) -> None:
    files = sorted(path for path in (everything / "out").rglob("*.docx"))
    assert len(files) > 100
    assert [path.name for path in files if not table_properties_in_order(path)] == []
