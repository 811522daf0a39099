"""Every PDF arsdocs writes, with each engine, against the rules of veraPDF's PDF/A-2A and PDF/UA-1
profiles that apply to it (tests/helpers/standards.py): letters, signed letters, reply forms blank
and filled, reminders, print files, statutes, the comparison, each annex. Each rule is a test named
after its number, and each is shown able to fail on a file mutated to break it.

A print file is PDF/A-2b (its letters' structure trees do not survive the merge): the level A and
PDF/UA rules are not claimed for it. Where veraPDF itself is installed (`verapdf` on the PATH), it
validates the same files as well."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from helpers.pki import make_chain
from helpers.standards import RULES, Checked, Rule

pytestmark = pytest.mark.slow  # reads the example built by each engine (see docs/contribuer/tests.md)

PASSWORD = "mot de passe d'essai"


def _signed(project: Path, tmp: Path) -> bytes:
    """A letter signed as `arsdocs sign` signs it, with the test PKI."""
    from ars_docs.writers import signing

    certificate = tmp / "signataire.p12"
    certificate.write_bytes(make_chain().pkcs12(PASSWORD))
    key = signing.load_key(certificate, PASSWORD, None)
    font = signing.stamp_font(project / "templates" / signing.STAMP_FONT, tmp)
    letter = project / "out/letters/lancement-dsr/chu-reims--claire-martin.pdf"
    return signing.sign_pdf(letter.read_bytes(), "lettre", key, font, "Signature du courrier", "Nancy")


def _filled(project: Path) -> bytes:
    """A reply form as a PDF reader saves it once filled in."""
    writer = PdfWriter(clone_from=PdfReader(project / "out/letters/lancement-dsr/formulaires/reponse-chu-reims.pdf"))
    writer.update_page_form_field_values(writer.pages[0], {
        "medecin_nom": "Poirier", "medecin_prenom": "Hélène", "medecin_email": "h.poirier@chu-reims.fr",
        "directeur_nom": "Martin", "directeur_prenom": "Claire", "directeur_email": "c.martin@chu-reims.fr"},
        auto_regenerate=False)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def documents(built_by: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    """Every PDF of the example built by one engine, with a signed letter and a filled form."""
    found = {path.relative_to(built_by / "out").as_posix(): Checked(path.read_bytes())
             for path in sorted((built_by / "out").rglob("*.pdf"))}
    found["signée/chu-reims--claire-martin.pdf"] = Checked(_signed(built_by, tmp_path_factory.mktemp("signature")))
    found["remplie/reponse-chu-reims.pdf"] = Checked(_filled(built_by))
    kinds = {"letters/lancement-dsr/chu-reims--claire-martin.pdf", "letters/lancement-dsr/impression.pdf",
             "letters/lancement-dsr/formulaires/reponse-chu-reims.pdf", "statuts/dsr-chirurgie-pediatrique/"
             "statuts-v2.pdf", "statuts/dsr-chirurgie-pediatrique/comparaison-v1-v2.pdf",
             "cpom/dsr-chirurgie-pediatrique-2027-2030/annexe-4-financiere.pdf"}
    assert kinds <= set(found), kinds - set(found)
    assert any(name.startswith("relances/") for name in found)
    return found


def _applies(rule: Rule, name: str, document: Checked) -> bool:
    archival_b = name.endswith("impression.pdf") or name.split("/")[-1].startswith("impression-")
    return not (archival_b and (rule.archival_a or rule.accessible))


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_every_pdf_keeps_the_rule(rule: Rule, documents: dict[str, Checked]) -> None:
    broken = {name: problems for name, document in documents.items()
              if _applies(rule, name, document) and (problems := rule.problems(document))}
    assert not broken, (f"{rule.identifier} ({rule.description}): {len(broken)} of {len(documents)} PDFs, "
                        f"for example {next(iter(broken.items()))}")


def test_the_print_file_claims_level_b_and_the_others_level_a(documents: dict[str, Checked]) -> None:
    for name, document in documents.items():
        expected = "B" if not _applies(RULES[-1], name, document) else "A"
        assert document.level == expected, name


# --- each rule can fail ----------------------------------------------------------------------------

Mutation = Callable[[pikepdf.Pdf], None]


def _first(pdf: pikepdf.Pdf, test: Callable[[pikepdf.Object], bool]) -> pikepdf.Object:
    return next(item for item in pdf.objects if item is not None and test(item))


def _image(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    return _first(pdf, lambda item: isinstance(item, pikepdf.Stream) and item.get("/Subtype") == "/Image")


def _font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return _first(pdf, lambda item: isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/Font"
                  and item.get("/Subtype") == "/Type0")


def _annotation(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    return next(annotation for page in pdf.pages for annotation in page.obj.get("/Annots", [])
                if annotation.get("/Subtype") == kind)


def _element(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    return _first(pdf, lambda item: isinstance(item, pikepdf.Dictionary) and item.get("/S") == kind
                  and item.get("/Type", "/StructElem") == "/StructElem" and "/P" in item)


def _set(getter: Callable[[pikepdf.Pdf], pikepdf.Object], key: str, value: object) -> Mutation:
    def mutate(pdf: pikepdf.Pdf) -> None:
        getter(pdf)[key] = value
    return mutate


def _remove(getter: Callable[[pikepdf.Pdf], pikepdf.Object], key: str) -> Mutation:
    def mutate(pdf: pikepdf.Pdf) -> None:
        del getter(pdf)[key]
    return mutate


def _xmp(old: bytes, new: bytes) -> Mutation:
    def mutate(pdf: pikepdf.Pdf) -> None:
        data = pdf.Root.Metadata.read_bytes()
        assert old in data, old
        pdf.Root.Metadata.write(data.replace(old, new, 1))
    return mutate


def _unmarked_text(pdf: pikepdf.Pdf) -> None:
    page = pdf.pages[0]
    page.contents_add(pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (x) Tj ET"), prepend=False)


def _graphics_state(pdf: pikepdf.Pdf, **entries: object) -> None:
    """A graphics state added to the first page's resources, as a direct object."""
    resources = pdf.pages[0].Resources
    if "/ExtGState" not in resources:
        resources.ExtGState = pikepdf.Dictionary()
    resources.ExtGState["/GSarsdocs"] = pikepdf.Dictionary(Type=pikepdf.Name("/ExtGState"), **entries)


