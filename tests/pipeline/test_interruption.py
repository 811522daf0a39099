"""Two commands in one project at once, and Ctrl-C: a French message, nothing half written, the
next run clean. (Before: a second build removed the first one's temporary files, and Ctrl-C
printed « Aborted! » and left temporary files in out/.)"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.project import copy_project, run, terminal_signals

pytestmark = pytest.mark.slow  # end to end: real processes (see docs/contribuer/tests.md)

LOCK = ".arsdocs.verrou"


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition was never met"
        time.sleep(0.05)


def _letters_written(project: Path) -> int:
    folder = project / "out/letters/lancement-dsr"
    return len(list(folder.glob("*.pdf"))) if folder.is_dir() else 0


def _leftovers(project: Path) -> list[Path]:
    return list((project / "out").rglob("*.arsdocs-tmp"))


def test_a_second_command_waits_for_the_first_and_ctrl_c_leaves_everything_whole(tmp_path: Path) -> None:
    # the example, every family: long enough to meet it at work while the other commands run here,
    # on a machine that a parallel test run keeps busy (its letters alone were once done first)
    project = copy_project(tmp_path / "projet")
    command = [sys.executable, "-m", "ars_docs", "--projet", str(project), "build", "all", "--jobs", "2"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True,  # its own group: Ctrl-C reaches it and its workers
                             preexec_fn=terminal_signals)
    try:
        _wait_for(lambda: (project / LOCK).exists() and len(_leftovers(project)) >= 2)  # letters being made

        second = run(project, "build", "all")
        assert second.exit_code == 1
        assert ("Erreur : une autre commande arsdocs (build, send, sign ou import) travaille déjà dans ce projet : "
                "attendez qu'elle se termine, puis relancez « arsdocs build »") in second.output
        assert run(project, "import", "reponses", str(tmp_path)).exit_code == 1
        # (that `check` is never turned away is tested while a send works: test_sending.py; here it
        # would take longer than what is left of the build, which is now faster)

        os.killpg(first.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the command and its workers
        _, errors = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 130
    assert errors.strip().splitlines()[-1] == (
        "Erreur : « arsdocs build » interrompu (Ctrl-C) : les fichiers déjà en place dans out/ sont entiers, "
        "les fichiers temporaires ont été retirés ; relancez la construction pour la terminer")
    assert "Traceback" not in errors and "Aborted" not in errors and "KeyboardInterrupt" not in errors
    assert not _leftovers(project)
    assert _letters_written(project) == 0, "interrupted before the letters were put in place, all at once"

    again = run(project, "build", "letters")
    assert again.exit_code == 0, again.output
    assert again.output.startswith("courriers : 76 construit(s), 0 inchangé(s)")  # 53 letters, 23 forms
    assert _letters_written(project) == 53 and not _leftovers(project)


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (Linux: /proc)."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    lines = []
    for kid in kids:
        with contextlib.suppress(OSError):  # gone meanwhile
            lines.append(Path(f"/proc/{kid}/cmdline").read_text().replace("\0", " "))
    return lines


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3])
def test_ctrl_c_while_the_workers_start_leaves_only_the_french_message(tmp_path: Path, delay: float) -> None:
    """Ctrl-C reaches the command and its workers (one process group, as in a terminal) while the
    workers are still importing their modules: their tracebacks (`multiprocessing/spawn.py` …
    `KeyboardInterrupt`) were printed above the French message."""
    project = copy_project(tmp_path / "projet")
    command = [sys.executable, "-m", "ars_docs", "--projet", str(project), "build", "all", "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=terminal_signals)
    try:
        _wait_for(lambda: any("spawn_main" in line for line in _children(process.pid)), 120)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        _, errors = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, errors
    assert errors.strip().splitlines()[-1].startswith("Erreur : « arsdocs build » interrompu (Ctrl-C) : "), errors
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors
    assert not _leftovers(project)
