"""Every file of templates/ removed, emptied or damaged: `check` refuses it, in French, naming a
file, without a traceback — so that `build` never starts on a project it cannot finish. (Before,
44 of these 108 cases passed `check`: 20 then failed in `build`, 24 built documents without the
emptied part or without their layout; 8 more stopped `check` itself on a traceback.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.project import REPO, copy_project, run, use_engine

pytestmark = pytest.mark.slow  # end to end: `check` through the CLI (see docs/contribuer/tests.md)

FILES = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "templates").rglob("*")
               if path.is_file() and not path.name.startswith("LICENCE"))
DAMAGED = b"{% if %}\x00\xff\xfe abim\xe9 {{"


@pytest.mark.parametrize("mode", ["supprimé", "vidé", "abîmé"])
@pytest.mark.parametrize("name", FILES)
def test_a_broken_template_file_never_passes_check(tmp_path: Path, name: str, mode: str) -> None:
    project = copy_project(tmp_path / "projet", "petit")
    if name.endswith(".typ"):  # the Typst shells lay out the PDFs with `moteur_pdf: typst`
        use_engine(project, "typst")
    path = project / name
    if mode == "supprimé":
        path.unlink()
    else:
        path.write_bytes(b"" if mode == "vidé" else DAMAGED)
    result = run(project, "check")
    assert result.exit_code == 1, f"{name} {mode}: {result.output}"
    assert result.output.startswith("Erreur : ") and "Traceback" not in result.output
    assert "templates/" in result.output or "arsdocs.yaml" in result.output, result.output
