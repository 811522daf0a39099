"""Values are escaped on every path into HTML, Markdown and Word XML; outputs depend on inputs only."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import docx
import pikepdf
import pytest

from helpers.project import copy_project, run, use_engine
from helpers.readback import docx_paragraphs, pdf_body_text, pdf_pages, squash

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
HOSTILE = "Clinique A & B <Sud> \"l'Ouest\" *gras* {{ 7*7 }} {% if %} | ^^ \\ [x](https://exemple.fr)"


def test_hostile_values_come_out_whole(small_project: Path, edit: Edit) -> None:
    quoted = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    edit(small_project / "data/recipients.yaml", "nom: Centre hospitalier de Troyes", f'nom: "{quoted}"')
    edit(small_project / "data/recipients.yaml", "nom: Royer", 'nom: "O\'Brien <b>"')
    # Too long for an address line: the address is written by hand, hostile too.
    edit(small_project / "data/recipients.yaml", "    ville: Troyes Cedex\n",
         '    ville: Troyes Cedex\n    adresse_postale: ["CLINIQUE A & B <SUD> {{ 7*7 }}", "101 avenue Anatole France",'
         ' "10003 TROYES CEDEX"]\n')
    result = run(small_project, "build", "letters")
    assert result.exit_code == 0, result.output
    stem = small_project / "out/letters/lancement-dsr/ch-troyes--pierre-o-brien-b"
    # The typography turns the apostrophe between letters into ’ and nothing else.
    expected = HOSTILE.replace("l'Ouest", "l’Ouest")
    table = docx.Document(str(stem.with_suffix(".docx"))).tables[1]
    assert table.cell(1, 0).text == expected
    body = docx_paragraphs(stem.with_suffix(".docx"))
    assert any("Monsieur Pierre O’BRIEN <B>" in text for text in body)
    assert any("CLINIQUE A & B <SUD> {{ 7*7 }}" in text for text in body)
    assert squash(expected) in squash(pdf_body_text(stem.with_suffix(".pdf")))
    assert "49" not in squash(pdf_body_text(stem.with_suffix(".pdf"))).replace("2026", "")


# Typst markup and code (moteur_pdf: typst) and Jinja: text like any other, with either engine. In
# Markdown fields without what Markdown itself reads (`<lbl>` would be inline HTML, `*…*` emphasis).
TYPST = "#set page(width: 1cm) $x^2$ @ref <lbl> // commentaire /* bloc */ {{ 7*7 }} ~ #strong[x] \\ ] } _a_"
TYPST_IN_MARKDOWN = "#set page(width: 1cm) $x^2$ @ref // commentaire {{ self }} ~ #strong[x] ] }"


def test_typst_and_jinja_markup_in_the_data_is_text_in_every_document(tmp_path: Path, edit: Edit,
                                                                      engine: str) -> None:
    project = use_engine(copy_project(tmp_path / "projet", "petit"), engine)
    edit(project / "data/recipients.yaml", "nom: Centre hospitalier de Troyes", f"nom: '{TYPST}'")
    edit(project / "data/recipients.yaml", "    ville: Troyes Cedex\n",
         '    ville: Troyes Cedex\n    adresse_postale: ["CH #SET $X$ @REF <LBL> // {{ 7*7 }}", '
         '"101 avenue Anatole France", "10003 TROYES CEDEX"]\n')
    courrier = project / "data/courriers/lancement-dsr.yaml"
    objet = next(line for line in courrier.read_text(encoding="utf-8").splitlines() if line.startswith("objet: "))
    edit(courrier, objet, f"objet: '{TYPST}'")
    edit(project / "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml", "libelle: Établissements membres du DSR",
         f"libelle: '{TYPST}'")
    draft = project / "data/statuts/dsr-chirurgie-pediatrique/v2.yaml"
    edit(draft, "intitule: Constitution et dénomination", f"intitule: '{TYPST}'")
    edit(draft, "Son sigle est « DSR-CP Grand Est ».", f"Son sigle est {TYPST_IN_MARKDOWN}.")
    result = run(project, "build", "all")
    assert result.exit_code == 0, result.output
    letter = project / "out/letters/lancement-dsr/ch-troyes--pierre-royer.pdf"
    annex = project / "out/cpom/dsr-chirurgie-pediatrique-2027-2030/annexe-3-indicateurs.pdf"
    statutes = project / "out/statuts/dsr-chirurgie-pediatrique/statuts-v2.pdf"
    for pdf, values in ((letter, [TYPST, "CH #SET $X$ @REF <LBL> // {{ 7*7 }}"]), (annex, [TYPST]),
                        (statutes, [TYPST, TYPST_IN_MARKDOWN])):
        text = squash(" ".join(pdf_pages(pdf)))
        for value in values:
            assert squash(value) in text, (pdf.name, value)
        assert "49" not in text.replace("2049", "")
        with pikepdf.open(pdf) as document:  # `#set page(width: 1cm)` was not obeyed
            assert all(abs(float(page.mediabox[2]) - 595.3) < 1 or abs(float(page.mediabox[2]) - 841.9) < 1
                       for page in document.pages)


def _outputs(project: Path) -> dict[str, bytes]:
    """The outputs, not the build's record (out/.arsdocs/), which notes when files were written."""
    folder = project / "out"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".arsdocs" not in p.relative_to(folder).parts}


