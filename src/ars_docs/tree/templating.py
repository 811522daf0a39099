"""Jinja for body templates written in Markdown.

Every value a template prints is escaped for Markdown, so data is never read as markup:
`Clinique *A* & <B>` prints as typed. Helpers that build markup on purpose return `Markdown`.
A variable the data does not have is an error (StrictUndefined), located in the template.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ars_docs.source.errors import InvalidInput, Location, Problem, position, relative_name
from ars_docs.source.starters import starter_hint
from ars_docs.tree import french as frenchformat

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~^:\"'$=])")


class Markdown(str):
    """A string that is already Markdown, printed as is."""


def escape_markdown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Markdown):
        return value
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def mail_link(address: str) -> Markdown:
    """`[address](mailto:address)`: the address stays clickable and is never retouched."""
    return Markdown(f"[{escape_markdown(address)}](<mailto:{address}>)")


def web_link(url: str, text: str | None = None) -> Markdown:
    return Markdown(f"[{escape_markdown(text or url)}](<{url}>)")


FILTERS: Mapping[str, Callable[..., Any]] = {
    "date_longue": frenchformat.long_date,
    "date_courte": frenchformat.short_date,
    "heure": frenchformat.clock_time,
    "courriel": mail_link,
    "lien": web_link,
}


CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""What no template may hold: control characters but tab and line breaks (XML 1.0 forbids most)."""


class TemplateOutsideProject(jinja2.TemplateError):
    """A template that resolves outside its folder (a symbolic link pointing elsewhere)."""


