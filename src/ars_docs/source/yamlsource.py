"""YAML loading that remembers where every value came from.

Every scalar is read as a string (or None when empty): the schema, not YAML's implicit typing,
decides what a value is, so `08011` stays a postal code, `14:00` a time and `non` a word.
Only the standard tags are allowed; a duplicate key is an error, not a silent overwrite.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem, os_reason, position
from ars_docs.source.safefiles import UnsafeFile, read_bounded
from ars_docs.source.starters import starter_hint

PathKey = tuple[str | int, ...]

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
_NULL_TAG = "tag:yaml.org,2002:null"
STAND_IN_TAG = "!a-remplacer"
"""The mark of a value a project must replace with its own (what `arsdocs init` writes: a name, a
place, an address): read as the value it tags, and refused by the release gate at its line."""
# libyaml's parser when PyYAML has it (ten times faster: 10,000 recipients in 0.3 s, not 3 s)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAX_NODES = 200_000  # far above any real data file; stops alias bombs
MAX_BYTES = 20 * 2**20
"""The largest data file read: 20 MiB, ten times the 10,000 recipients of a national mailing
(2 MiB). A larger file is refused before it is read."""
MAX_DEPTH = 50
"""The deepest nesting of lists and tables: the deepest of the example's files has 6 levels."""
_CONTINUATION = re.compile(r"(?:de|du|des|d['’]|et|ou|à|aux|en)(?:\s|(?<=['’]))")
"""How the second half of a phrase cut at its comma begins (« de Lorraine et de Strasbourg »)."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
"""What YAML does not allow in a file (control characters but tab and line breaks, C1 controls but NEL)."""
_TOO_LARGE = "document trop volumineux (trop de valeurs ou d'alias imbriqués)"
_BOM = b"\xef\xbb\xbf"


@dataclass
class YamlDocument:
    """A parsed YAML file: plain data plus the position of each value and key."""

    name: str
    data: Any
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    literal_blocks: set[PathKey] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)
    stand_ins: set[PathKey] = field(default_factory=set)
    """The values tagged `!a-remplacer`."""

    def locate(self, path: PathKey, *, key: bool = False) -> Location:
        """The position of `path`, or of its nearest ancestor present in the file."""
        marks = self.keys if key else self.values
        for size in range(len(path), -1, -1):
            prefix = path[:size]
            found = marks.get(prefix) or self.values.get(prefix)
            if found:
                return Location(self.name, *found)
        return Location(self.name, 1, 1)

    def texts(self) -> Iterator[tuple[PathKey, str]]:
        """Every text value of the file with its path, in the file's order."""
        def walk(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
            if isinstance(value, str):
                yield path, value
            elif isinstance(value, dict):
                for key, item in value.items():
                    yield from walk(item, (*path, key))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    yield from walk(item, (*path, index))
        return walk(self.data, ())

    def locate_inside(self, path: PathKey, before: str, needle: str) -> Location:
        """The position of `needle`, found in the string value at `path` after the text `before`.
        Exact in a literal block (`|`), whose lines are the file's lines; else the value's line."""
        start = self.locate(path)
        line = start.line + 1 + before.count("\n") if path in self.literal_blocks else start.line
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        column = raw.find(needle) + 1
        return Location(self.name, line, column or start.column)


def _position(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


class _Reader:
    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.problems: list[Problem] = []
        self.count = 0

    def problem(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(Location(self.document.name, *_position(node.start_mark)), "", message))

    def read(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLarge()
        self.document.values.setdefault(path, _position(node.start_mark))
        if node.tag == STAND_IN_TAG:
            if not isinstance(node, yaml.ScalarNode):
                self.problem(node, f"« {STAND_IN_TAG} » marque une valeur simple, pas une liste ni une table")
                return None
            self.document.stand_ins.add(path)
            return node.value
        if node.tag not in _ALLOWED_TAGS:
            self.problem(node, f"étiquette YAML non autorisée « {node.tag} »")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.read_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.flow_style:
                self.split_items(node)
            return [self.read(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return None
        if isinstance(node, yaml.ScalarNode) and node.style == "|":
            self.document.literal_blocks.add(path)
        return node.value

    def split_items(self, node: yaml.SequenceNode) -> None:
        """In a list between brackets a comma separates two items: an unquoted item that begins
        like the end of a phrase (« [Universités de Reims, de Lorraine et de Strasbourg] ») was one
        item cut in two, which the documents would print as two."""
        for before, item in zip(node.value, node.value[1:], strict=False):
            if (isinstance(item, yaml.ScalarNode) and not item.style and isinstance(before, yaml.ScalarNode)
                    and _CONTINUATION.match(item.value)):
                self.problem(item, f"« {before.value}, {item.value} » est coupé en deux éléments par la virgule de "
                                   "la liste entre crochets : s'il n'en fait qu'un, mettez-le entre guillemets")

    def read_mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "une clé doit être un simple mot")
                continue
            key = key_node.value
            if key in result:
                first = self.document.keys[(*path, key)]
                self.problem(key_node, f"clé « {key} » en double (déjà définie ligne {first[0]})")
                continue
            self.document.keys[(*path, key)] = _position(key_node.start_mark)
            result[key] = self.read(value_node, (*path, key))
        return result


class _TooLarge(Exception):
    pass


def _control_problem(text: str, at: int, name: str) -> Problem:
    line, column = position(text, at)
    char = text[at]
    label = {"\x00": " (NUL)", "\x1b": " (Échap)", "\x7f": " (Suppr)"}.get(char, "")
    return Problem(Location(name, line, column), "", f"caractère de contrôle U+{ord(char):04X}{label} interdit : "
                                                      "retirez-le (il vient souvent d'un copier-coller)")


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(_BOM):
        # some editors add it; YAML tools disagree about it: refuse it rather than guess
        raise InvalidInput([Problem(Location(name, 1, 1), "",
                                    "le fichier commence par une marque d'ordre des octets (BOM) : "
                                    "enregistrez-le en UTF-8 sans BOM")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = position(raw, error.start)
        raise InvalidInput(
            [Problem(Location(name, line, column), "",
                     f"le fichier n'est pas encodé en UTF-8 (octet 0x{raw[error.start]:02x}) ; "
                     "enregistrez-le en UTF-8")]
        ) from None


# The problems PyYAML and libyaml report, in French; a rarer one is quoted as the library says it.
_PROBLEMS = (
    ("found character '\\t'", "tabulation interdite : en YAML, indentez avec des espaces"),
    ("found a tab character", "tabulation interdite : en YAML, indentez avec des espaces"),
    ("did not find expected ',' or ']'", "« , » ou « ] » attendu : crochet non fermé ?"),
    ("did not find expected ',' or '}'", "« , » ou « } » attendu : accolade non fermée ?"),
    ("did not find expected key", "clé attendue ici : indentation incohérente ?"),
    ("did not find expected '-' indicator", "« - » attendu : élément de liste mal indenté ?"),
    ("could not find expected ':'", "« : » attendu après la clé"),
    ("mapping values are not allowed", "« : » inattendu : une valeur qui contient « : » s'écrit entre guillemets"),
    ("found unexpected end of stream", "fin du fichier inattendue : guillemet ou crochet non fermé ?"),
    ("found character that cannot start any token",
     "caractère qui ne peut pas commencer une valeur : écrivez la valeur entre guillemets"),
    ("found unknown escape character", "séquence d'échappement inconnue dans un texte entre guillemets"),
    ("found undefined alias", "alias (*nom) qui ne renvoie à aucune ancre (&nom)"),
    ("found unexpected ':'", "« : » inattendu : une valeur qui contient « : » s'écrit entre guillemets"),
    ("expected <block end>, but found", "indentation incohérente"),
    ("expected a comment or a line break", "texte inattendu après la valeur"),
    ("did not find expected comment or line break", "texte inattendu après la valeur"),
    ("block sequence entries are not allowed", "« - » inattendu ici : élément de liste mal indenté, ou valeur "
                                               "qui commence par « - » à écrire entre guillemets ?"),
    ("mapping keys are not allowed", "clé inattendue ici : indentation incohérente ?"),
    ("did not find expected node content", "valeur attendue ici"),
    ("did not find expected <document start>", "texte inattendu : le fichier n'est pas une table de clés"),
    ("found duplicate anchor", "ancre (&nom) définie deux fois"),
    ("second occurrence", "ancre (&nom) définie deux fois"),
    ("but found another document", "« --- » inattendu : un seul document par fichier"),
    ("did not find expected alphabetic or numeric character", "nom d'ancre ou d'alias invalide après « & » ou « * » : "
                                                             "une valeur qui commence par ces signes s'écrit entre "
                                                             "guillemets"),
    ("expected alphabetic or numeric character", "nom d'ancre ou d'alias invalide après « & » ou « * » : une "
                                                  "valeur qui commence par ces signes s'écrit entre guillemets"),
    ("found undefined tag handle", "étiquette (« ! ») inconnue : une valeur qui commence par « ! » s'écrit "
                                   "entre guillemets"),
    ("control characters are not allowed", "caractère de contrôle interdit"),
    ("found unexpected document indicator", "« --- » ou « ... » inattendu : un seul document par fichier"),
)
_CONTEXTS = (
    ("flow sequence", "dans une liste entre crochets"),
    ("flow mapping", "dans une table entre accolades"),
    ("block mapping", "dans une table"),
    ("block collection", "dans une liste"),
    ("quoted scalar", "dans un texte entre guillemets"),
    ("plain scalar", "dans une valeur"),
    ("simple key", "dans une clé"),
)


def _syntax_problem(error: yaml.MarkedYAMLError, name: str, lines: list[str]) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = _position(mark) if mark else (1, 1)
    detail = (error.problem or "").strip()
    french = next((text for english, text in _PROBLEMS if detail.startswith(english)), None)
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source[: len(source) - len(source.lstrip())] or source[column - 1: column] == "\t":
        french = _PROBLEMS[0][1]  # libyaml says "cannot start any token" for an indenting tab
    if french is None:  # a rare one: the library's own words, quoted
        return Problem(Location(name, line, column), "", f"syntaxe YAML invalide (message de la bibliothèque "
                                                          f"YAML : « {detail} »)")
    if french.startswith("tabulation"):
        return Problem(Location(name, line, column), "", french)
    where = next((text for english, text in _CONTEXTS if english in (error.context or "")), None)
    return Problem(Location(name, line, column), "", f"syntaxe YAML invalide : {french}"
                                                      + (f" ({where})" if where else ""))


def load_yaml(path: Path, name: str) -> YamlDocument:
    """Parse `path` (shown to the user as `name`); raise InvalidInput on any problem."""
    try:
        raw = read_bounded(path, MAX_BYTES)  # a folder, a pipe or a device is refused before it is read
    except FileNotFoundError:
        raise InvalidInput([Problem(Location(name), "", f"fichier introuvable{starter_hint(name)}")]) from None
    except UnsafeFile as error:
        raise InvalidInput([Problem(Location(name), "", str(error))]) from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> YamlDocument:
    """Parse YAML bytes, shown to the user as coming from `name`."""
    text = _decode(raw, name)
    control = _CONTROL.search(text)
    if control:  # libyaml would say so at the start of the file; the real place is more use
        raise InvalidInput([_control_problem(text, control.start(), name)])
    document = YamlDocument(name, None, lines=text.splitlines())
    try:
        # read the events first (constant memory): the nodes composed next are then bounded in number
        # and in depth (composing a list nested 50,000 deep overflows libyaml's C stack)
        depth = 0
        for count, event in enumerate(yaml.parse(text, Loader=_LOADER)):
            if count > 2 * _MAX_NODES:
                raise InvalidInput([Problem(Location(name, 1, 1), "", _TOO_LARGE)])
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    place = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    raise InvalidInput([Problem(Location(name, *place), "",
                                                f"valeurs imbriquées trop profondément (plus de {MAX_DEPTH} niveaux)")])
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        raise InvalidInput([_syntax_problem(error, name, document.lines)]) from None
    except yaml.YAMLError as error:
        raise InvalidInput([Problem(Location(name, 1, 1), "", f"syntaxe YAML invalide (message de la bibliothèque "
                                                               f"YAML : « {error} »)")]) from None
    if root is None:
        raise InvalidInput([Problem(Location(name, 1, 1), "", "le fichier est vide")])
    reader = _Reader(document)
    try:
        document.data = reader.read(root, ())
    except _TooLarge:
        raise InvalidInput([Problem(Location(name, 1, 1), "", _TOO_LARGE)]) from None
    if reader.problems:
        raise InvalidInput(reader.problems)
    return document


def revision_tag(revision: str) -> str:
    """How a git revision names the comparison made with it: `HEAD~1` -> `git-HEAD-1`."""
    return "git-" + re.sub(r"[^A-Za-z0-9]+", "-", revision).strip("-")


_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]{0,199}")
"""What may follow `git:`: a name, a commit, `HEAD~1`, `v2^`, `main@{2}`; never a leading `-`
(git would read an option), no space or control character."""
_GIT_REASONS = (
    ("not a git repository", "le projet n'est dans aucun dépôt git"),
    ("dubious ownership", "le dépôt git appartient à un autre utilisateur (git refuse de le lire : voir "
                          "« git config --global --add safe.directory »)"),
    ("does not exist in", "ce fichier n'existe pas à cette révision"),
    ("exists on disk, but not in", "ce fichier n'existe pas à cette révision"),
    ("invalid object name", "ce fichier n'existe pas à cette révision"),
    ("not a valid object name", "ce fichier n'existe pas à cette révision"),
    ("Not a valid object name", "ce fichier n'existe pas à cette révision"),
    ("expected commit type", "cette révision ne désigne pas un commit"),
)
_UNKNOWN = "révision inconnue (ni branche, ni étiquette, ni commit de ce dépôt)"


def _git(root: Path, *arguments: str, what: str) -> bytes:
    """git's output, run in the project's folder with no option taken from data; its errors in French."""
    import os
    import subprocess

    environment = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    try:
        result = subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, check=False, timeout=60,
                                env=environment, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        cause = os_reason(error) if isinstance(error, OSError) else "délai d'attente dépassé"
        raise ArsDocsError(f"impossible de lancer git pour lire {what} : {cause} (git est-il installé ?)") from None
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", errors="replace").strip()
        reason: str | None = next((french for english, french in _GIT_REASONS if english in said),
                                  None if said else _UNKNOWN)
        raise ArsDocsError(f"impossible de lire {what} : "
                           + (reason or f"git a refusé (message de git : « {said[:300]} »)"))
    return result.stdout


def load_yaml_at_revision(root: Path, relative: str, revision: str) -> YamlDocument:
    """A data file as git recorded it at `revision` (`HEAD~1`, a tag…), named `file@revision` in
    messages. The revision is checked as a commit first (`rev-parse --verify`, after
    `--end-of-options`); the file is read at the project's own place in its repository (a project
    in a subfolder of a repository works), and bounded like any data file."""
    what = f"« {relative} » à la révision git « {revision} »"
    if not _REVISION.fullmatch(revision) or ".." in revision:
        raise ArsDocsError(f"révision git refusée « {revision[:100]} » : écrivez un nom de branche ou d'étiquette, "
                           "un identifiant de commit ou HEAD~N (jamais un texte qui commence par « - »)")
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}",
                  what=what).decode("ascii", errors="replace").strip()
    if not re.fullmatch(r"[0-9a-f]{40,64}", commit):
        raise ArsDocsError(f"impossible de lire {what} : {_UNKNOWN}")
    prefix = _git(root, "rev-parse", "--show-prefix", what=what).decode("utf-8", errors="replace").strip()
    blob = f"{commit}:{prefix}{relative}"
    size = _git(root, "cat-file", "-s", blob, what=what).strip()
    if not size.isdigit() or int(size) > MAX_BYTES:
        raise ArsDocsError(f"impossible de lire {what} : fichier trop volumineux (au plus {MAX_BYTES // 2**20} Mio)")
    return parse_yaml(_git(root, "cat-file", "blob", blob, what=what), f"{relative}@{revision}")
