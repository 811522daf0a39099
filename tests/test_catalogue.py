"""The catalogue of bad inputs: one folder per case under tests/catalogue/, each a change laid
over a small, fully built project (tests/roots/petit), with the message it must produce.

`cas.yaml`: `description`; `commande` (default `build all`; `{projet}` stands for the project's
folder, for a file given to an import); `remplacer` (exact text replaced,
which must be found once); `supprimer` (files removed); files under `fichiers/` copied over the
project (a file in Latin-1, with a byte-order mark…); `attendu`: lines the output must contain,
the first naming the file, and the line and column where there are some; `absent`: lines it must
not contain (a message that only follows from another one).

Each case: exit code 1, the expected French message, no traceback, and out/ unchanged to the byte.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers.project import copy_project, run

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

CATALOGUE = Path(__file__).resolve().parent / "catalogue"
CASES = sorted(path for path in CATALOGUE.iterdir() if (path / "cas.yaml").is_file())
LOCATED = re.compile(r"^(Erreur : )?.*?[\w./-]+\.(yaml|yml|md|txt|html|css|docx|typ|png|ttf|pdf|csv|xlsx)"
                     r"(:\d+(:\d+)?)? : ", re.M)


def load_case(case: Path) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load((case / "cas.yaml").read_text(encoding="utf-8"))
    return spec


def apply_case(case: Path, spec: dict[str, Any], project: Path) -> None:
    for change in spec.get("remplacer", []):
        path = project / change["fichier"]
        text = path.read_text(encoding="utf-8")
        assert text.count(change["ancien"]) == 1, f"{case.name}: text not found once in {change['fichier']}"
        path.write_text(text.replace(change["ancien"], change["nouveau"]), encoding="utf-8")
    for name in spec.get("supprimer", []):
        (project / name).unlink()
    if (case / "fichiers").is_dir():
        shutil.copytree(case / "fichiers", project, dirs_exist_ok=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("catalogue") / "projet", "petit")
    result = run(project, "build", "all", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return project


def test_the_catalogue_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_clearly_and_loses_nothing(case: Path, built_project: Path, tmp_path: Path) -> None:
    spec = load_case(case)
    project = tmp_path / "projet"
    shutil.copytree(built_project, project)
    before = snapshot(project / "out")
    apply_case(case, spec, project)
    data = snapshot(project / "data")
    command = spec.get("commande", "build all").replace("{projet}", str(project)).split()
    result = run(project, *command)  # a build in this process (helpers.project.run)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # the error first; after the list of what an import took or refused, file by file
    assert result.output.startswith("Erreur : ") or result.output.splitlines()[-1].startswith("Erreur : ")
    for line in spec["attendu"]:
        assert line in result.output, f"{case.name}:\n{result.output}"
    for line in spec.get("absent", []):
        assert line not in result.output, f"{case.name}:\n{result.output}"
    assert LOCATED.search(spec["attendu"][0]), "the first expected line names the file"
    assert snapshot(project / "out") == before, "out/ unchanged to the byte"
    assert snapshot(project / "data") == data, "data/ unchanged: a refused import writes nothing"
