"""Draft statutes: the shipped drafts, numbering and references, legal checks, draft marks, comparison."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from helpers.pdfcheck import artefact_text
from helpers.project import ENGINES, REPO, build_example, copy_project, run, use_engine
from helpers.readback import BULLET, docx_paragraphs, docx_styles, libreoffice_to_pdf, pdf_pages, squash

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
DRAFTS = "data/statuts/dsr-chirurgie-pediatrique"
V1, V2 = f"{DRAFTS}/v1.yaml", f"{DRAFTS}/v2.yaml"
OUT = "out/statuts/dsr-chirurgie-pediatrique"
MARK = "Projet — version 2 du 3 juin 2026"


@pytest.fixture(scope="session", params=ENGINES)
def statutes(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The example's statutes, built by each PDF engine in turn."""
    project, output = build_example(tmp_path_factory, "statuts", request.param)
    assert output == "statuts : 3 construit(s), 0 inchangé(s), 0 fichier(s) supprimé(s) ; " \
        "9 fichier(s) écrit(s) dans out/statuts\n"
    return project


def test_shipped_drafts_and_their_comparison_are_built(statutes: Path) -> None:
    names = sorted(path.name for path in (statutes / OUT).iterdir())
    assert names == [f"{stem}.{kind}" for stem in ("comparaison-v1-v2", "statuts-v1", "statuts-v2")
                     for kind in ("docx", "html", "pdf")]


def test_libreoffice_opens_the_statutes(statutes: Path, tmp_path: Path) -> None:
    documents = sorted((statutes / OUT).glob("*.docx"))
    libreoffice_to_pdf(documents, tmp_path)
    for document in documents:
        shown = squash("".join(pdf_pages(tmp_path / f"{document.stem}.pdf"))).casefold()
        assert squash("Article 2 – Objet").casefold() in shown, document.name
    # LibreOffice reads the comparison's tracked changes as text too: both the old and the new words.
    compared = squash("".join(pdf_pages(tmp_path / "comparaison-v1-v2.pdf")))
    assert "quinzevingtetun" in compared


def _numbered_headings(path: Path) -> list[tuple[str, str]]:
    return [(style, text) for style, text in docx_styles(path) if style in ("Heading 1", "Heading 2")]


def test_word_has_real_headings_and_a_contents_field(statutes: Path) -> None:
    headings = _numbered_headings(statutes / OUT / "statuts-v2.docx")
    assert headings[0] == ("Heading 1", "Titre I – Constitution, objet, siège et durée")
    assert headings[1] == ("Heading 2", "Article 1er – Constitution et dénomination")
    articles = [text for style, text in headings if style == "Heading 2"]
    assert [int(re.match(r"Article (\d+)", t).group(1)) for t in articles] == list(range(1, 21))
    with zipfile.ZipFile(statutes / OUT / "statuts-v2.docx") as package:
        body = package.read("word/document.xml").decode()
    assert 'TOC \\o "1-2" \\h' in body and 'w:dirty="true"' in body
    toc = [text for style, text in docx_styles(statutes / OUT / "statuts-v2.docx") if style.startswith("toc")]
    assert toc == [text for _, text in headings]


