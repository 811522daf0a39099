"""Robustness: arbitrary text in the data, builds killed or failing to write, and content that
tries to reach outside the project."""

from __future__ import annotations

import errno
import http.server
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import ClassVar

import docx
import pikepdf
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ars_docs.base.builder import Builder, Item
from ars_docs.base.registry import get_builder
from ars_docs.families.letters import postal
from ars_docs.families.letters.items import LetterItem
from ars_docs.source.errors import InvalidInput
from ars_docs.source.fields import PRINTABLE
from ars_docs.source.project import Project
from ars_docs.tree.typography import typeset_text
from ars_docs.writers.weasyprint import project_url
from helpers.project import copy_project, run
from helpers.readback import squash

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

RECIPIENTS = "data/recipients.yaml"
LETTERS = "out/letters/lancement-dsr"

# --- arbitrary text ---------------------------------------------------------------------------------

# Where each printed field of the first recipient of tests/roots/petit is, and how the letter prints it.
# The person, service, street and town are printed in the address block, as the postal norm writes
# them (letters/postal.py); the establishment's name in full in the reply table.
FIELDS: dict[str, tuple[str, Callable[[str], str]]] = {
    "prenom": ("prenom: Claire", lambda value: postal.person_line("Madame", value, "Martin")),
    "nom": ("nom: Martin", lambda value: postal.person_line("Madame", "Claire", value)),
    "service": ("service: Chirurgie pédiatrique\n        email: claire",
                lambda value: postal.function_line("Directrice", value)),
    "etablissement": ("nom: CHU de Reims", str),
    "adresse": ('adresse: ["45 rue Cognacq-Jay"]', postal.fitted),
    "ville": ("ville: Reims Cedex", lambda value: postal.locality_line("51092", value)),
}
SPECIAL = ["&", "<b>", "</p>", "{{ 7*7 }}", "{% if x %}", "{#", "'", '"', "’", "« »", "\\", "*", "_", "`", "#",
           "|", "<<", "^^", ":::", "[x](https://a.fr)", "![i](file:///etc/passwd)", "e\u0301", "q\u0307",
           "שלום", "مرحبا", "Ελλάδα", "Жанна", "😀", "\u00ad", "\u200d", "\u200f", "\u0007", "\ufeff", "1er",
           "n°", "10 %", "A" * 90, "x@y.fr", "https://exemple.fr/" + "a" * 60, "  ", "\u3000", "ǅ", "ß", "ﬁ"]
LATIN = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F), max_size=12)
TEXT = st.lists(st.one_of(LATIN, st.text(max_size=6), st.sampled_from(SPECIAL)), min_size=1, max_size=4).map("".join)


