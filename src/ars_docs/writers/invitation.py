"""The invitation writer: an event as an iCalendar object (RFC 5545), its time zone defined by its
rule, importable by calendar programs for any date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Meeting:
    uid: str
    title: str
    link: str
    zone: str
    start: datetime.datetime
    end: datetime.datetime
    organizer_name: str
    organizer_email: str
    stamp: datetime.datetime
    """DTSTAMP: when the invitation was issued (from the data, never the clock)."""
    issuer: str | None = None
    """Who issues it (the agency's acronym), named in the product identifier (RFC 5545 §3.7.3)."""


def invitation(meeting: Meeting) -> bytes:
    """The meeting as one VEVENT published (METHOD:PUBLISH), with its VTIMEZONE."""
    from icalendar import Calendar, Event, vCalAddress, vText  # only when an invitation is made

    from ars_docs.writers.timezones import vtimezone

    calendar = Calendar()
    calendar.add("prodid", f"-//{meeting.issuer}//arsdocs//FR" if meeting.issuer else "-//arsdocs//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(vtimezone(meeting.zone, [meeting.start, meeting.end]))
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.stamp)
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.title)
    event.add("location", meeting.link)
    event.add("url", meeting.link)
    event.add("description", f"{meeting.title}\nLien de connexion : {meeting.link}")
    person = vCalAddress(f"mailto:{meeting.organizer_email}")
    person.params["cn"] = vText(meeting.organizer_name)
    event.add("organizer", person)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
