"""`arsdocs send letters`: the built e-mails through an SMTP server, each address exactly once.

The journal `envois/<letter>.jsonl` (append-only, flushed to disk at each line) says, per address,
what was sent and which e-mail it was (its SHA-256). Before each message an `en-cours` line is
written, after it the server's answer: `envoye`, `refuse`, `echec` (nothing delivered) or
`incertain` (the data went out and no reply came: the server may have delivered it). A message
left `en-cours` or `incertain` is reported and never re-sent without `--renvoyer ADRESSE`; one
sent, then rebuilt, is listed, not re-sent. docs/familles/courriers.md, « Envoyer », has the states as a table.
"""

from __future__ import annotations

import datetime
import json
import os
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ars_docs.families.letters import kit
from ars_docs.families.letters.smtp import Sender, UnknownOutcome, smtp_reason
from ars_docs.source.errors import ArsDocsError
from ars_docs.source.project import Project
from ars_docs.source.safefiles import UnsafeFile, confined_relative, read_bounded

JOURNAL_FOLDER = "envois"
MAX_MANIFEST = 64 * 2**20
"""A manifest of 10,000 letters is about 6 MiB."""
MAX_JOURNAL = 256 * 2**20
_STATES = ("en-cours", "envoye", "refuse", "echec", "incertain")


@dataclass(frozen=True)
class Outgoing:
    key: str
    label: str
    address: str
    eml: Path
    sha256: str


