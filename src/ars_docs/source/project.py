"""A project folder: `arsdocs.yaml` (settings), `data/`, `templates/`, `out/`."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import ConfigDict, Field, field_validator

from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem, relative_name
from ars_docs.source.fields import PRINTABLE, Email, Record, Telephone, Text, check_identifier
from ars_docs.source.postalnorm import problems as postal_problems
from ars_docs.source.safefiles import UnsafeFile, present, read_bounded
from ars_docs.source.validation import validate, validate_part
from ars_docs.source.yamlsource import YamlDocument, load_yaml

SETTINGS_FILE = "arsdocs.yaml"
FONTS = "templates/commun/polices"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
Section = TypeVar("Section", bound=Record)
LOGO_BYTES = 20 * 2**20
"""The brand block: a PNG of a few hundred kilobytes."""


class Agency(Record):
    """The body that issues the documents (`agence:`), written once: every letter, form, e-mail,
    invitation and piece of metadata takes it from here."""

    nom: Text
    """« Agence régionale de santé … »: the author of the documents."""
    sigle: Text
    """« ARS … »: where the name is written short (the calendar's product identifier)."""
    adresse: list[Text] = Field(min_length=2, max_length=6)
    """The postal address, as its envelope would carry it: the norm's lines, the last one the postal
    code and the locality in capitals (« 00000 LOCALITE CEDEX »)."""
    telephone: Telephone | None = None
    site: Text | None = None
    """The agency's web site (« www.<région>.ars.sante.fr »)."""
    region: Text | None = None
    dpd: Email | None = None
    """The address of the agency's data-protection officer (« délégué à la protection des données »),
    which the personal-data notice of every reply form gives (GDPR art. 13-1-b)."""
    reponses_hors_domaine: list[Email] = Field(default_factory=list)
    """Reply addresses outside the sending address's domain, kept knowingly (a reply that leaves the
    agency's mail reads like phishing, and the answers leave its control): named here, the release
    gate lets them through."""

    def footer_lines(self) -> tuple[str, str]:
        """The letterhead's footer: the postal address on one line, then how to reach the agency
        (where undeliverable mail comes back, and where the reader writes or calls)."""
        contact = [f"Tél. : {self.telephone}" if self.telephone else "", self.site or ""]
        return " – ".join(self.adresse), " – ".join(part for part in contact if part)

    @field_validator("adresse")
    @classmethod
    def _postal(cls, lines: list[str]) -> list[str]:
        found = postal_problems(lines)
        if found:
            raise ValueError("; ".join(f"ligne {problem.line} : {problem.message}" for problem in found))
        return lines


class Settings(Record):
    """Settings of a project (`arsdocs.yaml`): those of every document here; a component's own part
    (`enveloppe:`, `smtp:` of the letters) is kept as written, for the component to read with the
    model it declares (`Project.section`). A key that no component declares is refused by
    `check` and `build` (`base.registry.settings_problems`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    logo: Text
    """Path (from the project folder) of the brand block printed at the top of the first page, PNG."""
    logo_texte: Text
    """Alternative text of the brand block, for screen readers."""
    logo_hauteur_mm: float = Field(default=22.0, gt=5, le=60)
    """Printed height of the brand block, in millimetres."""
    agence: Agency | None = None
    """The issuing body; without it, the documents name none (the release gate says so)."""
    moteur_pdf: Literal["weasyprint", "typst"] = "weasyprint"
    """What lays out the PDFs: WeasyPrint through the HTML shells (the reference), or Typst through
    the Typst shells (`<family>/<shell>.typ`), several times faster for large mailings."""


def printable_characters(root: Path) -> frozenset[str] | None:
    """The characters every font of the documents (`templates/commun/polices/`) can draw."""
    folder = root / FONTS
    faces = sorted([*folder.glob("*.ttf"), *folder.glob("*.otf")])
    if not faces:
        return None
    covered: frozenset[str] | None = None
    for face in faces:
        characters = font_characters(face, relative_name(face, root))
        covered = characters if covered is None else covered & characters
    return frozenset(covered or ())


def font_characters(face: Path, name: str) -> frozenset[str]:
    """The characters a font file draws; a located error when it is not a font fontTools can read.
    Read once per version of the file (opening a project and checking its stylesheets both ask;
    `arsdocs serve` asks again after each change, and sees a replaced font)."""
    try:
        status = face.stat()
        return _cmap(face, status.st_size, status.st_mtime_ns)
    except Exception:  # fontTools raises a dozen kinds on a damaged file
        raise InvalidInput([Problem(Location(name), "", "police illisible : ce n'est pas une police TrueType "
                                                         "ou OpenType lisible")]) from None


@functools.lru_cache(maxsize=64)
def _cmap(face: Path, size: int, modified: int) -> frozenset[str]:
    """`size` and `modified`: the version of the file, so that a replaced font is read again."""
    from fontTools.ttLib import TTFont

    with TTFont(face, lazy=True) as font:
        return frozenset(chr(code) for code in font.getBestCmap())


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings
    settings_source: YamlDocument
    output: Path | None = None
    """Where outputs go, when not `out/` (the check of `build --verifier` builds elsewhere)."""

    @classmethod
    def open(cls, root: Path) -> Project:
        root = root.resolve()
        settings_path = root / SETTINGS_FILE
        if not present(settings_path):
            raise ArsDocsError(
                f"aucun projet arsdocs dans « {root} » : le fichier {SETTINGS_FILE} est introuvable "
                "(placez-vous dans le dossier du projet ou indiquez-le avec --projet DOSSIER)")
        source = load_yaml(settings_path, SETTINGS_FILE)
        project = cls(root, validate(Settings, source), source)
        project.check_logo()
        PRINTABLE.set(printable_characters(root))
        return project

    @property
    def sections(self) -> dict[str, object]:
        """The parts of arsdocs.yaml kept for the components that declare them, as written."""
        return dict(self.settings.model_extra or {})

    def section(self, name: str, model: type[Section]) -> Section | None:
        """A component's part of arsdocs.yaml (`enveloppe:`), as the `model` it declares; None when
        the project has none. A wrong value is a located error in arsdocs.yaml."""
        if name not in self.sections:
            return None
        return validate_part(model, self.settings_source, (name,))

    def with_settings(self, **changes: object) -> Project:
        """The project with settings changed from the command line (they count in the fingerprints)."""
        return replace(self, settings=self.settings.model_copy(update=changes))

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def out(self) -> Path:
        return self.output or self.root / "out"

    def name(self, path: Path) -> str:
        return relative_name(path, self.root)

    def identifier_of(self, path: Path) -> str:
        """The identifier a file or folder name gives (`v1.yaml` excepted): `lancement-dsr.yaml` ->
        `lancement-dsr`; a name that is not one is a located error."""
        try:
            return check_identifier(path.name if path.is_dir() else path.stem)
        except ValueError as error:
            raise InvalidInput([Problem(Location(self.name(path)), "", f"nom invalide : {error}")]) from None

    def data_files(self, folder: Path) -> list[Path]:
        """The `.yaml` files of a data folder, in order. A file written `.yml` (or `.YAML`) would be
        silently left out, a folder named `x.yaml` would not be a file: both are located errors."""
        paths = sorted(folder.glob("*")) if folder.is_dir() else []
        problems = []
        for path in paths:
            if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml":
                problems.append(Problem(Location(self.name(path)), "", f"extension « {path.suffix} » : "
                                        f"renommez le fichier « {path.stem}.yaml », sans quoi il serait ignoré"))
            elif path.suffix == ".yaml" and path.is_dir():
                problems.append(Problem(Location(self.name(path)), "", "c'est un dossier, pas un fichier de données"))
        if problems:
            raise InvalidInput(problems)
        return [path for path in paths if path.suffix == ".yaml"]

    @property
    def logo(self) -> Path:
        return (self.root / self.settings.logo).resolve()

    def check_logo(self) -> None:
        where = self.settings_source.locate(("logo",))
        if self.root not in self.logo.parents:
            raise InvalidInput([Problem(where, "logo", f"« {self.settings.logo} » est hors du dossier du projet : "
                                        "copiez le fichier officiel dans le projet (par exemple templates/commun/)")])
        if self.logo.is_dir():
            raise InvalidInput([Problem(where, "logo", f"« {self.settings.logo} » est un dossier : indiquez le "
                                                       "fichier PNG du bloc marque")])
        try:
            head = read_bounded(self.logo, LOGO_BYTES)[:8]  # a pipe or a device is refused, not waited for
        except FileNotFoundError:
            raise InvalidInput([Problem(where, "logo", f"fichier introuvable « {self.settings.logo} »")]) from None
        except UnsafeFile as error:
            raise InvalidInput([Problem(where, "logo", f"« {self.settings.logo} » : {error}")]) from None
        if head != _PNG_SIGNATURE:
            raise InvalidInput([Problem(where, "logo", f"« {self.settings.logo} » n'est pas une image PNG")])
