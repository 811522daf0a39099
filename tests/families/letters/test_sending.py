"""`arsdocs send letters` against a real SMTP server on the loopback address (aiosmtpd)."""

from __future__ import annotations

import asyncio
import datetime
import email
import email.utils
import json
import os
import signal
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from helpers.project import TEST_DOMAIN, cleared_for_release, free_port, run, terminal_signals

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

Edit = Callable[[Path, str, str], None]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ADDRESSES = [f"{name}@{TEST_DOMAIN}" for name in ("claire.martin", "camille.roth", "pierre.royer")]


class Mailbox:
    """Accepts every message but those to a refused address; keeps what it received. A message is
    received (delivered) once its data has ended, whatever becomes of the reply."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.refused: set[str] = set()
        self.cut_before_data: set[str] = set()  # the connection is cut at RCPT: nothing delivered
        self.cut_after_data: set[str] = set()  # delivered, then the connection is cut before the reply
        self.late: dict[str, float] = {}  # delivered, the reply comes after so many seconds

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:
        if address in self.refused:
            return "550 5.1.1 Destinataire inconnu"
        if address in self.cut_before_data:
            self.cut_before_data.discard(address)
            server.transport.close()
            return "421 Connexion perdue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        (address,) = envelope.rcpt_tos
        if address in self.cut_after_data:
            self.cut_after_data.discard(address)
            server.transport.close()
            return "421 Connexion perdue"
        if address in self.late:
            await asyncio.sleep(self.late.pop(address))
        return "250 Message accepted"

    def count(self, address: str) -> int:
        return sum(address in recipients for recipients, _ in self.received)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, str]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, f"127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def built(small_project: Path) -> Path:
    """The small project's letters built, cleared for release, to be sent unsigned (the signature has
    its own tests)."""
    cleared_for_release(small_project)
    letter = small_project / "data/courriers/lancement-dsr.yaml"
    letter.write_text(letter.read_text(encoding="utf-8").replace("signature_electronique: oui",
                                                                  "signature_electronique: non"), encoding="utf-8")
    assert run(small_project, "build", "letters").exit_code == 0
    return small_project


def _send(project: Path, server: str, *extra: str) -> Any:
    """Sending the example's letter, whose deadline has passed: `--hors-delai` (its own tests below)."""
    return run(project, "send", "letters", "--envoyer", "--hors-delai", "--smtp", server, "--sans-starttls",
               "--debit", "600", *extra)


