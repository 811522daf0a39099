"""`arsdocs sign`: PAdES signatures with a certificate chain made here, validated by pyHanko's own
validator against the test's root, with a timestamp from an RFC 3161 server on localhost."""

from __future__ import annotations

import email
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from helpers.pdfcheck import font_program, fonts, structure_tree, xmp_value
from helpers.pki import Chain, make_chain, timestamp_server
from helpers.project import ENGINES, cleared_for_release, copy_project, run, use_engine
from helpers.readback import MM, pdf_lines

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

PASSWORD = "mot de passe d'essai"
LETTERS = Path("out/letters/lancement-dsr")
LETTER = LETTERS / "chu-reims--claire-martin"
Edit = Callable[[Path, str, str], None]


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain()


@pytest.fixture
def certificate(chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "signataire.p12"
    path.write_bytes(chain.pkcs12(PASSWORD))
    monkeypatch.setenv("ARSDOCS_CERTIFICAT_MOT_DE_PASSE", PASSWORD)
    return path


@pytest.fixture
def built(small_project: Path, engine: str) -> Path:
    """The small project's letters, cleared for release, laid out by each PDF engine in turn."""
    cleared_for_release(small_project)
    use_engine(small_project, engine)
    result = run(small_project, "build", "letters", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return small_project


Signed = tuple[Path, dict[str, bytes], list[int]]


def _sign(built: Path, certificate: Path, chain: Chain) -> Signed:
    """The small project's letters signed with a timestamp; the unsigned PDFs; the server's answers."""
    unsigned = {path.name: path.read_bytes() for path in (built / LETTERS).glob("*--*.pdf")}
    with timestamp_server(chain) as (url, answered):
        result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate), "--horodatage", url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (f"courriers : 3 lettre(s) signée(s) par Directrice générale (test), "
                                              f"0 déjà signée(s) ; horodatage : {url}")
    return built, unsigned, answered


@pytest.fixture
def signed(built: Path, certificate: Path, chain: Chain) -> Signed:
    """Signed for one test, which may change the project."""
    return _sign(built, certificate, chain)


@pytest.fixture(scope="module", params=ENGINES)
def signed_once(tmp_path_factory: pytest.TempPathFactory, chain: Chain,
                request: pytest.FixtureRequest) -> Iterator[Signed]:
    """Signed once (for each PDF engine) for the tests that only read the signed files."""
    folder = tmp_path_factory.mktemp("signees")
    project = use_engine(cleared_for_release(copy_project(folder / "projet", "petit")), request.param)
    assert run(project, "build", "letters", "--jobs", "1").exit_code == 0
    certificate = folder / "signataire.p12"
    certificate.write_bytes(chain.pkcs12(PASSWORD))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARSDOCS_CERTIFICAT_MOT_DE_PASSE", PASSWORD)
        yield _sign(project, certificate, chain)


def validate(path: Path, chain: Chain):  # type: ignore[no-untyped-def]
    root = asn1_x509.Certificate.load(chain.root.der())
    with path.open("rb") as stream:
        signatures = PdfFileReader(stream).embedded_signatures
        assert len(signatures) == 1
        return validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root]),
                                      ValidationContext(trust_roots=[root]))


def test_signed_letters_validate_trusted_intact_and_covering_the_whole_file(
        signed_once: Signed, chain: Chain) -> None:
    project, unsigned, answered = signed_once
    assert len(answered) >= 3  # a timestamp per signature (pyHanko asks one more to size the signature)
    for name, original in unsigned.items():
        path = project / LETTERS / name
        data = path.read_bytes()
        assert data.startswith(original) and len(data) > len(original)  # an incremental update
        status = validate(path, chain)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.bottom_line
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
        assert status.signer_reported_dt is not None


def test_changing_one_byte_breaks_the_signature(signed_once: Signed, chain: Chain,
                                                tmp_path: Path) -> None:
    project, unsigned, _ = signed_once
    data = bytearray((project / f"{LETTER}.pdf").read_bytes())
    position = len(unsigned[f"{LETTER.name}.pdf"]) // 2  # in the revision WeasyPrint wrote
    data[position] = ord("X") if data[position] != ord("X") else ord("Y")
    tampered = tmp_path / "modifie.pdf"
    tampered.write_bytes(bytes(data))
    status = validate(tampered, chain)
    assert not status.intact and not status.bottom_line


