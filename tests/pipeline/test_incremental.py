"""The incremental build: what is up to date is skipped, what changed is rebuilt, what no longer
exists is removed, `--verifier` finds an output that is not what the data produce, and the number of
worker processes does not change a byte."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.project import copy_project, run

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

LETTERS = "out/letters/lancement-dsr"
RECIPIENT = f"{LETTERS}/chu-reims--camille-roth"
KIT = {f"{LETTERS}/impression.pdf", f"{LETTERS}/manifeste.csv", f"{LETTERS}/manifeste.json"}


def stamps(project: Path) -> dict[str, int]:
    """Every output (not the build's records) and the time it was last written, in nanoseconds."""
    out = project / "out"
    return {path.relative_to(project).as_posix(): path.stat().st_mtime_ns
            for path in out.rglob("*") if path.is_file() and ".arsdocs" not in path.parts}


def rewritten(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, stamp in after.items() if before.get(name) != stamp}


def build(project: Path, *args: str) -> str:
    """The build's report (its standard output: the example's stand-ins are warned of on the other)."""
    result = run(project, "build", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def built(small_project: Path) -> Path:
    build(small_project, "letters", "--jobs", "1")
    return small_project


def test_a_second_build_writes_nothing(built: Path) -> None:
    before = stamps(built)
    assert len(before) == 3 * 4 + 2 * 3 + 4 + 1  # letters (docx, pdf, html, eml), two forms, invitation, print,
    # manifest, index
    output = build(built, "letters", "--jobs", "1")
    assert output == ("courriers : 0 construit(s), 8 inchangé(s), 0 fichier(s) supprimé(s) ; "
                      "0 fichier(s) écrit(s) dans out/letters\n")
    assert stamps(built) == before


def test_changing_one_recipient_rebuilds_their_files_the_print_file_and_the_manifest(
        built: Path, edit: Callable[[Path, str, str], None]) -> None:
    before = stamps(built)
    edit(built / "data/recipients.yaml", "email: camille.roth@example.fr", "email: c.roth@example.fr")
    output = build(built, "letters", "--jobs", "1")
    assert rewritten(before, stamps(built)) == {f"{RECIPIENT}.{kind}" for kind in ("docx", "pdf", "html", "eml")} | KIT
    assert output.startswith("courriers : 3 construit(s), 5 inchangé(s), 0 fichier(s) supprimé(s) ; 7 fichier(s)")
    assert "c.roth@example.fr" in (built / f"{LETTERS}/manifeste.csv").read_text(encoding="utf-8-sig")


def test_deleting_a_recipient_removes_their_files(built: Path, edit: Callable[[Path, str, str], None]) -> None:
    edit(built / "data/recipients.yaml", """      - prenom: Camille
        nom: Roth
        fonction: chef_service
        service: Chirurgie pédiatrique
        email: camille.roth@example.fr
""", "")
    output = build(built, "letters", "--jobs", "1")
    assert "4 fichier(s) supprimé(s)" in output
    remaining = set(stamps(built))
    assert not {name for name in remaining if "camille-roth" in name}
    assert {f"{LETTERS}/chu-reims--claire-martin.pdf", f"{LETTERS}/ch-troyes--pierre-royer.pdf"} <= remaining
    assert "Roth" not in (built / f"{LETTERS}/manifeste.csv").read_text(encoding="utf-8-sig")
    assert "chu-reims--claire-martin.html" in (index := (built / "out/index.html").read_text()) and "roth" not in index


def test_an_output_edited_or_deleted_by_hand_is_rebuilt(built: Path) -> None:
    pdf = built / f"{RECIPIENT}.pdf"
    original = pdf.read_bytes()
    pdf.write_bytes(original + b"% touched\n")
    (built / f"{RECIPIENT}.docx").unlink()
    output = build(built, "letters", "--jobs", "1")
    assert output.startswith("courriers : 1 construit(s), 7 inchangé(s)")
    assert pdf.read_bytes() == original and (built / f"{RECIPIENT}.docx").is_file()


def test_force_rebuilds_everything(built: Path) -> None:
    before = stamps(built)
    output = build(built, "letters", "--jobs", "1", "--force")
    assert output.startswith("courriers : 8 construit(s), 0 inchangé(s)")
    assert rewritten(before, stamps(built)) == set(before) - {"out/index.html"}  # the same index: not rewritten


def test_changing_a_template_rebuilds_its_family_only(small_project: Path,
                                                       edit: Callable[[Path, str, str], None]) -> None:
    build(small_project, "all")
    before = stamps(small_project)
    edit(small_project / "templates/cpom/entete.md", "Annexe", "ANNEXE")
    output = build(small_project, "all")
    changed = rewritten(before, stamps(small_project))
    assert changed and all(name.startswith("out/cpom/") for name in changed)
    assert len(changed) == 15
    lines = output.splitlines()
    assert [line.split(" : ")[0] for line in lines] == ["courriers", "relances", "statuts", "annexes de CPOM"]
    assert all(" 0 construit(s)" in line for line in lines[:3]) and "5 construit(s)" in lines[3]


def test_an_error_in_one_family_writes_nothing_in_any(small_project: Path) -> None:
    """A template error is found while the letters are made, after the other families are planned:
    nothing of any family is put in place, and no temporary file is left behind."""
    signature = small_project / "templates/letters/signature.md"
    signature.write_text(signature.read_text(encoding="utf-8") + "\n{{ inconnue }}\n", encoding="utf-8")
    result = run(small_project, "build", "all", "--jobs", "2")
    assert result.exit_code == 1
    assert "templates/letters/signature.md" in result.output and "inconnue" in result.output
    files = [path for path in (small_project / "out").rglob("*") if path.is_file()] \
        if (small_project / "out").exists() else []
    assert files == []


def test_verifier_passes_on_a_fresh_build_and_names_what_differs(built: Path) -> None:
    result = run(built, "build", "letters", "--verifier", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Vérification réussie" in result.output
    pdf = built / f"{RECIPIENT}.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"% edited by hand\n")
    (built / f"{LETTERS}/manifeste.json").unlink()
    (built / f"{LETTERS}/notes.txt").write_text("à ne pas publier", encoding="utf-8")
    before = stamps(built)
    result = run(built, "build", "letters", "--verifier", "--jobs", "1")
    assert result.exit_code == 1
    assert f"différent : {RECIPIENT}.pdf" in result.output
    assert f"manquant : {LETTERS}/manifeste.json" in result.output
    assert f"en trop : {LETTERS}/notes.txt" in result.output
    assert "3 fichier(s) de out/" in result.output
    assert stamps(built) == before, "--verifier writes nothing in out/"


def test_one_or_two_workers_give_the_same_bytes(tmp_path: Path) -> None:
    one = copy_project(tmp_path / "un", "petit")
    two = copy_project(tmp_path / "deux", "petit")
    build(one, "all", "--jobs", "1")
    build(two, "all", "--jobs", "2")
    names = sorted(stamps(one))
    assert names == sorted(stamps(two)) and len(names) > 40
    different = [name for name in names if (one / name).read_bytes() != (two / name).read_bytes()]
    assert different == []


def test_leftovers_of_an_interrupted_build_are_removed(built: Path) -> None:
    leftover = built / LETTERS / ".chu-reims--camille-roth.pdf.k3j2.arsdocs-tmp"
    leftover.write_bytes(b"%PDF-1.7 half")
    build(built, "letters", "--jobs", "1")
    assert not leftover.exists()


def test_the_build_record_may_be_deleted(built: Path) -> None:
    shutil.rmtree(built / "out" / ".arsdocs")
    output = build(built, "letters", "--jobs", "1")
    assert output.startswith("courriers : 8 construit(s)")
