"""Every message of the command line is French, click's own included: usage errors, help
headings, the message of an interruption (Ctrl-C)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ars_docs.cli import main
from ars_docs.cli.commands import check

ENGLISH = re.compile(r"\b(Error|Usage|Invalid value|No such|Missing|Got unexpected|is not one of|is not in the range|"
                     r"Aborted|Did you mean|Show this message|Options:|Commands:|COMMAND|ARGS)\b")


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), prog_name="arsdocs")
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(("args", "french"), [
    (("buidl",), "Erreur : Commande inconnue « buidl ». Vouliez-vous dire"),
    (("build", "lettres"), "« lettres » n'est pas l'un des choix : "),
    (("build", "cpom", "--jobs", "0"), "0 n'est pas dans l'intervalle 1<=x<=256."),
    (("build",), "Erreur : Argument manquant"),
    (("build", "cpom", "--inconnue"), "Erreur : Option inconnue « --inconnue »."),
    (("check", "en-trop"), "Erreur : Argument en trop : en-trop"),
    (("build", "cpom", "--jobs"), "Erreur : L'option « --jobs » attend une valeur."),
    (("send", "statuts"), "« statuts » n'est pas l'un des choix : "),
])
def test_usage_errors_are_french(args: tuple[str, ...], french: str) -> None:
    result = CliRunner().invoke(main, list(args), prog_name="arsdocs")
    assert result.exit_code == 2
    assert french in result.output, result.output
    assert result.output.startswith(("Utilisation : arsdocs", "Erreur : "))
    assert not ENGLISH.search(result.output), result.output


@pytest.mark.parametrize("args", [("--help",), ("build", "--help"), ("send", "--help"), ("sign", "--help")])
def test_help_is_french(args: tuple[str, ...]) -> None:
    output = _run(*args)
    assert output.startswith("Utilisation : arsdocs") and "Options\u00a0:" in output
    assert not ENGLISH.search(output), output


def test_an_interruption_says_so_in_french(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def interrupted(context: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(check, "open_project", interrupted)
    result = CliRunner().invoke(main, ["--projet", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert result.output.strip() == "Interrompu (Ctrl-C) : rien n'a été écrit."


@pytest.mark.parametrize("command", [["build", "courriers"], ["send", "courriers"], ["sign", "courriers",
                                                                                      "--certificat", "x.p12"]])
def test_courriers_is_another_name_for_letters(tmp_path: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, ["--projet", str(tmp_path), *command])
    assert "n'est pas l'un des choix" not in result.output
    assert result.output.startswith("Erreur : aucun projet arsdocs"), result.output


ENGLISH_WORDS = re.compile(r"\b(Error|Usage|Invalid|invalid|No such|Missing|Got unexpected|is not|is a|does not|"
                           r"requires|takes|Aborted|Did you mean|File|Directory|Path|file|directory|path|value|"
                           r"exist|range|choose|integer|float|text)\b")


def _wrong_values(parameter: click.Parameter, file: Path, folder: Path) -> list[list[str]]:
    """Ways to get this parameter wrong on the command line (its name first, for an option)."""
    kind = parameter.type
    if isinstance(parameter, click.Option) and parameter.is_flag:
        return [] if parameter.name == "help" else [[f"{parameter.opts[0]}=oui"]]
    if isinstance(kind, click.IntRange):
        wrong = [["abc"], ["999999"], ["-5"]]
    elif isinstance(kind, click.Choice):
        wrong = [["zzz"]]
    elif isinstance(kind, click.Path):
        wrong = [[str(file)]] if not kind.file_okay else [[str(folder)]] if not kind.dir_okay else []
        if kind.exists:
            wrong.append([str(folder / "absent")])
    else:
        wrong = []
    if isinstance(parameter, click.Option):
        return [[parameter.opts[0], *value] for value in wrong] + [[parameter.opts[0]]]  # the last: no value
    return wrong


def _calls() -> list[tuple[str, list[str], click.Parameter]]:
    calls = []
    for name, command in sorted(main.commands.items()):
        arguments = [parameter for parameter in command.params if isinstance(parameter, click.Argument)]
        valid = {"famille": "letters" if name in ("send", "sign") else "cpom", "quoi": "reponses",
                 "dossier": "{dossier}/nouveau", "chemin": "{dossier}"}
        for parameter in command.params:
            for wrong in _wrong_values(parameter, Path("{fichier}"), Path("{dossier}")):
                if isinstance(parameter, click.Argument):
                    args = [wrong[0] if other is parameter else valid[str(other.name)] for other in arguments]
                else:  # the option last: « no value » is then really none
                    args = [valid[str(other.name)] for other in arguments] + wrong
                calls.append((name, args, parameter))
            if isinstance(parameter, click.Argument) and parameter.required:  # missing: it and those after it
                calls.append((name, [valid[str(other.name)] for other in arguments[:arguments.index(parameter)]],
                              parameter))
    return calls


CALLS = _calls()


def test_every_option_and_argument_is_driven() -> None:
    driven = {(name, parameter.name) for name, _, parameter in CALLS}
    every = {(name, parameter.name) for name, command in main.commands.items() for parameter in command.params
             if parameter.name != "help"}
    assert every <= driven, every - driven


@pytest.mark.parametrize(("command", "args"), [(name, args) for name, args, _ in CALLS],
                         ids=[f"{name}-{'-'.join(args)}" for name, args, _ in CALLS])
def test_a_wrong_value_for_any_option_is_refused_in_french(command: str, args: list[str], tmp_path: Path) -> None:
    (tmp_path / "fichier.txt").write_text("x", encoding="utf-8")
    concrete = [arg.replace("{fichier}", str(tmp_path / "fichier.txt")).replace("{dossier}", str(tmp_path))
                for arg in args]
    result = CliRunner().invoke(main, ["--projet", str(tmp_path), command, *concrete], prog_name="arsdocs")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.output.replace(str(tmp_path), "DOSSIER")
    assert "Erreur : " in message, message
    assert not ENGLISH_WORDS.search(message.split("Erreur : ", 1)[1]), message


def test_the_project_option_refuses_a_file_in_french(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["--projet", str(tmp_path / "f.txt"), "check"], prog_name="arsdocs")
    assert result.exit_code == 2 and "Erreur : Valeur invalide pour '--projet' : Dossier « " in result.output
    assert "c'est un fichier" in result.output
