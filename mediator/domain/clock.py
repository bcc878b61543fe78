"""The association's calendar: China Standard Time (UTC+8, no daylight saving time), whatever time
zone the machine is set to.

Steps, payments, terms and documents are dated by the calendar day in Nanjing. A PC or server left
on UTC would otherwise date a contact made at 00:30 in Nanjing on the day before, and refuse an
agreement signed then (dated by China's day) as "a step in the future" until 08:00.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

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