def test_same_inputs_give_identical_bytes(tmp_path: Path, engine: str) -> None:
    first, second = (use_engine(copy_project(tmp_path / name, "petit"), engine) for name in "ab")
    assert run(first, "build", "letters").exit_code == 0
    time.sleep(1.1)  # a clock read anywhere (a font's date, to the second) shows in the second build
    assert run(second, "build", "letters").exit_code == 0
    assert run(second, "build", "letters").exit_code == 0  # again, over its own outputs
    outputs = _outputs(first)
    assert len(outputs) == 23  # per recipient .docx .pdf .html .eml; invitation, print file, manifests; 2 forms × 3;
    # the index
    assert outputs == _outputs(second)


def test_a_changed_input_changes_the_output(tmp_path: Path, edit: Edit) -> None:
    """The reproducibility test above could pass with outputs that ignore their data; not so."""
    first, second = copy_project(tmp_path / "a", "petit"), copy_project(tmp_path / "b", "petit")
    edit(second / "data/webinaires.yaml", 'fin: "15:30"', 'fin: "16:00"')
    run(first, "build", "letters")
    run(second, "build", "letters")
    a, b = _outputs(first), _outputs(second)
    assert a.keys() == b.keys()
    forms = {name for name in a if "/formulaires/" in name}
    assert len(forms) == 6 and all(a[name] == b[name] for name in forms), "the reply forms do not name the webinar"
    assert a["index.html"] == b["index.html"]  # it lists the documents' titles, which do not name it either
    assert all(a[name] != b[name] for name in a.keys() - forms - {"index.html"})


def test_templates_cannot_reach_outside_the_project(small_project: Path) -> None:
    css = small_project / "templates/letters/lettre.css"
    for reference, refusal in (("file:///etc/hostname", "adresse refusée"),
                               ("http://127.0.0.1:9/x.png", "adresse refusée"),
                               ("../../../../../../etc/hostname", "fichier refusé, hors des dossiers permis")):
        original = css.read_text(encoding="utf-8")
        css.write_text(original + f"\nbody {{ background: url({reference}); }}\n", encoding="utf-8")
        result = run(small_project, "build", "letters")
        css.write_text(original, encoding="utf-8")
        assert result.exit_code == 1, reference
        assert refusal in result.output, result.output
        assert not (small_project / "out" / "letters").exists() or not any((small_project / "out").rglob("*.pdf"))


def test_logo_must_be_inside_the_project(small_project: Path, edit: Edit) -> None:
    edit(small_project / "arsdocs.yaml", "logo: templates/commun/bloc-marque-provisoire.png", "logo: ../logo.png")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert "arsdocs.yaml:5:7 : logo : « ../logo.png » est hors du dossier du projet" in result.output


def test_outputs_are_ordinary_files(small_project: Path) -> None:
    """Written through a temporary file, yet readable like any file the user creates (umask 022 here)."""
    previous = os.umask(0o022)
    try:
        assert run(small_project, "build", "letters").exit_code == 0
    finally:
        os.umask(previous)
    outputs = [path for path in (small_project / "out").rglob("*") if path.is_file()]
    assert outputs and all(path.stat().st_mode & 0o777 == 0o644 for path in outputs)
    assert not list((small_project / "out").rglob("*.arsdocs-tmp")), "no temporary file left behind"
