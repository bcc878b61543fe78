import dataclasses
from datetime import date

import pytest

from mediator.domain.deadlines import (
    Deadline,
    WorkCalendar,
    confirmation_window,
    mediation_term,
    period_end_days,
    period_end_months,
)
from mediator.errors import ValidationError

# Relies on chinesecalendar's data for 2025 and 2026 (State Council notices):
# 2025 National Day break Oct 1–8, Saturday Oct 11 and Sunday Sep 28 working days;
# 2026 New Year Jan 1–3 with Sunday Jan 4 working; Spring Festival Feb 15–23 with Saturdays
# Feb 14 and Feb 28 working. 2031 is beyond the package's data.

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 10, 8), False),  # last day of the break, a Wednesday
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, 调休 working day
        (date(2025, 9, 28), True),  # Sunday, 调休 working day
        (date(2025, 11, 15), False),  # ordinary Saturday
        (date(2025, 11, 16), False),  # ordinary Sunday
        (date(2025, 11, 17), True),
        (date(2026, 2, 16), False),  # Spring Festival eve
        (date(2026, 2, 14), True),  # Saturday, 调休
        (date(2031, 1, 1), True),  # unknown year: weekends only, so New Year counts as working
        (date(2031, 1, 4), False),  # unknown year: Saturday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 10, 1), date(2025, 10, 9)),
        (date(2025, 10, 9), date(2025, 10, 9)),
        (date(2025, 10, 11), date(2025, 10, 11)),
        (date(2025, 11, 15), date(2025, 11, 17)),
        (date(2026, 2, 15), date(2026, 2, 24)),
        (date(2026, 1, 1), date(2026, 1, 4)),  # Jan 4 2026 is a Sunday declared working
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert CALENDAR.next_working_day(day) == expected


@pytest.mark.parametrize(
    ("year", "known"), [(2025, True), (2026, True), (2004, True), (2003, False), (2031, False)]
)
def test_knows_year(year: int, known: bool) -> None:
    assert CALENDAR.knows_year(year) is known


@pytest.mark.parametrize(
    "start",
    # 30 days later is each day of the 2025 National Day break, Oct 1 … Oct 8
    [date(2025, 9, d) for d in range(1, 9)],
)
def test_period_ending_in_national_day_break_moves_to_oct_9(start: date) -> None:
    deadline = period_end_days(start, 30, CALENDAR)
    assert deadline.nominal_end == date(2025, 10, start.day)
    assert deadline.end == date(2025, 10, 9)
    assert deadline.shifted is True
    assert deadline.calendar_known is True


@pytest.mark.parametrize(
    ("start", "days", "nominal_end", "end"),
    [
        # ends on a Saturday declared a working day (调休): stays
        (date(2025, 9, 11), 30, date(2025, 10, 11), date(2025, 10, 11)),
        # ends on a Sunday declared a working day: stays
        (date(2025, 8, 29), 30, date(2025, 9, 28), date(2025, 9, 28)),
        # ends on an ordinary Sunday: Monday
        (date(2025, 10, 17), 30, date(2025, 11, 16), date(2025, 11, 17)),
        # ends on an ordinary Saturday: Monday
        (date(2025, 10, 16), 30, date(2025, 11, 15), date(2025, 11, 17)),
        # the whole National Day break lies inside the period: not deducted
        (date(2025, 9, 20), 30, date(2025, 10, 20), date(2025, 10, 20)),
        # the start day is not counted
        (date(2025, 11, 3), 1, date(2025, 11, 4), date(2025, 11, 4)),
        (date(2025, 11, 3), 15, date(2025, 11, 18), date(2025, 11, 18)),
        # over the year end into New Year 2026, then the 调休 Sunday Jan 4
        (date(2025, 12, 2), 30, date(2026, 1, 1), date(2026, 1, 4)),
        # Spring Festival 2026
        (date(2026, 1, 16), 30, date(2026, 2, 15), date(2026, 2, 24)),
        (date(2026, 1, 15), 30, date(2026, 2, 14), date(2026, 2, 14)),
    ],
)
def test_period_end_days(start: date, days: int, nominal_end: date, end: date) -> None:
    deadline = period_end_days(start, days, CALENDAR)
    assert deadline == Deadline(
        start=start, nominal_end=nominal_end, end=end, shifted=end != nominal_end, calendar_known=True
    )


@pytest.mark.parametrize(
    ("start", "months", "nominal_end", "end"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28), date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29), date(2024, 2, 29)),  # leap year
        (date(2025, 8, 31), 1, date(2025, 9, 30), date(2025, 9, 30)),
        (date(2025, 3, 31), 6, date(2025, 9, 30), date(2025, 9, 30)),
        (date(2025, 9, 1), 1, date(2025, 10, 1), date(2025, 10, 9)),  # ends in the National Day break
        (date(2025, 12, 31), 1, date(2026, 1, 31), date(2026, 2, 2)),  # over the year end, a Saturday
        (date(2025, 3, 15), 12, date(2026, 3, 15), date(2026, 3, 16)),  # a Sunday
        (date(2025, 11, 30), 3, date(2026, 2, 28), date(2026, 2, 28)),  # a 调休 Saturday
        (date(2025, 5, 15), 25, date(2027, 6, 15), date(2027, 6, 15)),
    ],
)
def test_period_end_months(start: date, months: int, nominal_end: date, end: date) -> None:
    deadline = period_end_months(start, months, CALENDAR)
    assert (deadline.nominal_end, deadline.end, deadline.shifted) == (nominal_end, end, end != nominal_end)