def _quoted(value: str) -> str:
    """`value` as a YAML double-quoted scalar on one line (non-printable characters escaped)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=False, width=10**9).split("\n...")[0].strip()


def _refusal_expected(value: str) -> bool:
    """The rules of fields.Text: refused when empty, or with a control, unassigned or unprintable character."""
    value = unicodedata.normalize("NFC", value.strip())
    printable = PRINTABLE.get() or frozenset()
    return not value or any(
        char not in "\u00ad\u200d"
        and (unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or char not in printable)
        for char in value)


def _visible(text: str) -> str:
    """What a reader sees: no white space, no soft hyphen or joiner (invisible), compatibility
    forms folded (a ligature "ﬁ" is read back as "fi")."""
    return squash(unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("\u200d", ""))


def _planned_or_refused(builder: Builder, project: Project, value: str, where: tuple[str, ...]) -> list[Item] | None:
    """The items of the family, or None when the value was refused, as it must be, at its place."""
    try:
        items = builder.compose(project, builder.plan(project))  # as `check` does
    except InvalidInput as error:
        message = error.format_message()
        # refused as text, or as an address the postal norm cannot take (too long or too wide a line,
        # a town in another script): both said at the value's place
        assert _refusal_expected(value) or "adresse postale" in message, f"{value!r} refused: {message}"
        assert all(part in message for part in where), message
        event("refusé" if _refusal_expected(value) else "refusé : adresse postale")
        return None
    assert not _refusal_expected(value), f"{value!r} accepted"
    event("imprimé")
    return items


def _assert_whole(value: str, printed: str, pdf: bytes, word: bytes) -> None:
    """`printed` (the value as the document prints it) is in the text of the PDF and of the .docx."""
    expected = _visible(typeset_text(printed))
    document = docx.Document(io.BytesIO(word))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert expected in _visible("".join([paragraph.text for paragraph in document.paragraphs] + cells)), \
        f"{value!r} not whole in the .docx"
    pdf_text = _visible("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    if any(unicodedata.bidirectional(char) in ("R", "AL") for char in expected):
        # right-to-left runs are extracted in visual order: every character, in some order
        assert all(pdf_text.count(char) >= expected.count(char) for char in expected), f"{value!r} lost in the PDF"
    else:
        assert expected in pdf_text, f"{value!r} not whole in the PDF"


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("fuzz") / "projet", "petit")


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(FIELDS)), value=TEXT)
def test_any_text_comes_out_whole_or_is_refused_clearly(fuzz_project: Path, field: str, value: str) -> None:
    anchor, printed = FIELDS[field]
    path = fuzz_project / RECIPIENTS
    original = path.read_text(encoding="utf-8")
    key, _, rest = anchor.partition(": ")
    written = f"{key}: [{_quoted(value)}]" if rest.startswith("[") else f"{key}: {_quoted(value)}"
    if "\n" in anchor:
        written += "\n" + anchor.split("\n", 1)[1]
    try:
        path.write_text(original.replace(anchor, written, 1), encoding="utf-8")
        project = Project.open(fuzz_project)
        builder = get_builder("letters")
        items = _planned_or_refused(builder, project, value, ("data/recipients.yaml:", "etablissements[1]"))
        if items is None:
            return
        letter: LetterItem = next(item for item in items if isinstance(item, LetterItem))
        document = letter.document
        assert document is not None
        rendered = builder.publisher(project).render(document, "out/essai")
        _assert_whole(value, printed(unicodedata.normalize("NFC", value.strip())), rendered["pdf"], rendered["docx"])
        assert not _text_outside_pages(builder.publisher(project).html(document, {}), project)
    finally:
        path.write_text(original, encoding="utf-8")


def _text_outside_pages(html: str, project: Project) -> list[str]:
    """The text boxes WeasyPrint lays out beyond the right edge of the page's text area."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from ars_docs.writers.weasyprint import _confined_fetcher

    fetcher = _confined_fetcher(project.root, (project.templates, project.logo))
    rendered = HTML(string=html, base_url=project_url("templates/letters/"), url_fetcher=fetcher).render()
    outside = []
    for page in rendered.pages:
        box = page._page_box
        right = box.margin_width() - box.margin_right + 0.5
        for child in box.descendants():
            if isinstance(child, boxes.TextBox) and child.position_x + child.width > right:
                outside.append(child.text)
    return outside


def test_a_very_long_word_breaks_rather_than_running_off_the_page(small_project: Path, edit: Callable[..., None]
                                                                  ) -> None:
    edit(small_project / RECIPIENTS, "nom: CHU de Reims", "nom: " + "Hôpital" * 20)
    edit(small_project / RECIPIENTS, "service: Chirurgie pédiatrique\n        email: claire",
         "service: " + "chirurgie-" * 15 + "\n        email: claire")
    # The address block holds only lines of the postal norm: these go there written by hand.
    edit(small_project / RECIPIENTS, "    ville: Reims Cedex\n",
         '    ville: Reims Cedex\n    adresse_postale: ["CHU de Reims", "45 rue Cognacq-Jay", "51092 REIMS CEDEX"]\n')
    edit(small_project / RECIPIENTS, "        email: claire.martin@example.fr\n",
         '        email: claire.martin@example.fr\n        adresse_postale: ["Madame Claire MARTIN", "Directrice"]\n')
    project = Project.open(small_project)
    builder = get_builder("letters")
    letter = next(item for item in builder.plan(project) if isinstance(item, LetterItem))
    document = builder.composer(project).letter(letter)  # type: ignore[attr-defined]
    assert _text_outside_pages(builder.publisher(project).html(document, {}), project) == []


# --- the limits of the formats -------------------------------------------------------------------------

def test_a_title_longer_than_word_allows_is_whole_in_the_pages_and_shortened_in_the_properties(
        small_project: Path, edit: Callable[..., None]) -> None:
    """Word's core properties hold 255 characters (python-docx raised beyond: a traceback while
    `check` said all was valid); the page keeps the whole title."""
    title = "Lancement du DSR " + " ".join(f"étape{number}" for number in range(60))
    edit(small_project / "data/courriers/lancement-dsr.yaml",
         "titre: Lancement du DSR de chirurgie pédiatrique en Grand Est", f"titre: {title}")
    assert run(small_project, "check").exit_code == 0
    result = run(small_project, "build", "letters")
    assert result.exit_code == 0, result.output
    form = small_project / LETTERS / "formulaires" / "reponse-chu-reims.docx"
    properties = docx.Document(str(form)).core_properties
    assert len(properties.title) <= 255 and properties.title.endswith("…")
    assert squash(title) in squash(" ".join(paragraph.text for paragraph in docx.Document(str(form)).paragraphs))
    pdf = PdfReader(form.with_suffix(".pdf"))
    assert squash(title) in squash(" ".join(page.extract_text() for page in pdf.pages))
    assert title in str(pdf.metadata.title)  # PDF has no such limit: the whole title