def _undeterminable_headers(pdf: pikepdf.Pdf) -> None:
    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary) and item.get("/S") in ("/TH", "/TD") and "/A" in item:
            attributes = item.A
            for key in ("/Scope", "/Headers"):
                if key in attributes:
                    del attributes[key]


def _link_under_nonstruct(pdf: pikepdf.Pdf) -> None:
    element = _element(pdf, "/Link")
    element.S = pikepdf.Name("/NonStruct")


def _heading_skip(pdf: pikepdf.Pdf) -> None:
    _element(pdf, "/H1").S = pikepdf.Name("/H3")


def _table_in_paragraph(pdf: pikepdf.Pdf) -> None:
    _element(pdf, "/TR").P = _element(pdf, "/P")


LETTER, FORM, STATUTES = ("letters/lancement-dsr/chu-reims--claire-martin.pdf",
                          "letters/lancement-dsr/formulaires/reponse-chu-reims.pdf",
                          "statuts/dsr-chirurgie-pediatrique/statuts-v2.pdf")
MUTATIONS: dict[str, tuple[str, Mutation | Callable[[bytes], bytes]]] = {
    "PDFA-2 6.1.2-1": (LETTER, lambda raw: b"%PDF-2.0" + raw[8:]),
    "PDFA-2 6.1.2-2": (LETTER, lambda raw: raw.replace(raw[raw.index(b"\n") + 1:raw.index(b"\n") + 6], b"%abcd", 1)),
    "PDFA-2 6.1.3-1": (LETTER, lambda pdf: None),  # saved without an identifier: see _mutated
    "PDFA-2 6.1.3-2": (LETTER, lambda pdf: None),  # saved encrypted: see _mutated
    "PDFA-2 6.1.3-3": (LETTER, lambda raw: raw + b"donnees apres la fin\n"),
    "PDFA-2 6.1.7.1-3": (LETTER, _set(_image, "/F", pikepdf.String("image.png"))),
    "PDFA-2 6.1.7.2-1": (LETTER, _set(_image, "/Filter", pikepdf.Array([pikepdf.Name("/LZWDecode")]))),
    "PDFA-2 6.1.13-3": (LETTER, lambda pdf: pdf.docinfo.__setitem__("/Subject", pikepdf.String("x" * 40000))),
    "PDFA-2 6.1.13-7": (LETTER, lambda pdf: None),  # 8 388 608 objects: counted, not made (see below)
    "PDFA-2 6.2.3-1": (LETTER, _remove(lambda pdf: pdf.Root, "/OutputIntents")),
    "PDFA-2 6.2.3-2": (LETTER, lambda pdf: pdf.Root.OutputIntents.append(pikepdf.Dictionary(
        S=pikepdf.Name("/GTS_PDFA1"), DestOutputProfile=pdf.make_stream(
            pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes())))),
    "PDFA-2 6.2.5-1": (LETTER, lambda pdf: _graphics_state(pdf, TR=pikepdf.Name("/Identity"))),
    "PDFA-2 6.2.8-1": (LETTER, _set(_image, "/Alternates", pikepdf.Array())),
    "PDFA-2 6.2.8-3": (LETTER, _set(_image, "/Interpolate", True)),
    "PDFA-2 6.2.8-4": (LETTER, _set(_image, "/BitsPerComponent", 3)),
    "PDFA-2 6.2.9-3": (LETTER, _set(_image, "/Subtype2", pikepdf.Name("/PS"))),
    "PDFA-2 6.2.10-1": (LETTER, lambda pdf: _graphics_state(pdf, BM=pikepdf.Name("/Dissolve"))),
    "PDFA-2 6.2.11.4.1-1": (LETTER, lambda pdf: _font(pdf).DescendantFonts[0].FontDescriptor.__delitem__(
        "/FontFile2")),
    "PDFA-2 6.2.11.7.2-1": (LETTER, _remove(_font, "/ToUnicode")),
    "PDFA-2 6.3.1-1": (FORM, _set(lambda pdf: _annotation(pdf, "/Widget"), "/Subtype", pikepdf.Name("/Sound"))),
    "PDFA-2 6.3.2-1": (FORM, _remove(lambda pdf: _annotation(pdf, "/Widget"), "/F")),
    "PDFA-2 6.3.2-2": (FORM, _set(lambda pdf: _annotation(pdf, "/Widget"), "/F", 4 | 2)),
    "PDFA-2 6.3.3-1": (FORM, _remove(lambda pdf: _annotation(pdf, "/Widget"), "/AP")),
    "PDFA-2 6.3.3-2": (FORM, lambda pdf: _annotation(pdf, "/Widget").AP.__setitem__(
        "/D", _annotation(pdf, "/Widget").AP.N)),
    "PDFA-2 6.4.1-1": (FORM, _set(lambda pdf: _annotation(pdf, "/Widget"), "/AA", pikepdf.Dictionary())),
    "PDFA-2 6.4.1-3": (FORM, _set(lambda pdf: pdf.Root.AcroForm, "/NeedAppearances", True)),
    "PDFA-2 6.4.2-1": (FORM, _set(lambda pdf: pdf.Root.AcroForm, "/XFA", pikepdf.Array())),
    "PDFA-2 6.5.1-1": (LETTER, lambda pdf: pdf.Root.__setitem__("/OpenAction", pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name("/Action"), S=pikepdf.Name("/JavaScript"), JS=pikepdf.String("app.alert(1)"))))),
    "PDFA-2 6.5.2-1": (LETTER, _set(lambda pdf: pdf.Root, "/AA", pikepdf.Dictionary())),
    "PDFA-2 6.6.2.1-1": (LETTER, _remove(lambda pdf: pdf.Root, "/Metadata")),
    "PDFA-2 6.6.2.1-2": (LETTER, lambda pdf: pdf.Root.Metadata.write(
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d" bytes="1024"?>'
        + pdf.Root.Metadata.read_bytes().split(b"?>", 1)[1])),
    "PDFA-2 6.6.4-2": (LETTER, lambda pdf: None),  # the part rewritten: see _mutated
    "PDFA-2 6.6.4-3": (LETTER, lambda pdf: None),  # the conformance rewritten: see _mutated
    "PDFA-2 6.7.2.2-1": (LETTER, _set(lambda pdf: pdf.Root.MarkInfo, "/Marked", False)),
    "PDFA-2 6.7.3.3-1": (LETTER, _remove(lambda pdf: pdf.Root, "/StructTreeRoot")),
    "PDFA-2 6.7.3.4-1": (LETTER, lambda pdf: setattr(_element(pdf, "/P"), "S", pikepdf.Name("/Paragraphe"))),
    "PDFA-2 6.11-1": (LETTER, _set(lambda pdf: pdf.Root, "/Requirements", pikepdf.Array())),
    "PDFUA-1 5-2": (LETTER, lambda pdf: None),  # the part removed: see _mutated
    "PDFUA-1 7.1-3": (LETTER, _unmarked_text),
    "PDFUA-1 7.1-4": (LETTER, _set(lambda pdf: pdf.Root.MarkInfo, "/Suspects", True)),
    "PDFUA-1 7.1-5": (LETTER, lambda pdf: setattr(_element(pdf, "/P"), "S", pikepdf.Name("/Paragraphe"))),
    "PDFUA-1 7.1-9": (LETTER, lambda pdf: None),  # dc:title removed: see _mutated
    "PDFUA-1 7.1-10": (LETTER, _set(lambda pdf: pdf.Root.ViewerPreferences, "/DisplayDocTitle", False)),
    "PDFUA-1 7.1-11": (LETTER, _remove(lambda pdf: pdf.Root, "/StructTreeRoot")),
    "PDFUA-1 7.1-12": (LETTER, _remove(lambda pdf: _element(pdf, "/P"), "/P")),
    "PDFUA-1 7.2-3": (LETTER, _table_in_paragraph),
    "PDFUA-1 7.2-34": (LETTER, _set(lambda pdf: pdf.Root, "/Lang", pikepdf.String(""))),
    "PDFUA-1 7.3-1": (LETTER, _remove(lambda pdf: _element(pdf, "/Figure"), "/Alt")),
    "PDFUA-1 7.4.2-1": (STATUTES, _heading_skip),
    "PDFUA-1 7.5-1": (LETTER, _undeterminable_headers),
    "PDFUA-1 7.18.1-2": (STATUTES, _remove(lambda pdf: _annotation(pdf, "/Link"), "/Contents")),
    "PDFUA-1 7.18.1-3": (FORM, lambda pdf: [field.__delitem__("/TU") for field in pdf.Root.AcroForm.Fields
                                            if "/TU" in field]),
    "PDFUA-1 7.18.3-1": (FORM, _remove(lambda pdf: pdf.pages[0].obj, "/Tabs")),
    "PDFUA-1 7.18.4-1": (FORM, _remove(lambda pdf: _annotation(pdf, "/Widget"), "/StructParent")),
    "PDFUA-1 7.18.5-1": (STATUTES, _link_under_nonstruct),
    "PDFUA-1 7.18.5-2": (STATUTES, _remove(lambda pdf: _annotation(pdf, "/Link"), "/Contents")),
    "PDFUA-1 7.21.4.1-1": (LETTER, lambda pdf: _font(pdf).DescendantFonts[0].FontDescriptor.__delitem__(
        "/FontFile2")),
    "PDFUA-1 7.21.7-1": (LETTER, _remove(_font, "/ToUnicode")),
}


