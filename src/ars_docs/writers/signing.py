"""PAdES signatures on built PDFs, with pyHanko (what `arsdocs sign` does to letters is in
`pipeline/signing.py`).

A PDF (PDF/A-2a) is signed by an incremental update: the bytes the engine wrote stay as they are
and the signature is appended, so the PDF/A stays valid and the signature covers the whole file.
The visible signature sits in the signatory block, whose position the engine records as a named
destination (`SIGNATURE_ANCHOR`): beside the signatory's name, left of it, where the block is
blank.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ars_docs.source.errors import ArsDocsError, InvalidInput, Problem, os_reason
from ars_docs.source.fields import Record, Text
from ars_docs.source.safefiles import UnsafeFile, inside, read_bounded
from ars_docs.tree.french import PARIS
from ars_docs.writers.html import SIGNATURE_ANCHOR

PASSWORD_VARIABLE = "ARSDOCS_CERTIFICAT_MOT_DE_PASSE"
FIELD_NAME = "Signature"
STAMP_FONT = "commun/polices/LiberationSans-Regular.ttf"
"""In templates/: the stamp's text is drawn with an embedded font (PDF/A)."""
_MM = 72 / 25.4
STAMP_WIDTH, STAMP_HEIGHT = 78 * _MM, 20 * _MM


class SigningError(ArsDocsError):
    """A certificate that cannot be used, a PDF that cannot be signed."""


@dataclass(frozen=True)
class SigningKey:
    signer: Any
    """pyHanko's SimpleSigner."""
    timestamper: Any | None
    """pyHanko's HTTPTimeStamper, when a timestamp server is configured."""
    timestamp_url: str | None
    holder: str
    roots: tuple[bytes, ...] = ()
    """The trusted root certificates (DER) of `signature.racines`, if any."""


class SignatureSettings(Record):
    """`signature:` in arsdocs.yaml: what `arsdocs sign` trusts."""

    racines: Annotated[list[Text], Field(min_length=1)] | None = None
    """Files of the project (PEM or DER) holding the root authorities a signer's certificate must
    lead to; without them, the chain is not checked (the validity and usage of the certificate are)."""


SIGNING_USAGES = ("digital_signature", "content_commitment")
"""KeyUsage bits that allow a signature (RFC 5280 §4.2.1.3: digitalSignature, nonRepudiation)."""
_USAGE_NAMES = {"digital_signature": "digitalSignature", "content_commitment": "nonRepudiation",
                "key_encipherment": "keyEncipherment", "data_encipherment": "dataEncipherment",
                "key_agreement": "keyAgreement", "key_cert_sign": "keyCertSign", "crl_sign": "cRLSign"}
MAX_CERTIFICATE = 1 * 2**20


def load_key(certificate: Path, password: str | None, timestamp_url: str | None,
             roots: list[tuple[str, bytes]] | None = None, at: datetime.datetime | None = None) -> SigningKey:
    """The key and certificate chain of a PKCS#12 file, the password from the environment; refused
    unless it can sign at `at` (now): within its validity, with a signing usage, its key matching
    its certificate, and leading to one of `roots` (name, PEM or DER bytes) when some are given."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers, timestamps

    if password is None:
        raise SigningError(f"mot de passe du certificat absent : définissez la variable d'environnement "
                           f"{PASSWORD_VARIABLE}")
    try:
        data = read_bounded(certificate, MAX_CERTIFICATE)
    except (OSError, UnsafeFile) as error:
        reason = os_reason(error) if isinstance(error, OSError) else str(error)
        raise SigningError(f"certificat « {certificate} » illisible : {reason}") from None
    try:  # read here first: pyHanko's own reading fails on a file without a key
        key, holder_certificate, others = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError:
        raise SigningError(f"certificat « {certificate} » inutilisable : mot de passe refusé, ou ce n'est pas "
                           f"un fichier PKCS#12 (.p12, .pfx)") from None
    if key is None or holder_certificate is None:
        raise SigningError(f"certificat « {certificate} » : il ne contient pas de clé et de certificat de signataire")
    problem = certificate_problem(key, holder_certificate, others, roots, at or datetime.datetime.now(datetime.UTC))
    if problem:
        raise SigningError(f"certificat « {certificate} » refusé : {problem}")
    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password.encode())
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    subject = signer.signing_cert.subject
    holder = str(subject.native.get("common_name") or subject.human_friendly)
    return SigningKey(signer, timestamper, timestamp_url, holder, tuple(der for _, der in roots or ()))


def certificate_problem(key: Any, certificate: Any, others: list[Any], roots: list[tuple[str, bytes]] | None,
                        at: datetime.datetime) -> str | None:
    """Why this certificate cannot make a signature that holds at `at`, in French; None if it can."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    day = "%d/%m/%Y"
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if at > end:
        return (f"expiré le {end.astimezone(PARIS):{day}} (valable du {start.astimezone(PARIS):{day}} au "
                f"{end.astimezone(PARIS):{day}}) : une signature faite avec lui est invalide ; demandez un "
                "certificat en cours de validité")
    if at < start:
        return (f"pas encore valable : il ne l'est qu'à partir du {start.astimezone(PARIS):{day}} (aujourd'hui : "
                f"{at.astimezone(PARIS):{day}})")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not any(getattr(usage, name) for name in SIGNING_USAGES):
        allowed = [label for name, label in _USAGE_NAMES.items() if _usage_bit(usage, name)]
        return (f"son usage ne permet pas de signer : il faut digitalSignature ou nonRepudiation (KeyUsage), il "
                f"ne permet que {', '.join(allowed) or 'aucun usage'} (un certificat de chiffrement, pas de "
                "signature)")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != certificate.public_key().public_bytes(
            serialization.Encoding.DER, public):
        return "sa clé privée ne correspond pas au certificat du fichier"
    if roots:
        return _chain_problem(certificate, others, roots, at)
    return None


