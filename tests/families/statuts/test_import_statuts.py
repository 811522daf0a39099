"""`arsdocs import statuts`: a draft edited in Word comes back as the next version."""

from __future__ import annotations

import copy
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from helpers.project import copy_project, run

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

DRAFTS = "data/statuts/dsr-chirurgie-pediatrique"
OUT = "out/statuts/dsr-chirurgie-pediatrique"


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21: the new version's date
    project = copy_project(tmp_path / "projet")
    assert run(project, "build", "statuts").exit_code == 0
    return project


def _articles(path: Path) -> dict[str, dict[str, object]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {article["id"]: article for title in data["titres"] for article in title["articles"]}


def _heading(document: docx.document.Document, text: str):  # type: ignore[no-untyped-def]
    return next(p for p in document.paragraphs if p.style.name == "Heading 2" and p.text.startswith(text))


def _style_id(element) -> str | None:  # type: ignore[no-untyped-def]
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else str(style.get(qn("w:val")))


@pytest.mark.slow
def test_an_unedited_draft_comes_back_as_the_same_text(built: Path) -> None:
    result = run(built, "import", "statuts", str(built / OUT / "statuts-v2.docx"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["Version 3 écrite : data/statuts/dsr-chirurgie-pediatrique/v3.yaml",
                                              "Aucun article modifié par rapport à la version d'origine."]
    before, after = _articles(built / DRAFTS / "v2.yaml"), _articles(built / DRAFTS / "v3.yaml")
    assert list(before) == list(after)
    for label, article in before.items():
        assert (article["intitule"], str(article["texte"]).strip(), article.get("clause")) == (
            after[label]["intitule"], str(after[label]["texte"]).strip(), after[label].get("clause")), label
    version = yaml.safe_load((built / DRAFTS / "v3.yaml").read_text(encoding="utf-8"))["version"]
    assert version["numero"] == 3 and str(version["date"]) == "2026-09-21" and version["statut"] == "projet"


@pytest.mark.slow
def test_a_member_changes_adds_and_deletes_an_article_in_word(built: Path, tmp_path: Path) -> None:
    document = docx.Document(str(built / OUT / "statuts-v2.docx"))
    # changed: the duration
    duration = next(p for p in document.paragraphs if "durée illimitée" in p.text)
    for run_ in duration.runs:
        run_.text = run_.text.replace("illimitée", "de quatre-vingt-dix-neuf ans")
    # deleted: article 3 « Moyens d'action », heading and text, and added in its place (same number)
    heading = _heading(document, "Article 3 –")
    body = [heading._p]
    following = heading._p.getnext()
    while following is not None and _style_id(following) != "Heading2":
        body.append(following)
        following = following.getnext()
    new_heading = copy.deepcopy(heading._p)
    for mark in new_heading.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
        mark.getparent().remove(mark)
    for text in new_heading.iter(qn("w:t")):
        text.text = ""
    new_heading.findall(f".//{qn('w:t')}")[0].text = "Article 3 – Partenariats"
    paragraph = copy.deepcopy(body[1])
    for text in paragraph.iter(qn("w:t")):
        text.text = ""
    paragraph.findall(f".//{qn('w:t')}")[0].text = ("L'association peut conclure des conventions de partenariat "
                                                      "pour réaliser son objet défini à l'article 2.")
    for element in body:
        element.getparent().remove(element)
    following.addprevious(new_heading)
    following.addprevious(paragraph)
    document.add_comment(document.paragraphs[-1].runs or [document.paragraphs[-1].add_run("x")],
                         text="Vérifier le siège avec la DAJ", author="Dr Aude Jehl", initials="AJ")
    edited = tmp_path / "statuts-v2-relu.docx"
    document.save(str(edited))

    result = run(built, "import", "statuts", str(edited))
    assert result.exit_code == 0, result.output
    assert "Dr Aude Jehl : Vérifier le siège avec la DAJ" in result.output
    after = _articles(built / DRAFTS / "v3.yaml")
    assert "moyens" not in after and after["partenariats"]["texte"].strip().endswith("défini à l'[[objet]].")
    assert "collège de rattachement mentionné à l'[[composition]]." in str(after["admission"]["texte"])
    assert "dans les conditions de l'[[modification]], sous réserve du transfert du siège dans la région que " \
           "l'[[siege]] confie au conseil d'administration, et pour prononcer la dissolution de l'association dans " \
           "les conditions de l'[[dissolution]]" in str(after["assemblee-extraordinaire"]["texte"])

    result = run(built, "build", "statuts", "--comparer", "v2..v3")
    assert result.exit_code == 0, result.output
    summary = docx.Document(str(built / OUT / "comparaison-v2-v3.docx")).tables[0]
    rows = [[cell.text for cell in row.cells] for row in summary.rows[1:]]
    assert rows == [["3", "—", "Partenariats", "ajouté"], ["5", "5", "Durée", "modifié"],
                    ["—", "3", "Moyens d’action", "supprimé"]]


@pytest.mark.slow
def test_pending_tracked_changes_are_refused_unless_accepted(built: Path, tmp_path: Path) -> None:
    document = docx.Document(str(built / OUT / "statuts-v2.docx"))
    duration = next(p for p in document.paragraphs if "durée illimitée" in p.text)
    insertion = OxmlElement("w:ins")
    insertion.set(qn("w:id"), "9001")
    insertion.set(qn("w:author"), "Julien Lefèvre")
    insertion.set(qn("w:date"), "2026-09-01T10:00:00Z")
    added = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = " Elle peut être dissoute à tout moment."
    added.append(text)
    insertion.append(added)
    duration._p.append(insertion)
    edited = tmp_path / "avec-modifications.docx"
    document.save(str(edited))
    refused = run(built, "import", "statuts", str(edited))
    assert refused.exit_code == 1
    assert "contient 1 modification(s) suivie(s) en attente" in refused.output
    assert "insertion de Julien Lefèvre : « Elle peut être dissoute à tout moment. »" in refused.output
    assert not (built / DRAFTS / "v3.yaml").exists()
    accepted = run(built, "import", "statuts", str(edited), "--accepter-modifications")
    assert accepted.exit_code == 0, accepted.output
    assert "Elle peut être dissoute à tout moment." in str(_articles(built / DRAFTS / "v3.yaml")["duree"]["texte"])


def test_a_word_file_arsdocs_did_not_build_is_refused(small_project: Path, tmp_path: Path) -> None:
    other = tmp_path / "autre.docx"
    document = docx.Document()
    document.add_paragraph("Statuts de mon association")
    document.save(str(other))
    result = run(small_project, "import", "statuts", str(other))
    assert result.exit_code == 1
    assert "n'est pas un projet de statuts construit par arsdocs" in result.output and "Traceback" not in result.output
    garbage = tmp_path / "faux.docx"
    garbage.write_bytes(b"pas un zip")
    result = run(small_project, "import", "statuts", str(garbage))
    assert result.exit_code == 1 and "n'est pas un document Word (.docx) lisible" in result.output


@pytest.mark.slow
def test_a_copied_heading_brings_a_duplicate_bookmark_and_becomes_a_new_article(built: Path, tmp_path: Path) -> None:
    document = docx.Document(str(built / OUT / "statuts-v2.docx"))
    last = _heading(document, "Article 20 –")
    text = last._p.getnext()
    copied, copied_text = copy.deepcopy(last._p), copy.deepcopy(text)  # bookmarks included, as Word copies them
    for element in copied.iter(qn("w:t")):
        element.text = element.text.replace("Article 20 – Comptes annuels et commissaire aux comptes",
                                            "Article 21 – Exercice social")
    for element in copied_text.iter(qn("w:t")):
        element.text = ""
    copied_text.findall(f".//{qn('w:t')}")[0].text = "L'exercice social court du 1er janvier au 31 décembre."
    signature = next(p for p in document.paragraphs if p.style.name.startswith("ARS signature"))
    signature._p.addprevious(copied)  # after the last article
    signature._p.addprevious(copied_text)
    edited = tmp_path / "copie.docx"
    document.save(str(edited))
    result = run(built, "import", "statuts", str(edited))
    assert result.exit_code == 0, result.output
    after = _articles(built / DRAFTS / "v3.yaml")
    assert after["comptes"]["intitule"] == "Comptes annuels et commissaire aux comptes"
    assert after["exercice-social"]["texte"] == "L'exercice social court du 1er janvier au 31 décembre."
    assert "  21 (v2 : —) Exercice social : ajouté" in result.output


@pytest.mark.slow
def test_accepting_a_comparisons_changes_on_import_gives_the_newer_draft(built: Path) -> None:
    """The import's own « accept all » (paragraph marks included) on the comparison v1 → v2 reads
    as the paragraphs of v2: the same transform a member's pending changes go through."""
    from ars_docs.families.statuts.wordreading import W, _accept_all, _runs_text

    comparison = docx.Document(str(built / OUT / "comparaison-v1-v2.docx")).element.body
    _accept_all(comparison)
    accepted = [text for text in (_runs_text(p).strip() for p in comparison.iter(f"{W}p")) if text]
    newer = [text for text in (_runs_text(p).strip() for p in docx.Document(
        str(built / OUT / "statuts-v2.docx")).element.body.iter(f"{W}p")) if text]
    start = [i for i, text in enumerate(newer) if text.startswith("Titre I ")][-1]
    end = next(i for i, text in enumerate(newer) if text.startswith("Fait à"))
    first = next(i for i, text in enumerate(accepted) if text.startswith("Titre I "))
    assert accepted[first:] == newer[start:end]
    assert "<w:del " not in comparison.xml and "<w:moveFrom " not in comparison.xml
