"""The working-day calendar deadlines are counted on: the chinesecalendar package plus the
administrator's corrections kept in the database (calendar_override).

民诉法 §85: a period ending on a holiday or rest day ends on the next working day, and the State
Council's 调休 weekends are working days. The package learns a year only after the State Council's
notice, so an administrator can enter or correct days here; a deadline in a year neither knows
gets a warning (``calendar_warning``).

Entry points take a ``Database`` and run in a session of their own: ``list_calendar_overrides``,
``work_calendar``, ``set_calendar_override``, ``remove_calendar_override``. ``load_work_calendar``
is the step other services use inside their own session.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.deadlines import Deadline, WorkCalendar
from mediator.domain.validators import to_half_width
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.store.database import Database
from mediator.store.tables import CalendarOverrideRow

log = logging.getLogger("mediator.calendar")


@dataclass(frozen=True)
class CalendarOverride:
    day: date
    is_working_day: bool
    note: str | None


def _overrides(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    query = select(CalendarOverrideRow).order_by(col(CalendarOverrideRow.day))
    if year is not None:
        query = query.where(
            col(CalendarOverrideRow.day) >= date(year, 1, 1),
            col(CalendarOverrideRow.day) <= date(year, 12, 31),
        )
    return [CalendarOverride(row.day, row.is_working_day, row.note) for row in session.scalars(query)]


def list_calendar_overrides(database: Database, *, year: int | None = None) -> list[CalendarOverride]:
    """The administrator's corrections, by day (of one year if given)."""
    with database.session() as session:
        return _overrides(session, year=year)


def load_work_calendar(session: Session) -> WorkCalendar:
    """Step: the calendar every deadline in the app is computed with, read in the caller's session."""
    overrides = {row.day: row.is_working_day for row in _overrides(session)}
    return WorkCalendar(overrides=overrides)


def work_calendar(database: Database) -> WorkCalendar:
    """The calendar every deadline in the app is computed with."""
    with database.session() as session:
        return load_work_calendar(session)


def set_calendar_override(
    database: Database, day: date, is_working_day: bool, note: str | None, *, actor: str
) -> CalendarOverride:
    """Declare ``day`` a working day or a holiday, replacing any earlier correction of it."""
    with database.transaction() as session:
        return _set_override(session, day, is_working_day, note, actor=actor)


def _set_override(
    session: Session, day: date, is_working_day: bool, note: str | None, *, actor: str
) -> CalendarOverride:
    note = " ".join(note.split())[:100] if note else None
    row = session.get(CalendarOverrideRow, day)
    if row is None:
        row = CalendarOverrideRow(day=day, is_working_day=is_working_day, note=note)
        session.add(row)
    else:
        row.is_working_day, row.note = is_working_day, note
    kind = _("工作日") if is_working_day else _("休息日")
    detail = f"{day.isoformat()} → {kind}" + (f"：{note}" if note else "")
    audit(session, actor=actor, action="calendar", detail=detail)
    session.flush()
    log.info("calendar override %s working=%s", day.isoformat(), is_working_day)
    return CalendarOverride(day, is_working_day, note)


def remove_calendar_override(database: Database, day: date, *, actor: str) -> bool:
    """Forget a correction (the package's view of the day applies again). False if there was none."""
    with database.transaction() as session:
        return _remove_override(session, day, actor=actor)


def _remove_override(session: Session, day: date, *, actor: str) -> bool:
    row = session.get(CalendarOverrideRow, day)
    if row is None:
        return False
    session.delete(row)
    audit(session, actor=actor, action="calendar", detail=_("{day} 恢复默认").format(day=day.isoformat()))
    session.flush()
    return True


def calendar_warning(deadline: Deadline) -> str | None:
    """A sentence to show next to a deadline whose year the calendar does not know, else None."""
    if deadline.calendar_known:
        return None
    return _(
        "节假日日历尚未收录{year}年的安排，期限{day}仅按周末推算；请管理员用“mediator calendar set”补录。"
    ).format(year=deadline.end.year, day=deadline.end.isoformat())


_DAY_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_day(text: str) -> date:
    """A date as users type it: 2026-10-01, 2026/10/1, 2026年10月1日, 20261001 (full width too)."""
    compact = "".join(to_half_width(str(text)).split())
    for pattern in _DAY_PATTERNS:
        match = pattern.fullmatch(compact)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                break
    raise ValidationError(
        _("无法识别的日期：{text}（请写作2026-10-01或2026年10月1日）。").format(text=str(text).strip()),
        field="date",
        value=text,
    )


def year_status(calendar: WorkCalendar, years: list[int]) -> list[tuple[int, bool]]:
    """For each year, whether its holidays are known (package data or an administrator's entries)."""
    return [(year, calendar.knows_year(year)) for year in years]
