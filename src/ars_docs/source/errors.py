"""Expected errors: each prints as a French message, exits with code 1, no traceback.

Anything that is not an `ArsDocsError` is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextvars
import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file, 1-based line and column as editors show them."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        if not self.column:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the user's input, with where it is."""

    location: Location
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.location} : {self.field} : {self.message}"
        return f"{self.location} : {self.message}"


class ArsDocsError(click.ClickException):
    """An expected failure, reported to the user in French."""

    exit_code = 1

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"Erreur : {self.format_message()}", err=True, file=file)


class InvalidInput(ArsDocsError):
    """The project's data or templates are wrong: every problem found, at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        count = len(self.problems)
        header = "1 erreur" if count == 1 else f"{count} erreurs"
        lines = [f"{header} dans les données ou les gabarits :"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


def position(text: str | bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in a text (or in bytes), as editors show them."""
    newline = "\n" if isinstance(text, str) else b"\n"
    return text.count(newline, 0, offset) + 1, offset - (text.rfind(newline, 0, offset) + 1) + 1  # type: ignore[arg-type]


def relative_name(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


WARNINGS: contextvars.ContextVar[list[Problem] | None] = contextvars.ContextVar("arsdocs_warnings", default=None)
"""Where warnings go instead of the error stream: a list that the Python API gives back."""


def warn(problem: Problem) -> None:
    """Something that is allowed but probably not meant: printed (or kept for the Python API),
    the work goes on."""
    kept = WARNINGS.get()
    if kept is not None:
        kept.append(problem)
        return
    click.echo(f"Attention : {problem}", err=True)


_OS_REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EEXIST: "le fichier existe déjà",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTEMPTY: "dossier non vide",
    errno.EBUSY: "fichier ou périphérique occupé",
    errno.ETXTBSY: "fichier occupé",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENFILE: "trop de fichiers ouverts sur le système",
    errno.ENOMEM: "mémoire insuffisante",
    errno.ELOOP: "trop de liens symboliques",
    errno.EXDEV: "déplacement entre deux disques impossible",
    errno.EFBIG: "fichier trop gros",
    errno.EAGAIN: "ressource momentanément indisponible",
    errno.EINTR: "appel interrompu",
    errno.ETIMEDOUT: "délai d'attente dépassé",
    errno.ECONNREFUSED: "connexion refusée",
    errno.ECONNRESET: "connexion coupée par l'autre côté",
    errno.ECONNABORTED: "connexion abandonnée",
    errno.EHOSTUNREACH: "machine injoignable",
    errno.ENETUNREACH: "réseau injoignable",
    errno.ENETDOWN: "réseau indisponible",
    errno.EADDRINUSE: "adresse déjà utilisée",
    errno.EPIPE: "connexion rompue",
}


def os_reason(error: OSError) -> str:
    """The operating system's reason, in French (its own text is in the system's language)."""
    import socket
    import ssl

    if isinstance(error, socket.gaierror):
        return "nom de machine introuvable (DNS)"
    if isinstance(error, ssl.SSLCertVerificationError):
        return "certificat du serveur refusé (non vérifiable)"
    if isinstance(error, ssl.SSLError):
        return "échec de la négociation TLS"
    if isinstance(error, TimeoutError) and not error.errno:
        return "délai d'attente dépassé"
    if error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    code = errno.errorcode.get(error.errno or 0)
    return f"erreur du système{f' ({code})' if code else ''}"


T = TypeVar("T")


class ProblemCollector:
    """Runs steps that may each fail with InvalidInput, so that every problem is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def attempt(self, step: Callable[..., T], *args: Any) -> T | None:
        try:
            return step(*args)
        except InvalidInput as failure:
            self.problems.extend(failure.problems)
            return None

    def add(self, problems: Iterator[Problem] | list[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)
