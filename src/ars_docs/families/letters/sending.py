"""`arsdocs send letters`: the built e-mails through an SMTP server, each recipient exactly once.

The journal `envois/<letter>.jsonl` (append-only, flushed to disk at each line) says, per recipient,
what was sent and which e-mail it was (its SHA-256). Before each message an `en-cours` line is
written, after it an `envoye` line: a run stopped between the two leaves that recipient `incertain`,
reported and never re-sent blindly. A letter rebuilt since it was sent is listed, not re-sent.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import ipaddress
import json
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ars_docs.families.letters import mailing
from ars_docs.source.errors import ArsDocsError, os_reason
from ars_docs.source.fields import Record, Text, YesNo
from ars_docs.source.project import Project
from ars_docs.source.safefiles import UnsafeFile, confined_relative, read_bounded

JOURNAL_FOLDER = "envois"
MAX_MANIFEST = 64 * 2**20
"""A manifest of 10,000 letters is about 6 MiB."""
MAX_JOURNAL = 256 * 2**20
_STATES = ("en-cours", "envoye", "refuse", "echec")


class SmtpSettings(Record):
    """The mail server of `arsdocs send` (`smtp:`); the login comes from environment variables."""

    hote: Text
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: YesNo = True
    """Encryption before login; may only be turned off for a server on this machine (tests)."""
    variable_identifiant: Text = "ARSDOCS_SMTP_IDENTIFIANT"
    variable_mot_de_passe: Text = "ARSDOCS_SMTP_MOT_DE_PASSE"
    debit_par_minute: Annotated[int, Field(ge=1, le=600)] = 30


@dataclass(frozen=True)
class Outgoing:
    key: str
    label: str
    address: str
    eml: Path
    sha256: str


def outgoing(project: Project, family: str, letter_id: str) -> list[Outgoing]:
    folder = project.out / family / letter_id
    manifest = folder / f"{mailing.MANIFEST}.json"
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


class Journal:
    """What has been sent, as JSON lines; the last line about a recipient is its state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: dict[str, dict[str, Any]] = {}
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
                            and isinstance(entry["sha256_eml"], str)):
                        raise ValueError
                    self.state[entry["cle"]] = entry
                except (ValueError, KeyError, TypeError, RecursionError):
                    # never guessed: a line lost could mean a recipient written to twice
                    raise ArsDocsError(f"{self._name}, ligne {number} : journal d'envoi abîmé (ligne illisible) ; il "
                                       "dit à qui le courrier est déjà parti : réparez la ligne ou mettez le journal "
                                       "de côté, puis relancez") from None

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
        self.state[item.key] = entry

    def status(self, item: Outgoing) -> str:
        """`a-envoyer`, `deja-envoye`, `modifie` (sent, then rebuilt) or `incertain`."""
        entry = self.state.get(item.key)
        if entry is None or entry["etat"] in ("refuse", "echec"):
            return "a-envoyer"
        if entry["etat"] == "en-cours":
            return "incertain"
        return "deja-envoye" if entry["sha256_eml"] == item.sha256 else "modifie"


def _is_loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback
                   for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def smtp_reason(error: OSError | smtplib.SMTPException) -> str:
    """Why a connection or a message failed, in French; a server's reply is quoted as it came."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"identifiant ou mot de passe refusé (réponse du serveur : {error.smtp_code})"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "le serveur a coupé la connexion"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "le serveur ne propose pas STARTTLS (chiffrement) : voir --sans-starttls pour un serveur local"
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        reply = text.decode(errors="replace") if isinstance(text, bytes) else text
        return f"réponse du serveur {error.smtp_code} : {reply}"
    if isinstance(error, OSError):
        return os_reason(error)
    return f"erreur SMTP ({type(error).__name__})"


class Sender:
    """One SMTP connection, opened on demand, reopened after a lost connection."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.starttls and not _is_loopback(settings.hote):
            raise ArsDocsError(f"refus d'envoyer en clair vers « {settings.hote} » : STARTTLS est obligatoire "
                               "(seul un serveur de cette machine peut s'en passer)")
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        try:
            connection = smtplib.SMTP(settings.hote, settings.port, timeout=30)
            if settings.starttls:
                connection.starttls(context=ssl.create_default_context())
            user, password = (os.environ.get(settings.variable_identifiant),
                              os.environ.get(settings.variable_mot_de_passe))
            if user and password:
                connection.login(user, password)
        except (OSError, smtplib.SMTPException) as error:
            raise ArsDocsError(f"connexion impossible au serveur {settings.hote}:{settings.port} : "
                               f"{smtp_reason(error)}") from None
        return connection

    def connect(self) -> None:
        """Connected before a message is marked `en-cours`: a server that cannot be reached stops
        the run with nothing in flight."""
        if self.connection is None:
            self.connection = self._connect()

    def send(self, item: Outgoing) -> None:
        message = email.message_from_bytes(item.eml.read_bytes(), policy=policy.SMTP)
        del message["X-Unsent"]
        self.connect()
        assert self.connection is not None
        try:
            self.connection.send_message(message, to_addrs=[item.address])
        except smtplib.SMTPServerDisconnected:
            self.connection = None
            raise

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()


def unsigned(project: Project, family: str, items: list[Outgoing]) -> list[Outgoing]:
    """The letters whose PDF `arsdocs sign` has not signed (the build records say which are)."""
    from ars_docs.build.state import BuildState

    state = BuildState(project.out, family)
    signed = {name for record in state.items.values() for name, written in record.files.items() if written.signed}
    return [item for item in items
            if item.eml.with_suffix(".pdf").relative_to(project.out).as_posix() not in signed]


def plan(project: Project, family: str, letter_id: str) -> tuple[list[Outgoing], Journal]:
    journal = Journal(project.root / JOURNAL_FOLDER / f"{letter_id}.jsonl")
    return outgoing(project, family, letter_id), journal


def send_all(items: list[Outgoing], journal: Journal, sender: Sender, per_minute: int
             ) -> Iterator[tuple[Outgoing, str]]:
    """Send what is due, at most `per_minute` a minute; yield each recipient's outcome."""
    pause = 60 / per_minute
    first = True
    for item in items:
        status = journal.status(item)
        if status != "a-envoyer":
            yield item, status
            continue
        if not first:
            time.sleep(pause)
        first = False
        sender.connect()
        journal.record(item, "en-cours")
        try:
            sender.send(item)
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


def smtp_settings(project: Project, smtp: str | None, sans_starttls: bool, debit: int | None) -> SmtpSettings:
    """The SMTP server of arsdocs.yaml, or of `--smtp`, with the options of `arsdocs send`."""
    settings = project.section("smtp", SmtpSettings)
    if smtp:
        host, _, port = smtp.rpartition(":") if ":" in smtp else (smtp, "", "")
        fields = settings.model_dump() if settings else {}
        settings = SmtpSettings.model_validate({**fields, "hote": host, **({"port": port} if port else {})})
    if settings is None:
        raise ArsDocsError("aucun serveur SMTP : ajoutez « smtp: » dans arsdocs.yaml ou l'option --smtp HOTE[:PORT]")
    changes: dict[str, object] = {}
    if sans_starttls:
        changes["starttls"] = False
    if debit:
        changes["debit_par_minute"] = debit
    return settings.model_copy(update=changes)
