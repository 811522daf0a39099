"""`arsdocs sign` refuses, before touching a letter, a certificate that cannot make a signature that
holds: expired, not yet valid, for encryption only, a key that is not its own, a chain that does not
lead to the authorities of `signature.racines`; and every signed PDF is read back and validated.
The certificates are made by the test PKI (helpers/pki.py)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pikepdf
import pytest

from ars_docs.writers import signing
from helpers.pki import Chain, issue, make_chain
from helpers.project import cleared_for_release, run

PASSWORD = "mot de passe d'essai"
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain()


def _p12(tmp_path: Path, chain: Chain, **options: object) -> Path:
    path = tmp_path / "signataire.p12"
    holder = issue("Signataire (test)", chain.root, **options) if options else None  # type: ignore[arg-type]
    path.write_bytes(chain.pkcs12(PASSWORD, holder))
    return path


def _refusal(path: Path, roots: list[tuple[str, bytes]] | None = None) -> str:
    with pytest.raises(signing.SigningError) as refused:
        signing.load_key(path, PASSWORD, None, roots)
    return str(refused.value)


def test_a_valid_signing_certificate_is_taken(chain: Chain, tmp_path: Path) -> None:
    key = signing.load_key(_p12(tmp_path, chain), PASSWORD, None, [("racine.pem", _der(chain))])
    assert key.holder == "Directrice générale (test)" and key.roots == (_der(chain),)


def test_an_expired_certificate_is_refused_with_its_date(chain: Chain, tmp_path: Path) -> None:
    path = _p12(tmp_path, chain, valid_from=-60 * DAY, valid_until=-30 * DAY)
    expired = (datetime.datetime.now(datetime.UTC) - 30 * DAY).astimezone(signing.PARIS)
    message = _refusal(path)
    assert f"refusé : expiré le {expired:%d/%m/%Y}" in message, message


def test_a_certificate_not_yet_valid_is_refused_with_its_date(chain: Chain, tmp_path: Path) -> None:
    path = _p12(tmp_path, chain, valid_from=365 * DAY, valid_until=700 * DAY)
    start = (datetime.datetime.now(datetime.UTC) + 365 * DAY).astimezone(signing.PARIS)
    assert f"pas encore valable : il ne l'est qu'à partir du {start:%d/%m/%Y}" in _refusal(path)


def test_an_encryption_certificate_is_refused_naming_its_usage(chain: Chain, tmp_path: Path) -> None:
    message = _refusal(_p12(tmp_path, chain, signs=False))
    assert ("son usage ne permet pas de signer : il faut digitalSignature ou nonRepudiation (KeyUsage), il ne "
            "permet que keyEncipherment, dataEncipherment") in message, message


def test_a_key_that_is_not_the_certificates_is_refused(chain: Chain) -> None:
    """A PKCS#12 file cannot be written so by `cryptography`, but other tools write them."""
    other = issue("Autre (test)", chain.root)
    now = datetime.datetime.now(datetime.UTC)
    assert signing.certificate_problem(other.key, chain.signer.certificate, [], None, now) == (
        "sa clé privée ne correspond pas au certificat du fichier")
    assert signing.certificate_problem(chain.signer.key, chain.signer.certificate, [], None, now) is None


def test_a_chain_to_another_authority_is_refused_when_roots_are_set(chain: Chain, tmp_path: Path) -> None:
    stranger = make_chain()
    message = _refusal(_p12(tmp_path, chain), [("racines/ars.pem", _der(stranger))])
    assert ("sa chaîne ne mène à aucune des autorités de confiance de arsdocs.yaml (signature.racines : "
            "racines/ars.pem) : une autorité du même nom n'a pas signé ce certificat") in message, message
    other_name = issue("Autre racine", authority=True)
    message = _refusal(_p12(tmp_path, chain), [("racines/ars.pem", other_name.der())])
    assert "racines/ars.pem) : ce n'est pas un certificat de ces autorités" in message, message


def test_a_file_without_a_key_or_a_folder_is_refused(chain: Chain, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = tmp_path / "sans-cle.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"x", None, None, [chain.signer.certificate], serialization.BestAvailableEncryption(PASSWORD.encode())))
    assert "il ne contient pas de clé" in _refusal(path)
    assert "c'est un dossier, pas un fichier" in _refusal(tmp_path)


def _der(chain: Chain) -> bytes:
    return chain.root.der()


def test_a_signed_pdf_is_read_back_and_a_damaged_one_refused(chain: Chain, tmp_path: Path) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = signing.load_key(_p12(tmp_path, chain), PASSWORD, None, [("racine.pem", _der(chain))])
    document = pikepdf.new()
    document.add_blank_page()
    blank = io.BytesIO()
    document.save(blank)
    output = io.BytesIO()
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Signature"), key.signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(blank.getvalue())), output=output)
    signed = output.getvalue()
    signing.verify_signed(signed, "lettre.pdf", key)
    position = signed.index(b"/MediaBox")
    damaged = signed[:position] + b"/MediaBoy" + signed[position + 9:]
    with pytest.raises(signing.SigningError, match="la signature relue n'est pas valide"):
        signing.verify_signed(damaged, "lettre.pdf", key)
    other = signing.load_key(_p12(tmp_path, make_chain()), PASSWORD, None)
    with pytest.raises(signing.SigningError, match=r"ne porte pas le certificat du signataire|n'est pas valide"):
        signing.verify_signed(signed, "lettre.pdf", other)


def test_sign_refuses_before_touching_a_letter(chain: Chain, small_project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the command, with the root given in arsdocs.yaml: the expired certificate is refused
    in French, exit 1, nothing written."""
    cleared_for_release(small_project)
    (small_project / "racine.pem").write_bytes(chain.root_pem())
    with (small_project / "arsdocs.yaml").open("a", encoding="utf-8") as settings:
        settings.write("signature:\n  racines: [racine.pem]\n")
    monkeypatch.setenv("ARSDOCS_CERTIFICAT_MOT_DE_PASSE", PASSWORD)
    expired = _p12(small_project, chain, valid_from=-60 * DAY, valid_until=-1 * DAY)
    result = run(small_project, "sign", "letters", "--hors-delai", "--certificat", str(expired))
    assert result.exit_code == 1
    assert result.output.startswith(f"Erreur : certificat « {expired} » refusé : expiré le "), result.output
    assert not (small_project / "out").exists()
    folder = run(small_project, "sign", "letters", "--hors-delai", "--certificat", str(small_project / "data"))
    assert folder.exit_code == 1 and "c'est un dossier, pas un fichier" in folder.output, folder.output
    (small_project / "arsdocs.yaml").write_text(
        (small_project / "arsdocs.yaml").read_text(encoding="utf-8").replace("[racine.pem]", "[../racine.pem]"),
        encoding="utf-8")
    outside = run(small_project, "sign", "letters", "--hors-delai", "--certificat", str(expired))
    assert outside.exit_code == 1 and "« ../racine.pem » est hors du dossier du projet" in outside.output
    assert "arsdocs.yaml:" in outside.output, outside.output
