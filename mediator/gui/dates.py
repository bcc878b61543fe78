"""Python dates as Qt's, for the date editors; "today" is Nanjing's (domain/clock.py)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QDateTime, QTime

from mediator.domain.clock import china_now, china_today


def qdate(day: date | None = None) -> QDate:
    """``day`` as a QDate; today in Nanjing when None."""
    day = day or china_today()
    return QDate(day.year, day.month, day.day)


def qdatetime_now() -> QDateTime:
    """Now on Nanjing's wall clock, to the minute (what a time editor shows by default)."""
    now = china_now()
    return QDateTime(qdate(now.date()), QTime(now.hour, now.minute))
