"""Whether a letter can still be signed and sent today: not once its reply deadline or the webinar
it announces has passed (it would ask for what can no longer be done), and not without a word when
it is dated more than a few days ago (domain rules §9: a letter is signed and sent on or just after
its date; an e-mail's `Date:` is when it is sent)."""

from __future__ import annotations

import datetime

from ars_docs.families.letters.checks import MailingSource
from ars_docs.families.letters.models import Webinar
from ars_docs.source.errors import Problem
from ars_docs.tree.french import PARIS, long_date

STALE_DAYS = 7
"""A letter dated more than this many days before it is signed or sent: a warning (it will reach
its readers later than it says)."""
OVERRIDE = "--hors-delai"


def today() -> datetime.date:
    """The day in France, whatever the machine's time zone."""
    return datetime.datetime.now(PARIS).date()


def late(source: MailingSource, webinars: dict[str, Webinar], day: datetime.date, what: str
         ) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) for signing or sending (`what`) the letter of `source` on `day`, each at
    its line of the letter's data."""
    letter, document = source.letter, source.source
    refusals: list[Problem] = []
    redate = (f"redatez le courrier (date, date limite) et reconstruisez-le, ou, si c'est voulu, ajoutez "
              f"{OVERRIDE}")
    if letter.reponse is not None and letter.reponse.date_limite < day:
        refusals.append(Problem(document.locate(("reponse", "date_limite")), "reponse.date_limite",
                                f"la date limite de réponse ({long_date(letter.reponse.date_limite)}) est passée : "
                                f"{what} ce courrier demanderait ce qui ne peut plus se faire ; {redate}"))
    webinar = webinars.get(letter.webinaire) if letter.webinaire else None
    if webinar is not None and webinar.date < day:
        refusals.append(Problem(document.locate(("webinaire",)), "webinaire",
                                f"le webinaire annoncé ({long_date(webinar.date)}) est passé : {what} ce courrier "
                                f"inviterait à une réunion qui a eu lieu ; {redate}"))
    warnings: list[Problem] = []
    age = (day - letter.date).days
    if age > STALE_DAYS:
        warnings.append(Problem(document.locate(("date",)), "date",
                                f"courrier daté du {long_date(letter.date)}, il y a {age} jours : il arrivera bien "
                                "après sa date"))
    return refusals, warnings
