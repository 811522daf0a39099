"""The files others send (issue 26): a contact list, a statutes' Word file, returned reply forms.
Each is bounded before it is expanded, says what it skips, and is either taken or refused in
French, never a traceback; the three importers are fuzzed with bounded time and memory.

The tests named in docs/securite.md (« Sécurité ») failed on a95350b: the declared-dimension spreadsheet
exhausted the memory, hidden sheets and rows were imported, a date was taken as a name, a damaged
.docx ended in a traceback."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ars_docs.directory.importing import read_recipients
from ars_docs.source.errors import ArsDocsError
from helpers.project import copy_project, run, started_project

HEADERS = ["Établissement", "FINESS", "Adresse", "Code postal", "Ville", "Civilité", "Prénom", "Nom", "Fonction",
           "Service", "Courriel"]
PEOPLE = [
    ["CH de Verdun", 550000046, "2 rue d'Anthouard", 55100, "Verdun", "Madame", "Anne", "Leroy", "Directrice", "",
     "anne.leroy@ch-verdun.fr"],
    ["CH de Verdun", 550000046, "2 rue d'Anthouard", 55100, "Verdun", "Monsieur", "Jean", "Petit",
     "Président de la CME", "", "jean.petit@ch-verdun.fr"],
    ["CHU de Reims", "", "45 rue Cognacq-Jay", "51100", "Reims", "Madame", "Zoé", "Masquée", "Directrice", "",
     "zoe.masquee@chu-reims.fr"],
]
MEMORY = 1536 * 2**20
"""What an import may use here (address space, Python and its libraries included): the 9 GB of the
declared-dimension spreadsheet ended in MemoryError under it."""


def _project(folder: Path) -> Path:
    return started_project(folder)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _cli(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """arsdocs in its own process, its memory capped and its time bounded: a bomb is a failure."""
    return subprocess.run([sys.executable, "-m", "ars_docs", "--projet", str(project), *args], capture_output=True,
                          text=True, timeout=timeout, check=False, preexec_fn=_limited)


def _import(project: Path, spreadsheet: Path) -> subprocess.CompletedProcess[str]:
    return _cli(project, "import", "destinataires", str(spreadsheet))


def _workbook(path: Path, rows: list[list[object]], prepare: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(workbook)
    workbook.save(path)
    return path


def _rezipped(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """The same .xlsx with one part changed (as a hand-made or hostile file would have it)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def _names(project: Path) -> set[str]:
    data = yaml.safe_load((project / "data/recipients.yaml").read_text(encoding="utf-8"))
    return {person["nom"] for place in data["etablissements"] for person in place["destinataires"]}


# --- spreadsheets ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_sheet_that_declares_17_billion_cells_is_read_as_the_cells_it_holds(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    declared = _rezipped(_workbook(tmp_path / "declare.xlsx", PEOPLE[:2]), "xl/worksheets/sheet1.xml",
                         lambda xml: xml.replace(b'<dimension ref="A1:K3"/>', b'<dimension ref="A1:XFD1048576"/>'))
    assert b"XFD1048576" in zipfile.ZipFile(declared).read("xl/worksheets/sheet1.xml")
    assert declared.stat().st_size < 6000
    result = _import(project, declared)
    assert result.returncode == 0, result.stderr
    assert {"Leroy", "Petit"} <= _names(project)

    far = _rezipped(_workbook(tmp_path / "loin.xlsx", PEOPLE[:2]), "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                                             b"<is><t>x</t></is></c></row></sheetData>"))
    result = _import(project, far)
    assert result.returncode == 1
    assert "plus de 50000 lignes" in result.stderr and "Traceback" not in result.stderr


def test_a_zip_part_that_unpacks_beyond_its_limit_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    bomb = _rezipped(_workbook(tmp_path / "bombe.xlsx", PEOPLE[:1]), "xl/worksheets/sheet1.xml",
                     lambda xml: xml + b" " * (200 * 2**20))
    assert bomb.stat().st_size < 1_000_000
    result = run(project, "import", "destinataires", str(bomb))
    assert result.exit_code == 1
    assert "une partie de 200 Mio une fois décompressée (au plus 32 Mio)" in result.output


def test_entities_in_a_spreadsheet_are_refused(tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
              + b"]>")
    bomb = _rezipped(_workbook(tmp_path / "rires.xlsx", PEOPLE[:1]), "xl/worksheets/sheet1.xml",
                     lambda xml: laughs + xml.replace(b"<t>CH de Verdun</t>", b"<t>&j;</t>"))
    result = run(project, "import", "destinataires", str(bomb))
    assert result.exit_code == 1
    assert "fichier .xlsx illisible" in result.output


def test_hidden_sheets_and_hidden_or_filtered_rows_are_not_imported_and_the_summary_names_them(
        tmp_path: Path) -> None:
    project = _project(tmp_path / "projet")

    def hide(workbook: openpyxl.Workbook) -> None:
        old = workbook.create_sheet("Anciens contacts", 0)
        old.append(HEADERS)
        old.append(["CH Caché", "", "1 rue X", "57000", "Metz", "", "Paul", "Fantome", "Directeur", "", "p@ch.fr"])
        old.sheet_state = "hidden"
        sheet = workbook["Contacts"]
        sheet.auto_filter.ref = "A1:K4"
        sheet.row_dimensions[4].hidden = True  # Zoé Masquée, hidden by the filter
        workbook.create_sheet("Notes").append(["à relire"])

    result = run(project, "import", "destinataires", str(_workbook(tmp_path / "liste.xlsx", PEOPLE, hide)))
    assert result.exit_code == 0, result.output
    names = _names(project)
    assert {"Leroy", "Petit"} <= names and not {"Fantome", "Masquée"} & names
    assert "Note : feuille masquée « Anciens contacts » non importée" in result.output
    assert ("Note : 1 ligne(s) masquée(s) ou filtrée(s) non importée(s) (ligne(s) 4) : affichez-les dans le "
            "tableur pour les importer") in result.output
    assert "Note : feuille « Notes » non importée : seule la première feuille visible, « Contacts », l'est" \
        in result.output


def test_a_date_or_a_number_where_text_is_expected_is_refused_at_its_cell(tmp_path: Path) -> None:
    import datetime

    project = _project(tmp_path / "projet")
    rows = [list(PEOPLE[0]), list(PEOPLE[1])]
    rows[0][7] = datetime.datetime(2026, 5, 12)  # « Nom » typed « 12/05 », which Excel took for a date
    rows[1][6] = 1234  # « Prénom »
    before = (project / "data/recipients.yaml").read_bytes()
    result = run(project, "import", "destinataires", str(_workbook(tmp_path / "liste.xlsx", rows)))
    assert result.exit_code == 1
    assert ("liste.xlsx:2:8 : colonne H (« Nom ») : une date (« 2026-05-12T00:00:00 ») là où un texte est "
            "attendu") in result.output
    assert "liste.xlsx:3:7 : colonne G (« Prénom ») : un nombre (« 1234 ») là où un texte est attendu" in result.output
    assert (project / "data/recipients.yaml").read_bytes() == before, "nothing written"


# --- fuzzing the three importers: taken or refused in French, nothing else ----------------------------------

def _mutations() -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8)


