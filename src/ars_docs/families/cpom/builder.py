"""The CPOM family: each `data/cpom/<contrat>.yaml` gives its four annexes, each alone and all four
together, in Word and PDF, under `out/cpom/<contrat>/`."""

from __future__ import annotations

from pathlib import Path

from ars_docs.base import registry
from ars_docs.base.builder import COMPARE, Builder, Item, PublicFunding, rendition_item
from ars_docs.families.cpom.compose import ALL_ANNEXES, ANNEXES, CpomComposer
from ars_docs.families.cpom.models import Cpom
from ars_docs.families.cpom.obligations import bodies_problems
from ars_docs.families.cpom.rules import check_cpom
from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem, ProblemCollector
from ars_docs.source.fields import slug
from ars_docs.source.project import SETTINGS_FILE, Project
from ars_docs.source.validation import validate
from ars_docs.source.yamlsource import YamlDocument, load_yaml, load_yaml_at_revision, revision_tag
from ars_docs.tree.parts import MarkdownParts
from ars_docs.tree.typography import typeset_text

CONTRACTS = "data/cpom"


def load_contract(project: Project, path: Path) -> tuple[Cpom, YamlDocument]:
    project.identifier_of(path)
    source = load_yaml(path, project.name(path))
    return validate(Cpom, source), source


def contract_marks(cpom: Cpom) -> dict[str, str]:
    """The running header of every annex, and until the contract is signed, « PROJET »: in the
    header (the HTML page and the Word file say it too) and as a watermark on the printed pages."""
    contract = cpom.contrat
    if contract.statut == "signe":
        return {"marque": typeset_text(f"{contract.titre} — {contract.version}"), "filigrane": ""}
    return {"marque": typeset_text(f"PROJET — {contract.titre} — {contract.version}"),
            "filigrane": "PROJET"}


class CpomBuilder(Builder):
    name = "cpom"
    label = "annexes de CPOM"
    capabilities = frozenset({COMPARE})
    data_folder = CONTRACTS
    template_folder = "cpom"
    shell = "annexes"

    def __init__(self) -> None:
        super().__init__()
        self.compare: str | None = None
        """An older state of the contract to compare with (an amendment): `git:REV` (the contract's
        file as git recorded it at REV) or the path of another contract file."""

    def public_funding(self, project: Project, organisation: str) -> PublicFunding | None:
        """The most a contract of the project signed by `organisation` gives it in a year. A contract
        that does not load is this family's error, reported by its own check."""
        largest: PublicFunding | None = None
        for path in sorted((project.root / CONTRACTS).glob("*.yaml")):
            try:
                contract = load_contract(project, path)[0]
            except InvalidInput:
                continue
            if organisation.casefold() not in contract.contrat.organisme.casefold():
                continue
            finance = contract.financement
            for year in sorted({str(year) for line in finance.lignes for year in line.montants}):
                amount = finance.year_total(year)
                if largest is None or amount > largest.amount:
                    largest = PublicFunding(amount, year, project.name(path))
        return largest

    def configure(self, *, compare: str | None = None) -> None:
        self.compare = compare

    def _older(self, project: Project, path: Path, count: int) -> tuple[Cpom, YamlDocument, str]:
        """The older state to compare with, checked like any contract, and its name in the output's."""
        assert self.compare is not None
        if self.compare.startswith("git:"):
            revision = self.compare[4:]
            source = load_yaml_at_revision(project.root, project.name(path), revision)
            tag = revision_tag(revision)
        else:
            if count > 1:
                raise ArsDocsError(f"--comparer {self.compare} : {CONTRACTS} contient {count} contrats ; avec "
                                   "plusieurs contrats, comparez chacun à une révision git (--comparer git:RÉVISION)")
            older = Path(self.compare) if Path(self.compare).is_absolute() else project.root / self.compare
            if older.suffix != ".yaml" or not older.is_file():
                raise ArsDocsError(f"--comparer : « {self.compare} » n'est pas un fichier de contrat .yaml "
                                   "(ni une révision git:RÉVISION)")
            inside = older.resolve().is_relative_to(project.root.resolve())
            source = load_yaml(older, project.name(older) if inside else str(older))
            tag = slug(older.stem) or "ancien"
        cpom = validate(Cpom, source)
        problems = check_cpom(cpom, source, warnings=False)
        if problems:
            raise InvalidInput(problems)
        return cpom, source, tag

    def plan(self, project: Project) -> list[Item]:
        collector = ProblemCollector()
        paths = collector.attempt(project.data_files, project.root / CONTRACTS) or []
        loaded = [item for item in (collector.attempt(load_contract, project, path) for path in paths) if item]
        for cpom, source in loaded:
            collector.add(list(check_cpom(cpom, source)))
            founding = registry.founding_text(project, cpom.contrat.organisme)
            if founding is not None:  # the bodies it names, against the association's statutes
                collector.add(list(bodies_problems(cpom, source, founding)))
        if project.settings.agence is None:
            collector.add([Problem(Location(project.name(project.root / SETTINGS_FILE)), "agence",
                                   "les annexes du CPOM nomment l'agence, partie au contrat : ajoutez à "
                                   "arsdocs.yaml le bloc « agence: » (nom, sigle, adresse…)")])
        collector.raise_if_any()
        parts = MarkdownParts(project, "cpom")
        items: list[Item] = []
        for path, (cpom, source) in zip(paths, loaded, strict=True):
            composer = CpomComposer(parts, cpom, source)
            folder = f"{self.name}/{path.stem}"
            marks = contract_marks(cpom)
            for number, (name, _) in ANNEXES.items():
                document = collector.attempt(composer.annex, number)
                if document:
                    items.append(rendition_item(document, f"{folder}/{name}", marks))
            document = collector.attempt(composer.all_annexes)
            if document:
                items.append(rendition_item(document, f"{folder}/{ALL_ANNEXES}", marks))
            if self.compare is None:  # the comparison's template, checked before an amendment needs it
                collector.attempt(composer.comparison_summary, composer)
            else:
                older = collector.attempt(self._older, project, path, len(paths))
                if older:
                    old_cpom, old_source, tag = older
                    comparison = collector.attempt(composer.comparison, CpomComposer(parts, old_cpom, old_source))
                    compared = {"marque": typeset_text(f"{cpom.contrat.titre} — comparaison : "
                                                       f"{old_cpom.contrat.version} → {cpom.contrat.version}"),
                                "filigrane": ""}
                    if comparison:
                        items.append(rendition_item(comparison, f"{folder}/comparaison-{tag}", compared))
        collector.raise_if_any()
        return items