def _usage_bit(usage: Any, name: str) -> bool:
    try:
        return bool(getattr(usage, name))
    except ValueError:  # encipher_only and decipher_only are undefined without key_agreement
        return False


def _chain_problem(certificate: Any, others: list[Any], roots: list[tuple[str, bytes]],
                   at: datetime.datetime) -> str | None:
    from asn1crypto import x509 as asn1
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    def der(value: Any) -> asn1.Certificate:
        return asn1.Certificate.load(value.public_bytes(serialization.Encoding.DER))

    context = ValidationContext(trust_roots=[asn1.Certificate.load(data) for _, data in roots],
                                other_certs=[der(other) for other in others], moment=at,
                                allow_fetching=False, revocation_mode="soft-fail")
    refused = (f"sa chaîne ne mène à aucune des autorités de confiance de arsdocs.yaml (signature.racines : "
               f"{', '.join(name for name, _ in roots)})")
    try:
        validator: Any = CertificateValidator(der(certificate), validation_context=context)
        asyncio.run(validator.async_validate_usage(set()))
    except PathBuildingError:
        return (f"{refused} : ce n'est pas un certificat de ces autorités, ou il manque une autorité intermédiaire "
                "dans le fichier PKCS#12")
    except PathValidationError:  # its detail is in English
        return (f"{refused} : une autorité du même nom n'a pas signé ce certificat (signature qui ne se vérifie "
                "pas), ou un maillon de la chaîne est hors de sa validité")
    return None


def trusted_roots(project_root: Path, settings: SignatureSettings | None, where: Any) -> list[tuple[str, bytes]]:
    """The root certificates that `signature.racines` names, read as DER; each a file of the project."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    roots: list[tuple[str, bytes]] = []
    for index, name in enumerate(settings.racines or [] if settings else []):
        path = (project_root / name).resolve()
        field = f"signature.racines[{index + 1}]"
        if not inside(path, project_root.resolve()):
            raise InvalidInput([Problem(where(index), field, f"« {name} » est hors du dossier du projet")])
        try:
            data = read_bounded(path, MAX_CERTIFICATE)
        except FileNotFoundError:
            raise InvalidInput([Problem(where(index), field, f"fichier introuvable « {name} »")]) from None
        except (OSError, UnsafeFile) as error:
            reason = os_reason(error) if isinstance(error, OSError) else str(error)
            raise InvalidInput([Problem(where(index), field, f"« {name} » illisible : {reason}")]) from None
        try:
            loaded = (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                      else [x509.load_der_x509_certificate(data)])
        except ValueError:
            raise InvalidInput([Problem(where(index), field, f"« {name} » n'est pas un certificat (PEM ou DER)")]) \
                from None
        roots.extend((name, certificate.public_bytes(serialization.Encoding.DER)) for certificate in loaded)
    return roots


def verify_signed(pdf: bytes, name: str, key: SigningKey) -> None:
    """A signed PDF read back with pyHanko's validator: one signature, intact and valid, covering
    the whole file, made with the signer's certificate, which it embeds; trusted when roots are set."""
    from asn1crypto import x509 as asn1
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    if len(signatures) != 1:
        raise SigningError(f"« {name} » : {len(signatures)} signature(s) relue(s) après la signature, une attendue")
    signature = signatures[0]
    roots = [asn1.Certificate.load(der) for der in key.roots] or [key.signer.signing_cert]
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots, allow_fetching=False,
                                                                 revocation_mode="soft-fail"))
    if not (status.intact and status.valid) or status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise SigningError(f"« {name} » : la signature relue n'est pas valide (empreinte ou couverture du fichier)")
    if signature.signer_cert.dump() != key.signer.signing_cert.dump():
        raise SigningError(f"« {name} » : la signature relue ne porte pas le certificat du signataire")
    if key.roots and not status.trusted:
        raise SigningError(f"« {name} » : la signature relue ne mène pas aux autorités de confiance")


