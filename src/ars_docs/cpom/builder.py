"""The CPOM family: each `data/cpom/<contrat>.yaml` gives its four annexes, each alone and all four
together, in Word and PDF, under `out/cpom/<contrat>/`."""

from __future__ import annotations

from pathlib import Path

from ars_docs.builders import Builder, Item, ProblemCollector, rendition_item
from ars_docs.cpom.compose import ALL_ANNEXES, ANNEXES, CpomComposer
from ars_docs.cpom.models import Cpom
from ars_docs.cpom.rules import check_cpom
from ars_docs.parts import MarkdownParts
from ars_docs.project import Project
from ars_docs.typography import typeset_text
from ars_docs.validation import validate
from ars_docs.yamlsource import YamlDocument, load_yaml

CONTRACTS = "data/cpom"


def load_contract(project: Project, path: Path) -> tuple[Cpom, YamlDocument]:
    project.identifier_of(path)
    source = load_yaml(path, project.name(path))
    return validate(Cpom, source), source


class CpomBuilder(Builder):
    name = "cpom"
    label = "annexes de CPOM"
    family = "cpom"
    shell = "annexes"

    def plan(self, project: Project) -> list[Item]:
        collector = ProblemCollector()
        paths = sorted((project.root / CONTRACTS).glob("*.yaml"))
        loaded = [item for item in (collector.attempt(load_contract, project, path) for path in paths) if item]
        for cpom, source in loaded:
            collector.add(list(check_cpom(cpom, source)))
        collector.raise_if_any()
        parts = MarkdownParts(project, "cpom")
        items: list[Item] = []
        for path, (cpom, source) in zip(paths, loaded, strict=True):
            composer = CpomComposer(parts, cpom, source)
            folder = f"{self.name}/{path.stem}"
            mark = typeset_text(f"{cpom.contrat.titre} — {cpom.contrat.version}")
            for number, (name, _) in ANNEXES.items():
                document = collector.attempt(composer.annex, number)
                if document:
                    items.append(rendition_item(document, f"{folder}/{name}", {"marque": mark}))
            document = collector.attempt(composer.all_annexes)
            if document:
                items.append(rendition_item(document, f"{folder}/{ALL_ANNEXES}", {"marque": mark}))
        collector.raise_if_any()
        return items
