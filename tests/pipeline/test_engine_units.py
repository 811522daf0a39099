"""In-process unit tests of the machinery under every family: YAML read with the place of each
value, fingerprints that depend on content only, the record of what a build wrote, the planning
of out-of-date items, work split without cutting a group, identifiers checked once."""

from __future__ import annotations

import datetime
import errno
import itertools
import re
import socket
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from ars_docs.base.builder import Item
from ars_docs.base.state import BuildState, FileRecord, ItemRecord
from ars_docs.pipeline.fingerprint import canonical, digest
from ars_docs.pipeline.workers import _chunks
from ars_docs.source.errors import ArsDocsError, InvalidInput, os_reason
from ars_docs.source.fields import IDENTIFIER_LENGTH, Email, Identifier, Record, check_identifier, parse_yes_no, slug
from ars_docs.source.lock import Interrupted, at_work
from ars_docs.source.validation import duplicates, field_path
from ars_docs.source.yamlsource import parse_yaml
from ars_docs.writers.docx import CORE_PROPERTY_LIMIT, shortened

SAMPLE = b"""\
etablissements:
  - id: chu-reims
    nom: CHU de Reims
  - id: ch-troyes
    nom: "CH de Troyes"
texte: |
  ligne un
  ligne deux
"""


# --- YAML with places ----------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "key", "where"), [
    (("etablissements", 0, "id"), False, (2, 9)), (("etablissements", 1, "nom"), False, (5, 10)),
    (("etablissements", 1, "nom"), True, (5, 5)), (("etablissements", 7, "id"), False, (1, 1)),
    (("texte",), True, (6, 1)),
])
def test_every_value_and_key_is_located(path: tuple[str | int, ...], key: bool, where: tuple[int, int]) -> None:
    source = parse_yaml(SAMPLE, "data/x.yaml")
    location = source.locate(path, key=key)
    assert (location.line, location.column) == where or (where == (1, 1) and location.line == 2)


def test_a_literal_block_locates_a_word_on_its_own_line() -> None:
    source = parse_yaml(SAMPLE, "data/x.yaml")
    location = source.locate_inside(("texte",), "ligne un\n", "deux")
    assert (location.line, location.column) == (8, 9)


@pytest.mark.parametrize(("raw", "message"), [
    (b"a: 1\na: 2\n", "clé « a » en double"), (b"a:\n\t- b\n", "tabulation"),
    (b"a: [1, 2\n", "YAML"), (b"a: !!python/object/apply:os.system [ls]\n", ""),
])
def test_bad_yaml_is_refused_with_its_place(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_yaml(raw, "data/x.yaml")
    text = str(refused.value.problems[0])
    assert text.startswith("data/x.yaml:") and message in text


@pytest.mark.parametrize("raw", [
    b"a: 1\n- b\n", b"a: b: c\n", b"a: [1, 2\n", b"a:\n  b: 1\n c: 2\n", b"a: *nulle\n", b"a: &x 1\nb: &x 2\nc: *x\n",
    b"a: @b\n", b"a: !truc b\n", b"a: 'b\n", b"a: \"\\q\"\n", b"a: 1\n---\nb: 2\n", b"- a\nb: 1\n", b"a: 1 # x\n b\n",
    b"a: &\n", b"a: ]\n", b"a: {b: 1\n", b"? a\n", b"a: |\n b\n c: 1\n", b"a:\n- b\n - c\n", b"a: \"b\" c\n",
])
def test_every_yaml_syntax_error_a_hand_makes_is_said_in_french(raw: bytes) -> None:
    """libyaml's messages are English: each is translated, a rare one quoted as such."""
    try:
        parse_yaml(raw, "data/x.yaml")
    except InvalidInput as refused:
        text = str(refused.problems[0])
        assert re.fullmatch(r"data/x\.yaml:\d+:\d+ : .+", text), text
        assert "message de la bibliothèque" not in text, f"{raw!r}: {text}"


# --- fingerprints --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Thing:
    name: str
    amount: Decimal
    day: datetime.date
    tags: frozenset[str]


def test_a_fingerprint_depends_on_content_only() -> None:
    one = _Thing("a", Decimal("1.50"), datetime.date(2027, 1, 1), frozenset({"x", "y"}))
    same = _Thing("a", Decimal("1.50"), datetime.date(2027, 1, 1), frozenset({"y", "x"}))
    other = _Thing("a", Decimal("1.51"), datetime.date(2027, 1, 1), frozenset({"x", "y"}))
    assert digest(one) == digest(same) != digest(other)
    assert canonical({"b": 1, "a": 2}) == {"a": 2, "b": 1}


def test_a_shared_value_is_made_canonical_once() -> None:
    shared = _Thing("modèle", Decimal(1), datetime.date(2027, 1, 1), frozenset())
    memo: dict[int, object] = {}
    first = digest([shared, shared], memo)
    assert len(memo) == 1 and first == digest([shared, shared])


def test_a_value_without_canonical_form_is_an_error() -> None:
    with pytest.raises(TypeError):
        canonical(object())


# --- what a build wrote --------------------------------------------------------------------------

def test_the_build_record_knows_what_is_current(tmp_path: Path) -> None:
    target = tmp_path / "letters/a.pdf"
    target.parent.mkdir()
    target.write_bytes(b"%PDF")
    state = BuildState(tmp_path, "letters")
    state.items["letters/a"] = ItemRecord("empreinte", {"letters/a.pdf": FileRecord.of(target, "sha")})
    state.save()
    again = BuildState(tmp_path, "letters")
    assert again.is_current("letters/a", "empreinte", ("letters/a.pdf",))
    assert not again.is_current("letters/a", "autre", ("letters/a.pdf",))
    assert not again.is_current("letters/a", "empreinte", ("letters/a.pdf", "letters/a.docx"))
    target.write_bytes(b"%PDF modifie")
    assert not again.is_current("letters/a", "empreinte", ("letters/a.pdf",))


def test_an_unreadable_record_means_everything_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / ".arsdocs").mkdir()
    (tmp_path / ".arsdocs/letters.json").write_text("{pas du json", encoding="utf-8")
    assert BuildState(tmp_path, "letters").items == {}