def test_an_address_with_an_accented_domain_is_sent_in_its_ascii_form(small_project: Path,
                                                                      edit: Callable[..., None]) -> None:
    """The domain was written as an encoded word inside the address (« @=?utf-8?q?ex=C3=A4mple?=.fr »),
    which no server delivers."""
    edit(small_project / RECIPIENTS, "email: claire.martin@example.fr", "email: claire.martin@exämple.fr")
    assert run(small_project, "build", "letters").exit_code == 0
    message = message_from_bytes((small_project / LETTERS / "chu-reims--claire-martin.eml").read_bytes())
    assert message["To"] == "Claire Martin <claire.martin@xn--exmple-cua.fr>"
    assert "claire.martin@xn--exmple-cua.fr" in (small_project / LETTERS / "manifeste.csv").read_text(encoding="utf-8")


# --- faults -------------------------------------------------------------------------------------------

def _check_whole(out: Path) -> int:
    """Every file at a final path reads back whole; the number of files checked."""
    checked = 0
    for path in out.rglob("*"):
        if not path.is_file() or path.name.endswith(".arsdocs-tmp"):
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            with pikepdf.open(io.BytesIO(data)) as document:
                assert len(document.pages) >= 1
        elif path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                assert package.testzip() is None
            docx.Document(io.BytesIO(data))
        elif path.suffix == ".eml":
            assert len(message_from_bytes(data).get_payload()) >= 3
        elif path.suffix == ".json":
            assert data.rstrip().endswith((b"]", b"}"))
        checked += 1
    return checked


def test_a_build_killed_at_random_moments_never_leaves_a_broken_file(tmp_path: Path) -> None:
    """Killed (the whole build, workers included, as by a power cut) at random moments of its run:
    planning, making, putting files in place. Every file at a final path stays whole, and the next
    build completes with the bytes of a build never interrupted."""
    reference = copy_project(tmp_path / "reference", "petit")
    start = time.perf_counter()
    assert run(reference, "build", "all", "--jobs", "2").exit_code == 0
    duration = time.perf_counter() - start + 2.0  # and the start of a Python process
    project = copy_project(tmp_path / "projet", "petit")
    command = [sys.executable, "-m", "ars_docs", "--projet", str(project), "build", "all", "--jobs", "2", "--force"]
    chance = random.Random(7)
    kills = 0
    for _ in range(8):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(chance.uniform(0.2, duration * 1.1))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        if (project / "out").exists():
            _check_whole(project / "out")
    assert kills >= 4, "the build was killed while working"
    result = subprocess.run(command[:-1], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert _check_whole(project / "out") > 40
    assert not list((project / "out").rglob("*.arsdocs-tmp"))
    for path in (reference / "out").rglob("*"):
        if path.is_file() and ".arsdocs" not in path.parts:
            assert path.read_bytes() == (project / path.relative_to(reference)).read_bytes(), path.name


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "plus de place sur le disque"),
                                              (errno.EACCES, "permission refusée")])
def test_a_write_that_fails_stops_the_build_and_keeps_earlier_outputs(
        small_project: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str) -> None:
    assert run(small_project, "build", "letters", "--jobs", "1").exit_code == 0
    before = {path: path.read_bytes() for path in (small_project / "out").rglob("*") if path.is_file()}
    writes = []

    def failing_fsync(descriptor: int) -> None:
        writes.append(descriptor)
        if len(writes) == 4:
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr("ars_docs.source.safefiles.os.fsync", failing_fsync)
    result = run(small_project, "build", "letters", "--jobs", "1", "--force")
    assert result.exit_code == 1
    assert f"Erreur : impossible d'écrire « {small_project}/out/letters/lancement-dsr/" in result.output
    assert reason in result.output and "Traceback" not in result.output
    after = {path: path.read_bytes() for path in (small_project / "out").rglob("*") if path.is_file()}
    assert after == before


