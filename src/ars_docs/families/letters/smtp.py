"""The SMTP client of `arsdocs send`: the server's settings (`smtp:`), one connection, and what the
server's answers mean for a message: delivered, not delivered (with the reason, in French), or of
unknown fate (the data went out and no reply came), as RFC 5321 §4.5.3.2 sets the waits."""

from __future__ import annotations

import contextlib
import datetime
import email
import ipaddress
import os
import re
import smtplib
import socket
import ssl
from email import policy
from email.utils import format_datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from ars_docs.source.errors import ArsDocsError, os_reason
from ars_docs.source.fields import Record, Text, YesNo
from ars_docs.tree.french import PARIS

if TYPE_CHECKING:
    from ars_docs.source.project import Project



class SmtpSettings(Record):
    """The mail server of `arsdocs send` (`smtp:`); the login comes from environment variables."""

    hote: Text
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: YesNo = True
    """Encryption before login; may only be turned off for a server on this machine (tests)."""
    variable_identifiant: Text = "ARSDOCS_SMTP_IDENTIFIANT"
    variable_mot_de_passe: Text = "ARSDOCS_SMTP_MOT_DE_PASSE"
    debit_par_minute: Annotated[int, Field(ge=1, le=600)] = 30
    delai_commande_s: Annotated[float, Field(gt=0, le=3600)] = 300
    """How long a command's reply is awaited (RFC 5321 §4.5.3.2: 5 minutes for MAIL, RCPT and the
    greeting, which are the longest)."""
    delai_confirmation_s: Annotated[float, Field(gt=0, le=3600)] = 600
    """How long the reply to the end of the data is awaited (RFC 5321 §4.5.3.2.6: 10 minutes, « to
    avoid duplicate messages »). A message still unconfirmed then is `incertain`, never resent blindly."""


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


class UnknownOutcome(Exception):
    """The data went out whole, and no reply came: the server may have delivered the message."""


class _Transaction(smtplib.SMTP):
    """smtplib's client, knowing when the end of the data has gone out: an error before it is a
    message not delivered; after it, without a reply, the message's fate is unknown. The reply to
    the end of the data is awaited `confirmation` seconds (RFC 5321 §4.5.3.2.6)."""

    def __init__(self, host: str, port: int, command: float, confirmation: float) -> None:
        self.confirmation = confirmation
        self.data_ended = False
        super().__init__(host, port, timeout=command)

    def data(self, msg: Any) -> tuple[int, bytes]:
        """`smtplib.SMTP.data` (the message is always bytes here), with the confirmation's wait."""
        self.data_ended = False
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        quoted = re.sub(rb"(?m)^\.", b"..", msg)
        if not quoted.endswith(b"\r\n"):
            quoted += b"\r\n"
        self.send(quoted + b".\r\n")
        self.data_ended = True
        assert self.sock is not None
        self.sock.settimeout(self.confirmation)
        try:
            return self.getreply()
        finally:
            if self.sock is not None:
                self.sock.settimeout(self.timeout)


class Sender:
    """One SMTP connection, opened on demand, reopened after any error in a transaction."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.starttls and not _is_loopback(settings.hote):
            raise ArsDocsError(f"refus d'envoyer en clair vers « {settings.hote} » : STARTTLS est obligatoire "
                               "(seul un serveur de cette machine peut s'en passer)")
        self.settings = settings
        self.connection: _Transaction | None = None

    def _connect(self) -> _Transaction:
        settings = self.settings
        try:
            connection = _Transaction(settings.hote, settings.port, settings.delai_commande_s,
                                      settings.delai_confirmation_s)
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

    def send(self, item: Any) -> None:
        """Deliver one message: returns once the server confirmed it; raises `UnknownOutcome` when
        the data went out and no reply came, smtplib's or the system's error when nothing was
        delivered."""
        message = email.message_from_bytes(item.eml.read_bytes(), policy=policy.SMTP)
        del message["X-Unsent"]
        del message["Date"]  # RFC 5322 §3.6.1: when the message enters the mail system, not the letter's date
        message["Date"] = format_datetime(datetime.datetime.now(PARIS).replace(microsecond=0))
        self.connect()
        connection = self.connection
        assert connection is not None
        connection.data_ended = False
        try:
            connection.send_message(message, to_addrs=[item.address])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):  # the server's own answer
            if connection.sock is None:  # a 421 closed it
                self.connection = None
            raise
        except (smtplib.SMTPException, OSError) as error:
            self.drop()
            if connection.data_ended:
                raise UnknownOutcome(smtp_reason(error)) from None
            raise

    def drop(self) -> None:
        """Forget a connection whose state is unknown: the next message opens a new one."""
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection = None


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