def test_word_headings_are_in_the_body_font(statutes: Path) -> None:
    """No theme font (Calibri Light in Word's defaults) overrides the styles' Arial."""
    import docx
    from docx.oxml.ns import qn

    for name in ("statuts-v2", "comparaison-v1-v2"):
        styles = docx.Document(str(statutes / OUT / f"{name}.docx")).styles
        for style_name in ("Heading 1", "Heading 2", "Normal"):
            fonts = styles[style_name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            assert fonts is not None and fonts.get(qn("w:ascii")) == "Arial", (name, style_name)
            assert not [key for key in fonts.attrib if key.endswith("Theme") or key.endswith("theme")], style_name


def test_pdf_has_a_bookmark_per_title_and_article(statutes: Path) -> None:
    outline = PdfReader(statutes / OUT / "statuts-v2.pdf").outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    children = [child.title for item in outline if isinstance(item, list) for child in item]
    assert titles == ["Titre I – Constitution, objet, siège et durée", "Titre II – Composition",
                      "Titre III – Ressources", "Titre IV – Administration et fonctionnement",
                      "Titre V – Dispositions diverses"]
    assert len(children) == 20 and children[0] == "Article 1er – Constitution et dénomination"


def _body(path: Path, marks: list[str]) -> str:
    """The PDF text after the contents page, page furniture removed."""
    pages = pdf_pages(path)
    text = ""
    for number, page in enumerate(pages[1:], start=2):
        page = squash(page).replace(BULLET, "")
        folio = f"{number}/{len(pages)}"
        assert page.endswith(folio), (path.name, number)  # drawn last: never confused with a date
        page = page[: -len(folio)]
        for furniture in map(squash, marks):
            assert furniture in page, (path.name, number, furniture)
            page = page.replace(furniture, "", 1)
        text += page
    return text.casefold()


def test_pdf_and_docx_say_the_same(statutes: Path) -> None:
    """Capitals are presentation (CSS text-transform, Word all caps); the contents differ by design
    (page numbers in the PDF, a field in Word): the text after them is the same."""
    for name, marks in (("statuts-v2", [MARK, "PROJET"]),
                        ("comparaison-v1-v2", ["Comparaison : version 1 du 6 mai 2026 → version 2 du 3 juin 2026"])):
        styles = docx_styles(statutes / OUT / f"{name}.docx")
        start = max((i for i, (style, _) in enumerate(styles) if style.startswith("toc")), default=-1) + 1
        paragraphs = docx_paragraphs(statutes / OUT / f"{name}.docx")
        words = squash("".join(paragraphs[paragraphs.index(styles[start][1]):])).casefold() if start else ""
        pdf = _body(statutes / OUT / f"{name}.pdf", marks)
        if name.startswith("statuts"):
            assert pdf == words
        else:  # the comparison has no contents: its first page holds its head and summary
            # what Word says in comments (« ancien article 5 »), the PDF prints as labels
            import docx

            notes = [comment.text for comment in docx.Document(str(statutes / OUT / f"{name}.docx")).comments]
            assert len(notes) >= 10
            for note in notes:
                label = squash(f"({note})").casefold()
                assert label in pdf, note
                pdf = pdf.replace(label, "", 1)
            pages = pdf_pages(statutes / OUT / f"{name}.pdf")
            first = squash(pages[0]).replace(BULLET, "").casefold()
            assert first.endswith(f"1/{len(pages)}")
            first = first[: -len(f"1/{len(pages)}")].replace(squash(marks[0]).casefold(), "", 1)
            assert first + pdf == squash("".join(paragraphs)).casefold()


def test_final_version_has_no_draft_marks(tmp_path: Path, edit: Edit, engine: str) -> None:
    project = use_engine(copy_project(tmp_path / "projet"), engine)
    edit(project / V2, "  statut: projet", "  statut: definitif")
    assert run(project, "build", "statuts").exit_code == 0
    final = " ".join(pdf_pages(project / OUT / "statuts-v2.pdf"))
    assert "PROJET" not in final and "Projet —" not in final
    with zipfile.ZipFile(project / OUT / "statuts-v2.docx") as package:
        headers = "".join(package.read(n).decode() for n in package.namelist() if "header" in n)
    assert "PowerPlusWaterMarkObject" not in headers and "Projet" not in headers
    draft = squash(" ".join(pdf_pages(project / OUT / "statuts-v1.pdf")))
    assert "PROJET" in draft and squash("Projet — version 1 du 6 mai 2026") in draft


def test_optional_line_numbers(tmp_path: Path, edit: Edit, engine: str) -> None:
    project = use_engine(copy_project(tmp_path / "projet"), engine)
    edit(project / V2, "  statut: projet", "  statut: projet\n  numeros_de_ligne: oui")
    assert run(project, "build", "statuts").exit_code == 0
    with zipfile.ZipFile(project / OUT / "statuts-v2.docx") as package:
        assert '<w:lnNumType w:countBy="5" w:restart="newPage"' in package.read("word/document.xml").decode()
    second_page = pdf_pages(project / OUT / "statuts-v2.pdf")[1]
    # WeasyPrint numbers a 14pt ruler down the page (blank lines too); Typst, like Word, the lines of text
    assert all(re.search(rf"(^|\s){n}(\s|$)", second_page) for n in (5, 10, 15, 50 if engine == "weasyprint" else 35))
    with pikepdf.open(project / OUT / "statuts-v2.pdf") as document:
        furniture = artefact_text(document, document.pages[1])
    assert all(re.search(rf"(^|\s){n}(\s|$)", furniture) for n in (5, 10, 15)) and "PROJET" in furniture
    with zipfile.ZipFile(project / OUT / "statuts-v1.docx") as package:
        assert "lnNumType" not in package.read("word/document.xml").decode()


def _article_numbers(project: Path, version: str) -> tuple[dict[str, int], list[str]]:
    headings = [text for style, text in _numbered_headings(project / OUT / f"statuts-{version}.docx")
                if style == "Heading 2"]
    data = yaml.safe_load((project / DRAFTS / f"{version}.yaml").read_text(encoding="utf-8"))
    ids = [article["id"] for title in data["titres"] for article in title["articles"]]
    numbers = {label: int(re.match(r"Article (\d+)", text).group(1)) for label, text in zip(ids, headings, strict=True)}
    return numbers, docx_paragraphs(project / OUT / f"statuts-{version}.docx")


def test_inserting_an_article_renumbers_it_and_every_reference(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    assert run(project, "build", "statuts").exit_code == 0
    before, _ = _article_numbers(project, "v2")
    edit(project / V2, "  - id: membres\n    intitule: Composition\n    articles:\n",
         "  - id: membres\n    intitule: Composition\n    articles:\n      - id: principes\n"
         "        intitule: Principes\n        texte: Les membres s'engagent à respecter l'[[objet]].\n")
    assert run(project, "build", "statuts").exit_code == 0
    after, paragraphs = _article_numbers(project, "v2")
    assert after["principes"] == before["composition"]
    for label, number in before.items():
        assert after[label] == (number + 1 if number >= before["composition"] else number), label
    text = "\n".join(paragraphs)
    # Every reference written in the data, resolved with the new numbers.
    data = (project / V2).read_text(encoding="utf-8")
    for label in sorted(set(re.findall(r"\[\[([a-z0-9-]+)\]\]", data))):
        assert re.search(rf"l’article {after[label] if after[label] > 1 else '1er'}\b", text), label
    # composition 6 -> 7, cotisations 8 -> 9, dissolution 17 -> 18; objet stays 2
    for sentence in ("rattachement mentionné à l’article 7", "répartis entre les collèges définis à l’article 7",
                     "cotisation prévue à l’article 9", "dans les conditions de l’article 18",
                     "Les membres s’engagent à respecter l’article 2."):
        assert sentence in text, sentence


def test_several_articles_in_one_reference(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    edit(project / V2, "dans les conditions de l'[[modification]]",
         "dans les conditions des [[dissolution|modification]]")
    assert run(project, "build", "statuts").exit_code == 0
    assert any("dans les conditions des articles 16 et 17" in p
               for p in docx_paragraphs(project / OUT / "statuts-v2.docx"))


CASES = {
    "dangling-reference": (
        V2, "défini à l'[[objet]]", "défini à l'[[objectifs]]",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:55:46 : titres[1].articles[3].texte : "
        "renvoi à un article inconnu « objectifs »"),
    "missing-clause": (
        V2, "        clause: bureau\n", "",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:26:1 : titres : clause attendue absente : « Bureau » "
        "(bureau) ; aucun article n'a « clause: bureau » (si elle ne vaut pas pour cette association, retirez-la "
        "ou changez-la dans data/statuts/clauses-attendues.yaml:36:5)"),
    "strasbourg-under-the-1901-law": (
        V2, '    code_postal: "51100"\n    ville: Reims', '    code_postal: "67000"\n    ville: Strasbourg',
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:11:9 : regime : siège en Bas-Rhin (Strasbourg) : la loi de "
        "1901 ne s'y applique pas ; le droit local (articles 21 à 79 du code civil local) impose « regime: "
        "droit-local »"),
    "seat-at-a-cedex-address": (
        V2, "    ville: Reims\n", "    ville: Reims Cedex\n",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:10:18 : association.siege.ville : « Cedex » : le siège est "
        "une adresse géographique, pas une adresse de distribution du courrier ; écrivez la voie, le code postal et "
        "la commune du lieu (sans Cedex, BP ni CS)"),
    "seat-at-a-post-office-box": (
        V2, "45 rue Cognacq-Jay, 51100 Reims.", "BP 12, 51100 Reims.",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:61:82 : titres[1].articles[4].texte : « BP » : le siège est "
        "une adresse géographique, pas une adresse de distribution du courrier ; écrivez la voie, le code postal et "
        "la commune du lieu (sans Cedex, BP ni CS)"),
    "members-by-right-struck-off-for-unpaid-dues": (
        V2, "pour motif grave ou pour non-paiement de la cotisation prévue à l'[[cotisations]], le membre intéressé "
            "ayant été invité au préalable à fournir ses explications ; un membre de droit ne peut être ni radié ni "
            "exclu : sa qualité ne prend fin qu'avec l'autorisation ou la dérogation qui la fonde.",
        "pour motif grave.\n          - la radiation pour non-paiement de la cotisation prévue à l'[[cotisations]].",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:111:50 : titres[2].articles[4].texte : « cotisation » : ce "
        "motif de radiation atteindrait les membres de droit, dont l'adhésion ne prend fin qu'avec leur "
        "autorisation ou leur dérogation (D. 6327-6 I) : écrivez d'abord qu'il ne vaut que pour les autres "
        "collèges, en nommant celui des membres de droit"),
    "members-by-right-struck-off-for-a-serious-reason": (
        V2, "- pour un membre d'un autre collège que celui des membres de droit, la radiation prononcée par le conseil "
            "d'administration pour motif grave ou pour",
        "- la radiation prononcée par le conseil d'administration pour motif grave ou, pour un membre d'un autre "
        "collège que celui des membres de droit, pour",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:110:73 : titres[2].articles[4].texte : « motif grave » : ce "
        "motif de radiation atteindrait les membres de droit, dont l'adhésion ne prend fin qu'avec leur "
        "autorisation ou leur dérogation (D. 6327-6 I) : écrivez d'abord qu'il ne vaut que pour les autres "
        "collèges, en nommant celui des membres de droit"),
    "associate-members-outvote-the-members-by-right": (
        V2, "Chaque membre y dispose d'une voix ; les voix sont pondérées par collège, de sorte que le collège des "
            "membres de droit dispose de la majorité des voix dans toute assemblée (55 % des voix, les autres collèges "
            "se partageant les 45 % restants) ;", "Chaque membre y dispose d'une voix, quel que soit son collège ;",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:131:17 : titres[4].articles[1].clause : les statuts ont un "
        "collège des membres de droit, mais l'article des voix ne dit pas comment ils gardent la majorité des "
        "voix : une voix par membre quel que soit son collège laisserait les autres collèges décider sans eux ; "
        "pondérez les voix par collège (le collège des membres de droit disposant de la majorité des voix), ou "
        "exigez la majorité dans leur collège"),
    "seat-moved-in-the-data-only": (
        V2, '    code_postal: "51100"\n    ville: Reims', '    code_postal: "51000"\n    ville: Châlons-en-Champagne',
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:60:16 : titres[1].articles[4].texte : l'article du siège ne "
        "fixe pas le siège des données (association.siege : 51000 Châlons-en-Champagne) : son texte ne dit ni "
        "« 51000 » ni « Châlons-en-Champagne » ; les deux doivent dire le même lieu"),
    "no-vote-per-member": (
        V2, "Chaque membre y dispose d'une voix ; les voix sont pondérées par collège, de sorte que le collège des "
            "membres de droit dispose de la majorité des voix dans toute assemblée (55 % des voix, les autres collèges "
            "se partageant les 45 % restants) ; un membre personne morale l'exprime",
        "Les voix sont pondérées par collège, de sorte que le collège des membres de droit dispose de la majorité des "
        "voix dans toute assemblée (55 % des voix, les autres collèges se partageant les 45 % restants) ; un membre "
        "personne morale l'exprime",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:131:17 : titres[4].articles[1].clause : l'article 11 couvre "
        "la clause « Voix des membres, quorum et majorité » (voix-et-quorum) mais ne dit pas « une voix » (si elle ne "
        "vaut pas pour cette association, retirez-la ou changez-la dans data/statuts/clauses-attendues.yaml:26:5)"),
    "date-of-birth": (
        V2, "      nom: Lefèvre\n", "      nom: Lefèvre, né le 3 mars 1970\n",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:23:21 : signature.signataires[2].nom : une date de "
        "naissance n'a pas sa place dans les statuts (ni dans aucun document publié)"),
    "version-number-of-another-file": (
        V2, "  numero: 2", "  numero: 3",
        "data/statuts/dsr-chirurgie-pediatrique/v2.yaml:13:11 : version.numero : le fichier v2.yaml porte la "
        "version 3"),
}


@pytest.mark.parametrize("case", CASES)
def test_located_errors(tmp_path: Path, edit: Edit, case: str) -> None:
    project = copy_project(tmp_path / "projet")
    file, old, new, expected = CASES[case]
    edit(project / file, old, new)
    result = run(project, "build", "statuts")
    assert result.exit_code == 1
    assert f"  {expected}" in result.output.splitlines(), result.output
    assert not (project / "out").exists()


def test_local_law_wording_and_signatories(tmp_path: Path, edit: Edit) -> None:
    """A seat in Strasbourg under local law: the 1901 wording is refused, seven signatories needed."""
    project = copy_project(tmp_path / "projet")
    edit(project / V2, '    code_postal: "51100"\n    ville: Reims',
         '    code_postal: "67000"\n    ville: Strasbourg')
    edit(project / V2, "regime: loi-1901", "regime: droit-local")
    result = run(project, "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("  data/statuts/dsr-chirurgie-pediatrique/v2.yaml:34:94 : titres[1].articles[1].texte : formule "
            "« loi du 1er juillet 1901 » du régime loi-1901 dans des statuts du régime droit-local : les deux "
            "régimes ne se mélangent pas") in lines
    assert ("  data/statuts/dsr-chirurgie-pediatrique/v2.yaml:19:5 : signature.signataires : 2 signataire(s) ; "
            "le régime droit-local en exige au moins 7") in lines
    assert any("aucun article ne porte la formule du régime droit-local" in line for line in lines)
    assert any(line.startswith("  data/statuts/dsr-chirurgie-pediatrique/v2.yaml:183:165 : titres[5].articles[2]")
               for line in lines), "the dissolution article cites the 1901 law too"


def yaml_article_diff(old: Path, new: Path) -> set[str]:
    """What differs between two drafts, read from the YAML alone: articles added, removed, whose
    title label, heading, text or clause changed."""
    def articles(path: Path) -> dict[str, tuple[str, dict[str, str]]]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {a["id"]: (t["id"], a) for t in data["titres"] for a in t["articles"]}
    a, b = articles(old), articles(new)
    return {label for label in a.keys() | b.keys() if a.get(label) != b.get(label)}


def yaml_renumbered_citations(old: Path, new: Path) -> set[str]:
    """Articles of the same text in both drafts that cite ([[id]]) an article whose number changed:
    their printed text differs."""
    def numbers(path: Path) -> tuple[dict[str, int], dict[str, str]]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ordered = [a for t in data["titres"] for a in t["articles"]]
        return {a["id"]: n for n, a in enumerate(ordered, 1)}, {a["id"]: a["texte"] for a in ordered}
    (old_numbers, old_texts), (new_numbers, new_texts) = numbers(old), numbers(new)
    cited = {label: set(re.findall(r"\[\[([^\]]+)\]\]", text)) for label, text in new_texts.items()}
    return {label for label, text in new_texts.items() if old_texts.get(label) == text and any(
        old_numbers.get(target) != new_numbers.get(target) for ids in cited[label] for target in ids.split("|"))}


def test_comparison_lists_exactly_the_articles_that_differ(statutes: Path) -> None:
    import docx
    summary = docx.Document(str(statutes / OUT / "comparaison-v1-v2.docx")).tables[0]
    rows = [[cell.text for cell in row.cells] for row in summary.rows[1:]]
    data = {a["intitule"].replace("'", "’"): a["id"]
            for version in ("v1", "v2") for t in yaml.safe_load((REPO / DRAFTS / f"{version}.yaml").read_text(
                encoding="utf-8"))["titres"] for a in t["articles"]}
    listed = {data[row[2]] for row in rows}
    assert yaml_article_diff(REPO / V1, REPO / V2) == {
        "moyens", "siege", "composition", "admission", "cotisations", "radiation", "ressources", "exercice",
        "assemblee-ordinaire", "assemblee-extraordinaire", "conseil", "bureau", "reglement", "dissolution", "comptes"}
    # an article whose text is the same but cites an article that changed number changed too (none in
    # the example: tests/test_redline.py has one)
    assert listed == yaml_article_diff(REPO / V1, REPO / V2) | yaml_renumbered_citations(REPO / V1, REPO / V2)
    assert ["15", "16", "Règlement intérieur", "déplacé, renuméroté"] in rows
    assert ["—", "10", "Exercice social et comptabilité", "supprimé"] in rows


def test_comparison_marks_insertions_and_deletions(statutes: Path) -> None:
    with zipfile.ZipFile(statutes / OUT / "comparaison-v1-v2.docx") as package:
        body = package.read("word/document.xml").decode()
    assert re.search(r'<w:del w:id="\d+" w:author="Comité de rédaction" w:date="2026-06-03T12:00:00Z"><w:r>'
                     r"(<w:rPr/>)?<w:delText[^>]*>quinze</w:delText>", body)
    assert re.search(r"<w:ins [^>]*><w:r>(<w:rPr/>)?<w:t[^>]*>vingt et un</w:t>", body)
    pdf = "".join(pdf_pages(statutes / OUT / "comparaison-v1-v2.pdf"))
    assert "(nouvel article)" in pdf and "(article supprimé)" in pdf and "(ancien article 5)" in pdf


def test_compare_chosen_versions_and_a_git_revision(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    assert run(project, "build", "statuts", "--comparer", "v2..v1").exit_code == 0
    assert (project / OUT / "comparaison-v2-v1.pdf").exists()
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.fr"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "v2"], check=True)
    edit(project / V2, "L'association est constituée pour une durée illimitée.",
         "L'association est constituée pour une durée de quatre-vingt-dix-neuf ans.")
    result = run(project, "build", "statuts", "--comparer", "git:HEAD")
    assert result.exit_code == 0, result.output
    compared = docx_paragraphs(project / OUT / "comparaison-git-HEAD-v2.docx")
    assert "L’association est constituée pour une durée illimitéede quatre-vingt-dix-neuf ans." in compared
    bad = run(project, "build", "statuts", "--comparer", "git:nulle-part")
    assert bad.exit_code == 1 and "révision git « nulle-part »" in bad.output
    assert run(project, "build", "letters", "--comparer", "v1").exit_code == 2


def test_statutes_are_reproducible(tmp_path: Path, engine: str) -> None:
    first, second = (use_engine(copy_project(tmp_path / name), engine) for name in "ab")
    for project in (first, second):
        assert run(project, "build", "statuts").exit_code == 0
    for path in (first / OUT).iterdir():
        assert path.read_bytes() == (second / OUT / path.name).read_bytes(), path.name


# --- clauses the law ties to the association's situation --------------------------------------------

CPOM = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"


def test_an_auditor_clause_is_required_above_153000_euros_of_public_subsidy_a_year(tmp_path: Path,
                                                                                   edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    for draft in (V1, V2):
        edit(project / draft, "        clause: commissaire-aux-comptes\n", "")
    result = run(project, "check")
    assert result.exit_code == 1
    assert ("  data/statuts/dsr-chirurgie-pediatrique/v2.yaml:26:1 : titres : clause attendue absente : « Comptes "
            "annuels et commissaire aux comptes (code de commerce, art. L. 612-4 ; seuil de l'art. D. 612-5) » "
            "(commissaire-aux-comptes) : le "
            "CPOM data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml verse à l'association 255\u202f000\u00a0€ en "
            "2027, plus de 153\u202f000\u00a0€ de subventions publiques dans l'année ; aucun article n'a "
            "« clause: commissaire-aux-comptes »") in result.output.splitlines()
    # Read across families: with at most 153 000 € a year from the CPOM, no auditor is required.
    edit(project / CPOM, "{2027: 185000, 2028: 190000, 2029: 195000, 2030: 195000}",
         "{2027: 80000, 2028: 90000, 2029: 95000, 2030: 95000}")
    edit(project / CPOM, "total_par_annee: {2027: 255000, 2028: 230000, 2029: 210000, 2030: 210000}",
         "total_par_annee: {2027: 150000, 2028: 130000, 2029: 110000, 2030: 110000}")
    edit(project / CPOM, "total_general: 905000", "total_general: 500000")
    edit(project / CPOM, "      total: 765000\n", "      total: 360000\n")
    result = run(project, "check")
    assert result.exit_code == 0, result.output


def test_a_devolution_clause_and_the_republican_commitment_are_required(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    edit(project / V2, "        clause: [dissolution, devolution]\n", "        clause: dissolution\n")
    edit(project / V2, "        clause: engagement-republicain\n", "")
    result = run(project, "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("  data/statuts/dsr-chirurgie-pediatrique/v2.yaml:26:1 : titres : clause attendue absente : « Dévolution "
            "de l'actif net (à un organisme de but similaire ; jamais réparti entre les membres) » (devolution) ; "
            "aucun article n'a "
            "« clause: devolution » (si elle ne vaut pas pour cette association, retirez-la ou changez-la dans "
            "data/statuts/clauses-attendues.yaml:44:5)") in lines
    assert any("(engagement-republicain) : le CPOM data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml verse à "
               "l'association 255\u202f000\u00a0€ en 2027, des subventions publiques" in line for line in lines)


def test_an_article_citing_itself_is_a_located_warning(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    edit(project / V2, "          L'association est constituée pour une durée illimitée.",
         "          L'association est constituée pour une durée illimitée, sous réserve de l'[[duree]].")
    result = run(project, "check")
    assert result.exit_code == 0, result.output
    assert "Attention : data/statuts/dsr-chirurgie-pediatrique/v2.yaml:69:84 : titres[1].articles[5].texte : " \
           "l'article « duree » se cite lui-même" in result.output


LEGAL_REFERENCE = re.compile(r"\b(?:[LRD]|art)\.\s\d[\d-]*")


def test_legal_references_are_never_cut_at_a_line_end(statutes: Path) -> None:
    """« article L. » at a line's end and « 612-4 » on the next is what a lawyer cannot read: the
    reference is bound in every format (no-break space), and no line of either engine's PDF ends
    with the letter of one."""
    from helpers.readback import pdf_lines

    found = 0
    for path in (statutes / OUT).glob("statuts-v*.pdf"):
        for page in pdf_lines(path):
            for line in page:
                assert line[-1].text not in ("L.", "R.", "D.", "art."), (path.name, " ".join(w.text for w in line))
                assert not re.fullmatch(r"\d[\d-]*-?", line[0].text) or not any(
                    previous and previous[-1].text in ("L.", "R.", "D.") for previous in page), path.name
                found += sum(1 for word in line if word.text in ("L.", "R.", "D."))
    assert found >= 3  # the example cites L. 612-4, R. 6123-202 and D. 6327-6
    for suffix in ("docx", "html"):
        files = list((statutes / OUT).glob(f"statuts-v*.{suffix}"))
        text = " ".join("\n".join(docx_paragraphs(path)) if suffix == "docx"
                        else re.sub(r"<[^>]+>", "", path.read_text("utf-8")) for path in files)
        references = LEGAL_REFERENCE.findall(text)
        assert references and all("\u00a0" in reference for reference in references), (suffix, references)


def _signatory_rows(pdf: Path) -> float:
    """The distance between the two signatories' rows of the statutes, in millimetres, as read
    from the page (the top of each name)."""
    from helpers.readback import pdf_lines

    pages = pdf_lines(pdf)
    tops = {word.text: word.top for page in pages for line in page for word in line
            if word.text in ("POIRIER", "LEFÈVRE")}
    # the place and date, and every signatory, on one page
    found = {word.text: number for number, page in enumerate(pages) for line in page for word in line
             if word.text in ("Fait", "POIRIER", "LEFÈVRE")}
    assert len(found) == 3 and len(set(found.values())) == 1, found
    return tops["LEFÈVRE"] - tops["POIRIER"]


def test_each_signatory_has_room_to_sign(statutes: Path, tmp_path: Path) -> None:
    """At least 15 mm per signatory, all on the page of « Fait à … »: in the PDF of each engine, and
    in the Word file as LibreOffice lays it out (they were 5 to 6 mm apart in Word and Typst, and
    LibreOffice put the second signatory on the next page once the statutes grew)."""
    assert _signatory_rows(statutes / OUT / "statuts-v2.pdf") >= 15
    laid_out = libreoffice_to_pdf([statutes / OUT / "statuts-v2.docx"], tmp_path)
    assert _signatory_rows(laid_out / "statuts-v2.pdf") >= 15


@pytest.mark.parametrize("said", ["Chaque membre y dispose d'une seule voix", "Chaque membre y a une et une seule voix",
                                  "Chaque membre y dispose d'UNE VOIX"])
def test_an_expected_clause_is_matched_on_its_meaning(tmp_path: Path, edit: Edit, said: str) -> None:
    """« une voix » is said by « une seule voix » (words in order, at most two between them), not by
    « voix consultative » alone."""
    project = copy_project(tmp_path / "projet")
    edit(project / V2, "Chaque membre y dispose d'une voix ;", said + " ;")
    result = run(project, "check")
    assert result.exit_code == 0, result.output


def test_a_formulation_too_far_from_the_expected_words_is_refused(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    edit(project / V2, "Chaque membre y dispose d'une voix ;", "Chaque membre y dispose d'une part de la voix ;")
    result = run(project, "check")
    assert result.exit_code == 1
    assert "ne dit pas « une voix »" in result.output


def test_a_hand_typed_article_number_is_a_located_warning(tmp_path: Path, edit: Edit) -> None:
    """« article 10 » typed by hand (not « l'article 10-1 de la loi… », another text's article) is
    warned at its place, with the reference that follows the numbering."""
    project = copy_project(tmp_path / "projet")
    edit(project / V2, "          L'association est constituée pour une durée illimitée.",
         "          L'association est constituée pour une durée illimitée, sauf dissolution (article 19).")
    result = run(project, "check")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "écrit à la main" in line]
    assert warnings == [
        "Attention : data/statuts/dsr-chirurgie-pediatrique/v2.yaml:69:84 : titres[1].articles[5].texte : "
        "« article 19 » écrit à la main : la numérotation le rendra faux dès qu'un article sera ajouté ou retiré "
        "avant lui ; écrivez [[engagement-republicain]]"], result.output


def test_a_version_dated_before_the_one_it_follows_is_warned(tmp_path: Path, edit: Edit) -> None:
    project = copy_project(tmp_path / "projet")
    v1 = yaml.safe_load((project / V2.replace("v2", "v1")).read_text(encoding="utf-8"))["version"]["date"]
    v2 = yaml.safe_load((project / V2).read_text(encoding="utf-8"))["version"]["date"]
    edit(project / V2, f"  date: {v2}", f"  date: {v1.replace(day=v1.day - 1)}")
    result = run(project, "check")
    assert result.exit_code == 0, result.output
    assert any(line.startswith("Attention : data/statuts/dsr-chirurgie-pediatrique/v2.yaml:14:9 : version.date : "
                               "la version 2 est datée du ") and "avant la version 1" in line
               for line in result.output.splitlines()), result.output
