"""Dates, times and amounts written the French way, through Babel (CLDR), never by hand."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
"""France's time: the day a letter is signed or sent, the time a message leaves, a certificate's dates."""


def long_date(value: datetime.date) -> str:
    """`24 avril 2026`, `1er août 2023` (typography raises the `er`)."""
    text = format_date(value, format="d MMMM y", locale="fr_FR")
    if value.day == 1:
        text = "1er" + text[1:]
    return text


def short_date(value: datetime.date) -> str:
    """`24/04/2026`, as on the electronic signature stamp."""
    return format_date(value, format="dd/MM/y", locale="fr_FR")


def clock_time(value: datetime.time) -> str:
    """`14h00`, the form the ARS letters use."""
    return f"{value.hour}h{value.minute:02d}"


def format_amount(amount: Decimal) -> str:
    """`1 062 168 €`: groups and currency sign joined by no-break spaces (CLDR, through Babel)."""
    pattern = "#,##0\u00a0¤" if amount == amount.to_integral_value() else "#,##0.00\u00a0¤"
    return format_currency(amount, "EUR", locale="fr_FR", format=pattern, currency_digits=False)
