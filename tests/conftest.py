"""The fixtures of the tests; what they share besides fixtures is in `helpers` (tests/helpers/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.project import ENGINES, built_once, copy_project


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """Two establishments, three recipients: fast to build."""
    return copy_project(tmp_path / "projet", "petit")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each PDF engine in turn (`moteur_pdf`), for the tests that build their own project."""
    return str(request.param)


@pytest.fixture(scope="session")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with every family built (WeasyPrint, the reference). Read it, never change it."""
    return built_once(tmp_path_factory, "tout", "weasyprint")


@pytest.fixture(scope="session")
def everything_typst(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with every family built with `moteur_pdf: typst`. Read it, never change it."""
    return built_once(tmp_path_factory, "tout-typst", "typst")


@pytest.fixture(scope="session", params=ENGINES)
def built_by(request: pytest.FixtureRequest) -> Path:
    """The example project built by each PDF engine in turn."""
    return Path(request.getfixturevalue("everything" if request.param == "weasyprint" else "everything_typst"))


@pytest.fixture(scope="session")
def example_build(everything: Path) -> Path:
    """The repository's example project, its letters built (with the other families)."""
    return everything


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace one exact piece of text in a file, failing if it is not there exactly once."""
    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} not found once in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return replace

