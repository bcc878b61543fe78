"""The association's calendar: China Standard Time (UTC+8, no daylight saving time), whatever time
zone the machine is set to.

Steps, payments, terms and documents are dated by the calendar day in Nanjing. A PC or server left
on UTC would otherwise date a contact made at 00:30 in Nanjing on the day before, and refuse an
agreement signed then (dated by China's day) as "a step in the future" until 08:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def china_now() -> datetime:
    return datetime.now(CHINA_TZ)


def china_today() -> date:
    """Today in Nanjing."""
    return datetime.now(CHINA_TZ).date()


def china_day(moment: datetime) -> date:
    """The calendar day in Nanjing of an aware ``moment`` (a naive one is taken as the machine's
    local time, as ``astimezone`` does)."""
    return moment.astimezone(CHINA_TZ).date()


def typed_moment(moment: datetime) -> datetime:
    """A time typed without a zone (in a form, a file, on the command line): Nanjing's wall clock,
    whatever the machine's zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CHINA_TZ)


def stored_moment(moment: datetime) -> datetime:
    """A moment read back from the database, aware. The store keeps moments in UTC, and SQLite
    gives them back without their zone: read as the machine's local time, a call made at 17:00 UTC
    (01:00 in Nanjing) would be dated the day before on a PC set to China's time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def china_clock(moment: datetime) -> str:
    """A stored moment as a wall clock in Nanjing shows it, to the minute: "2026-12-04 01:00"."""
    return stored_moment(moment).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
