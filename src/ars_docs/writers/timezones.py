"""A webinar's time zone, for people and for calendars.

`local_time_problem` says, in French, when a wall-clock time does not exist (the spring gap) or
exists twice (the autumn fold) in a zone. `vtimezone` writes the zone as RFC 5545 §3.6.5 describes
it, by its rule (`RRULE`, valid for any year the rule holds, as the zone's own POSIX rule, the
last line of its TZif file, says), rather than a list of transitions that ends in 2037; where the
rule does not give the event's offsets (a zone whose rule changes after the event), the zone's
transitions around the event are written instead.
"""

from __future__ import annotations

import datetime
import importlib.resources
import re
import zoneinfo
from typing import Any

_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
_NAME = r"(?:[A-Za-z]{3,}|<[+\-A-Za-z0-9]+>)"
_OFFSET = r"[+-]?\d{1,3}(?::\d{2}){0,2}"
_RULE = rf"M\d{{1,2}}\.\d\.\d(?:/{_OFFSET})?"
_POSIX = re.compile(rf"^(?P<std>{_NAME})(?P<stdoff>{_OFFSET})(?:(?P<dst>{_NAME})(?P<dstoff>{_OFFSET})?"
                    rf",(?P<start>{_RULE}),(?P<end>{_RULE}))?$")


def local_time_problem(day: datetime.date, time: datetime.time, zone_name: str) -> str | None:
    """Why `time` on `day` is not one instant in the zone, in French; None when it is."""
    zone = zoneinfo.ZoneInfo(zone_name)
    wall = datetime.datetime.combine(day, time)
    local = wall.replace(tzinfo=zone)
    back = local.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if back != wall:
        return (f"{time:%H:%M} n'existe pas le {day:%d/%m/%Y} dans le fuseau {zone_name} (passage à l'heure d'été : "
                "les horloges sautent cette heure) : choisissez une autre heure")
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return (f"{time:%H:%M} existe deux fois le {day:%d/%m/%Y} dans le fuseau {zone_name} (retour à l'heure "
                "d'hiver) : l'invitation serait lue à l'une ou l'autre heure ; choisissez une autre heure")
    return None


def vtimezone(zone_name: str, instants: list[datetime.datetime]) -> Any:
    """The zone as an icalendar VTIMEZONE whose offsets are right at each of `instants`."""
    from icalendar import Timezone

    rule = _posix_rule(zone_name)
    if rule is not None:
        component = _by_rule(zone_name, rule)
        if all(_offset_by_rule(rule, instant) == instant.utcoffset() for instant in instants):
            return component
    first = min(instant.date() for instant in instants) - datetime.timedelta(days=400)
    last = max(instant.date() for instant in instants) + datetime.timedelta(days=400)
    component = Timezone.from_tzinfo(zoneinfo.ZoneInfo(zone_name), zone_name, first, last)
    component.pop("COMMENT", None)  # « This timezone only works from … », in English
    return component


def _posix_rule(zone_name: str) -> dict[str, Any] | None:
    """The zone's POSIX rule (the footer of a TZif version 2 file, RFC 8536 §3.3), parsed."""
    try:
        data = importlib.resources.files("tzdata.zoneinfo").joinpath(*zone_name.split("/")).read_bytes()
    except (OSError, ModuleNotFoundError, ValueError):
        return None
    if not data.startswith(b"TZif") or data[4:5] < b"2" or not data.endswith(b"\n"):
        return None
    footer = data[data.rindex(b"\n", 0, len(data) - 1) + 1:-1].decode("ascii", "replace")
    match = _POSIX.match(footer)
    if match is None:
        return None
    standard = -_seconds(match["stdoff"])
    parsed: dict[str, Any] = {"std": match["std"].strip("<>"), "stdoff": standard}
    if match["dst"]:
        parsed.update(dst=match["dst"].strip("<>"),
                      dstoff=-_seconds(match["dstoff"]) if match["dstoff"] else standard + 3600,
                      start=_transition(match["start"]), end=_transition(match["end"]))
    return parsed


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _transition(text: str) -> tuple[int, int, int, int]:
    """`Mm.w.d[/time]`: (month, week 1-5 where 5 is the last, weekday 0 = Sunday, seconds after midnight)."""
    rule, _, time = text.partition("/")
    month, week, weekday = (int(part) for part in rule[1:].split("."))
    return month, week, weekday, _seconds(time) if time else 2 * 3600


def _day_of(year: int, month: int, week: int, weekday: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    day = first + datetime.timedelta(days=(weekday - (first.isoweekday() % 7)) % 7 + 7 * (week - 1))
    while day.month != month:  # week 5: the last such day
        day -= datetime.timedelta(days=7)
    return day


def _offset_by_rule(rule: dict[str, Any], instant: datetime.datetime) -> datetime.timedelta:
    """The UTC offset the rule gives at `instant`."""
    standard = datetime.timedelta(seconds=rule["stdoff"])
    if "dst" not in rule:
        return standard
    daylight = datetime.timedelta(seconds=rule["dstoff"])
    utc = instant.astimezone(datetime.UTC).replace(tzinfo=None)

    def onset(transition: tuple[int, int, int, int], before: datetime.timedelta) -> datetime.datetime:
        month, week, weekday, seconds = transition
        local = datetime.datetime.combine(_day_of(utc.year, month, week, weekday), datetime.time())
        return local + datetime.timedelta(seconds=seconds) - before

    start, end = onset(rule["start"], standard), onset(rule["end"], daylight)
    inside = start <= utc < end if start < end else not end <= utc < start  # southern hemisphere
    return daylight if inside else standard


def _by_rule(zone_name: str, rule: dict[str, Any]) -> Any:
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    component = Timezone()
    component.add("tzid", zone_name)
    standard = datetime.timedelta(seconds=rule["stdoff"])
    if "dst" not in rule:
        fixed = TimezoneStandard()
        fixed.add("dtstart", datetime.datetime(1970, 1, 1))
        fixed.add("tzoffsetfrom", standard)
        fixed.add("tzoffsetto", standard)
        fixed.add("tzname", rule["std"])
        component.add_component(fixed)
        return component
    daylight = datetime.timedelta(seconds=rule["dstoff"])
    for kind, transition, before, after, name in ((TimezoneDaylight, rule["start"], standard, daylight, rule["dst"]),
                                                  (TimezoneStandard, rule["end"], daylight, standard, rule["std"])):
        month, week, weekday, seconds = transition
        part: Any = kind()
        part.add("dtstart", datetime.datetime.combine(_day_of(1970, month, week, weekday), datetime.time())
                 + datetime.timedelta(seconds=seconds))
        part.add("rrule", {"freq": "yearly", "bymonth": month,
                           "byday": f"{-1 if week == 5 else week}{_DAYS[weekday]}"})
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", name)
        component.add_component(part)
    return component