def _mutated(data: bytes, changes: list[tuple[int, int]]) -> bytes:
    buffer = bytearray(data)
    for where, byte in changes:
        buffer[where % len(buffer)] = byte
    return bytes(buffer)


_XML_PIECES = st.sampled_from([b"<", b">", b"&", b"&amp;", b'"', b"<!DOCTYPE x>", b"<c r=\"ZZZZ9\"/>",
                               b'<row r="-1">', b'<row r="99999999">', b"\x00", b"\xff", b"<v>1e308</v>",
                               b'<c t="d"><v>x</v></c>', b'<c t="s"><v>999</v></c>', b"</row>", b"</sheetData>",
                               b'hidden="1"', b'<c t="n"><v>nan</v></c>'])


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=_mutations(), pieces=st.lists(st.tuples(st.integers(0, 10**5), _XML_PIECES), max_size=4))
def test_fuzz_spreadsheets_are_taken_or_refused_in_french(tmp_path: Path, changes: list[tuple[int, int]],
                                                          pieces: list[tuple[int, bytes]]) -> None:
    path = tmp_path / "fuzz.xlsx"
    _workbook(path, PEOPLE)

    def insert(xml: bytes) -> bytes:
        for where, piece in pieces:
            at = where % len(xml)
            xml = xml[:at] + piece + xml[at:]
        return xml

    _rezipped(path, "xl/worksheets/sheet1.xml", insert)
    if changes[0][1] % 2:  # half the time, bytes of the zip itself changed too
        path.write_bytes(_mutated(path.read_bytes(), changes))
    try:
        read_recipients(path, "fuzz.xlsx", {})
    except ArsDocsError as error:
        assert error.format_message().strip()


# --- a statutes' Word file -------------------------------------------------------------------------

STATUTES_DOCX = "out/statuts/dsr-chirurgie-pediatrique/statuts-v2.docx"
DRAFTS = "data/statuts/dsr-chirurgie-pediatrique"


def _with_part(source: Path, target: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    shutil.copy(source, target)
    return _rezipped(target, part, change)


def _laughs(xml: bytes) -> bytes:
    entities = b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)) + b"]>"
    head, rest = xml.split(b"?>", 1)
    return head + b"?>" + entities + rest.replace(b"<w:t>", b"<w:t>&j;", 1)


