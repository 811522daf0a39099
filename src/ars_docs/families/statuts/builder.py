"""The statutes family: every draft `data/statuts/<association>/v<N>.yaml` in Word and PDF, and the
comparison of two drafts (by default the last two), under `out/statuts/<association>/`."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from ars_docs.base import registry
from ars_docs.base.builder import COMPARE, Builder, Item, rendition_item
from ars_docs.families.statuts.compose import Founder, LoadedDraft, StatutesComposer
from ars_docs.families.statuts.models import Draft, ExpectedClauses
from ars_docs.families.statuts.rules import check_draft
from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem, ProblemCollector, warn
from ars_docs.source.project import Project
from ars_docs.source.safefiles import present
from ars_docs.source.validation import validate
from ars_docs.source.yamlsource import YamlDocument, load_yaml, load_yaml_at_revision, revision_tag
from ars_docs.tree.french import long_date
from ars_docs.tree.parts import MarkdownParts
from ars_docs.tree.typography import typeset_text

STATUTES = "data/statuts"
EXPECTED = "data/statuts/clauses-attendues.yaml"
VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.yaml")


def _draft(source: YamlDocument, number: int) -> LoadedDraft:
    draft = validate(Draft, source)
    if draft.version.numero != number:
        raise InvalidInput([Problem(source.locate(("version", "numero")), "version.numero",
                                    f"le fichier v{number}.yaml porte la version {draft.version.numero}")])
    return LoadedDraft(draft, source)


def _git_draft(project: Project, path: Path, revision: str, number: int) -> LoadedDraft:
    return _draft(load_yaml_at_revision(project.root, project.name(path), revision), number)


def _founders(project: Project, drafts: list[LoadedDraft]) -> list[Founder]:
    """The establishments that named their referents (data/membres.yaml), in the recipients' order."""
    from ars_docs.directory.members import MEMBERS, load_members
    from ars_docs.directory.recipients import load_establishments

    if not present(project.root / MEMBERS):
        item = next(item for item in drafts if item.draft.annexe_membres)
        raise InvalidInput([Problem(item.source.locate(("annexe_membres",)), "annexe_membres",
                                    f"{MEMBERS} est introuvable : importez d'abord les réponses "
                                    "(arsdocs import reponses DOSSIER)")])
    members = load_members(project)
    founders = []
    for establishment in load_establishments(project):
        member = members.get(establishment.id)
        if member:
            founders.append(Founder(establishment.nom, tuple((referent.libelle, referent.name)
                                                             for referent in member.reponse.referents)))
    return founders


def _dates_in_order(loaded: list[LoadedDraft]) -> None:
    """A version dated before the one it follows (a date copied from the previous draft and not
    changed, or a typo): allowed, but the comparison would then read backwards — a warning."""
    for before, after in itertools.pairwise(loaded):
        if after.draft.version.date < before.draft.version.date:
            warn(Problem(after.source.locate(("version", "date")), "version.date",
                         f"la version {after.draft.version.numero} est datée du "
                         f"{long_date(after.draft.version.date)}, avant la version {before.draft.version.numero} "
                         f"({long_date(before.draft.version.date)}) qu'elle suit"))


def draft_marks(item: LoadedDraft) -> dict[str, object]:
    """Page furniture of a draft: status line and watermark; none on the final version."""
    version = item.draft.version
    if version.statut == "definitif":
        return {"marque_projet": "", "filigrane": "", "numeros_de_ligne": False}
    return {"marque_projet": typeset_text(f"Projet — version {version.numero} du {long_date(version.date)}"),
            "filigrane": "PROJET", "numeros_de_ligne": version.numeros_de_ligne}