def test_a_failure_while_putting_files_in_place_leaves_each_file_whole(
        small_project: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[..., None]) -> None:
    assert run(small_project, "build", "letters", "--jobs", "1").exit_code == 0
    edit(small_project / "templates/letters/signature.md", "Signé électroniquement", "Signé par voie électronique")
    replaced = []
    real_replace = os.replace

    def failing_replace(source: str, target: str) -> None:
        replaced.append(target)
        if len(replaced) == 5:
            raise OSError(errno.EIO, "I/O error")
        real_replace(source, target)

    monkeypatch.setattr("ars_docs.source.safefiles.os.replace", failing_replace)
    result = run(small_project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 1 and "erreur d'entrée-sortie du disque" in result.output
    monkeypatch.undo()
    _check_whole(small_project / "out")
    assert run(small_project, "build", "letters", "--jobs", "1").exit_code == 0
    assert not list((small_project / "out").rglob("*.arsdocs-tmp"))


# --- hostile content -------------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it receives."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


@pytest.mark.parametrize("reference", [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<img src="../../../../../../etc/passwd">',
    '<img src="../../data/recipients.yaml">',
])
def test_templates_cannot_read_files_outside_their_folders(small_project: Path, edit: Callable[..., None],
                                                           reference: str) -> None:
    edit(small_project / "templates/letters/lettre.html", "{{ corps }}", "{{ corps }}" + reference)
    result = run(small_project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "refusé" in result.output
    assert not [path for path in (small_project / "out").rglob("*") if path.is_file()]


def test_templates_cannot_fetch_any_url(small_project: Path, edit: Callable[..., None],
                                        listener: tuple[str, list[str]]) -> None:
    address, hits = listener
    edit(small_project / "templates/letters/lettre.html", "{{ corps }}",
         f'{{{{ corps }}}}<link rel="stylesheet" href="{address}/style.css"><img src="{address}/pixel.png">')
    result = run(small_project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 1 and "adresse refusée" in result.output
    assert hits == []


def test_a_symbolic_link_out_of_the_project_is_refused(small_project: Path, edit: Callable[..., None]) -> None:
    (small_project / "templates/letters/fuite.png").symlink_to("/etc/passwd")
    edit(small_project / "templates/letters/lettre.html", "{{ corps }}", '{{ corps }}<img src="fuite.png">')
    result = run(small_project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 1 and ("templates/letters/fuite.png : lien symbolique qui mène hors du projet "
                                      "(vers « /etc/passwd »)") in result.output


def test_a_template_linked_out_of_the_project_is_refused(small_project: Path, edit: Callable[..., None]) -> None:
    secret = small_project.parent / "secret.md"
    secret.write_text("mot de passe : hunter2\n", encoding="utf-8")
    (small_project / "templates/letters/fuite.md").symlink_to(secret)
    edit(small_project / "data/courriers/lancement-dsr.yaml", "gabarit: lancement-dsr.md", "gabarit: fuite.md")
    result = run(small_project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 1 and "templates/letters/fuite.md : lien symbolique qui mène hors du projet" \
        in result.output
    assert "hunter2" not in result.output
    assert not [path for path in (small_project / "out").rglob("*") if path.is_file()]


def _measured(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """The result, the wall time and the peak memory (MiB) of a command, measured by a Python
    process that runs only it."""
    probe = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    *lines, peak = result.stderr.rstrip("\n").split("\n")
    result.stderr = "\n".join(lines)
    return result, seconds, int(peak) // 1024


def test_a_100_mb_file_is_refused_quickly_in_bounded_memory(small_project: Path) -> None:
    big = small_project / RECIPIENTS
    with big.open("ab") as stream:
        stream.write(b"# " + b"x" * (100 * 2**20) + b"\n")
    result, seconds, peak = _measured([sys.executable, "-m", "ars_docs", "--projet", str(small_project), "check"])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "data/recipients.yaml : fichier trop volumineux (100 Mio ; au plus 20 Mio)" in result.stderr
    assert seconds < 10 and peak < 300


def test_an_alias_bomb_is_refused_quickly_in_bounded_memory(small_project: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefgh"[level]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    (small_project / "data/webinaires.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, seconds, peak = _measured([sys.executable, "-m", "ars_docs", "--projet", str(small_project), "check"])
    assert result.returncode == 1
    assert "data/webinaires.yaml:1:1 : document trop volumineux" in result.stderr
    assert seconds < 10 and peak < 300


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=TEXT)
def test_any_text_in_a_contract_table_comes_out_whole_or_is_refused(fuzz_project: Path, value: str) -> None:
    """The same property for the CPOM: an indicator's label, printed in a table cell of annex 3."""
    path = fuzz_project / "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"
    original = path.read_text(encoding="utf-8")
    anchor = "libelle: Établissements membres du DSR"
    try:
        path.write_text(original.replace(anchor, f"libelle: {_quoted(value)}", 1), encoding="utf-8")
        project = Project.open(fuzz_project)
        builder = get_builder("cpom")
        line = next(n for n, text in enumerate(original.splitlines(), 1) if anchor in text)
        items = _planned_or_refused(builder, project, value, (f"dsr-chirurgie-pediatrique-2027-2030.yaml:{line}:",))
        if items is None:
            return
        annex = next(item for item in items if item.key.endswith("annexe-3-indicateurs"))
        files = builder.make(project, annex)
        pdf = next(data for name, data in files.items() if name.endswith(".pdf"))
        word = next(data for name, data in files.items() if name.endswith(".docx"))
        _assert_whole(value, unicodedata.normalize("NFC", value.strip()), pdf, word)
    finally:
        path.write_text(original, encoding="utf-8")
