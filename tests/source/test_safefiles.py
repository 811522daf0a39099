"""Unit tests of the edges (issue 26), in process and fast: what is read is of the right kind, bounded
and inside its folder; the preview's request paths and hosts; git revisions; YAML nesting and
control characters. The end-to-end tests are in test_edges.py and test_edges_imports.py."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from ars_docs.base.state import BuildState, remove_output
from ars_docs.pipeline.preview import _request_path
from ars_docs.source.errors import ArsDocsError, InvalidInput
from ars_docs.source.safefiles import Staging, UnsafeFile, confined_relative, read_bounded, tree_problems, zip_problem
from ars_docs.source.yamlsource import MAX_DEPTH, load_yaml_at_revision, parse_yaml


def test_read_bounded_reads_an_ordinary_file_and_refuses_the_others(tmp_path: Path) -> None:
    plain = tmp_path / "a.yaml"
    plain.write_bytes(b"x: 1\n")
    assert read_bounded(plain, 10) == b"x: 1\n"
    with pytest.raises(UnsafeFile, match="fichier trop volumineux"):
        read_bounded(plain, 3)
    fifo = tmp_path / "tube.yaml"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeFile, match="c'est un tube nommé"):
        read_bounded(fifo, 10)  # returns at once: no writer is waited for
    with pytest.raises(UnsafeFile, match="c'est un dossier"):
        read_bounded(tmp_path, 10)
    device = tmp_path / "zero.yaml"
    device.symlink_to("/dev/zero")
    with pytest.raises(UnsafeFile, match="c'est un périphérique"):
        read_bounded(device, 10)
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "absent.yaml", 10)


@pytest.mark.parametrize(("name", "expected"), [
    ("letters/a/b.pdf", "letters/a/b.pdf"), ("letters/../data/x", None), ("../data/x", None), ("/etc/passwd", None),
    ("letters", None), ("letters//b", None), ("letters/./b", None), ("statuts/b.pdf", None),
    ("letters/a\\..\\b", None), ("letters/a\x00b", None), (3, None), ("", None)])
def test_a_record_may_name_only_a_plain_path_under_its_family(name: object, expected: str | None) -> None:
    assert confined_relative(name, "letters") == expected


def test_a_record_that_names_outside_its_folder_is_not_used_and_removes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".arsdocs").mkdir(parents=True)
    victim = tmp_path / "data.yaml"
    victim.write_text("précieux", encoding="utf-8")
    record = {"format": 1, "elements": {"a": {"empreinte": "x", "fichiers": {
        "letters/../../data.yaml": {"sha256": "0", "size": 1, "mtime_ns": 1, "signed": False}}}}}
    (out / ".arsdocs/letters.json").write_text(json.dumps(record), encoding="utf-8")
    state = BuildState(out, "letters")
    assert state.items == {} and state.damage_message and "hors de out/letters/" in state.damage_message
    assert not remove_output(out, "letters/../../data.yaml")
    (out / "letters").mkdir()
    (out / "letters/lien").symlink_to(tmp_path)
    assert not remove_output(out, "letters/lien/data.yaml"), "a link inside out/ does not lead out"
    assert victim.read_text(encoding="utf-8") == "précieux"


def test_the_staging_swap_replaces_a_family_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "letters/a").mkdir(parents=True)
    (out / "letters/a/ancien.pdf").write_bytes(b"ancien")
    (out / "letters/garde.pdf").write_bytes(b"garde")
    staging = Staging(out)
    staging.reset()
    staged = staging.prepare("letters")
    assert (staged / "garde.pdf").stat().st_ino == (out / "letters/garde.pdf").stat().st_ino, "hard-linked"
    (staged / "a/ancien.pdf").unlink()
    (staged / "a/nouveau.pdf").write_bytes(b"nouveau")
    assert sorted(p.name for p in (out / "letters").rglob("*.pdf")) == ["ancien.pdf", "garde.pdf"], "untouched"
    staging.swap("letters")
    staging.discard()
    assert sorted(p.name for p in (out / "letters").rglob("*.pdf")) == ["garde.pdf", "nouveau.pdf"]
    assert not (out / ".arsdocs-construction").exists()


def test_a_swap_interrupted_between_its_two_renames_is_undone_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    aside = out / ".arsdocs-construction/.ancien-letters"
    aside.mkdir(parents=True)
    (aside / "lettre.pdf").write_bytes(b"ancienne")
    Staging(out).reset()  # out/letters is missing: what was set aside is put back
    assert (out / "letters/lettre.pdf").read_bytes() == b"ancienne"
    assert not (out / ".arsdocs-construction").exists()


def test_tree_problems_name_links_out_of_the_project_and_special_files(tmp_path: Path) -> None:
    project = tmp_path / "projet"
    (project / "templates/letters").mkdir(parents=True)
    (project / "data").mkdir()
    (tmp_path / "dehors.css").write_text("p {}", encoding="utf-8")
    (project / "templates/letters/lettre.css").symlink_to(tmp_path / "dehors.css")
    (project / "templates/letters/interne.css").symlink_to(project / "templates/letters")
    (project / "templates/letters/casse.md").symlink_to(project / "absent.md")
    os.mkfifo(project / "data/membres.yaml")
    found = {str(problem.location): problem.message for problem in tree_problems(project, ("data", "templates"))}
    assert found.keys() == {"templates/letters/lettre.css", "templates/letters/casse.md", "data/membres.yaml"}
    assert found["templates/letters/lettre.css"].startswith("lien symbolique qui mène hors du projet")
    assert found["data/membres.yaml"].startswith("c'est un tube nommé (FIFO)")


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def test_zip_problem_bounds_parts_before_they_are_unpacked() -> None:
    assert zip_problem(_zip({"a.xml": b"<a/>"}), max_part=10, max_total=20) is None
    assert "une partie de 1 Mio" in (zip_problem(_zip({"a.xml": b" " * 2**20}), max_part=10, max_total=2**21) or "")
    assert "au plus 0 Mio" in (zip_problem(_zip({"a": b"x" * 8, "b": b"x" * 8}), max_part=10, max_total=10) or "")
    assert "3 parties" in (zip_problem(_zip({"a": b"", "b": b"", "c": b""}), max_part=10, max_total=10,
                                       max_parts=2) or "")
    assert (zip_problem(b"PK\x03\x04 abime", max_part=10, max_total=10) or "").startswith("fichier abîmé")
    # a directory entry that claims a zip version zipfile does not read (found by the fuzzing of returned forms)
    data = bytearray(_zip({"a.xml": b"<a/>"}))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6:entry + 8] = (64).to_bytes(2, "little")
    assert (zip_problem(bytes(data), max_part=10, max_total=10) or "").startswith("fichier abîmé")


@pytest.mark.parametrize(("target", "expected"), [
    ("/", "/"), ("/letters/a%20b.pdf?x=1", "/letters/a b.pdf"), ("/%C3%A9t%C3%A9.html", "/été.html"),
    ("/%ff%fe", None), ("/a%00b", None), ("/a%0ab", None), ("x", None), ("*", None), ("/" + "a" * 5000, None),
    ("/a%5c..%5cb", None)])
def test_the_preview_decodes_request_paths_strictly(target: str, expected: str | None) -> None:
    assert _request_path(target) == expected


@pytest.mark.parametrize("revision", ["--output=/tmp/x", "-p", "HEAD --x", "HEAD:../../etc", "a..b", "", "a\nb",
                                      "x" * 300])
def test_a_git_revision_that_could_be_an_option_is_refused_before_git_runs(tmp_path: Path, revision: str) -> None:
    with pytest.raises(ArsDocsError, match="révision git refusée"):
        load_yaml_at_revision(tmp_path, "data/x.yaml", revision)


def test_yaml_nesting_is_bounded_and_control_characters_are_located() -> None:
    deep = b"a: " + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"\n"
    with pytest.raises(InvalidInput, match="valeurs imbriquées trop profondément"):
        parse_yaml(b"x: 1\n" + deep, "d.yaml")
    very_deep = b"a: " + b"[" * 100_000 + b"]" * 100_000  # composed, it crashed the interpreter (C stack)
    with pytest.raises(InvalidInput):
        parse_yaml(very_deep, "d.yaml")
    parse_yaml(b"a: " + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"\n", "d.yaml")
    with pytest.raises(InvalidInput) as raised:
        parse_yaml("x: 1\ny: « é »\nz: deux\x00trois\n".encode(), "d.yaml")
    assert str(raised.value.problems[0]) == ("d.yaml:3:8 : caractère de contrôle U+0000 (NUL) interdit : retirez-le "
                                             "(il vient souvent d'un copier-coller)")
