"""The build benchmark: on the same synthetic recipients, in one run, on this machine,

  (a) `arsdocs build letters` (letters, reply forms, e-mails, print file, manifest) with each PDF
      engine (`--moteur-pdf typst`, then `weasyprint`), each in its own copy of the project, then
      rebuilt with nothing changed, then with one recipient changed;
  (b) a naive loop: per letter one docxtpl render and one WeasyPrint write_pdf;
  (c) per letter one docxtpl render, then LibreOffice headless converting the .docx files to PDF.

Each runs as its own process; it prints the wall time, the CPU time (the process and its children)
and the peak memory (the sum of the resident memory of the process and its children, sampled every
50 ms), then the ratios. Figures are recorded in BENCHMARKS.md.

    ./dev.sh bench                          # 1,000 recipients, (a) with each engine, (b) and (c)
    ./dev.sh bench --destinataires 10000 --arsdocs-seulement --moteurs typst
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_project

BENCH = Path(__file__).resolve().parent


@dataclass
class Measure:
    label: str
    wall: float
    cpu: float
    peak_mib: float


def measure(label: str, command: list[str]) -> Measure:
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        watched = psutil.Process(process.pid)
        peak = 0
        while True:
            # wait4 gives the CPU time of the process and of every child it waited for (the workers)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _resident(watched))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"{label} : échec\n{errors.read().decode(errors='replace')}")
    return Measure(label, wall, usage.ru_utime + usage.ru_stime, peak / 2**20)


def _resident(process: psutil.Process) -> int:
    """Resident memory of a process and of all its descendants, in bytes."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


ENGINES = ("typst", "weasyprint")
TARGETS = {"(b)": (6.0, 3.0), "(c)": (4.0, None)}
"""(a) with `moteur_pdf: typst` must be at least this many times faster than each reference: in
wall time, and in CPU time where a figure is given."""
CPU_PER_LETTER_MS = 35.0
REBUILD_S = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure la construction des courriers.")
    parser.add_argument("--destinataires", type=int, default=1000)
    parser.add_argument("--arsdocs-seulement", action="store_true", help="sans les références (b) et (c)")
    parser.add_argument("--moteurs", default=",".join(ENGINES),
                        help="moteurs PDF de (a), séparés par des virgules (par défaut : typst,weasyprint)")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (par défaut : un dossier temporaire)")
    arguments = parser.parse_args()
    engines = [engine for engine in arguments.moteurs.split(",") if engine]
    if not engines or any(engine not in ENGINES for engine in engines):
        sys.exit(f"--moteurs : parmi {', '.join(ENGINES)}")
    work = arguments.dossier or Path(tempfile.mkdtemp(prefix="arsdocs-bench-"))
    python = sys.executable
    print(f"{arguments.destinataires} destinataires, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
          f"dossier : {work}", flush=True)
    builds: dict[str, Measure] = {}
    project = work / "projet"
    for engine in engines:
        project = make_project(arguments.destinataires, work / f"projet-{engine}")
        arsdocs = [python, "-m", "ars_docs", "--projet", str(project), "build", "letters", "--moteur-pdf", engine]
        builds[engine] = _printed(measure(f"(a) {engine} : arsdocs build letters", arsdocs))
        per_letter = builds[engine].cpu / arguments.destinataires * 1000
        goal = f" (objectif : moins de {CPU_PER_LETTER_MS:g} ms ; " \
               f"{'atteint' if per_letter < CPU_PER_LETTER_MS else 'NON atteint'})" if engine == "typst" else ""
        print(f"(a) {engine} : temps CPU par lettre, trousse entière          {per_letter:6.1f} ms{goal}", flush=True)
        rebuilt = _printed(measure(f"(a) {engine} : reconstruction, rien de changé", arsdocs))
        if engine == "typst":
            reached = "atteint" if rebuilt.wall < REBUILD_S else "NON atteint"
            print(f"    (objectif : moins de {REBUILD_S:g} s ; {reached})")
        recipients = project / "data" / "recipients.yaml"
        text = recipients.read_text(encoding="utf-8")
        recipients.write_text(text.replace("@etab1.fr", "@etablissement1.fr", 1), encoding="utf-8")
        _printed(measure(f"(a) {engine} : reconstruction, un destinataire changé", arsdocs))
    if not arguments.arsdocs_seulement:
        _references(builds, project, work, python)
    # what each step of a letter costs, in one process, on the same recipients (bench/cost.py)
    print("\nCoût d'une lettre, étape par étape (bench/cost.py, un processus) :", flush=True)
    subprocess.run([python, str(BENCH / "cost.py"), str(project)], check=True)


def _references(builds: dict[str, Measure], project: Path, work: Path, python: str) -> None:
    references = []
    for mode, label in (("weasyprint", "(b) boucle naïve docxtpl + WeasyPrint"),
                        ("libreoffice", "(c) docxtpl puis LibreOffice headless")):
        references.append(_printed(measure(label, [python, str(BENCH / "naive.py"), mode, str(project),
                                                   str(work / f"sortie-{mode}")])))
    for engine, build in builds.items():
        for reference in references:
            name = reference.label[:3]
            wall, cpu = reference.wall / build.wall, reference.cpu / build.cpu  # above 1, (a) is faster
            goal = ""
            if engine == "typst":
                wall_goal, cpu_goal = TARGETS[name]
                reached = wall >= wall_goal and (cpu_goal is None or cpu >= cpu_goal)
                wanted = f"{wall_goal:g} fois en temps réel" + (f", {cpu_goal:g} en CPU" if cpu_goal else "")
                goal = f" (objectif : {wanted} ; {'atteint' if reached else 'NON atteint'})"
            print(f"rapport {name} / (a) {engine} : temps réel {wall:.2f}, temps CPU {cpu:.2f}{goal}")


def _printed(result: Measure) -> Measure:
    print(_line(result), flush=True)
    return result


def _line(result: Measure) -> str:
    return (f"{result.label:<52} mur {result.wall:8.1f} s   CPU {result.cpu:8.1f} s   "
            f"mémoire max {result.peak_mib:7.0f} Mio")


if __name__ == "__main__":
    main()
