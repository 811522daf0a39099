"""The Python API (`import ars_docs`): the example of docs/utilisation.md runs as written, in a copy of the
example; results and problems come back as objects, and nothing is printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import ars_docs
from helpers.project import REPO, copy_project

pytestmark = pytest.mark.slow  # builds the contract annexes (see docs/contribuer/tests.md)


def _readme_example() -> str:
    readme = (REPO / "docs" / "utilisation.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- exemple exécuté par tests/test_api.py -->\n```python\n(.*?)```", readme, re.S)
    assert found, "the Python example of docs/utilisation.md"
    return found.group(1)


def test_the_readmes_example_runs_as_written(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "projet")
    result = subprocess.run([sys.executable, "-c", _readme_example()], cwd=project, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "{'letters': 52, 'relances': 52, 'statuts': 3, 'cpom': 5}"
    assert lines[1].endswith("valeurs à remplacer avant l'envoi") and int(lines[1].split()[0]) > 0
    assert lines[2] == "cpom 5 out/cpom"
    assert (project / "out/cpom").is_dir()
    assert result.stderr == "", "nothing printed but what the example prints"


def test_problems_come_back_located_and_nothing_is_printed(small_project: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    recipients = small_project / "data/recipients.yaml"
    recipients.write_text(recipients.read_text(encoding="utf-8").replace("email: claire.martin@example.fr",
                                                                        "email: claire.martin@"), encoding="utf-8")
    project = ars_docs.open_project(small_project)
    checked = ars_docs.check(project)
    assert not checked.ok and not checked.ready
    (problem,) = [problem for problem in checked.problems if "claire.martin@" in problem.message]
    assert (problem.location.file, problem.location.line, problem.field) == (
        "data/recipients.yaml", 14, "etablissements[1].destinataires[1].email")
    built = ars_docs.build_documents(project, "courriers")
    assert not built.ok and built.reports == () and not (small_project / "out").exists()
    assert capsys.readouterr() == ("", "")
    with pytest.raises(ars_docs.ArsDocsError, match="famille inconnue « lettres »"):
        ars_docs.build_documents(project, "lettres")
    with pytest.raises(ars_docs.ArsDocsError, match="aucun projet arsdocs"):
        ars_docs.open_project(small_project / "data")


def test_the_surface_is_typed_and_listed() -> None:
    assert set(ars_docs.__all__) >= {"open_project", "check", "build_documents", "families", "CheckResult",
                                     "BuildResult", "Problem", "ArsDocsError", "__version__"}
    assert (REPO / "src/ars_docs/py.typed").is_file(), "type checkers read the package's annotations"


def test_warnings_come_back_with_the_result(small_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A damaged build record is said (« Attention » on the command line) and the family rebuilt:
    through the API, the warning is in the result, and nothing is printed."""
    project = ars_docs.open_project(small_project)
    assert ars_docs.build_documents(project, "cpom").ok
    for record in (small_project / "out/.arsdocs").glob("cpom*"):
        record.write_text("{ abîmé", encoding="utf-8")
    rebuilt = ars_docs.build_documents(project, "cpom")
    assert rebuilt.ok and rebuilt.warnings, rebuilt
    assert "out/.arsdocs/" in str(rebuilt.warnings[0])
    assert capsys.readouterr() == ("", "")