# --- work split ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Job(Item):
    name: str
    group: str = ""

    @property
    def key(self) -> str:  # type: ignore[override]
        return self.name


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_work_is_split_without_cutting_a_group(jobs: int) -> None:
    work = [("f", _Job(f"j{index}", f"g{index // 5}")) for index in range(40)]
    chunks = list(_chunks(work, jobs))  # type: ignore[arg-type]
    assert [job for chunk in chunks for job in chunk] == work
    for chunk, following in itertools.pairwise(chunks):
        assert chunk[-1][1].group != following[0][1].group
    assert all(len(chunk) < 8 + 5 for chunk in chunks)  # at most 8, and the rest of the group it ends in


# --- identifiers and answers ---------------------------------------------------------------------

def test_a_duplicate_identifier_is_reported_at_its_second_place() -> None:
    source = parse_yaml(b"l:\n  - id: a\n  - id: b\n  - id: a\n", "data/x.yaml")
    labels = [(("l", index, "id"), label) for index, label in enumerate(["a", "b", "a"])]
    assert [str(problem) for problem in duplicates(source, labels)] == [
        "data/x.yaml:4:9 : l[3].id : identifiant « a » en double (déjà utilisé ligne 2)"]


@pytest.mark.parametrize(("text", "value"), [("oui", True), ("Non", False), (" VRAI ", True), ("false", False)])
def test_yes_and_no_are_read_one_way(text: str, value: bool) -> None:
    assert parse_yes_no(text) is value


def test_anything_else_is_not_a_yes_or_no() -> None:
    with pytest.raises(ValueError, match="« oui » ou « non »"):
        parse_yes_no("peut-être")


def test_field_paths_count_from_one() -> None:
    assert field_path(("etablissements", 2, "destinataires", 0, "email")) == "etablissements[3].destinataires[1].email"


