"""Click's own messages in French: usage errors, help headings, prompts, « Aborted! ».

Click marks every message it shows with gettext (`_()`, `ngettext()`) but ships no French
catalogue: the translations are here, keyed by click's message, and `install` makes click's
modules look them up. A message missing here stays in English (the test lists those a user sees).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")

FRENCH = {
    # errors and usage
    "Error: {message}": "Erreur : {message}",
    "Usage:": "Utilisation :",
    "Try '{command} {option}' for help.": "Voir « {command} {option} » pour l'aide.",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue « {name} ».",
    "No such option {name!r}.": "Option inconnue « {name} ».",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'une de : {possibilities} ?)",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Got unexpected extra argument ({args})": "Argument en trop : {args}",
    "Got unexpected extra arguments ({args})": "Arguments en trop : {args}",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Option {name!r} requires an argument.": "L'option « {name} » attend une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option « {name} » attend {nargs} valeurs.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » prend {nargs} valeurs.",
    "Takes {nargs} values but 1 was given.": "Attend {nargs} valeurs, une seule donnée.",
    "Takes {nargs} values but {len} were given.": "Attend {nargs} valeurs, {len} données.",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir « {filename} » : {message}",
    "unknown error": "erreur inconnue",
    "Aborted!": "Interrompu (Ctrl-C) : rien n'a été écrit.",
    # values
    "{value!r} is not {choice}.": "« {value} » n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "« {value} » n'est pas l'un des choix : {choices}.",
    "Choose from:\n\t{choices}": "Choisir parmi :\n\t{choices}",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "« {value} » n'est pas oui ou non. Valeurs reconnues : {states}",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide ({number_type}).",
    "{value!r} does not match the format {format}.": "« {value} » ne suit pas le format {format}.",
    "{value!r} does not match the formats {formats}.": "« {value} » ne suit aucun des formats {formats}.",
    "{len_type} values are required, but {len_value} was given.":
        "{len_type} valeurs attendues, {len_value} donnée.",
    "{len_type} values are required, but {len_value} were given.":
        "{len_type} valeurs attendues, {len_value} données.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} is a file.": "{name} « {filename} » : c'est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » : c'est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » : lecture impossible.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture impossible.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » : pas un exécutable.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    # help and prompts
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "par défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "Do you want to continue?": "Continuer ?",
    "Confirm the action without prompting.": "Confirme l'action sans la demander.",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
}


def gettext(message: str) -> str:
    return FRENCH.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return gettext(singular if count == 1 else plural)


def _write_heading(self: Any, heading: str) -> None:
    """« Options : », with the space French puts before a colon (click writes « Options: »)."""
    self.write(f"{'':>{self.current_indent}}{heading}\u00a0:\n")


TYPE_NAMES: dict[type[click.ParamType[Any]], str] = {click.types.IntParamType: "entier", click.types.IntRange: "entier",
                                                click.types.FloatParamType: "nombre décimal",
                                                click.types.FloatRange: "nombre décimal"}
"""What click calls its number types in « n'est pas un nombre valide (…) » (not through gettext)."""


def install() -> None:
    """Make click's modules translate their messages through `FRENCH`, and its help headings
    follow French typography."""
    import click.formatting

    for kind, name in TYPE_NAMES.items():
        kind.name = name

    click.formatting.HelpFormatter.write_heading = _write_heading  # type: ignore[method-assign]
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


class FamilyChoice(click.Choice):  # type: ignore[type-arg]
    """A family's name, or one of its other names (`courriers` for `letters`), given as the name:
    every family, or those that can do `capability` (as their classes declare, read only when the
    command runs or its help is shown: the CLI starts without importing the families), and `extra`."""

    def __init__(self, capability: str | None = None, extra: tuple[str, ...] = ()) -> None:
        self._capability, self._extra = capability, extra
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        from ars_docs.base.registry import ALIASES, builder_names

        names = builder_names(self._capability)
        return [*names, *self._extra, *(alias for alias, name in ALIASES.items() if name in names)]

    @choices.setter
    def choices(self, value: Any) -> None:
        """click.Choice sets them in its constructor: they are computed instead."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ars_docs.base.registry import ALIASES

        chosen = super().convert(value, param, ctx)
        return ALIASES.get(chosen, chosen)
