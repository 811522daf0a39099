"""What tests share besides fixtures: test projects copied from the repository's example (templates,
settings, data), sometimes with a file replaced from tests/roots/, built in a temporary folder, and
the command line run on them."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ars_docs.cli import main

REPO = Path(__file__).resolve().parents[2]
ROOTS = REPO / "tests" / "roots"


def copy_project(target: Path, root: str | None = None) -> Path:
    """The example project, with the files of tests/roots/<root>/ laid over it."""
    for name in ("templates", "data"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "arsdocs.yaml", target / "arsdocs.yaml")
    if root:
        shutil.copytree(ROOTS / root, target, dirs_exist_ok=True)
    return target


TEST_DOMAIN = "hopitaux-grandest-essai.fr"
"""Where the test recipients are once a project is cleared for release: not a reserved domain (the
release gate refuses those), and only ever sent to by the tests' local SMTP server."""


def cleared_for_release(project: Path) -> Path:
    """The project with the example's stand-ins replaced, as an officer would before sending: a
    brand block of its own (another image, under another name), real-looking addresses (the data's
    and the data-protection officer's), the FIR code, the webinar's own link."""
    from PIL import Image, ImageDraw

    with Image.open(project / "templates/commun/bloc-marque-provisoire.png") as image:
        official = image.convert("RGB")
    ImageDraw.Draw(official).rectangle((0, 200, official.width, official.height), fill="white")
    official.save(project / "templates/commun/bloc-marque.png")
    settings = project / "arsdocs.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("logo: templates/commun/bloc-marque-provisoire.png", "logo: templates/commun/bloc-marque.png")
    settings.write_text(text.replace("@example.fr", f"@{TEST_DOMAIN}"), encoding="utf-8")
    for path in (project / "data").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        cleared = (text.replace("@example.fr", f"@{TEST_DOMAIN}").replace("code: à confirmer", "code: MI2-2-2")
                   .replace("meeting_exemple-dsr", "meeting_dsr")
                   .replace("à compléter après lecture du 6° du II de l'article D. 6327-6 dans sa version en vigueur",
                            "la sixième mission, telle que le texte en vigueur la dit (lue par l'agent)"))
        if cleared != text:
            path.write_text(cleared, encoding="utf-8")
    return project


def run(project: Path, *args: str) -> Result:
    """The CLI, in this process. A build renders in this process too (`--jobs 1`) unless the test
    asks for workers: the test run already keeps every core busy (pytest-xdist), and worker
    processes would each load WeasyPrint again."""
    if args and args[0] == "build" and not {"--jobs", "-j"} & set(args):
        args = (*args, "--jobs", "1")
    return CliRunner().invoke(main, ["--projet", str(project), *args], catch_exceptions=False)


@contextlib.contextmanager
def preview_running(project: Path) -> Iterator[tuple[int, list[str]]]:
    """`arsdocs serve` on a free port of 127.0.0.1, in a thread, until the block ends: its port and
    what it said."""
    from ars_docs.pipeline import preview

    port, said = free_port(), []
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=preview.serve, args=(project, port, said.append, ready, stop), daemon=True)
    thread.start()
    assert ready.wait(120), said
    try:
        yield port, said
    finally:
        stop.set()
        thread.join(30)


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ENGINES = ("weasyprint", "typst")
"""The PDF engines (`moteur_pdf`): every output test of the PDFs runs with each."""


def use_engine(project: Path, engine: str) -> Path:
    """The project set to lay out its PDFs with `engine` (arsdocs.yaml, `moteur_pdf`)."""
    if engine != "weasyprint":
        with (project / "arsdocs.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"moteur_pdf: {engine}\n")
    return project


def engine_of(project: Path) -> str:
    """The PDF engine a test project is set to."""
    settings = (project / "arsdocs.yaml").read_text(encoding="utf-8")
    return next((engine for engine in ENGINES if f"moteur_pdf: {engine}" in settings), "weasyprint")


def build_example(factory: pytest.TempPathFactory, family: str, engine: str = "weasyprint") -> tuple[Path, str]:
    """A copy of the repository's example project with one family built (its PDFs by `engine`);
    the command's report (its standard output: the example's stand-ins are warned of on the other)."""
    project = use_engine(copy_project(factory.mktemp(family) / "projet"), engine)
    result = run(project, "build", family)
    assert result.exit_code == 0, result.output
    return project, result.stdout


def built_once(factory: pytest.TempPathFactory, folder: str, engine: str) -> Path:
    """The example project with every family built by `engine`, once for the whole run: the
    processes of a parallel run (pytest-xdist) share it, the first to need it builds it."""
    shared = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each process's own
    project = shared / folder / "projet"
    with (shared / f"{folder}.verrou").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (project / "out" / "index.html").is_file():
            shutil.rmtree(project.parent, ignore_errors=True)
            use_engine(copy_project(project), engine)
            result = run(project, "build", "all")
            assert result.exit_code == 0, result.output
    return project


def terminal_signals() -> None:
    """In a child about to run (`preexec_fn`): Ctrl-C (SIGINT) delivered and handled by default, as
    a shell gives a command it starts, whatever the test process inherited (a pytest worker of the
    full suite passed it on ignored or blocked: the commands then never saw Ctrl-C)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


STARTED_RECIPIENTS = """\
# Destinataires, par établissement (voir la documentation, « data/recipients.yaml »).
etablissements:
  - id: chu-exemple
    nom: CHU d'Exemple
    adresse: ["1 rue de l'Hôpital"]
    code_postal: "54000"
    ville: Nancy
    destinataires:
      - civilite: Madame
        prenom: Claire
        nom: Martin
        fonction: directeur          # directeur | directeur_general | president_cme | chef_service | chef_pole
        email: claire.martin@example.fr
      - civilite: Monsieur
        prenom: Paul
        nom: Durand
        fonction: president_cme
        email: paul.durand@example.fr
"""
"""A starter project's recipients once an officer has begun: the tests of the imports merge into it."""


def started_project(folder: Path) -> Path:
    """`arsdocs init`, then two known recipients in data/recipients.yaml (`STARTED_RECIPIENTS`)."""
    assert run(folder.parent, "init", str(folder)).exit_code == 0
    (folder / "data/recipients.yaml").write_text(STARTED_RECIPIENTS, encoding="utf-8")
    return folder
