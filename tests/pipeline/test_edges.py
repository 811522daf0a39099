"""The edges of the tool (issue 26): what surrounds the typed data is untrusted too. The build's own
records in out/, the files a project expects (a pipe, a device, a folder in their place), a family's
folder replaced whole or not at all (a real full disk, a real SIGKILL).

Each test here failed on a95350b, the commit before this work: the record's `../data/…` was deleted,
a pipe made `check` wait for ever, a full disk or a kill left a mailing half replaced."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.project import copy_project, preview_running, run

pytestmark = pytest.mark.slow  # end to end: real builds, processes, a server, a tmpfs (unit tests: test_safefiles.py)

ARSDOCS = [sys.executable, "-m", "ars_docs"]


def _cli(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process: a hang is a failure, not a stuck test run."""
    return subprocess.run([*ARSDOCS, "--projet", str(project), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def _hashes(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


# --- the build's own records ----------------------------------------------------------------------

def test_a_build_record_that_names_a_file_outside_its_folder_removes_nothing(small_project: Path) -> None:
    assert run(small_project, "build", "letters").exit_code == 0
    record = small_project / "out/.arsdocs/letters.json"
    raw = json.loads(record.read_text(encoding="utf-8"))
    victim = small_project / "data/webinaires.yaml"
    before = victim.read_bytes()
    for name in ("../data/webinaires.yaml", "letters/../../data/webinaires.yaml", str(victim)):
        raw["elements"][f"disparu-{len(raw['elements'])}"] = {
            "empreinte": "x", "fichiers": {name: {"sha256": "0", "size": 1, "mtime_ns": 1, "signed": False}}}
    record.write_text(json.dumps(raw), encoding="utf-8")

    result = run(small_project, "build", "letters")
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == before, "a record of out/ made the build delete a data file"
    assert ("Attention : out/.arsdocs/letters.json : registre de la dernière construction ignoré (il nomme "
            "« ../data/webinaires.yaml », hors de out/letters/) : tout est reconstruit") in result.output
    assert "0 fichier(s) supprimé(s)" in result.output
    assert json.loads(record.read_text(encoding="utf-8"))["elements"].keys() == {
        key for key in raw["elements"] if not key.startswith("disparu")}, "the record is whole again"


def test_a_folder_of_out_replaced_by_a_link_is_not_followed(small_project: Path) -> None:
    assert run(small_project, "build", "letters").exit_code == 0
    letters = small_project / "out/letters"
    shutil.rmtree(letters)
    letters.symlink_to(small_project / "data")
    before = _hashes(small_project / "data")
    result = run(small_project, "build", "letters")
    assert result.exit_code == 1
    assert "Erreur : out/letters est un lien symbolique : arsdocs n'écrit que dans un dossier" in result.output
    assert _hashes(small_project / "data") == before


@pytest.mark.parametrize("damage", ["{pas du json", "[]", '{"format": 1, "elements": {"a": {"empreinte": 3}}}',
                                    '{"format": 1, "elements": {"a": {"empreinte": "x", "fichiers": '
                                    '{"letters/a.pdf": {"sha256": "x", "size": "?", "mtime_ns": 1}}}}}',
                                    "\x00\xff", "[" * 100_000],
                         ids=["json", "liste", "type", "taille", "octets", "imbrication"])
def test_a_damaged_build_record_is_rebuilt_from_scratch_with_a_french_message(small_project: Path,
                                                                             damage: str) -> None:
    assert run(small_project, "build", "letters").exit_code == 0
    (small_project / "out/.arsdocs/letters.json").write_bytes(damage.encode("utf-8", "surrogatepass"))
    result = run(small_project, "build", "letters")
    assert result.exit_code == 0, result.output
    assert "registre de la dernière construction ignoré" in result.output
    assert "0 inchangé(s)" in result.output  # everything rebuilt
    assert "registre" not in run(small_project, "build", "letters").output  # and then whole again


def test_a_damaged_sending_journal_or_manifest_is_refused_in_french(small_project: Path) -> None:
    assert run(small_project, "build", "letters").exit_code == 0
    manifest = small_project / "out/letters/lancement-dsr/manifeste.json"
    rows = json.loads(manifest.read_text(encoding="utf-8"))
    rows[0]["eml"] = "../../../data/recipients.yaml"
    manifest.write_text(json.dumps(rows), encoding="utf-8")
    result = run(small_project, "send", "letters")
    assert result.exit_code == 1
    assert "out/letters/lancement-dsr/manifeste.json" in result.output
    assert "relancez « arsdocs build letters »" in result.output

    assert run(small_project, "build", "letters").exit_code == 0
    journal = small_project / "envois/lancement-dsr.jsonl"
    journal.parent.mkdir()
    journal.write_text('{"cle": "a", "email": "a@hopital.fr", "etat": "envoye", "sha256_eml": "0"}\n{pas du json\n',
                       encoding="utf-8")
    result = run(small_project, "send", "letters")
    assert result.exit_code == 1
    assert "Erreur : envois/lancement-dsr.jsonl, ligne 2 : journal d'envoi abîmé" in result.output
    assert "Traceback" not in result.output


# --- the files a project expects ------------------------------------------------------------------

def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.mkdir()


def _device_link(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")


def _outside_link(path: Path) -> None:
    project = next(folder for folder in path.parents if (folder / "arsdocs.yaml").is_file())
    outside = project.parent / "ailleurs.yaml"
    outside.write_bytes(path.read_bytes() if path.is_file() else b"membres: []\n")
    path.unlink(missing_ok=True)
    path.symlink_to(outside)


@pytest.mark.parametrize(("make", "said"), [
    (_fifo, "c'est un tube nommé (FIFO), pas un fichier ordinaire"),
    (_folder, "c'est un dossier"),
    (_device_link, "c'est un périphérique, pas un fichier ordinaire"),
    (_outside_link, "lien symbolique qui mène hors du projet"),
])
@pytest.mark.parametrize("name", ["data/membres.yaml", "data/recipients.yaml", "data/courriers/lancement-dsr.yaml"])
def test_an_expected_file_that_is_not_an_ordinary_file_of_the_project_is_refused_before_it_is_read(
        small_project: Path, make, said: str, name: str) -> None:  # type: ignore[no-untyped-def]
    make(small_project / name)
    result = _cli(small_project, "check", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{name}" in result.stderr and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# --- a family replaced whole or not at all ----------------------------------------------------------

def _change_every_letter(project: Path) -> None:
    text = project / "templates/letters/lancement-dsr.md"
    text.write_text(text.read_text(encoding="utf-8").replace("webinaire", "séminaire en ligne", 1), encoding="utf-8")


def _undo(project: Path, original: bytes) -> None:
    (project / "templates/letters/lancement-dsr.md").write_bytes(original)


def test_a_full_disk_leaves_the_previous_mailing_exactly_as_it_was(small_project: Path) -> None:
    """A real full disk (a tmpfs on out/) when the print file is written, every letter made by then.
    Before, the letters were already in place: new letters beside the old print file and manifest."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("monter un tmpfs demande d'être root")
    out = small_project / "out"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(out)], capture_output=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"tmpfs impossible ici : {mounted.stderr.decode(errors='replace')}")
    try:
        assert _cli(small_project, "build", "letters", "--jobs", "1").returncode == 0
        before = _hashes(out / "letters")
        original = (small_project / "templates/letters/lancement-dsr.md").read_bytes()
        _change_every_letter(small_project)

        result = _fail_at_the_print_file(small_project, "remplir")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "plus de place sur le disque" in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert _hashes(out / "letters") == before, "the mailing was half replaced"

        (out / "remplissage").unlink()
        _undo(small_project, original)
        verified = _cli(small_project, "build", "letters", "--verifier", "--jobs", "1")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Vérification réussie" in verified.stdout
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


_FAULTY_PRINT_FILE = """
import os, signal, sys
from pathlib import Path
from ars_docs.cli import main
from ars_docs.families.letters import finals

made = finals.print_file

def faulty(*arguments, **options):  # the print file is made once every letter is made: strike right there
    if sys.argv[1] == "tuer":
        os.kill(os.getpid(), signal.SIGKILL)
    with open(Path(sys.argv[3]) / "out" / "remplissage", "wb") as filler:  # a real full disk, then write it
        try:
            while True:
                filler.write(bytes(1 << 16))
                filler.flush()
        except OSError:
            pass
    return made(*arguments, **options)

finals.print_file = faulty
main(sys.argv[2:], prog_name="arsdocs")
"""


def _fail_at_the_print_file(project: Path, fault: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _FAULTY_PRINT_FILE, fault, "--projet", str(project), "build",
                           "letters", "--jobs", "1"], capture_output=True, text=True, timeout=300, check=False)


def test_a_build_killed_at_the_print_file_leaves_the_previous_mailing_exactly_as_it_was(small_project: Path) -> None:
    """SIGKILL when the print file is made: every letter is made by then, nothing swapped yet. Before,
    the letters were already in place: new letters beside the old print file and manifest."""
    assert _cli(small_project, "build", "letters", "--jobs", "1").returncode == 0
    out = small_project / "out"
    before = _hashes(out / "letters")
    original = (small_project / "templates/letters/lancement-dsr.md").read_bytes()
    _change_every_letter(small_project)
    failed = _fail_at_the_print_file(small_project, "tuer")
    assert failed.returncode == -signal.SIGKILL, failed.stderr
    assert _hashes(out / "letters") == before, "the mailing was half replaced"

    _undo(small_project, original)
    verified = _cli(small_project, "build", "letters", "--verifier", "--jobs", "1")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    _change_every_letter(small_project)
    again = _cli(small_project, "build", "letters", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert not (out / ".arsdocs-construction").exists(), "what the failed build left is removed"
    assert _hashes(out / "letters") != before


def test_a_build_killed_while_it_writes_leaves_the_previous_mailing_exactly_as_it_was(small_project: Path) -> None:
    assert _cli(small_project, "build", "letters", "--jobs", "1").returncode == 0
    out = small_project / "out"
    before = _hashes(out / "letters")
    _change_every_letter(small_project)
    build = subprocess.Popen([*ARSDOCS, "--projet", str(small_project), "build", "letters", "--jobs", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.rglob("*.arsdocs-tmp")):  # the new letters are being written
            assert build.poll() is None and time.monotonic() < deadline, "the build ended before it was killed"
            time.sleep(0.01)
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
    finally:
        if build.poll() is None:
            build.kill()
    assert _hashes(out / "letters") == before, "a kill left the mailing half replaced"
    assert _cli(small_project, "build", "letters", "--jobs", "1").returncode == 0


# --- the preview server: a browser page is a hostile client --------------------------------------------

def _raw(port: int, request: bytes) -> bytes:
    """A request as bytes on a socket, as a page's script or a tool would send it; the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


@pytest.fixture
def preview_server(small_project: Path) -> Iterator[tuple[Path, int, list[str]]]:
    with preview_running(small_project) as (port, said):
        yield small_project, port, said


def test_the_preview_answers_only_requests_that_name_it_and_never_leaves_out(
        preview_server: tuple[Path, int, list[str]], capfd: pytest.CaptureFixture[str]) -> None:
    project, port, _ = preview_server
    (project / "out/letters/secret.html").symlink_to(project / "data/recipients.yaml")
    (project / "out/lien").symlink_to(project / "data")

    def get(target: str, host: str | None = f"127.0.0.1:{port}", method: str = "GET") -> bytes:
        head = f"{method} {target} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
        return _raw(port, (head + "Connection: close\r\n\r\n").encode("latin-1"))

    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        assert _status(get("/", host)) == 200, host
    assert b"Claire" in get("/", f"localhost:{port}") or b"<html" in get("/", f"localhost:{port}")
    # DNS rebinding: the attacker's name, pointed at 127.0.0.1, with the right port
    for host in (f"attaquant.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", f"localhost.example:{port}",
                 f"127.0.0.2:{port}", "", None):
        answer = get("/", host)
        assert _status(answer) == 403, (host, answer[:200])
        assert b"recipients" not in answer and b"<html" not in answer
    assert _status(get("/__arsdocs__/etat", f"attaquant.example:{port}")) == 403
    two_hosts = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: attaquant.example\r\nConnection: close\r\n\r\n"
    assert _status(_raw(port, two_hosts.encode())) == 403

    recipients = (project / "data/recipients.yaml").read_bytes()[:40]
    for target in ("/letters/secret.html", "/lien/recipients.yaml", "/../data/recipients.yaml",
                   "/%2e%2e/data/recipients.yaml", "/letters/%2e%2e/%2e%2e/arsdocs.yaml",
                   "/.arsdocs/../../arsdocs.yaml",
                   "//etc/passwd", "/%2fetc%2fpasswd", "/nulle-part.pdf"):
        answer = get(target)
        assert _status(answer) in (400, 404), (target, answer[:200])
        assert recipients not in answer and b"root:" not in answer
    for target in ("/%ff%fe", "/a%00b", "/a%0ab", "x", "*", "/" + "a" * 10_000, "/a\\..\\b"):
        assert _status(get(target)) in (400, 404), target
    post = get("/", method="POST")
    assert _status(post) == 501 and "Méthode non prise en charge".encode() in post
    assert b"Introuvable" in get("/nulle-part.pdf")
    # a TLS hello: not HTTP/1.x, so http.server answers as to HTTP/0.9, the status in the body
    assert _raw(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n").startswith(b"400 ")
    assert _status(_raw(port, b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n")) == 431  # too many headers
    assert "Traceback" not in capfd.readouterr().err


def test_the_preview_survives_any_data_error_and_shows_it(preview_server: tuple[Path, int, list[str]]) -> None:
    project, port, said = preview_server
    webinars = project / "data/webinaires.yaml"
    good = webinars.read_bytes()
    state = f"GET /__arsdocs__/etat HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n".encode()

    def error_shown() -> str | None:
        body = _raw(port, state).split(b"\r\n\r\n", 1)[1]
        return json.loads(body)["erreur"]

    for bad in (good + b"x: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", good + b"y: \x00\n", b"\xff\xfe"):
        webinars.write_bytes(bad)
        deadline = time.monotonic() + 60
        while not error_shown():
            assert time.monotonic() < deadline, said
            time.sleep(0.2)
        assert "data/webinaires.yaml" in (error_shown() or "")
    webinars.write_bytes(good)
    deadline = time.monotonic() + 60
    while error_shown():
        assert time.monotonic() < deadline, said
        time.sleep(0.2)


# --- git revisions ------------------------------------------------------------------------------------

def _commit_all(repository: Path) -> None:
    git = ["git", "-C", str(repository), "-c", "user.name=ARS", "-c", "user.email=ars@ars.sante.fr"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "Version initiale"], check=True)


def test_a_git_revision_is_never_an_option_and_a_project_in_a_subfolder_reads_its_own_files(
        tmp_path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    project = copy_project(tmp_path / "depot/projets/dsr", "petit")
    _commit_all(tmp_path / "depot")
    witness = tmp_path / "ecrit-par-git"
    for revision in (f"--output={witness}", "-p", "--exec-path", "HEAD --output=x", "HEAD:../../etc/passwd",
                     "a\nb", "main..HEAD", ""):
        result = run(project, "build", "statuts", "--comparer", f"git:{revision}")
        assert result.exit_code == 1, (revision, result.output)
        assert "révision git refusée" in result.output, result.output
    assert not witness.exists(), "git took data for an option"

    version = project / "data/statuts/dsr-chirurgie-pediatrique/v2.yaml"
    edit(version, "L'association est constituée pour une durée illimitée.",
         "L'association est constituée pour une durée de quatre-vingt-dix-neuf ans.")
    result = run(project, "build", "statuts", "--comparer", "git:HEAD")
    assert result.exit_code == 0, result.output  # read at depot/projets/dsr/data/…, not at depot/data/…
    said = {
        "git:nulle-part": "révision inconnue (ni branche, ni étiquette, ni commit de ce dépôt)",
        "git:HEAD~3": "révision inconnue",
        "git:HEAD^{tree}": "cette révision ne désigne pas un commit",
    }
    for revision, message in said.items():
        result = run(project, "build", "statuts", "--comparer", revision)
        assert result.exit_code == 1 and message in result.output, result.output
    (project / "data/statuts/dsr-chirurgie-pediatrique/v3.yaml").write_bytes(version.read_bytes().replace(
        b"numero: 2", b"numero: 3", 1))
    result = run(project, "build", "statuts", "--comparer", "git:HEAD")
    assert result.exit_code == 1 and "ce fichier n'existe pas à cette révision" in result.output, result.output

    alone = copy_project(tmp_path / "seul", "petit")
    result = run(alone, "build", "cpom", "--comparer", "git:HEAD")
    assert result.exit_code == 1 and "le projet n'est dans aucun dépôt git" in result.output, result.output


# --- data and templates: links out of the project, control characters, stylesheet addresses ------------

@pytest.mark.parametrize("name", ["templates/letters/lettre.typ", "templates/letters/lettre.docx",
                                  "templates/letters/lettre.css", "templates/letters/lancement-dsr.md",
                                  "templates/commun/principal.typ", "templates/commun/polices",
                                  "data/webinaires.yaml", "data/statuts"])
def test_a_link_out_of_the_project_is_refused_by_check_for_every_engine(small_project: Path, name: str) -> None:
    path = small_project / name
    outside = small_project.parent / f"ailleurs-{path.name}"
    shutil.move(path, outside)
    path.symlink_to(outside)
    for engine in ("weasyprint", "typst"):
        result = run(small_project, "build", "all", "--moteur-pdf", engine)
        assert result.exit_code == 1, result.output
        assert f"{name} : lien symbolique qui mène hors du projet (vers « {outside} »)" in result.output
    assert not (small_project / "out").exists(), "nothing built"
    path.unlink()
    path.symlink_to(Path(*[".."] * (len(Path(name).parts)), outside.name))  # relative: refused alike
    result = run(small_project, "check")
    assert result.exit_code == 1 and "lien symbolique qui mène hors du projet" in result.output, result.output


def test_a_link_inside_the_project_is_allowed(small_project: Path) -> None:
    css = small_project / "templates/letters/lettre.css"
    kept = small_project / "templates/commun/lettre-commune.css"
    shutil.move(css, kept)
    css.symlink_to(Path("../commun/lettre-commune.css"))
    result = run(small_project, "check")
    assert result.exit_code == 0, result.output


def test_control_characters_in_a_template_are_located_at_their_line(small_project: Path) -> None:
    text = small_project / "templates/letters/lancement-dsr.md"
    lines = text.read_text(encoding="utf-8").split("\n")
    lines[3] += " fin\x00"
    text.write_text("\n".join(lines), encoding="utf-8")
    result = run(small_project, "check")
    assert result.exit_code == 1
    assert (f"templates/letters/lancement-dsr.md:4:{len(lines[3])} : caractère de contrôle U+0000 interdit"
            in result.output), result.output


@pytest.mark.parametrize("rule", ['@import url("../../../../etc/arsdocs.css");',
                                  '@import url("file:///etc/passwd");',
                                  "@font-face { font-family: X; src: url(../../data/recipients.yaml) }",
                                  'p { background: url("https://exemple.fr/pixel.png") }'])
def test_a_stylesheet_address_outside_the_project_is_refused_by_check_at_its_line(small_project: Path,
                                                                                    rule: str) -> None:
    css = small_project / "templates/letters/lettre.css"
    original = css.read_text(encoding="utf-8")
    if rule.startswith("@import"):
        css.write_text(rule + "\n" + original, encoding="utf-8")
        line = 1
    else:
        css.write_text(original + "\n" + rule + "\n", encoding="utf-8")
        line = original.count("\n") + 2
    result = run(small_project, "check")
    assert result.exit_code == 1, result.output
    assert f"templates/letters/lettre.css:{line}" in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["arsdocs.yaml", "templates/commun/bloc-marque-provisoire.png"])
@pytest.mark.parametrize(("make", "said"), [(_fifo, "c'est un tube nommé (FIFO), pas un fichier ordinaire"),
                                            (_device_link, "c'est un périphérique, pas un fichier ordinaire")],
                         ids=["tube", "peripherique"])
def test_the_settings_and_the_logo_are_refused_when_they_are_not_ordinary_files(
        small_project: Path, make, said: str, name: str) -> None:  # type: ignore[no-untyped-def]
    make(small_project / name)
    result = _cli(small_project, "check", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    if name.endswith(".png") and make is _device_link:  # the logo's link leads out of the project first
        said = "est hors du dossier du projet"
    assert said in result.stderr and "Traceback" not in result.stderr, result.stderr
