"""Property-based tests driven by the models' schemas, for every family's data files.

One property, whatever the input: `arsdocs build` either succeeds, and every text it was given
that the documents print comes out whole in the page, the PDF and the Word file; or it fails
with a French message that names the file (and the line), exit code 1, out/ unchanged to the
byte, and never a traceback (the CLI runs with catch_exceptions=False: a traceback fails the test).

Two kinds of input: whole documents generated from the pydantic model of the file (schemagen),
and valid projects with one value replaced by hostile text."""

from __future__ import annotations

import hashlib
import html.parser
import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ars_docs.directory.members import MembersFile
from ars_docs.directory.models import RecipientsFile
from ars_docs.families.cpom.models import Cpom
from ars_docs.families.letters.models import Mailing, WebinarsFile
from ars_docs.families.statuts.models import Draft
from ars_docs.source.project import Settings
from ars_docs.tree.typography import typeset_text
from helpers.project import copy_project, run
from helpers.readback import docx_paragraphs, squash
from helpers.schemagen import READABLE, TEXT, from_model

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

CONTRACT = "data/cpom/dsr-chirurgie-pediatrique-2027-2030.yaml"
DRAFT = "data/statuts/dsr-chirurgie-pediatrique/v2.yaml"
MEMBERS = "data/membres.yaml"
# (file, its model, the family built from it)
FILES = [
    ("data/courriers/lancement-dsr.yaml", Mailing, "letters"),
    ("data/relances/relance-dsr.yaml", Mailing, "relances"),
    ("data/webinaires.yaml", WebinarsFile, "letters"),
    ("data/recipients.yaml", RecipientsFile, "letters"),
    (MEMBERS, MembersFile, "relances"),
    (DRAFT, Draft, "statuts"),
    (CONTRACT, Cpom, "cpom"),
    ("arsdocs.yaml", Settings, "letters"),
]
MARKDOWN_KEYS = {"texte", "conditions", "compte_rendu"}  # Markdown (MultilineText): printed as formatted text
LOCATED = re.compile(r"^(Erreur : |  )[\w./-]+\.(yaml|md|html|css|docx|png|ttf)(:\d+(:\d+)?)? : ", re.M)
EXAMPLES = 20
# Derandomized (the same examples at every run); no shrinking: a build takes seconds, and the
# first failing example is reported as found.
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, report_multiple_bugs=False,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])

ANSWERS = """membres:
- etablissement: chu-reims
  reponse:
    date: '2026-05-20T09:30:00Z'
    fichier: reims.pdf
    referents:
    - role: medecin
      libelle: Médecin référent
      valeurs: {nom: Poirier, prenom: Hélène, email: helene.poirier@example.fr}
    - role: directeur
      libelle: Directeur référent
      valeurs: {nom: Martin, prenom: Claire, email: claire.martin@example.fr}
"""


