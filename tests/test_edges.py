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
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run

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
                                    "\x00\xff", "[" * 100_000])
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
    journal.write_text('{"cle": "a", "etat": "envoye", "sha256_eml": "0"}\n{pas du json\n', encoding="utf-8")
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


@pytest.mark.slow
def test_a_full_disk_leaves_the_previous_mailing_exactly_as_it_was(small_project: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("monter un tmpfs demande d'être root")
    out = small_project / "out"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(out)], capture_output=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"tmpfs impossible ici : {mounted.stderr.decode(errors='replace')}")
    try:
        assert _cli(small_project, "build", "letters", "--jobs", "1").returncode == 0
        before = _hashes(out / "letters")
        original = (small_project / "templates/letters/lancement-dsr.md").read_bytes()
        _change_every_letter(small_project)
        free = shutil.disk_usage(out).free
        used = sum((out / "letters" / name).stat().st_size for name in before)
        # room for about half the new mailing: the build fails part-way, on a real ENOSPC
        (out / "remplissage").write_bytes(b"\0" * max(0, free - used // 2))

        result = _cli(small_project, "build", "letters", "--jobs", "1")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "plus de place sur le disque" in result.stderr
        assert "Traceback" not in result.stderr
        assert _hashes(out / "letters") == before, "the mailing was half replaced"

        (out / "remplissage").unlink()
        _undo(small_project, original)
        verified = _cli(small_project, "build", "letters", "--verifier", "--jobs", "1")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Vérification réussie" in verified.stdout
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


@pytest.mark.slow
def test_a_build_killed_part_way_leaves_the_previous_mailing_exactly_as_it_was(small_project: Path) -> None:
    assert _cli(small_project, "build", "letters", "--jobs", "1").returncode == 0
    out = small_project / "out"
    before = _hashes(out / "letters")
    original = (small_project / "templates/letters/lancement-dsr.md").read_bytes()
    _change_every_letter(small_project)
    staging = out / ".arsdocs-construction/letters"
    build = subprocess.Popen([*ARSDOCS, "--projet", str(small_project), "build", "letters", "--jobs", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(staging.rglob("*.arsdocs-tmp")):  # the new letters are being written
            assert build.poll() is None and time.monotonic() < deadline, "the build ended before it was killed"
            time.sleep(0.01)
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
    finally:
        if build.poll() is None:
            build.kill()
    assert _hashes(out / "letters") == before, "a kill left the mailing half replaced"

    _undo(small_project, original)
    verified = _cli(small_project, "build", "letters", "--verifier", "--jobs", "1")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    _change_every_letter(small_project)
    again = _cli(small_project, "build", "letters", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert not (out / ".arsdocs-construction").exists(), "what the killed build left is removed"
    assert _hashes(out / "letters") != before
