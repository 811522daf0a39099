"""`check` is a promise: a shell that would not place the document's body, a Word shell that does
not open, a reply form's template that does not parse, are refused by `check` and by `build` alike,
with the same located message, before anything is written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from ars_docs.source.errors import InvalidInput
from ars_docs.tree.templating import jinja_french, located, sandbox
from helpers.project import copy_project, run


def _without_word_body(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    assert parts["word/document.xml"].count(b"{{p corps }}") == 1
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"{{p corps }}", b"(le texte)")
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _replace(old: str, new: str) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    return change


CASES = {
    "html-shell-without-body": (
        "templates/letters/lettre.html", _replace("{{ corps }}", "{{ document.title }}"),
        "templates/letters/lettre.html : la coquille HTML ne place pas le corps du document : ajoutez {{ corps }}"),
    "word-shell-without-body": (
        "templates/cpom/annexes.docx", _without_word_body,
        "templates/cpom/annexes.docx : la coquille Word ne place pas le corps du document : ajoutez un paragraphe "
        "qui ne contient que {{p corps }}"),
    "word-shell-not-a-word-file": (
        "templates/statuts/statuts.docx", lambda path: path.write_text("pas un document Word", encoding="utf-8"),
        "templates/statuts/statuts.docx : coquille Word illisible : ce n'est pas un document .docx"),
    "reply-form-template-broken": (
        "templates/letters/reponse.html", _replace("</table>", "{% endif %}</table>"),
        "templates/letters/reponse.html:"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", [("check",), ("build", "all", "--jobs", "1")])
def test_check_and_build_refuse_a_broken_shell_alike(tmp_path: Path, case: str, command: tuple[str, ...]) -> None:
    project = copy_project(tmp_path / "projet")
    name, change, expected = CASES[case]
    change(project / name)
    result = run(project, *command)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Erreur : ") and "Traceback" not in result.output
    assert f"  {expected}" in result.output, result.output
    assert not (project / "out").exists(), "nothing written"


@pytest.mark.parametrize(("source", "message"), [
    ("{% if x %}a", "fin du gabarit avant la fermeture du bloc « if » (attendu : {% elif %} ou {% else %} ou "
                    "{% endif %})"),
    ("{% for a in b %}x", "fin du gabarit avant la fermeture du bloc « for »"),
    ("{{ a }", "« } » inattendu"),
    ("{% truc %}", "balise inconnue « truc »"),
    ("{% %}", "nom de balise attendu"),
    ("{{ a b }}", "« }} » attendu, « b » trouvé"),
    ("{% if x y %}{% endif %}", "« %} » attendu, « y » trouvé"),
    ("{% for %}{% endfor %}", "expression attendue"),
    ("{{ a !b }}", "caractère « ! » inattendu"),
])
def test_jinjas_syntax_messages_are_french(source: str, message: str) -> None:
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        jinja2.Environment().parse(source)
    assert message in jinja_french(caught.value.message or "")


@pytest.mark.parametrize(("source", "message"), [
    ("{{ 1 / 0 }}", "division par zéro"),
    ("{% for x in 3 %}{% endfor %}", "« for » sur une valeur qui n'est pas une liste"),
    ("{{ 1 + 'a' }}", "opération « + » impossible"),
    ("{{ ''.__class__ }}", "accès à « __class__ » refusé"),
])
def test_what_goes_wrong_inside_a_template_is_said_in_french(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "t.md").write_text(source, encoding="utf-8")
    environment = sandbox(tmp_path, autoescape=False)
    with pytest.raises(InvalidInput) as refused, located(tmp_path / "t.md", tmp_path):
        environment.get_template("t.md").render()
    assert message in str(refused.value.problems[0]), refused.value.problems[0]