def test_period_end_months_in_unknown_year() -> None:
    # 2027 is not in chinesecalendar 1.11's data
    assert period_end_months(date(2025, 5, 15), 25, CALENDAR).calendar_known is False
    assert period_end_months(date(2025, 5, 15), 12, CALENDAR).calendar_known is True


def test_year_unknown_to_the_package() -> None:
    # New Year's Day 2031 is surely a holiday, but the package has no 2031 data: weekends only.
    deadline = period_end_days(date(2030, 12, 2), 30, CALENDAR)
    assert deadline.nominal_end == date(2031, 1, 1)
    assert deadline.end == date(2031, 1, 1)
    assert deadline.shifted is False
    assert deadline.calendar_known is False
    saturday = period_end_days(date(2030, 12, 5), 30, CALENDAR)
    assert (saturday.end, saturday.calendar_known) == (date(2031, 1, 6), False)


def test_override_makes_a_day_a_holiday_and_the_year_known() -> None:
    calendar = WorkCalendar({date(2031, 1, 1): False})
    assert calendar.knows_year(2031) is True
    assert calendar.knows_year(2032) is False
    deadline = period_end_days(date(2030, 12, 2), 30, calendar)
    assert deadline.end == date(2031, 1, 2)
    assert deadline.shifted is True
    assert deadline.calendar_known is True


def test_override_corrects_a_known_year() -> None:
    # an extra rest day on Monday Nov 17 2025 pushes an end from Sunday past it
    calendar = WorkCalendar({date(2025, 11, 17): False})
    assert period_end_days(date(2025, 10, 17), 30, calendar).end == date(2025, 11, 18)
    assert period_end_days(date(2025, 10, 17), 30, CALENDAR).end == date(2025, 11, 17)


def test_override_makes_a_saturday_working() -> None:
    calendar = WorkCalendar({date(2031, 1, 4): True})
    assert calendar.is_working_day(date(2031, 1, 4)) is True
    deadline = period_end_days(date(2030, 12, 5), 30, calendar)
    assert (deadline.end, deadline.shifted, deadline.calendar_known) == (date(2031, 1, 4), False, True)


def test_override_turns_a_package_holiday_into_a_working_day() -> None:
    calendar = WorkCalendar({date(2025, 10, 8): True})
    assert period_end_days(date(2025, 9, 1), 30, calendar).end == date(2025, 10, 8)
    assert calendar.overrides == {date(2025, 10, 8): True}


def test_shift_into_unknown_year_is_flagged() -> None:
    # Dec 31 2026 is a Thursday; Jan 2027 is not in the package: an end that starts in a known year
    # and stays there is known, one that moves over the year end is not.
    calendar = WorkCalendar({date(2026, 12, 31): False})
    deadline = period_end_days(date(2026, 12, 1), 30, calendar)
    assert deadline.end == date(2027, 1, 1)
    assert deadline.calendar_known is False


@pytest.mark.parametrize(
    ("referral", "term", "extension", "end"),
    [
        (date(2025, 9, 1), 30, 0, date(2025, 10, 9)),
        (date(2025, 9, 1), 30, 15, date(2025, 10, 16)),
        (date(2025, 10, 17), 30, 0, date(2025, 11, 17)),
        (date(2025, 10, 17), 30, 30, date(2025, 12, 16)),
        (date(2025, 10, 17), 60, 0, date(2025, 12, 16)),
    ],
)
def test_mediation_term(referral: date, term: int, extension: int, end: date) -> None:
    assert mediation_term(referral, term, extension, CALENDAR).end == end


def test_mediation_term_defaults() -> None:
    deadline = mediation_term(date(2025, 9, 1))
    assert deadline.nominal_end == date(2025, 10, 1)
    assert deadline.end == date(2025, 10, 9)
    overridden = mediation_term(date(2025, 10, 17), calendar=WorkCalendar({date(2025, 11, 17): False}))
    assert overridden.end == date(2025, 11, 18)


@pytest.mark.parametrize(("term", "extension"), [(30, -1), (0, 0), (-30, 10)])
def test_mediation_term_refuses(term: int, extension: int) -> None:
    with pytest.raises(ValidationError):
        mediation_term(date(2025, 9, 1), term, extension, CALENDAR)


@pytest.mark.parametrize("days", [0, -1])
def test_period_end_refuses_empty_period(days: int) -> None:
    with pytest.raises(ValidationError):
        period_end_days(date(2025, 9, 1), days, CALENDAR)
    with pytest.raises(ValidationError):
        period_end_months(date(2025, 9, 1), days, CALENDAR)


@pytest.mark.parametrize(
    ("effective", "nominal_end", "end"),
    [
        (date(2025, 9, 5), date(2025, 10, 5), date(2025, 10, 9)),
        (date(2025, 10, 10), date(2025, 11, 9), date(2025, 11, 10)),
        (date(2025, 11, 4), date(2025, 12, 4), date(2025, 12, 4)),
    ],
)
def test_confirmation_window(effective: date, nominal_end: date, end: date) -> None:
    deadline = confirmation_window(effective, CALENDAR)
    assert (deadline.start, deadline.nominal_end, deadline.end) == (effective, nominal_end, end)


@pytest.mark.parametrize(
    ("today", "left"),
    [(date(2025, 10, 1), 8), (date(2025, 10, 9), 0), (date(2025, 10, 10), -1), (date(2025, 9, 1), 38)],
)
def test_days_left(today: date, left: int) -> None:
    deadline = period_end_days(date(2025, 9, 1), 30, CALENDAR)
    assert deadline.days_left(today) == left


def test_deadline_is_frozen() -> None:
    deadline = period_end_days(date(2025, 9, 1), 30, CALENDAR)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.end = date(2025, 10, 1)  # type: ignore[misc]
