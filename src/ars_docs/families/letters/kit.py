"""What a mailing's kit says, handed to the writers (`writers/email.py`, `invitation.py`,
`printfile.py`, `manifest.py`): the e-mail of a letter, the webinar invitation, the file names.

Every byte depends on the data only: dates come from the mailing, identifiers from names.
"""

from __future__ import annotations

import datetime

from ars_docs.families.letters.models import Mailing, Organizer, Webinar
from ars_docs.source.project import Agency
from ars_docs.tree.french import PARIS
from ars_docs.writers import email as email_writer
from ars_docs.writers.invitation import Meeting
from ars_docs.writers.invitation import invitation as calendar_object

INVITATION = "invitation-webinaire.ics"
PRINT_FILE = "impression"
PRINT_VOLUME = 200
"""Letters per print file: a mailing of more is printed from several (impression-001.pdf…)."""
MANIFEST = "manifeste"


def invitation(webinar: Webinar, mailing: Mailing, agency: Agency | None) -> bytes:
    """The webinar as an iCalendar event; the product identifier names the agency (`agence.sigle`)
    that issues it, when the project says which."""
    organizer: Organizer = webinar.organisateur or mailing.courriel.expediteur
    start, end = webinar.instants()
    return calendar_object(Meeting(
        uid=f"{webinar.id}@arsdocs", title=webinar.titre, link=webinar.lien, zone=webinar.fuseau, start=start,
        end=end, organizer_name=organizer.nom, organizer_email=organizer.email,
        stamp=datetime.datetime.combine(mailing.date, datetime.time(12), tzinfo=datetime.UTC),
        issuer=agency.sigle if agency else None))


def email(mailing: Mailing, *, name: str, address: str, body: str, attachment_name: str, message_id: str,
          form: tuple[str, bytes] | None, ics: bytes | None, pdf: bytes) -> bytes:
    """The e-mail of one letter: from the mailing's sender, dated the mailing's day at 9:00 in
    France (`arsdocs send` dates it when it leaves), answers to the reply address."""
    sender = mailing.courriel.expediteur
    return email_writer.email(email_writer.Envelope(
        sender_name=sender.nom, sender_email=sender.email, name=name, email=address, subject=mailing.objet,
        date=datetime.datetime.combine(mailing.date, datetime.time(9), tzinfo=PARIS), body=body,
        attachment_name=attachment_name, message_id=message_id,
        reply_to=mailing.reponse.adresse if mailing.reponse is not None else None, form=form,
        invitation=(INVITATION, ics) if ics is not None else None), pdf)