def test_without_envoyer_nothing_is_sent(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, _ = mailbox
    result = run(built, "send", "letters")
    assert result.exit_code == 0
    assert result.output.count("à envoyer : ") == 3
    assert "Rien n'a été envoyé (3 message(s) à envoyer) : ajoutez --envoyer pour envoyer." in result.output
    assert box.received == [] and not (built / "envois").exists()


def test_each_recipient_receives_exactly_one_message(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, server = mailbox
    result = _send(built, server)
    assert result.exit_code == 0, result.output
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]
    message = email.message_from_bytes(box.received[0][1], policy=policy.default)
    assert message["Subject"].startswith("Information relative au lancement") and message["X-Unsent"] is None
    assert {part.get_filename() for part in message.iter_attachments()} == {
        "chu-reims--claire-martin.pdf", "invitation-webinaire.ics", "reponse-chu-reims.pdf"}
    again = _send(built, server)
    assert again.exit_code == 0 and again.output.count("déjà envoyé : ") == 3
    assert len(box.received) == 3
    journal = [json.loads(line) for line in (built / "envois/lancement-dsr.jsonl").read_text().splitlines()]
    assert [entry["etat"] for entry in journal] == ["en-cours", "envoye"] * 3


def test_a_refused_address_is_reported_and_the_others_delivered(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, server = mailbox
    box.refused.add(ADDRESSES[1])
    result = _send(built, server)
    assert result.exit_code == 1
    assert (f"refusé par le serveur : CHU de Reims — Camille Roth <{ADDRESSES[1]}> (550 5.1.1 Destinataire "
            "inconnu)") in result.output.splitlines()
    assert "Erreur : 1 envoi(s) en échec" in result.output
    assert [box.count(address) for address in ADDRESSES] == [1, 0, 1]
    box.refused.clear()  # the address was fixed on the server's side: the next run delivers it, only it
    assert _send(built, server).exit_code == 0
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]


def test_a_connection_cut_before_the_data_ends_is_retried(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    """Nothing was delivered: the message failed, the run goes on, the next run sends it."""
    box, server = mailbox
    box.cut_before_data.add(ADDRESSES[1])
    result = _send(built, server)
    assert result.exit_code == 1
    assert any(line.startswith("échec : CHU de Reims — Camille Roth") for line in result.output.splitlines())
    assert [box.count(address) for address in ADDRESSES] == [1, 0, 1], "reconnected for the next recipient"
    assert "à renvoyer : CHU de Reims — Camille Roth" in run(built, "send", "letters").output
    assert _send(built, server).exit_code == 0
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]


def _delivered_unconfirmed(built: Path, server: str) -> Any:
    result = _send(built, server)
    assert result.exit_code == 1
    assert (f"état inconnu (le serveur n'a pas confirmé, ou l'envoi a été coupé) : non renvoyé : CHU de Reims — "
            f"Camille Roth <{ADDRESSES[1]}>") in result.output
    assert f"Erreur : envoi arrêté : le serveur n'a pas confirmé le message à {ADDRESSES[1]}" in result.output
    return result


def test_a_connection_cut_after_the_data_ended_is_never_resent_blindly(built: Path,
                                                                       mailbox: tuple[Mailbox, str]) -> None:
    """The server may have delivered it (this one did): the message is `incertain`, the run stops,
    later runs send to the others only, and it goes again only when named by --renvoyer."""
    box, server = mailbox
    box.cut_after_data.add(ADDRESSES[1])
    _delivered_unconfirmed(built, server)
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 0], "stopped after the unknown outcome"
    dry = run(built, "send", "letters")
    assert "Rien n'a été envoyé (1 message(s) à envoyer)" in dry.output
    assert "pour renvoyer quand même : --renvoyer ADRESSE" in dry.output
    assert _send(built, server).exit_code == 0
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1], "not sent a second time"
    assert _send(built, server).exit_code == 0
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]
    refused = _send(built, server, "--renvoyer", ADDRESSES[0])
    assert refused.exit_code == 1 and f"--renvoyer {ADDRESSES[0]} : rien à renvoyer (état : deja-envoye)" in (
        refused.output)
    decided = _send(built, server, "--renvoyer", ADDRESSES[1].upper())
    assert decided.exit_code == 0, decided.output
    assert [box.count(address) for address in ADDRESSES] == [1, 2, 1], "resent once, by an explicit decision"
    assert _send(built, server, "--renvoyer", ADDRESSES[1]).exit_code == 1, "a decision is spent once carried out"
    assert [box.count(address) for address in ADDRESSES] == [1, 2, 1]


