"""The shape of the code: no import circle between arsdocs' modules (imports inside functions and
those for the type checker only included), no module over 400 lines, one walk of the document
tree, and families that share data through `ars_docs.directory`, never importing one another."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers.project import REPO

SOURCE = REPO / "src"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The arsdocs modules a module imports, anywhere in it: `from ars_docs.families.letters import checks` is
    `ars_docs.families.letters.checks`, not the package."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # at the top, in functions, and for the type checker alike
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ars_docs"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("ars_docs"))
    return {name for name in found if name in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in path:
                cycles.append([*path[path.index(target):], target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    graph = _graph()
    assert len(graph) > 40
    assert [" → ".join(cycle) for cycle in _cycles(graph)] == []


FAMILIES = "ars_docs.families."


def _family(module: str) -> str | None:
    return module[len(FAMILIES):].split(".")[0] if module.startswith(FAMILIES) else None


def test_no_family_imports_another_and_only_the_command_line_names_one() -> None:
    graph = _graph()
    crossings = {(name, target) for name, targets in graph.items() for target in targets
                 if _family(target) and _family(name) != _family(target)}
    # the registry finds the builders by name; only the command line imports a family's module
    # (its import commands)
    assert {(name, target) for name, target in crossings if not name.startswith("ars_docs.cli")} == set()
    assert "ars_docs.directory.recipients" in graph["ars_docs.families.letters.builder"]
    assert "ars_docs.directory.members" in graph["ars_docs.families.statuts.builder"]


def test_no_module_over_400_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    assert {name: size for name, size in sizes.items() if size > 400} == {}


def test_an_unknown_block_is_refused_alike_by_every_walk_of_the_tree() -> None:
    """HTML, Word, typography and the redline walk the tree the same way (`doctree.BlockVisitor`)."""
    import datetime
    from dataclasses import dataclass

    import pytest

    from ars_docs.tree.doctree import Document, UnknownBlock
    from ars_docs.tree.redline import mark_blocks
    from ars_docs.tree.typography import typeset_blocks
    from ars_docs.writers.docx import DocxWriter
    from ars_docs.writers.html import html_blocks

    @dataclass(frozen=True)
    class Chart:
        title: str

    block: Any = Chart("inconnu")
    shell = REPO / "templates/cpom/annexes.docx"
    walks = {
        "html": lambda: html_blocks((block,)),
        "typographie": lambda: typeset_blocks((block,)),
        "redline": lambda: mark_blocks((block,), "ins"),
        "word": lambda: DocxWriter(shell, "annexes.docx").render(
            Document("t", datetime.date(2027, 1, 1), (block,)), {}, None, 0.0),
    }
    for name, walk in walks.items():
        with pytest.raises(UnknownBlock, match="bloc de document inconnu Chart"):
            walk()
        assert name


# --- the stage order: import-linter's layers contract (pyproject.toml, [tool.importlinter]) -------

RUNNER = "ars_docs.pipeline"
BELOW_THE_RUNNER = ("ars_docs.families", "ars_docs.directory", "ars_docs.base", "ars_docs.writers",
                    "ars_docs.tree", "ars_docs.source")


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    return subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"],
                          cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)


def test_the_layers_contract_holds() -> None:
    """cli > api > pipeline > families > directory > base > writers > tree > source: no module
    imports one of a stage above its own (directly or through others), as import-linter reads them."""
    run = _lint_imports(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_the_layers_contract_fails_on_a_wrong_way_import(tmp_path: Path) -> None:
    """A copy of the source where a family imports the engine: import-linter refuses it and names
    the import, with its line."""
    shutil.copytree(SOURCE / "ars_docs", tmp_path / "src" / "ars_docs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    rules = tmp_path / "src" / "ars_docs" / "families" / "cpom" / "rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\nfrom ars_docs.pipeline import engine  # noqa\n",
                     encoding="utf-8")
    run = _lint_imports(tmp_path, tmp_path / "src")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "0 kept, 1 broken" in run.stdout
    assert "ars_docs.families is not allowed to import ars_docs.pipeline" in run.stdout
    assert "ars_docs.families.cpom.rules -> ars_docs.pipeline.engine" in run.stdout


def test_families_and_the_directory_import_nothing_from_the_package_that_runs_builds() -> None:
    """What the families share with the engine (items, registry, state of out/, atomic writing, the
    lock, the problem collector) lives below it, in `base/` and `source/`: anywhere in a module,
    in functions too."""
    graph = _graph()
    upward = {(name, target) for name, targets in graph.items() if name.startswith(BELOW_THE_RUNNER)
              for target in targets if target == RUNNER or target.startswith(RUNNER + ".")}
    assert upward == set()
    assert any(target.startswith(RUNNER) for target in graph["ars_docs.cli.commands.build"])  # the check sees imports


def test_no_source_folder_is_named_like_build_output() -> None:
    """pytest, packaging and structure tools skip folders named build/, dist/…: none in src/ or
    tests/, and pytest's configuration keeps its defaults (no `norecursedirs` to see them)."""
    named = {path.relative_to(REPO).as_posix() for root in (SOURCE, REPO / "tests") for path in root.rglob("*")
             if path.is_dir() and path.name in {"build", "dist", "site", "out"}}
    assert named == set()
    assert "norecursedirs" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_every_test_module_says_what_it_checks() -> None:
    """The test suite is documented by its docstrings, not retold in prose elsewhere: each test
    module opens with what it checks (and each test's name is a sentence saying the rule)."""
    silent = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "tests").rglob("test_*.py")
                    if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))))
    assert silent == []