def test_signed_letters_stay_pdfa_and_tagged_with_the_signature_in_the_signatory_block(
        signed_once: Signed) -> None:
    project, _, _ = signed_once
    with pikepdf.open(project / f"{LETTER}.pdf") as document:
        assert xmp_value(document, "pdfaid:part") == "2" and xmp_value(document, "pdfuaid:part") == "1"
        field = next(field for field in document.Root.AcroForm.Fields if field.get("/FT") == "/Sig")
        assert int(field.F) & 4 and not int(field.F) & 2  # printed, not hidden (PDF/A)
        assert all(font_program(font) for _, font in fonts(document))  # the stamp's font too
        forms = [node for node in structure_tree(document).walk() if node.role == "Form"]
        assert [node.alt for node in forms] == ["Signature électronique du courrier"]
        destination = pikepdf.NameTree(document.Root.Names.Dests)["bloc-signature"]
        page = next(page for page in document.pages if page.obj.objgen == destination[0].objgen)
        assert field.P.objgen == page.obj.objgen
        left, _, right, top = (float(value) for value in field.Rect)
        assert abs(left - float(destination[2])) < 1 and abs(top - float(destination[3])) < 1
        height = float(page.mediabox[3])
        stamp = field.AP.N.read_bytes()
        assert b"ActualText (Sign\\351 \\351lectroniquement par)" in stamp
    # the destination is where the signatory block begins: its first line just below, to the right
    # (the signature goes to the left of the signatory's name, and fits there)
    [first] = [line for line in pdf_lines(project / f"{LETTER}.pdf")[int(page.index)]
               if " ".join(word.text for word in line).startswith("Pour la directrice générale")]
    assert 0 <= first[0].top - (height - float(destination[3])) * MM < 6
    assert float(destination[2]) * MM + (right - left) * MM <= first[0].left


def test_each_email_carries_its_signed_letter_and_the_manifest_its_hash(
        signed_once: Signed) -> None:
    project, _, _ = signed_once
    pdf = (project / f"{LETTER}.pdf").read_bytes()
    message = email.message_from_bytes((project / f"{LETTER}.eml").read_bytes())
    attached = [part.get_payload(decode=True) for part in message.walk() if part.get_filename() == f"{LETTER.name}.pdf"]
    assert attached == [pdf]
    rows = json.loads((project / LETTERS / "manifeste.json").read_text(encoding="utf-8"))
    row = next(row for row in rows if row["pdf"] == f"{LETTER.name}.pdf")
    assert row["sha256_pdf"] == hashlib.sha256(pdf).hexdigest()


def test_a_signed_letter_is_never_rebuilt_silently(signed: Signed,
                                                   edit: Edit) -> None:
    project, _, _ = signed
    result = run(project, "build", "letters")
    assert result.exit_code == 0 and result.output.startswith("courriers : 0 construit(s)")
    before = (project / f"{LETTER}.pdf").read_bytes()
    edit(project / "data/recipients.yaml", "Claire", "Clara")
    result = run(project, "build", "letters")
    assert result.exit_code == 1
    assert "invaliderait leur signature" in result.output and f"out/letters/lancement-dsr/{LETTER.name}.pdf" in \
        result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert (project / f"{LETTER}.pdf").read_bytes() == before
    result = run(project, "build", "letters", "--force")
    assert result.exit_code == 0, result.output
    with pikepdf.open(project / LETTERS / "chu-reims--clara-martin.pdf") as document:
        assert "/AcroForm" not in document.Root  # rebuilt: not signed


def test_signing_again_signs_nothing_twice(signed: Signed,
                                           certificate: Path) -> None:
    project, _, _ = signed
    before = (project / f"{LETTER}.pdf").read_bytes()
    result = run(project, "sign", "letters", "--hors-delai", "--certificat", str(certificate))
    assert result.exit_code == 0
    assert "0 lettre(s) signée(s)" in result.output and "3 déjà signée(s)" in result.output
    assert (project / f"{LETTER}.pdf").read_bytes() == before


def test_without_a_timestamp_server_the_signature_is_still_valid(built: Path, certificate: Path,
                                                                  chain: Chain) -> None:
    result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate))
    assert result.exit_code == 0, result.output
    status = validate(built / f"{LETTER}.pdf", chain)
    assert status.bottom_line and status.timestamp_validity is None


def test_a_wrong_password_or_none_is_refused_in_french(built: Path, certificate: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before = (built / f"{LETTER}.pdf").read_bytes()
    monkeypatch.setenv("ARSDOCS_CERTIFICAT_MOT_DE_PASSE", "faux")
    result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate))
    assert result.exit_code == 1 and "mot de passe refusé" in result.output and "Traceback" not in result.output
    monkeypatch.delenv("ARSDOCS_CERTIFICAT_MOT_DE_PASSE")
    result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate))
    assert result.exit_code == 1 and "ARSDOCS_CERTIFICAT_MOT_DE_PASSE" in result.output
    assert (built / f"{LETTER}.pdf").read_bytes() == before


def test_letters_out_of_date_are_not_signed(built: Path, certificate: Path, edit: Edit) -> None:
    edit(built / "data/recipients.yaml", "Claire", "Clara")
    result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate))
    assert result.exit_code == 1 and "arsdocs build letters" in result.output
    assert "/AcroForm" not in pikepdf.open(built / f"{LETTER}.pdf").Root