def test_a_late_confirmation_within_the_wait_is_a_delivery(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    """The reply to the end of the data is awaited `smtp.delai_confirmation_s` (RFC 5321: ten
    minutes; here two seconds, by the setting), longer than a command's reply."""
    box, server = mailbox
    _smtp_settings(built, "delai_commande_s: 0.5\n  delai_confirmation_s: 3")
    box.late[ADDRESSES[1]] = 1.5
    result = _send(built, server)
    assert result.exit_code == 0, result.output
    assert result.output.count("envoyé : ") == 3


def test_a_confirmation_later_than_the_wait_is_an_unknown_outcome(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, server = mailbox
    _smtp_settings(built, "delai_confirmation_s: 0.5")
    box.late[ADDRESSES[1]] = 2
    _delivered_unconfirmed(built, server)
    assert _send(built, server).exit_code == 0
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]
    journal = [json.loads(line) for line in (built / "envois/lancement-dsr.jsonl").read_text().splitlines()]
    assert [entry["etat"] for entry in journal if entry["email"] == ADDRESSES[1]] == ["en-cours", "incertain"]


def _smtp_settings(project: Path, fields: str) -> None:
    with (project / "arsdocs.yaml").open("a", encoding="utf-8") as settings:
        settings.write(f"smtp:\n  hote: 127.0.0.1\n  {fields}\n")


def test_a_recipient_edited_after_sending_is_not_sent_again(built: Path, mailbox: tuple[Mailbox, str],
                                                            edit: Edit) -> None:
    """The journal knows a message by its address: a corrected name, another establishment id (so
    other file names) and an address in capitals are the same person, already written to."""
    box, server = mailbox
    assert _send(built, server).exit_code == 0
    recipients = built / "data/recipients.yaml"
    edit(recipients, "nom: Martin", "nom: Martin-Durand")
    edit(recipients, "id: ch-troyes", "id: centre-hospitalier-troyes")
    edit(recipients, f"email: {ADDRESSES[1]}", f"email: {ADDRESSES[1].replace('camille', 'Camille')}")
    assert run(built, "build", "letters").exit_code == 0
    dry = run(built, "send", "letters")
    assert "à envoyer" not in dry.output.replace("0 message(s) à envoyer", ""), dry.output
    assert "Rien n'a été envoyé (0 message(s) à envoyer)" in dry.output
    assert _send(built, server).exit_code == 0
    assert len(box.received) == 3


def test_a_changed_address_is_a_new_recipient_and_said_so(built: Path, mailbox: tuple[Mailbox, str],
                                                          edit: Edit) -> None:
    box, server = mailbox
    assert _send(built, server).exit_code == 0
    new = ADDRESSES[0].replace("claire.martin", "c.martin")
    edit(built / "data/recipients.yaml", f"email: {ADDRESSES[0]}", f"email: {new}")
    assert run(built, "build", "letters").exit_code == 0
    dry = run(built, "send", "letters")
    assert (f"à envoyer (nouvelle adresse) : CHU de Reims — Claire Martin <{new}> (le courrier était parti à "
            f"{ADDRESSES[0]})") in dry.output.splitlines()
    assert _send(built, server).exit_code == 0
    assert box.count(new) == 1 and len(box.received) == 4


def test_a_run_killed_half_way_then_restarted_sends_each_once(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, server = mailbox
    journal = built / "envois/lancement-dsr.jsonl"
    command = [sys.executable, "-m", "ars_docs", "send", "letters", "--envoyer", "--hors-delai", "--smtp", server,
               "--sans-starttls", "--debit", "30"]  # two seconds between messages
    process = subprocess.Popen(command, cwd=built, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if journal.exists() and '"envoye"' in journal.read_text():
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert len(box.received) == 1, "killed after the first message, in the pause before the second"
    result = _send(built, server)
    assert result.exit_code == 0, result.output
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]
    assert result.output.count("déjà envoyé : ") == 1 and result.output.count("envoyé : ") == 3


def test_ctrl_c_during_a_send_and_a_build_meanwhile(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    """A build while a send runs is turned away (it would rebuild the letters being sent); Ctrl-C
    stops the send with a French message, and the next run sends to the others only."""
    box, server = mailbox
    journal = built / "envois/lancement-dsr.jsonl"
    command = [sys.executable, "-m", "ars_docs", "send", "letters", "--envoyer", "--hors-delai", "--smtp", server,
               "--sans-starttls", "--debit", "2"]  # thirty seconds between messages: Ctrl-C comes in a pause
    process = subprocess.Popen(command, cwd=built, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=terminal_signals)
    deadline = time.monotonic() + 20
    while not (journal.exists() and '"envoye"' in journal.read_text()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    during = run(built, "build", "letters", "--force")
    assert during.exit_code == 1 and "une autre commande arsdocs (build, send, sign ou import)" in during.output
    assert run(built, "check").exit_code == 0, "check reads only: it is never turned away"
    assert process.poll() is None, "the send still waits before its second message"
    os.killpg(process.pid, signal.SIGINT)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 130
    assert errors.strip().splitlines()[-1] == (
        "Erreur : « arsdocs send » interrompu (Ctrl-C) : le journal envois/lancement-dsr.jsonl dit qui a reçu son "
        "courrier ; relancez la même commande pour envoyer aux autres, jamais deux fois au même destinataire")
    assert "Traceback" not in errors and "Aborted" not in errors
    assert len(box.received) == 1
    result = _send(built, server)
    assert result.exit_code == 0, result.output
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 1]


def test_a_letter_rebuilt_after_sending_is_listed_not_resent(built: Path, mailbox: tuple[Mailbox, str],
                                                            edit: Edit) -> None:
    box, server = mailbox
    assert _send(built, server).exit_code == 0
    edit(built / "data/webinaires.yaml", 'fin: "15:30"', 'fin: "16:00"')
    assert run(built, "build", "letters").exit_code == 0
    result = _send(built, server)
    assert result.exit_code == 0
    assert result.output.count("modifié depuis son envoi : non renvoyé : ") == 3
    assert len(box.received) == 3


def test_an_interrupted_message_is_reported_not_resent(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, server = mailbox
    journal = built / "envois/lancement-dsr.jsonl"
    journal.parent.mkdir()
    journal.write_text(json.dumps({"cle": "ch-troyes--pierre-royer", "email": ADDRESSES[2],
                                   "sha256_eml": "x", "etat": "en-cours"}) + "\n", encoding="utf-8")
    result = _send(built, server)
    assert ("état inconnu (le serveur n'a pas confirmé, ou l'envoi a été coupé) : non renvoyé : Centre hospitalier "
            f"de Troyes — Pierre Royer <{ADDRESSES[2]}>") in result.output.splitlines()
    assert [box.count(address) for address in ADDRESSES] == [1, 1, 0]


def test_clear_text_only_to_this_machine(built: Path) -> None:
    result = run(built, "send", "letters", "--envoyer", "--hors-delai", "--smtp", "192.0.2.10:25", "--sans-starttls")
    assert result.exit_code == 1
    assert "refus d'envoyer en clair vers « 192.0.2.10 » : STARTTLS est obligatoire" in result.output
    assert not (built / "envois").exists()


def test_nothing_to_send_before_a_build(small_project: Path) -> None:
    result = run(small_project, "send", "letters")
    assert result.exit_code == 1 and "lancez d'abord « arsdocs build letters »" in result.output


def _redated(project: Path, letter_date: datetime.date, deadline: datetime.date) -> None:
    """The letter dated and due as an officer would redate it, its webinar moved after the deadline."""
    letter = project / "data/courriers/lancement-dsr.yaml"
    text = letter.read_text(encoding="utf-8")
    text = text.replace("date: 2026-04-24", f"date: {letter_date}").replace("date_limite: 2026-05-22",
                                                                            f"date_limite: {deadline}")
    letter.write_text(text, encoding="utf-8")
    webinars = project / "data/webinaires.yaml"
    webinars.write_text(webinars.read_text(encoding="utf-8").replace("date: 2026-05-22", f"date: {deadline}"),
                        encoding="utf-8")
    assert run(project, "build", "letters").exit_code == 0


def test_a_letter_past_its_deadline_is_not_sent(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    """The example's letter asks for an answer by 22 May 2026 and invites to a webinar that day: sent
    later, it asks for what can no longer be done. Refused at its lines, nothing sent; `--hors-delai`
    is the officer's explicit decision."""
    box, server = mailbox
    result = run(built, "send", "letters", "--envoyer", "--smtp", server, "--sans-starttls")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("  data/courriers/lancement-dsr.yaml:32:16 : reponse.date_limite : la date limite de réponse (22 mai 2026) "
            "est passée : envoyer ce courrier demanderait ce qui ne peut plus se faire ; redatez le courrier (date, "
            "date limite) et reconstruisez-le, ou, si c'est voulu, ajoutez --hors-delai") in lines, result.output
    assert any("webinaire : le webinaire annoncé (22 mai 2026) est passé" in line for line in lines)
    assert box.received == [] and not (built / "envois").exists()


def test_the_date_header_is_when_the_message_is_sent(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    """Redated to today and due in a month, the letter goes without --hors-delai; each message's
    `Date:` is the time it was sent (RFC 5322 §3.6.1), not the letter's date at 9 o'clock."""
    box, server = mailbox
    today = datetime.datetime.now(PARIS).date()
    _redated(built, today, today + datetime.timedelta(days=30))
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    result = run(built, "send", "letters", "--envoyer", "--smtp", server, "--sans-starttls", "--debit", "600")
    assert result.exit_code == 0, result.output
    assert "Attention" not in result.output
    assert len(box.received) == 3
    for _, raw in box.received:
        sent = email.utils.parsedate_to_datetime(email.message_from_bytes(raw, policy=policy.SMTP)["Date"])
        assert before <= sent <= datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)
    built_date = email.message_from_bytes(next((built / "out/letters/lancement-dsr").glob("*.eml")).read_bytes(),
                                          policy=policy.SMTP)["Date"]
    assert email.utils.parsedate_to_datetime(built_date).hour == 9  # the file keeps the letter's date


def test_a_letter_dated_long_ago_is_sent_with_a_warning(built: Path, mailbox: tuple[Mailbox, str]) -> None:
    box, server = mailbox
    today = datetime.datetime.now(PARIS).date()
    _redated(built, today - datetime.timedelta(days=10), today + datetime.timedelta(days=20))
    result = run(built, "send", "letters", "--envoyer", "--smtp", server, "--sans-starttls", "--debit", "600")
    assert result.exit_code == 0, result.output
    assert "Attention : data/courriers/lancement-dsr.yaml:7:7 : date : courrier daté du " in result.output
    assert "il y a 10 jours : il arrivera bien après sa date" in result.output
    assert len(box.received) == 3