class StatutsBuilder(Builder):
    name = "statuts"
    label = "statuts"
    capabilities = frozenset({COMPARE})
    data_folder = STATUTES
    template_folder = "statuts"
    shell = "statuts"

    def __init__(self) -> None:
        super().__init__()
        self.compare: str | None = None
        """`vA..vB`, `vA` (against the last), or `git:REV` (the last draft as it was at REV)."""

    def founding_text(self, project: Project, organisation: str) -> tuple[str, str] | None:
        """The last draft of the association that `organisation` names (« Association « titre » »):
        its file, and its titles and articles. A draft that does not load is this family's error."""
        wanted = organisation.casefold()
        for folder in sorted(path for path in (project.root / STATUTES).glob("*") if path.is_dir()):
            drafts = sorted(folder.glob("v*.yaml"), key=lambda path: (len(path.name), path.name))
            if not drafts:
                continue
            try:
                draft = validate(Draft, load_yaml(drafts[-1], project.name(drafts[-1])))
            except ArsDocsError:
                continue
            if draft.association.titre.casefold() in wanted:
                articles = [article for title in draft.titres for article in title.articles]
                texts = [draft.association.titre, *(title.intitule for title in draft.titres),
                         *(f"{article.intitule}\n{article.texte}" for article in articles)]
                return project.name(drafts[-1]), "\n".join(texts)
        return None

    def configure(self, *, compare: str | None = None) -> None:
        self.compare = compare

    def plan(self, project: Project) -> list[Item]:
        collector = ProblemCollector()
        expected_source = collector.attempt(load_yaml, project.root / EXPECTED, EXPECTED)
        expected = collector.attempt(validate, ExpectedClauses, expected_source) if expected_source else None
        folders = sorted(path for path in (project.root / STATUTES).glob("*") if path.is_dir())
        drafts = {folder: self._drafts(project, folder, collector) for folder in folders}
        collector.raise_if_any()
        assert expected is not None and expected_source is not None
        associations = {item.draft.association.titre for loaded in drafts.values() for item in loaded}
        funding = {association: registry.public_funding(project, association) for association in associations}
        for loaded in drafts.values():
            for item in loaded:
                collector.add(list(check_draft(item.draft, item.source, expected, expected_source,
                                               funding[item.draft.association.titre])))
        collector.raise_if_any()
        founders = None
        if any(item.draft.annexe_membres for loaded in drafts.values() for item in loaded):
            founders = collector.attempt(_founders, project, [item for loaded in drafts.values() for item in loaded])
            collector.raise_if_any()
        composer = StatutesComposer(MarkdownParts(project, "statuts"), founders)
        items: list[Item] = []
        for folder, loaded in drafts.items():
            out = f"{self.name}/{folder.name}"
            for item in loaded:
                document = collector.attempt(composer.statutes, item)
                if document:
                    stem = f"{out}/statuts-v{item.draft.version.numero}"
                    items.append(rendition_item(document, stem, draft_marks(item)))
            pair = collector.attempt(self._pair, project, folder, loaded)
            if pair:
                old, new, old_tag = pair
                document = collector.attempt(composer.comparison, old, new)
                name = f"comparaison-{old_tag}-v{new.draft.version.numero}"
                marks = {"marque_projet": typeset_text(f"Comparaison : {old.label} → {new.label}"),
                         "filigrane": "", "numeros_de_ligne": False}
                if document:
                    items.append(rendition_item(document, f"{out}/{name}", marks))
        collector.raise_if_any()
        return items

    @staticmethod
    def _drafts(project: Project, folder: Path, collector: ProblemCollector) -> list[LoadedDraft]:
        name = project.name(folder)
        if collector.attempt(project.identifier_of, folder) is None:
            return []
        loaded: list[LoadedDraft] = []
        for path in collector.attempt(project.data_files, folder) or []:
            match = VERSION_FILE.fullmatch(path.name)
            if not match:
                collector.add([Problem(Location(project.name(path)), "",
                                       "nom de version invalide : v1.yaml, v2.yaml… attendu")])
                continue
            source = collector.attempt(load_yaml, path, project.name(path))
            item = collector.attempt(_draft, source, int(match.group(1))) if source else None
            if item:
                loaded.append(item)
        if not loaded and not collector.problems:
            collector.add([Problem(Location(name), "", "aucune version : ajoutez v1.yaml")])
        loaded.sort(key=lambda item: item.draft.version.numero)
        _dates_in_order(loaded)
        return loaded

    def _pair(self, project: Project, folder: Path, loaded: list[LoadedDraft]
              ) -> tuple[LoadedDraft, LoadedDraft, str] | None:
        """The two drafts to compare, and the name of the older one in the output's file name."""
        by_number = {item.draft.version.numero: item for item in loaded}
        if self.compare is None:
            return (loaded[-2], loaded[-1], f"v{loaded[-2].draft.version.numero}") if len(loaded) >= 2 else None
        if self.compare.startswith("git:"):
            last, revision = loaded[-1], self.compare[4:]
            number = last.draft.version.numero
            tag = revision_tag(revision)
            return _git_draft(project, folder / f"v{number}.yaml", revision, number), last, tag
        match = re.fullmatch(r"v(\d+)(?:\.\.v(\d+))?", self.compare)
        if not match:
            raise ArsDocsError(f"--comparer « {self.compare} » : écrire v1..v2, v1 ou git:RÉVISION")
        numbers = [int(match.group(1)), int(match.group(2) or loaded[-1].draft.version.numero)]
        missing = [f"v{n}" for n in numbers if n not in by_number]
        if missing:
            raise ArsDocsError(f"--comparer : version(s) absente(s) de {project.name(folder)} : {', '.join(missing)}")
        return by_number[numbers[0]], by_number[numbers[1]], f"v{numbers[0]}"
