"""Every message of the command line is French, click's own included: usage errors, help
headings, the message of an interruption (Ctrl-C)."""

from __future__ import annotations

import re
from pathlib import Path

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