def outgoing(project: Project, family: str, letter_id: str) -> list[Outgoing]:
    folder = project.out / family / letter_id
    manifest = folder / f"{kit.MANIFEST}.json"
    if not manifest.is_file():
        raise ArsDocsError(f"rien à envoyer : {project.name(manifest)} est introuvable ; "
                           f"lancez d'abord « arsdocs build {family} »")
    damaged = (f"{project.name(manifest)} est abîmé ou a été modifié à la main : relancez « arsdocs build {family} » "
               "pour le refaire")
    try:
        rows = json.loads(read_bounded(manifest, MAX_MANIFEST).decode("utf-8"))
        found = [_outgoing(folder, row) for row in rows]
    except (UnsafeFile, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ArsDocsError(damaged) from None
    return found


def _outgoing(folder: Path, row: dict[str, Any]) -> Outgoing:
    """A row of the manifest, a record of out/: it names an e-mail of its own folder, nothing else."""
    eml, address, sha256 = row["eml"], row["email"], row["sha256_eml"]
    if not all(isinstance(value, str) for value in (eml, address, sha256, row["etablissement"], row["prenom"],
                                                     row["nom"])):
        raise TypeError
    if confined_relative(f"x/{eml}", "x") is None or "/" in eml or not eml.endswith(".eml") or not address:
        raise ValueError(eml)
    return Outgoing(Path(eml).stem, f"{row['etablissement']} — {row['prenom']} {row['nom']}", address,
                    folder / eml, sha256)


def identity(address: str) -> str:
    """Who a message goes to, for the journal: the address as a mail server delivers it, whatever
    its case (« Claire.Martin@… » and « claire.martin@… » are one mailbox in practice). Names,
    establishment ids and file names change; a message is never sent twice for that."""
    return address.strip().casefold()


STATUS_DUE = ("a-envoyer", "a-renvoyer", "nouvelle-adresse")
"""The statuses `send` sends; every other status is reported and left alone."""


class Journal:
    """What has been sent for one mailing, as JSON lines; the last line about an address is its state.

    States written (`etat`), in the order a message meets them:
    `en-cours` before the first command of its transaction; then `envoye` (the server confirmed the
    end of the data: 250), `refuse` (a recipient refused), `echec` (no message delivered: refused
    before or at the end of the data, or cut before the end of the data), or `incertain` (the data
    went out whole but no answer came: timeout or disconnection). A line `en-cours` left last (the
    run was killed) reads as `incertain`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: dict[str, dict[str, Any]] = {}
        """By address (`identity`): the last line about it."""
        self.delivered_to: dict[str, str] = {}
        """By recipient key (file name): the address its message last reached."""
        try:
            text = read_bounded(path, MAX_JOURNAL).decode("utf-8")
        except FileNotFoundError:
            return
        except (UnsafeFile, UnicodeDecodeError) as error:
            raise ArsDocsError(f"{self._name} : journal d'envoi illisible ({error}) ; il dit à qui le courrier est "
                               "déjà parti : réparez-le ou mettez-le de côté avant de renvoyer") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    entry = json.loads(line)
                    if not (isinstance(entry["cle"], str) and entry["etat"] in _STATES
                            and isinstance(entry["sha256_eml"], str) and isinstance(entry["email"], str)):
                        raise ValueError
                except (ValueError, KeyError, TypeError, RecursionError):
                    # never guessed: a line lost could mean a recipient written to twice
                    raise ArsDocsError(f"{self._name}, ligne {number} : journal d'envoi abîmé (ligne illisible) ; il "
                                       "dit à qui le courrier est déjà parti : réparez la ligne ou mettez le journal "
                                       "de côté, puis relancez") from None
                self._remember(entry)

    def _remember(self, entry: dict[str, Any]) -> None:
        self.state[identity(entry["email"])] = entry
        if entry["etat"] == "envoye":
            self.delivered_to[entry["cle"]] = entry["email"]

    @property
    def _name(self) -> str:
        return f"{JOURNAL_FOLDER}/{self.path.name}"

    def record(self, item: Outgoing, state: str, detail: str = "") -> None:
        entry = {"cle": item.key, "email": item.address, "sha256_eml": item.sha256, "etat": state,
                 "horodatage": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "detail": detail}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        self._remember(entry)

    def status(self, item: Outgoing) -> str:
        """What `send` does with a message, from the last line about its address:

        - `a-envoyer`: never tried; `a-renvoyer`: refused or failed before, to be tried again;
          `nouvelle-adresse`: this recipient's letter reached another address before (the address
          was changed since): a new recipient, sent;
        - `deja-envoye`: confirmed by the server; `modifie`: confirmed, then rebuilt since: not resent;
        - `incertain`: the data went out but the server never confirmed it, or the run stopped in
          the middle: not resent without `--renvoyer ADRESSE`.
        """
        entry = self.state.get(identity(item.address))
        if entry is None:
            previous = self.delivered_to.get(item.key)
            return "nouvelle-adresse" if previous is not None else "a-envoyer"
        if entry["etat"] in ("refuse", "echec"):
            return "a-renvoyer"
        if entry["etat"] in ("en-cours", "incertain"):
            return "incertain"
        return "deja-envoye" if entry["sha256_eml"] == item.sha256 else "modifie"

    def detail(self, item: Outgoing) -> str:
        """What the journal knows that the status alone does not say (reason, earlier address)."""
        entry = self.state.get(identity(item.address))
        if entry is None:
            previous = self.delivered_to.get(item.key)
            return f"le courrier était parti à {previous}" if previous else ""
        return str(entry.get("detail") or "")


def unsigned(project: Project, family: str, items: list[Outgoing]) -> list[Outgoing]:
    """The letters whose PDF `arsdocs sign` has not signed (the build records say which are)."""
    from ars_docs.base.state import BuildState

    state = BuildState(project.out, family)
    signed = {name for record in state.items.values() for name, written in record.files.items() if written.signed}
    return [item for item in items
            if item.eml.with_suffix(".pdf").relative_to(project.out).as_posix() not in signed]


def plan(project: Project, family: str, letter_id: str) -> tuple[list[Outgoing], Journal]:
    journal = Journal(project.root / JOURNAL_FOLDER / f"{letter_id}.jsonl")
    return outgoing(project, family, letter_id), journal


def statuses(items: list[Outgoing], journal: Journal, resend: frozenset[str] = frozenset()) -> list[str]:
    """Each message's status (`Journal.status`), with two more: `meme-adresse`, an address that an
    earlier row of the same mailing already receives (one message an address), and `a-renvoyer`
    for an `incertain` or `modifie` message named by `--renvoyer`."""
    found: list[str] = []
    seen: set[str] = set()
    for item in items:
        address = identity(item.address)
        status = journal.status(item)
        if address in seen:
            status = "meme-adresse"
        elif address in resend and status in RESENDABLE:
            status = "a-renvoyer"
        seen.add(address)
        found.append(status)
    return found


RESENDABLE = ("incertain", "modifie")
"""What `--renvoyer ADRESSE` may send again, by an explicit decision."""


def resend_refusals(items: list[Outgoing], journal: Journal, resend: frozenset[str]) -> list[str]:
    """Why an address named by `--renvoyer` cannot be resent (not in the mailing, or nothing
    uncertain or changed about it), in French; empty when every name holds."""
    known = {identity(item.address): item for item in items}
    refusals = []
    for address in sorted(resend):
        item = known.get(address)
        if item is None:
            refusals.append(f"--renvoyer {address} : aucune lettre de ce courrier ne va à cette adresse")
        elif journal.status(item) not in RESENDABLE:
            refusals.append(f"--renvoyer {address} : rien à renvoyer (état : {journal.status(item)}) ; seul un "
                            "envoi à l'état inconnu ou une lettre modifiée depuis son envoi se renvoie")
    return refusals


def send_all(items: list[Outgoing], journal: Journal, sender: Sender, per_minute: int,
             resend: frozenset[str] = frozenset()) -> Iterator[tuple[Outgoing, str]]:
    """Send what is due, at most `per_minute` a minute; yield each recipient's outcome. A message
    whose fate is unknown stops the run: the server is not answering as it should."""
    pause = 60 / per_minute
    first = True
    for item, status in zip(items, statuses(items, journal, resend), strict=True):
        if status not in STATUS_DUE:
            yield item, status
            continue
        if not first:
            time.sleep(pause)
        first = False
        sender.connect()
        journal.record(item, "en-cours", "renvoi décidé (--renvoyer)" if identity(item.address) in resend else "")
        try:
            sender.send(item)
        except UnknownOutcome as error:
            journal.record(item, "incertain", f"{error} après la fin des données : le message a pu être remis")
            yield item, "incertain"
            raise SendStopped(item) from None
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            journal.record(item, "refuse", f"{code} {text.decode(errors='replace')}")
            yield item, "refuse"
            continue
        except (smtplib.SMTPException, OSError) as error:
            journal.record(item, "echec", smtp_reason(error))
            yield item, "echec"
            continue
        journal.record(item, "envoye")
        yield item, "envoye"


class SendStopped(Exception):
    """A message's fate is unknown: the run stops there."""

    def __init__(self, item: Outgoing) -> None:
        super().__init__(item.address)
        self.item = item