def _mutated(identifier: str, raw: bytes) -> bytes:
    """The file broken for one rule: bytes edited, or objects changed and saved by pikepdf."""
    _, mutation = MUTATIONS[identifier]
    options: dict[str, object] = {"fix_metadata_version": False}  # pikepdf would rewrite the XMP packet
    xmp = {"PDFA-2 6.6.4-2": (b"pdfaid:part", b"2", b"3"), "PDFA-2 6.6.4-3": (b"pdfaid:conformance", b"A", b"U"),
           "PDFUA-1 5-2": (b"pdfuaid:part", b"1", b"9")}
    if identifier in ("PDFA-2 6.1.2-1", "PDFA-2 6.1.2-2", "PDFA-2 6.1.3-3"):
        return mutation(raw)  # type: ignore[arg-type,return-value]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        if identifier in xmp:
            name, old, new = xmp[identifier]
            data = pdf.Root.Metadata.read_bytes()
            data = data.replace(name + b'="' + old + b'"', name + b'="' + new + b'"').replace(
                name + b">" + old + b"<", name + b">" + new + b"<")
            pdf.Root.Metadata.write(data)
        elif identifier == "PDFUA-1 7.1-9":
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
                del metadata["dc:title"]
        elif identifier == "PDFA-2 6.1.3-1":
            buffer = io.BytesIO()
            pdf.save(buffer, fix_metadata_version=False)
            data = buffer.getvalue()
            start = data.rindex(b"/ID")
            end = data.index(b"]", start) + 1
            return data[:start] + b" " * (end - start) + data[end:]
        elif identifier == "PDFA-2 6.1.3-2":
            options["encryption"] = pikepdf.Encryption(owner="proprietaire", user="", R=4)
        else:
            mutation(pdf)  # type: ignore[arg-type]
        buffer = io.BytesIO()
        pdf.save(buffer, **options)  # type: ignore[arg-type]
        return buffer.getvalue()


