"""The e-mail writer: a ready-to-send message (RFC 5322, MIME), written to the byte from what
it is given, never from the clock or chance (its identifiers and MIME boundaries come from names).
"""

from __future__ import annotations

import binascii
import datetime
import hashlib
import io
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any


@dataclass(frozen=True)
class Envelope:
    """Who an e-mail is from and goes to, and what it says."""

    sender_name: str
    sender_email: str
    name: str
    email: str
    subject: str
    date: datetime.datetime
    body: str
    attachment_name: str
    message_id: str
    reply_to: str | None = None
    form: tuple[str, bytes] | None = None
    """The establishment's fillable reply form (file name, PDF), attached when given."""
    invitation: tuple[str, bytes] | None = None
    """The webinar invitation (file name, iCalendar), attached when given."""


def email(envelope: Envelope, pdf: bytes) -> bytes:
    """A ready-to-send message (Outlook opens it as a draft: X-Unsent), CRLF line endings; the
    invitation attached when the letter announces a webinar, the reply form when it expects one."""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(envelope.sender_name, addr_spec=envelope.sender_email)
    message["To"] = Address(envelope.name, addr_spec=envelope.email)
    if envelope.reply_to is not None:
        message["Reply-To"] = Address(addr_spec=envelope.reply_to)
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    message["X-Unsent"] = "1"
    message.set_content(envelope.body)
    message.make_mixed()
    message.attach(_attachment(pdf, envelope.attachment_name))
    if envelope.invitation is not None:
        message.attach(_shared_attachment(envelope.invitation[1], "text", "calendar", envelope.invitation[0],
                                          (("method", "PUBLISH"), ("charset", "utf-8"))))
    if envelope.form is not None:
        message.attach(_shared_attachment(envelope.form[1], "application", "pdf", envelope.form[0]))
    message.set_boundary("=_arsdocs_" + hashlib.sha256(envelope.message_id.encode()).hexdigest()[:24])
    buffer = io.BytesIO()
    _Generator(buffer, policy=message.policy).flatten(message)
    return buffer.getvalue()


class _Generator(BytesGenerator):
    """`as_bytes` to the byte, writing each body at once rather than line by line (the base64 of
    the attachments is ~2,000 lines a message: two thirds of the time of an e-mail), and the
    attachments every e-mail of an establishment or a mailing shares as they were written once."""

    def _write_lines(self, lines: str) -> None:
        # every line end (\r\n, \r, \n) as the policy's
        self.write(lines.replace("\r\n", "\n").replace("\r", "\n").replace("\n", self._NL))  # type: ignore[attr-defined]

    def _write_headers(self, msg: EmailMessage) -> None:
        """Each header folded once per process and value: the sender, the subject, the date and the
        parts' headers are the same in every e-mail of a mailing, and refolding a header is the
        costliest step of writing one."""
        policy = self.policy
        assert policy is not None
        # SMTP's settings, as flatten clones it (a policy is immutable: equal settings, equal folding)
        settings = (type(policy).__name__, policy.linesep, policy.max_line_length, policy.cte_type,
                    getattr(policy, "utf8", False))
        for name, value in msg.raw_items():
            key = (settings, name, str(value), type(value).__name__)
            folded = _FOLDED.get(key)
            if folded is None:
                folded = policy.fold_binary(name, value)
                if len(_FOLDED) >= _FOLDED_KEPT:
                    _FOLDED.clear()
                _FOLDED[key] = folded
            self._fp.write(folded)  # type: ignore[attr-defined]
        self.write(self._NL)  # type: ignore[attr-defined]

    def _write(self, msg: EmailMessage) -> None:
        written = getattr(msg, "arsdocs_bytes", None)
        if written is None:
            super()._write(msg)  # type: ignore[misc]
        else:
            self._fp.write(written)  # type: ignore[attr-defined]


def _attachment(pdf: bytes, filename: str) -> EmailMessage:
    """The part `add_attachment` makes for a PDF, its base64 written at once rather than line by
    line (76 characters a line: SMTP's 78 less the line end, as the standard library writes them)."""
    part = EmailMessage(policy=SMTP)
    part.set_content(b"", maintype="application", subtype="pdf", filename=filename)  # its headers
    assert SMTP.max_line_length == 78  # 57 bytes a line: 76 characters of base64
    encoded = binascii.b2a_base64(pdf, newline=False).decode("ascii")
    part.set_payload("".join(f"{encoded[start:start + 76]}\n" for start in range(0, len(encoded), 76)))
    return part


_FOLDED: dict[tuple[Any, ...], bytes] = {}
_FOLDED_KEPT = 4096

_SHARED: dict[tuple[str, str, str, tuple[tuple[str, str], ...], bytes], EmailMessage] = {}
_SHARED_KEPT = 8


def _shared_attachment(data: bytes, maintype: str, subtype: str, filename: str,
                       params: tuple[tuple[str, str], ...] = ()) -> EmailMessage:
    """An attachment part, encoded and written once for every e-mail that carries the same file
    (the establishment's reply form, the mailing's invitation): the same bytes as `add_attachment`."""
    key = (maintype, subtype, filename, params, data)
    part = _SHARED.get(key)
    if part is None:
        part = EmailMessage(policy=SMTP)
        part.set_content(data, maintype=maintype, subtype=subtype, filename=filename, params=dict(params),
                         disposition="attachment")
        buffer = io.BytesIO()
        _Generator(buffer, policy=SMTP).flatten(part, linesep="\r\n")
        part.arsdocs_bytes = buffer.getvalue()  # type: ignore[attr-defined]
        if len(_SHARED) >= _SHARED_KEPT:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = part
    return part