@pytest.mark.parametrize(("value", "cell"), [("=HYPERLINK(\"https://x\")", "'=HYPERLINK(\"https://x\")"),
                                             ("+33 3 83", "'+33 3 83"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
                                             ("\tcaché", "'\tcaché"), ("Dupont", "Dupont"), ("", "")])
def test_no_cell_of_a_manifest_is_a_formula(value: str, cell: str) -> None:
    """OWASP's advice against CSV injection: a leading quote; the JSON manifest keeps the value."""
    import csv
    import io
    import json
    from dataclasses import asdict

    from ars_docs.families.letters.finals import MANIFEST_COLUMNS, ManifestRow
    from ars_docs.writers.manifest import manifest_csv, manifest_json

    row = asdict(ManifestRow(value, "510000029", "Madame", "Claire", value, "Directrice", "c@x.fr", "a.docx",
                             "a.pdf", "a.eml", "1", "2", "3"))
    [header, read] = list(csv.reader(io.StringIO(manifest_csv(MANIFEST_COLUMNS, [row]).decode("utf-8-sig")),
                                     delimiter=";"))
    assert read[header.index("nom")] == cell and read[header.index("etablissement")] == cell
    assert json.loads(manifest_json([row]))[0]["nom"] == value


# --- the limits of the target formats ----------------------------------------------------------------

@pytest.mark.parametrize("length", [0, 1, 254, 255, 256, 1000])
def test_a_text_is_shortened_to_a_format_limit_only_when_longer(length: int) -> None:
    text = ("Réponse au courrier du lancement " * 40)[:length]
    short = shortened(text, CORE_PROPERTY_LIMIT)
    assert len(short) <= CORE_PROPERTY_LIMIT
    if length <= CORE_PROPERTY_LIMIT:
        assert short == text
    else:
        assert short.endswith("…") and text.startswith(short[:-1]) and len(short) > CORE_PROPERTY_LIMIT // 2


class _Addressed(Record):
    email: Email
    id: Identifier


@pytest.mark.parametrize(("typed", "kept"), [
    ("pierre.royer@exämple.fr", "pierre.royer@xn--exmple-cua.fr"),  # the ASCII form, which SMTP carries
    ("Pierre.Royer@Example.FR", "Pierre.Royer@example.fr"),
])
def test_an_address_is_kept_in_the_form_every_mail_program_reads(typed: str, kept: str) -> None:
    assert _Addressed(email=typed, id="a").email == kept


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "hélène@example.fr", "les caractères accentués ne sont admis qu'après l'@"),
    ("id", "-".join(["chu"] * 30), "identifiant de 119 caractères, 64 au plus"),
])
def test_what_no_mail_server_or_file_system_takes_is_refused(field: str, value: str, message: str) -> None:
    values = {"email": "a@example.fr", "id": "a", field: value}
    with pytest.raises(ValidationError, match=message):
        _Addressed(**values)


def test_a_slug_made_from_a_long_name_stays_an_identifier() -> None:
    name = slug("Marie-Éloïse " * 20)
    assert len(name) <= IDENTIFIER_LENGTH and check_identifier(name) == name and not name.endswith("-")


# --- one command at a time, and Ctrl-C ---------------------------------------------------------------

def test_one_command_at_a_time_in_a_project(tmp_path: Path) -> None:
    refused = r"une autre commande arsdocs .* relancez « arsdocs send »"
    with at_work(tmp_path, "build", "rien"), pytest.raises(ArsDocsError, match=refused), \
            at_work(tmp_path, "send", "rien"):
        pass
    with at_work(tmp_path, "send", "rien"):  # released: the next one works
        pass


def test_ctrl_c_is_a_french_message_with_the_shells_exit_code(tmp_path: Path) -> None:
    with pytest.raises(Interrupted) as caught, at_work(tmp_path, "import", "rien n'a été écrit"):
        raise KeyboardInterrupt
    assert caught.value.exit_code == 130
    assert caught.value.format_message() == "« arsdocs import » interrompu (Ctrl-C) : rien n'a été écrit"
    with at_work(tmp_path, "import", "rien"):  # and the lock was released
        pass


@pytest.mark.parametrize(("error", "reason"), [
    (FileNotFoundError(errno.ENOENT, "No such file or directory"), "fichier ou dossier introuvable"),
    (OSError(errno.ENOSPC, "No space left on device"), "plus de place sur le disque"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "connexion refusée"),
    (socket.gaierror(-2, "Name or service not known"), "nom de machine introuvable (DNS)"),
    (OSError(errno.EOWNERDEAD, "Owner died"), "erreur du système (EOWNERDEAD)"),
])
def test_the_systems_reasons_are_french(error: OSError, reason: str) -> None:
    assert os_reason(error) == reason


# --- settings declared by their components ------------------------------------------------------

def test_a_family_declares_its_settings_and_every_other_key_is_refused(tmp_path: Path) -> None:
    from ars_docs.base.registry import settings_problems
    from ars_docs.families.letters.postal import EnvelopeSettings, envelope
    from ars_docs.source.project import Project
    from helpers.project import copy_project

    project = copy_project(tmp_path / "projet")
    settings = project / "arsdocs.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "enveloppe:\n  gauche_mm: 20\n", encoding="utf-8")
    opened = Project.open(project)
    assert settings_problems(opened) == []
    assert envelope(opened) == EnvelopeSettings(gauche_mm=20)  # the letters read their own part
    lines = settings.read_text(encoding="utf-8").splitlines()
    wrong = [*lines[:-2], "envelope:", "  gauche_mm: 20", "enveloppe:", "  gauche_mm: -3"]
    settings.write_text("\n".join(wrong) + "\n", encoding="utf-8")
    said = [str(problem) for problem in settings_problems(Project.open(project))]
    count = len(lines)
    assert said == [
        f"arsdocs.yaml:{count - 1}:1 : envelope : clé inconnue « envelope » ; vouliez-vous dire « enveloppe » ?",
        f"arsdocs.yaml:{count + 2}:14 : enveloppe.gauche_mm : doit être positif ou nul, pas « -3 »"]