def test_every_rule_has_a_mutation() -> None:
    assert {rule.identifier for rule in RULES} == set(MUTATIONS)


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.identifier != "PDFA-2 6.1.13-7"],
                         ids=[rule.name for rule in RULES if rule.identifier != "PDFA-2 6.1.13-7"])
def test_a_file_mutated_to_break_the_rule_is_refused(rule: Rule, everything: Path) -> None:
    base, _ = MUTATIONS[rule.identifier]
    raw = (everything / "out" / base).read_bytes()
    assert not rule.problems(Checked(raw)), "the file holds before it is mutated"
    assert rule.problems(Checked(_mutated(rule.identifier, raw))), f"{rule.identifier} did not see the mutation"


def test_the_object_count_rule_counts() -> None:
    """8 388 608 objects are not made here: the rule is shown on a document whose count is faked."""
    rule = next(rule for rule in RULES if rule.identifier == "PDFA-2 6.1.13-7")

    class Many:
        objects = range(8_388_608)

    class Document:
        pdf = Many()

    assert rule.problems(Document())  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("verapdf") is None, reason="veraPDF n'est pas installé sur cette machine : "
                    "les règles de ses profils sont vérifiées par tests/helpers/standards.py")
@pytest.mark.parametrize("flavour", ["2a", "ua1"])
def test_verapdf_accepts_every_pdf(flavour: str, built_by: Path) -> None:
    files = [str(path) for path in sorted((built_by / "out").rglob("*.pdf")) if not path.name.startswith("impression")]
    result = subprocess.run(["verapdf", "--flavour", flavour, "--format", "text", *files], capture_output=True,
                            text=True, timeout=1800, check=False)
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert not failing, failing[:5]
