"""The units of work of a mailing: a letter to one recipient (with its e-mail), an
establishment's reply form. Plain data that pickles to the workers; the builder makes them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ars_docs.base.builder import DOCUMENT_SUFFIXES, Item
from ars_docs.directory.models import Establishment, Recipient
from ars_docs.families.letters.models import Mailing, Webinar
from ars_docs.tree.doctree import Document

FORMS_FOLDER = "formulaires"
FORM_PREFIX = "reponse-"


@dataclass(frozen=True)
class FormItem(Item):
    """The reply form of one establishment for one letter (not counted as a document)."""

    stem: str
    letter: Mailing
    establishment: Establishment
    group: str = ""
    counted = False



@dataclass(frozen=True)
class LetterItem(Item):
    """One letter to one recipient, and the e-mail that carries it."""

    stem: str
    letter_id: str
    letter: Mailing
    webinar: Webinar | None
    """The webinar the letter announces, if any (its invitation goes with the e-mail)."""
    establishment: Establishment
    """Without its recipients: a letter depends on its own recipient only."""
    recipient: Recipient
    form: str
    """The reply form attached to the e-mail (PDF, relative to out/); empty when the letter expects no answer."""
    address: tuple[str, ...] = ()
    """The recipient's address block, lines as the postal norm writes them (`postal`)."""
    reminded: Mailing | None = None
    """For a reminder: the letter it follows up."""
    group: str = ""
    document: Document | None = None
    """The letter composed from its templates: by `compose` (`check`), or by the worker that makes it
    (a build composes only the letters it remakes)."""
    mail_body: str = ""
    """The text of the e-mail that carries it, composed with it."""
    suffixes = (*DOCUMENT_SUFFIXES, "eml")

    @property
    def fingerprinted(self) -> Any:
        """Its inputs, not what is composed from them (the family's fingerprint covers the templates)."""
        return replace(self, document=None, mail_body="")