class TemplateFileError(jinja2.TemplateError):
    """A template file that cannot serve: empty (the document would lack its part), or not UTF-8."""

    def __init__(self, filename: str, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.filename = filename
        self.problem = message
        self.line, self.column = line, column


class ConfinedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader (which already refuses `..`), that also refuses a template whose real
    path, symbolic links followed, is outside the folders it was given."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError:
            found = next((Path(folder) / template for folder in self.searchpath
                          if (Path(folder) / template).is_file()), Path(template))
            raise TemplateFileError(str(found), "gabarit illisible : il n'est pas en UTF-8") from None
        real = Path(filename).resolve()
        folders = [Path(folder).resolve() for folder in self.searchpath]
        if not any(folder in real.parents for folder in folders):
            raise TemplateOutsideProject(f"le gabarit « {template} » mène hors du dossier des gabarits "
                                         f"(lien symbolique vers {real}) : refusé")
        if not source.strip():
            raise TemplateFileError(filename, "gabarit vide : la partie qu'il écrit manquerait aux documents")
        control = CONTROL_CHARACTER.search(source)
        if control:  # it would reach the documents, where XML cannot hold it (a Word file that does not open)
            at = control.start()
            line, column = position(source, at)
            raise TemplateFileError(filename, f"caractère de contrôle U+{ord(source[at]):04X} interdit : retirez-le",
                                    line, column)
        return source, filename, uptodate


def sandbox(folders: Path | list[Path] | None = None, *, autoescape: bool,
            finalize: Callable[[Any], Any] | None = None) -> SandboxedEnvironment:
    """The one kind of Jinja environment arsdocs uses: sandboxed (a template cannot reach Python),
    confined to its folders, and strict (a name the data does not have is an error)."""
    loader = ConfinedLoader(folders) if folders is not None else None
    environment = SandboxedEnvironment(loader=loader, autoescape=autoescape, undefined=jinja2.StrictUndefined,
                                       keep_trailing_newline=True)
    if finalize is not None:
        environment.finalize = finalize
    environment.globals[STAND_IN_CALL] = lambda text: text
    return environment


STAND_IN_CALL = "a_remplacer"
"""`{{ a_remplacer("le texte du courrier") }}`: a text a project must replace with its own (what
`arsdocs init` writes), printed as it is, and refused by the release gate at its line."""


def markdown_environment(folder: Path) -> SandboxedEnvironment:
    environment = sandbox(folder, autoescape=False, finalize=escape_markdown)
    environment.filters.update(FILTERS)
    return environment


def text_environment(folder: Path) -> SandboxedEnvironment:
    """Jinja for plain-text templates (an e-mail body): values printed as they are."""
    environment = sandbox(folder, autoescape=False, finalize=lambda value: "" if value is None else value)
    environment.filters.update({name: FILTERS[name] for name in ("date_longue", "date_courte", "heure")})
    return environment


@contextmanager
def located(template_path: Path, root: Path) -> Iterator[None]:
    """Any failure inside a template is the template's: reported at its place (file, line, column)
    as invalid input, never as a traceback. The one wrapper around rendering a template."""
    try:
        yield
    except InvalidInput:
        raise
    except TemplateFileError as error:
        raise InvalidInput([Problem(Location(relative_name(Path(error.filename), root), error.line, error.column), "",
                                    error.problem)]) from None
    except jinja2.TemplateNotFound as error:
        name = relative_name(template_path, root)
        message = f"gabarit introuvable{starter_hint(name)}" if error.name == template_path.name else \
            f"gabarit inclus introuvable « {error.name} »"
        raise InvalidInput([Problem(Location(name), "", message)]) from None
    except Exception as error:  # whatever a template does wrong, Jinja's errors or the data's
        raise InvalidInput([template_problem(error, template_path, root)]) from None


def template_problem(error: Exception, template_path: Path, root: Path) -> Problem:
    """A Jinja failure as a located problem: the template's file, line and, when the
    offending name can be found on that line, its column."""
    name = relative_name(template_path, root)
    if isinstance(error, jinja2.TemplateSyntaxError):
        return Problem(Location(name, error.lineno or 1, 1), "",
                       f"syntaxe de gabarit invalide : {jinja_french(error.message or '')}")
    line = _template_line(error, template_path)
    missing = _missing_name(str(error))
    column = 0
    if line and missing:
        source_lines = template_path.read_text(encoding="utf-8").splitlines()
        if line <= len(source_lines):
            column = source_lines[line - 1].find(missing) + 1
    if missing:
        message = f"variable inconnue « {missing} » : les données n'en fournissent pas"
    else:
        message = f"erreur dans le gabarit : {jinja_french(str(error), error)}"
    return Problem(Location(name, line or 1, column), "", message)


# Jinja's messages (and Python's, from inside a template), in French; a rarer one is quoted.
_JINJA = [
    (r"Unexpected end of template\. Jinja was looking for the following tags: (.*?)\. The innermost block that "
     r"needs to be closed is '(\w+)'\.", "fin du gabarit avant la fermeture du bloc « {1} » (attendu : {0})"),
    (r"Encountered unknown tag '(\w+)'\..*", "balise inconnue « {0} »"),
    (r"unexpected end of template, expected '(.*)'\.", "fin du gabarit inattendue ({0} attendu)"),
    (r"expected token '(.*)', got '(.*)'", "« {0} » attendu, « {1} » trouvé"),
    (r"unexpected '(.*)'", "« {0} » inattendu"),
    (r"Expected an expression, got '(.*)'", "expression attendue, « {0} » trouvé"),
    (r"expected token '(.*)', got '(.*)'\.?", "« {0} » attendu, « {1} » trouvé"),
    (r"unexpected char '(.*)' at \d+", "caractère « {0} » inattendu"),
    (r"tag name expected", "nom de balise attendu après « {{% »"),
    (r"No filter named '(.*)'\.", "filtre inconnu « {0} »"),
    (r"No filter named '(.*)' found\.", "filtre inconnu « {0} »"),
    (r"No test named '(.*)'\.", "test inconnu « {0} »"),
    (r"block '(.*)' defined twice", "bloc « {0} » défini deux fois"),
    (r"access to attribute '(.*)' of '(.*)' object is unsafe\.", "accès à « {0} » refusé (gabarits confinés)"),
    (r"'(.*)' object is not iterable", "« for » sur une valeur qui n'est pas une liste ({0})"),
    (r"'(.*)' object is not callable", "appel d'une valeur qui n'est pas une fonction ({0})"),
    (r"division by zero", "division par zéro"),
    (r"unsupported operand type\(s\) for (.*): '(.*)' and '(.*)'", "opération « {0} » impossible entre {1} et {2}"),
    (r'can only concatenate str \(not "(.*)"\) to str', "texte et {0} ne s'additionnent pas : utilisez « ~ »"),
    (r"the message size exceeds the maximum", "gabarit trop lourd"),
]


_TOKENS = {"end of statement block": "%}", "end of print statement": "}}", "end of template": "fin du gabarit",
           "name": "un nom", "begin of print statement": "{{", "begin of statement block": "{%",
           "end of comment": "#}", "string": "un texte", "integer": "un nombre"}


def jinja_french(message: str, error: Exception | None = None) -> str:
    """A message of Jinja (or of Python inside a template) in French."""
    if error is not None and isinstance(error, RecursionError):
        return "inclusion ou macro qui s'appelle elle-même sans fin"
    for pattern, french in _JINJA:
        found = re.fullmatch(pattern, message.strip(), re.S)
        if found:  # Jinja's lists of tags, « 'endif' or 'else' », as « {% endif %} ou {% else %} »
            return french.format(*(_TOKENS.get(part) or re.sub(r"'(\w+)'", r"{% \1 %}", part).replace(" or ", " ou ")
                                   for part in found.groups()))
    if not message.strip():  # a filter given nothing (« courrier.reponse.date_limite » with no « reponse: »)
        return "une valeur que le gabarit utilise manque dans les données (une clé absente, ou vide)"
    return f"message de Jinja : « {message.strip()} »"


def _missing_name(text: str) -> str | None:
    """The name Jinja could not find: `'x' is undefined`, `'… object' has no attribute 'x'`."""
    found = re.fullmatch(r"'.+' has no attribute '(.+)'", text) or re.fullmatch(r"'(.+)' is undefined", text)
    return found.group(1) if found else None


def _template_line(error: Exception, template_path: Path) -> int:
    wanted = str(template_path.resolve())
    line = 0
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename and str(Path(frame.filename).resolve()) == wanted:
            line = frame.lineno or 0
    return line