def test_a_timestamp_server_that_does_not_answer_signs_nothing(built: Path, certificate: Path) -> None:
    import socket

    with socket.socket() as closed:  # a port where nothing listens
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    before = {path.name: path.read_bytes() for path in (built / LETTERS).iterdir() if path.is_file()}
    result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate), "--horodatage", url)
    assert result.exit_code == 1 and f"le serveur d'horodatage « {url} » ne répond pas" in result.output
    assert "Traceback" not in result.output
    assert {path.name: path.read_bytes() for path in (built / LETTERS).iterdir() if path.is_file()} == before


def test_the_visible_mention_says_who_signed_and_when(signed_once: Signed,
                                                       chain: Chain) -> None:
    """The mention is drawn by the signature alone, and states what it holds: the certificate's
    holder and the signing time (the unsigned letter says nothing of a signature)."""
    project, unsigned, _ = signed_once
    assert b"lectroniquement" not in unsigned[f"{LETTER.name}.pdf"]
    with pikepdf.open(project / f"{LETTER}.pdf") as document:
        field = next(field for field in document.Root.AcroForm.Fields if field.get("/FT") == "/Sig")
        stamp = field.AP.N.read_bytes().decode("latin-1")
    shown = [_pdf_string(text) for text in re.findall(r"/ActualText \(((?:\\.|[^\\)])*)\)", stamp)]
    moment = validate(project / f"{LETTER}.pdf", chain).signer_reported_dt.astimezone(ZoneInfo("Europe/Paris"))
    assert shown[0] == "Signé électroniquement par"
    assert shown[1] == "Directrice générale (test)"  # the certificate's holder (tests/pki.py)
    # the time the signature holds, in Paris time whatever the machine's zone (UTC here)
    assert shown[2] == f"le {moment:%d/%m/%Y} à {moment:%H:%M:%S} (heure de Paris)", shown[2]


def _pdf_string(literal: str) -> str:
    return re.sub(r"\\([0-7]{3}|.)", lambda m: chr(int(m[1], 8)) if m[1].isdigit() else m[1], literal)


def test_a_letter_meant_to_be_signed_is_not_sent_unsigned(built: Path, certificate: Path, chain: Chain) -> None:
    result = run(built, "send", "letters", "--envoyer", "--hors-delai", "--smtp", "127.0.0.1:9", "--sans-starttls")
    assert result.exit_code == 1
    assert "3 lettre(s) à envoyer ne sont pas signées, alors que le courrier prévoit une signature électronique " \
           "(signataire.signature_electronique: oui) : lancez d'abord « arsdocs sign letters »" in result.output
    assert not (built / "envois").exists()
    with timestamp_server(chain) as (url, _):
        signed = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate), "--horodatage", url)
        assert signed.exit_code == 0
    result = run(built, "send", "letters")
    assert result.exit_code == 0 and "signées" not in result.output


def test_check_definitif_wants_every_letter_that_says_so_signed(built: Path, certificate: Path) -> None:
    """The release gate: letters whose mailing asks for an electronic signature leave signed."""
    assert run(built, "build", "relances").exit_code == 0
    refused = run(built, "check", "--definitif")
    assert refused.exit_code == 1
    assert "3 lettre(s) du courrier « lancement-dsr » doivent être signées" in refused.output
    assert "3 lettre(s) du courrier « relance-dsr » doivent être signées" in refused.output
    assert run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate)).exit_code == 0
    refused = run(built, "check", "--definitif")
    assert refused.exit_code == 1 and "« lancement-dsr »" not in refused.output and "« relance-dsr »" in refused.output
    assert run(built, "sign", "relances", "--hors-delai", "--certificat", str(certificate)).exit_code == 0
    accepted = run(built, "check", "--definitif")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.startswith("Tout est valide et prêt à partir : ")


def test_a_letter_past_its_deadline_is_not_signed(built: Path, certificate: Path) -> None:
    """Signed today, the example's letter would ask for an answer by a day gone by: refused at its
    line of data, nothing signed, until it is redated or `--hors-delai` says it is meant."""
    before = (built / f"{LETTER}.pdf").read_bytes()
    result = run(built, "sign", "letters", "--certificat", str(certificate))
    assert result.exit_code == 1
    assert ("  data/courriers/lancement-dsr.yaml:32:16 : reponse.date_limite : la date limite de réponse (22 mai 2026) "
            "est passée : signer ce courrier demanderait ce qui ne peut plus se faire ; redatez le courrier (date, "
            "date limite) et reconstruisez-le, ou, si c'est voulu, ajoutez --hors-delai") in result.output.splitlines()
    assert (built / f"{LETTER}.pdf").read_bytes() == before
    result = run(built, "sign", "letters", "--hors-delai", "--certificat", str(certificate))
    assert result.exit_code == 0, result.output
    assert "Attention : data/courriers/lancement-dsr.yaml:32:16 : reponse.date_limite : " in result.output