def signature_place(pdf: bytes, name: str) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) of the visible signature: at the top left of the signatory block. A PDF
    that already carries a signature is refused."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        form = document.Root.get("/AcroForm")
        if form is not None and any(field.get("/FT") == "/Sig" and "/V" in field for field in form.get("/Fields", [])):
            raise SigningError(f"« {name} » est déjà signé")
        names = document.Root.get("/Names")
        destinations = names.get("/Dests") if names is not None else None
        tree = pikepdf.NameTree(destinations) if destinations is not None else None
        if tree is None or SIGNATURE_ANCHOR not in tree:
            raise SigningError(f"« {name} » n'a pas de bloc de signature (bloc « ::: signature » du gabarit) : "
                               f"rien où placer la signature")
        target = tree[SIGNATURE_ANCHOR]
        page = next(index for index, candidate in enumerate(document.pages) if candidate.obj.objgen == target[0].objgen)
        left, top = float(target[2]), float(target[3])
    return page, (left, top - STAMP_HEIGHT, left + STAMP_WIDTH, top)


def stamp_font(source: Path, folder: Path) -> Path:
    """The stamp's font at 1,000 units per em: pyHanko writes a TrueType font's widths in its own
    units, where PDF reads thousandths of an em (Liberation Sans has 2,048: the letters of the
    stamp came out spread twice too far apart)."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(source))
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    target = folder / source.name
    font.save(str(target))
    return target


def sign_pdf(pdf: bytes, name: str, key: SigningKey, font: Path, reason: str, location: str) -> bytes:
    """The PDF with a PAdES signature (B-T with a timestamp server, B-B otherwise) appended."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko.stamp import TextStampStyle

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset": a table it drops, rightly
    page, (left, bottom, right, top) = signature_place(pdf, name)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location, use_pades_lta=False)
    style = TextStampStyle(
        stamp_text="Signé électroniquement par\n%(signer)s\nle %(ts)s",
        timestamp_format="%d/%m/%Y à %H:%M:%S (heure de Paris)",
        # the same size for both: pyHanko advances lines at the font engine's size (its issue 733)
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), font_size=8), font_size=8),
        border_width=1, background=None)
    field = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=(round(left), round(bottom), round(right), round(top)),
                                readable_field_name="Signature électronique")
    signer = _paris_signer()(metadata, signer=key.signer, timestamper=key.timestamper, stamp_style=style)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, field)
    _tag_widget(writer, page)  # in the same incremental update as the signature
    output = io.BytesIO()
    try:
        signer.sign_pdf(writer, output=output)
    except TimestampRequestError:
        raise SigningError(f"« {name} » n'a pas été signé : le serveur d'horodatage « {key.timestamp_url} » "
                           f"ne répond pas ou refuse la demande") from None
    except Exception as error:  # pyHanko's other errors, whose detail is in English
        raise SigningError(f"« {name} » n'a pas pu être signé : {error}") from None
    return output.getvalue()


@functools.cache
def _paris_signer() -> Any:
    from pyhanko.sign import signers

    class ParisSigner(signers.PdfSigner):
        """The signing time in Paris time: pyHanko takes the machine's zone (UTC on a server) for
        the stamp's text; the signature holds the same instant."""

        def init_signing_session(self, *arguments: Any, **options: Any) -> Any:
            session = super().init_signing_session(*arguments, **options)
            session.system_time = datetime.datetime.now(PARIS)
            return session

    return ParisSigner




def _tag_widget(writer: Any, page: int) -> None:
    """PDF/UA: every annotation is in the structure tree. The signature's widget becomes a Form
    element of the document, with its description, and the page's entry of the parent tree."""
    from pyhanko.pdf_utils import generic as pdf_objects

    generic: Any = pdf_objects  # untyped constructors
    root = writer.root
    widget_reference = next(reference for reference in root["/AcroForm"]["/Fields"]
                            if reference.get_object().get("/T") == FIELD_NAME)
    widget = widget_reference.get_object()
    page_reference = writer.find_page_for_modification(page)[0]
    tree = root["/StructTreeRoot"]
    numbers = tree["/ParentTree"]["/Nums"]
    key = int(tree.get("/ParentTreeNextKey", max([int(numbers[i]) for i in range(0, len(numbers), 2)] or [-1]) + 1))
    top = tree.raw_get("/K")  # WeasyPrint: an array holding the Document element
    document_reference = tree["/K"].raw_get(0) if isinstance(tree["/K"], generic.ArrayObject) else top
    description = generic.TextStringObject("Signature électronique du courrier")
    element = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/StructElem"),
        generic.NameObject("/S"): generic.NameObject("/Form"),
        generic.NameObject("/P"): document_reference,
        generic.NameObject("/Pg"): page_reference,
        generic.NameObject("/Alt"): description,
        generic.NameObject("/K"): generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/OBJR"),
            generic.NameObject("/Obj"): widget_reference,
            generic.NameObject("/Pg"): page_reference}),
    })
    element_reference = writer.add_object(element)
    kids = document_reference.get_object()["/K"]
    kids.append(element_reference)
    writer.update_container(kids)
    numbers.append(generic.NumberObject(key))
    numbers.append(element_reference)
    writer.update_container(numbers)
    tree[generic.NameObject("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree)
    widget[generic.NameObject("/StructParent")] = generic.NumberObject(key)
    widget[generic.NameObject("/Contents")] = description
    writer.update_container(widget)