OUTCOMES: Counter[tuple[str, str]] = Counter()
"""(file, outcome) of every example run, printed at the end of the module (`pytest -s`)."""


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    for (name, outcome), count in sorted(OUTCOMES.items()):
        print(f"{name} : {outcome} {count}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("proprietes") / "projet", "petit")
    (project / MEMBERS).write_text(ANSWERS, encoding="utf-8")
    result = run(project, "build", "all")
    assert result.exit_code == 0, result.output
    return project


def _snapshot(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


class _Text(html.parser.HTMLParser):
    """The text a reader sees in a page (not the style sheet the standalone page carries)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.hidden += tag in ("style", "script", "head")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script", "head")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(text: str, fold: bool = True) -> str:
    """What a reader sees, as the robustness tests compare it: no white space, no invisible
    characters, compatibility forms folded, and (`fold`) no case: the style sheets print headings
    in capitals."""
    text = squash(unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("\u200d", ""))
    return text.casefold() if fold else text


def _page_text(path: Path, fold: bool = True) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return visible("".join(parser.parts), fold)


def _printed(value: str, fold: bool = True) -> str:
    return visible(typeset_text(unicodedata.normalize("NFC", value.strip())), fold)


def _assert_printed_whole(project: Path, family: str, value: str) -> None:
    """In the page of at least one document of the family, and in that document's PDF and Word file."""
    expected = _printed(value)
    pages = [page for page in sorted((project / "out" / family).rglob("*.html")) if expected in _page_text(page)]
    assert pages, f"{value!r} printed in no page of out/{family}"
    rtl = any(unicodedata.bidirectional(char) in ("R", "AL") for char in expected)
    for page in pages[:3]:  # a title is in the text or in the file's properties (the page's hidden heading)
        reader = PdfReader(page.with_suffix(".pdf"))
        pdf = visible("".join(p.extract_text() for p in reader.pages) + str(reader.metadata.title))
        if rtl:  # right-to-left runs are extracted in visual order: every character, in some order
            assert all(pdf.count(char) >= expected.count(char) for char in expected), f"{value!r} lost in {page}"
        else:
            assert expected in pdf, f"{value!r} not whole in {page.with_suffix('.pdf')}"
        word_file = docx.Document(str(page.with_suffix(".docx")))
        title = str(word_file.core_properties.title)
        footers = "".join(paragraph.text for section in word_file.sections for paragraph in section.footer.paragraphs)
        # tracked changes included; the agency's address is in the page's footer
        word = visible("".join(docx_paragraphs(page.with_suffix(".docx"))) + title + footers)
        assert expected in word, f"{value!r} not whole in {page.with_suffix('.docx')}"


def _build_and_judge(project: Path, family: str, printed: str | None, tally: str) -> None:
    before = _snapshot(project / "out")
    result = run(project, "build", family)  # catch_exceptions=False: a traceback fails the test
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        OUTCOMES[tally, "construit, texte imprimé vérifié" if printed is not None else "construit"] += 1
        if printed is not None:
            _assert_printed_whole(project, family, printed)
        return
    OUTCOMES[tally, "refusé"] += 1
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Erreur : "), result.output
    assert LOCATED.search(result.output), f"no file named:\n{result.output}"
    assert _snapshot(project / "out") == before, "out/ changed by a refused build"


# --- whole documents generated from the models ------------------------------------------------------

@pytest.mark.parametrize(("name", "model", "family"), FILES, ids=[name for name, _, _ in FILES])
def test_any_document_the_schema_allows_is_built_or_refused_clearly(built: Path, tmp_path: Path, name: str,
                                                                      model: Any, family: str) -> None:
    project = tmp_path / "projet"
    shutil.copytree(built, project)
    original = (project / name).read_bytes()

    @SETTINGS
    @given(document=from_model(model))
    def check(document: Any) -> None:
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=False)
        (project / name).write_text(text, encoding="utf-8")
        try:
            _build_and_judge(project, family, None, f"{name} (généré)")
        finally:
            (project / name).write_bytes(original)

    check()


# --- valid projects, one value replaced -------------------------------------------------------------

def _leaves(node: yaml.Node, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], yaml.ScalarNode]]:
    """Every string scalar of the document, with its path."""
    if isinstance(node, yaml.MappingNode):
        return [leaf for key, value in node.value for leaf in _leaves(value, (*path, key.value))]
    if isinstance(node, yaml.SequenceNode):
        return [leaf for index, value in enumerate(node.value) for leaf in _leaves(value, (*path, index))]
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return [(path, node)]
    return []


def _replaced(text: str, node: yaml.ScalarNode, value: str) -> str:
    quoted = yaml.safe_dump(value, default_style='"', allow_unicode=False, width=10**9).split("\n...")[0].strip()
    if node.style in ("|", ">"):  # a block scalar ends with its line: the next key starts a line of its own
        quoted += "\n"
    return text[: node.start_mark.index] + quoted + text[node.end_mark.index:]


@pytest.mark.parametrize(("name", "model", "family"), FILES, ids=[name for name, _, _ in FILES])
def test_any_text_in_a_valid_project_comes_out_whole_or_is_refused_clearly(
        built: Path, tmp_path: Path, name: str, model: Any, family: str) -> None:
    original = (built / name).read_text(encoding="utf-8")
    leaves = _leaves(yaml.compose(original))
    pages = "".join(_page_text(page, fold=False) for page in (built / "out" / family).rglob("*.html"))
    project = tmp_path / "projet"
    shutil.copytree(built, project)

    @SETTINGS
    @given(leaf=st.sampled_from(leaves), value=st.one_of(TEXT, READABLE, READABLE))
    def check(leaf: tuple[tuple[Any, ...], yaml.ScalarNode], value: str) -> None:
        path, node = leaf
        # printed as it was typed somewhere (not a Markdown text, nor only as the postal norm rewrites
        # it, in capitals): then whatever replaces it must come out whole
        shown = _printed(node.value, fold=False)
        printed = len(shown) >= 4 and shown in pages and path[-1] not in MARKDOWN_KEYS
        (project / name).write_text(_replaced(original, node, value), encoding="utf-8")
        try:
            _build_and_judge(project, family, value if printed else None, f"{name} (une valeur remplacée)")
        finally:
            (project / name).write_text(original, encoding="utf-8")

    check()