@pytest.mark.slow
@pytest.mark.parametrize(("damage", "said"), [
    (lambda source, target: target.write_bytes(source.read_bytes()[: source.stat().st_size // 2]),
     "n'est pas un document Word (.docx) lisible : fichier abîmé"),
    (lambda source, target: _with_part(source, target, "word/document.xml", lambda xml: xml[: len(xml) // 2]),
     "n'est pas un document Word (.docx) lisible (abîmé"),
    (lambda source, target: _with_part(source, target, "word/document.xml", _laughs),
     "n'est pas un"),
    (lambda source, target: _with_part(source, target, "word/document.xml", lambda xml: xml + b" " * (100 * 2**20)),
     "une partie de 100 Mio une fois décompressée (au plus 32 Mio)"),
    (lambda source, target: _with_part(source, target, "[Content_Types].xml", lambda xml: b"<Types/>"),
     "n'est pas un document Word (.docx) lisible"),
    (lambda source, target: target.write_bytes(b"\0" * (21 * 2**20)),
     "fichier trop volumineux (21 Mio ; au plus 20 Mio)"),
    (lambda source, target: os.mkfifo(target), "c'est un tube nommé (FIFO), pas un fichier ordinaire"),
])
def test_a_damaged_or_hostile_statutes_file_is_refused_in_french_and_nothing_is_written(
        everything: Path, tmp_path: Path, damage, said: str) -> None:  # type: ignore[no-untyped-def]
    project = copy_project(tmp_path / "projet")
    target = tmp_path / "statuts-v2-relu.docx"
    damage(everything / STATUTES_DOCX, target)
    before = sorted((project / DRAFTS).iterdir())
    result = _cli(project, "import", "statuts", str(target))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "statuts-v2-relu.docx" in result.stderr and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted((project / DRAFTS).iterdir()) == before, "nothing written"


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=_mutations(), pieces=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
    [b"<", b"&", b"<!DOCTYPE x>", b"</w:p>", b"<w:p>", b"\x00", b'<w:bookmarkStart w:name="_art_x"/>',
     b"<w:ins>", b"Article 99 \xe2\x80\x93 ", b"Titre X \xe2\x80\x93 "])), max_size=4))
def test_fuzz_statutes_files_are_read_or_refused_in_french(everything: Path, tmp_path: Path,
                                                          changes: list[tuple[int, int]],
                                                          pieces: list[tuple[int, bytes]]) -> None:
    from ars_docs.families.statuts.wordreading import read_document

    def insert(xml: bytes) -> bytes:
        for where, piece in pieces:
            at = where % len(xml)
            xml = xml[:at] + piece + xml[at:]
        return xml

    path = _with_part(everything / STATUTES_DOCX, tmp_path / "fuzz.docx", "word/document.xml", insert)
    if changes[0][1] % 2:
        path.write_bytes(_mutated(path.read_bytes(), changes))
    for accept in (False, True):
        try:
            read_document(path, accept)
        except ArsDocsError as error:
            assert "fuzz.docx" in error.format_message()


# --- returned reply forms ----------------------------------------------------------------------------------

FORMS = "out/letters/lancement-dsr/formulaires"


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=_mutations(), kind=st.sampled_from(["pdf", "docx"]), cut=st.integers(0, 100))
def test_fuzz_reply_forms_are_taken_or_refused_on_their_own(everything: Path, tmp_path: Path,
                                                           changes: list[tuple[int, int]], kind: str,
                                                           cut: int) -> None:
    from ars_docs.families.letters.replies import _read

    form = sorted((everything / FORMS).glob(f"*.{kind}"))[0].read_bytes()
    data = _mutated(form, changes)
    path = tmp_path / f"reponse.{kind}"
    path.write_bytes(data[: max(1, len(data) * cut // 100)] if cut < 10 else data)
    try:
        form = _read(path)
    except ValueError as error:
        assert str(error).strip()
    else:
        assert form.reference is None or isinstance(form.reference, str)
        assert all(isinstance(value, str) for value in form.values.values())
        assert all(isinstance(name, str) and isinstance(label, str) for name, label in (*form.roles, *form.fields))


@pytest.mark.slow
def test_reply_forms_are_bounded_and_a_date_to_come_does_not_order_them(everything: Path, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "projet")
    folder = tmp_path / "recus"
    folder.mkdir()
    form = sorted((everything / FORMS).glob("*.docx"))[0]
    (folder / "enorme.pdf").write_bytes(b"%PDF-1.7\n" + b" " * (11 * 2**20))
    _with_part(form, folder / "bombe.docx", "word/document.xml", lambda xml: xml + b" " * (40 * 2**20))
    os.mkfifo(folder / "tube.pdf")
    result = _cli(project, "import", "reponses", str(folder))
    assert "refusé : enorme.pdf : fichier trop volumineux (11 Mio ; au plus 10 Mio)" in result.stdout
    assert "refusé : bombe.docx : une partie de 40 Mio une fois décompressée (au plus 16 Mio)" in result.stdout
    assert "refusé : tube.pdf : c'est un tube nommé (FIFO), pas un fichier ordinaire" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_reply_dated_in_the_future_is_dated_by_its_import(tmp_path: Path) -> None:
    import datetime

    from ars_docs.families.letters.replies import _dated

    now = datetime.datetime(2027, 5, 15, 10, 0, tzinfo=datetime.UTC)
    path = tmp_path / "reponse.pdf"
    path.write_bytes(b"%PDF")
    in_a_year = (now + datetime.timedelta(days=365)).timestamp()
    os.utime(path, (in_a_year, in_a_year))
    assert _dated(path, now) == (now, True)
    yesterday = (now - datetime.timedelta(days=1)).timestamp()
    os.utime(path, (yesterday, yesterday))
    assert _dated(path, now) == (now - datetime.timedelta(days=1), False)
