"""The webinar invitation as a calendar reads it: its VTIMEZONE, interpreted by icalendar's own
reading of RFC 5545 (`Timezone.to_tz`, the rules expanded by dateutil), gives the instant the zone
database gives, in any year (the transitions icalendar lists by default stop in 2037)."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from icalendar import Calendar

from ars_docs.families.letters import kit
from ars_docs.families.letters.data import load_mailing
from ars_docs.families.letters.models import Webinar
from ars_docs.source.project import Project
from helpers.project import REPO

ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "America/Santiago",
         "Pacific/Chatham", "Africa/Casablanca", "Indian/Reunion", "America/Cayenne"]
DAYS = [datetime.date(2026, 5, 22), datetime.date(2040, 7, 3), datetime.date(2040, 12, 4),
        datetime.date(2099, 3, 30), datetime.date(2037, 11, 2)]


@pytest.fixture(scope="module")
def letter() -> object:
    project = Project.open(REPO)
    return load_mailing(project, REPO / "data/courriers/lancement-dsr.yaml").letter


def _webinar(zone: str, day: datetime.date, start: str = "14:00", end: str = "15:30") -> Webinar:
    return Webinar.model_validate({"id": "w", "titre": "Webinaire", "date": day, "debut": start, "fin": end,
                                   "fuseau": zone, "lien": "https://visio.agence.fr/w"})


@pytest.mark.parametrize("zone", ZONES)
def test_the_invitation_gives_the_zones_instant_in_any_year(zone: str, letter: object) -> None:
    for day in DAYS:
        ics = kit.invitation(_webinar(zone, day), letter, None)  # type: ignore[arg-type]
        calendar = Calendar.from_ical(ics)
        (definition,) = calendar.walk("VTIMEZONE")
        assert "COMMENT" not in definition, "no English note on the zone"
        read_zone = definition.to_tz(lookup_tzid=False)  # its own rules, not the zone database by name
        event = calendar.walk("VEVENT")[0]
        for name, wall in (("DTSTART", datetime.time(14)), ("DTEND", datetime.time(15, 30))):
            written = event[name].to_ical().decode()
            assert event[name].params["TZID"] == zone and written == f"{day:%Y%m%d}T{wall:%H%M%S}"
            local = datetime.datetime.combine(day, wall)
            expected = local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).utcoffset()
            assert read_zone.utcoffset(local) == expected, f"{zone} {day}: {read_zone.utcoffset(local)} != {expected}"


def test_paris_is_written_by_its_rule(letter: object) -> None:
    ics = kit.invitation(_webinar("Europe/Paris", datetime.date(2040, 7, 3)), letter, None)  # type: ignore[arg-type]
    text = ics.decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "RDATE" not in text


@pytest.mark.parametrize(("day", "start", "end", "message"), [
    (datetime.date(2026, 3, 29), "02:30", "03:30", "02:30 n'existe pas le 29/03/2026 dans le fuseau Europe/Paris"),
    (datetime.date(2026, 10, 25), "02:15", "04:00", "02:15 existe deux fois le 25/10/2026"),
    (datetime.date(2026, 10, 25), "01:00", "02:59", "02:59 existe deux fois le 25/10/2026"),
    (datetime.date(2026, 5, 22), "14:00", "13:59", "le webinaire finit (13:59) avant de commencer (14:00)"),
])
def test_times_that_are_not_one_instant_are_refused(day: datetime.date, start: str, end: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _webinar("Europe/Paris", day, start, end)


def test_a_meeting_across_the_change_of_hour_is_an_instant_apart() -> None:
    webinar = _webinar("Europe/Paris", datetime.date(2026, 10, 25), "01:30", "03:30")
    start, end = webinar.instants()
    assert end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC) == datetime.timedelta(hours=3)
