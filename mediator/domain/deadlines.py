"""Periods under the Civil Procedure Law (民事诉讼法, periods article: §85 in the 2021 text).

- the day a period starts is not counted;
- a holiday in the middle of a period is not deducted;
- a period whose last day is a rest day or statutory holiday ends on the next working day;
- a period in months ends on the same-numbered day of the last month, or on its last day.

Working days come from the ``chinesecalendar`` package (State Council notices, 调休 included) plus
an administrator's overrides for years the package does not know yet or gets wrong.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from mediator.errors import ValidationError
from mediator.i18n import _

# SPC rules on commissioned mediation: 30 days, extendable when both parties agree.
MEDIATION_TERM_DAYS = 30
# 民事诉讼法 §205: apply for judicial confirmation within 30 days of the agreement taking effect.
CONFIRMATION_WINDOW_DAYS = 30


class WorkCalendar:
    """Which days are working days: chinesecalendar data, corrected by administrator overrides.

    ``overrides`` maps a date to True (working day, e.g. a 调休 Saturday) or False (rest day). An
    override for any day of a year marks that year as known: the administrator entered its notice.
    For a year neither source knows, weekends are the only rest days and ``knows_year`` is False.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._override_years = frozenset(d.year for d in self._overrides)
        # The same few hundred days are asked about for every case of a batch (a due list at a
        # million cases asks millions of times); the package's answer for a day never changes.
        self._package_days: dict[date, bool | None] = {}

    @property
    def overrides(self) -> Mapping[date, bool]:
        return dict(self._overrides)

    def _package_is_workday(self, d: date) -> bool | None:
        """chinesecalendar's answer, or None for a year it has no data for."""
        if d in self._package_days:
            return self._package_days[d]
        try:
            answer: bool | None = bool(chinese_calendar.is_workday(d))
        except NotImplementedError:  # raised for years outside the package's data
            answer = None
        self._package_days[d] = answer
        return answer

    def knows_year(self, year: int) -> bool:
        """Whether the holidays and 调休 days of ``year`` are known (package data or overrides)."""
        return year in self._override_years or self._package_is_workday(date(year, 7, 1)) is not None

    def is_working_day(self, d: date) -> bool:
        """Weekdays work unless a statutory holiday; weekends rest unless declared working (调休)."""
        if d in self._overrides:
            return self._overrides[d]
        known = self._package_is_workday(d)
        if known is None:
            return d.weekday() < 5  # unknown year: weekends only (callers warn via knows_year)
        return known

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d


@dataclass(frozen=True)
class Deadline:
    """The end of a period: ``nominal_end`` by counting, ``end`` after moving off rest days.

    ``calendar_known`` is False when the end falls in a year the calendar does not know: the end
    may then be wrong (a holiday not yet published), and callers should warn.
    """

    start: date
    nominal_end: date
    end: date
    shifted: bool
    calendar_known: bool

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the last day of the period (0 on that day, negative after)."""
        return (self.end - today).days


def _deadline(start: date, nominal_end: date, calendar: WorkCalendar) -> Deadline:
    # 民诉法 §85: a period whose last day is a rest day or holiday ends on the next working day.
    end = calendar.next_working_day(nominal_end)
    return Deadline(
        start=start,
        nominal_end=nominal_end,
        end=end,
        shifted=end != nominal_end,
        calendar_known=calendar.knows_year(nominal_end.year) and calendar.knows_year(end.year),
    )


def _check_length(value: int, field: str) -> None:
    if value < 1:
        raise ValidationError(_("期间长度应至少为1：{value}。").format(value=value), field=field, value=value)


def period_end_days(start: date, days: int, calendar: WorkCalendar) -> Deadline:
    """A period of ``days`` days from ``start``."""
    _check_length(days, "days")
    # 民诉法 §85: the start day is not counted, and holidays inside the period are not deducted.
    return _deadline(start, start + timedelta(days=days), calendar)


def period_end_months(start: date, months: int, calendar: WorkCalendar) -> Deadline:
    """A period of ``months`` months from ``start``."""
    _check_length(months, "months")
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    # Period in months: the same-numbered day of the last month, or its last day when it has none.
    day = min(start.day, _gregorian.monthrange(year, month)[1])
    return _deadline(start, date(year, month, day), calendar)


@dataclass(frozen=True)
class TermStart:
    """The day the mediation term counts from, and whether it is the recorded 签收 date."""

    day: date
    received: bool

    @property
    def label(self) -> str:
        """What the screens and documents call it: the 签收 date, or the referral date standing in."""
        return _("签收日") if self.received else _("委派日（未登记签收日）")


def term_start(referral_date: date, received_on: date | None) -> TermStart:
    """The one home for the day the commissioned-mediation term counts from.

    特邀调解规定 (法释〔2016〕14号): the term runs from the day the mediation organisation signs for
    the court's materials (签收). Until a batch's 签收 date is recorded, the referral date stands in
    (and is shown as such: ``TermStart.label``).
    """
    if received_on is not None:
        return TermStart(received_on, True)
    return TermStart(referral_date, False)


def mediation_term(
    referral_date: date,
    term_days: int = MEDIATION_TERM_DAYS,
    extension_days: int = 0,
    calendar: WorkCalendar | None = None,
    received_on: date | None = None,
) -> Deadline:
    """The last day of commissioned mediation: ``term_days`` plus any agreed extension, counted
    from ``term_start`` (the 签收 date when recorded, else the referral date).

    Without a ``calendar`` the package data alone is used (no administrator overrides).
    """
    if extension_days < 0:
        raise ValidationError(
            _("延长天数不能为负数：{value}。").format(value=extension_days),
            field="extension_days",
            value=extension_days,
        )
    _check_length(term_days, "term_days")
    start = term_start(referral_date, received_on).day
    return period_end_days(start, term_days + extension_days, calendar or WorkCalendar())


def agreement_effective_on(effective_on: date | None, signed_on: date | None) -> date | None:
    """The day an agreement took effect: the one rule every screen, report and document uses.

    人民调解法 §29: it takes effect when the parties and the mediator have signed; the recorded
    effective date wins, and the case's signing date stands in for agreements signed before the
    effective date was recorded (or signed outside the app). ``None``: not in effect yet.
    """
    return effective_on or signed_on


def confirmation_window(agreement_effective_on: date, calendar: WorkCalendar) -> Deadline:
    """The last day to apply jointly for judicial confirmation (民事诉讼法 §205: 30 days from the day
    the agreement took effect, see ``agreement_effective_on``)."""
    return period_end_days(agreement_effective_on, CONFIRMATION_WINDOW_DAYS, calendar)


def confirmation_window_of(
    effective_on: date | None, signed_on: date | None, calendar: WorkCalendar
) -> Deadline | None:
    """The confirmation window of an agreement, or ``None`` while it is not in effect."""
    start = agreement_effective_on(effective_on, signed_on)
    return None if start is None else confirmation_window(start, calendar)


def installment_deadline(due_date: date, calendar: WorkCalendar) -> Deadline:
    """The last day to pay an installment agreed for ``due_date`` (民法典 §203: a period whose last
    day is a statutory holiday ends on the day after the holiday, i.e. the next working day)."""
    return _deadline(due_date, due_date, calendar)
