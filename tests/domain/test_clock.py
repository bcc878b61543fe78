"""The association's clock: Nanjing's days and wall-clock times, whatever the machine's zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from mediator.domain.clock import china_clock, china_day, stored_moment, typed_moment


@pytest.fixture(
    params=["Asia/Shanghai", "Etc/GMT+5"], ids=["a PC on China's time", "a server 5 h behind UTC"]
)
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    saved = os.environ.get("TZ")
    monkeypatch.setenv("TZ", str(request.param))
    time.tzset()
    yield str(request.param)
    if saved is None:
        monkeypatch.delenv("TZ")
    else:
        monkeypatch.setenv("TZ", saved)
    time.tzset()


@pytest.mark.usefixtures("machine_zone")
def test_a_moment_read_back_from_sqlite_is_utc() -> None:
    # SQLite gives a stored 17:00 UTC back as a naive 17:00: in Nanjing that is 01:00 the next day.
    # Read as the machine's local time, a PC on China's time dated it the day before.
    read_back = datetime(2026, 12, 3, 17, 0, tzinfo=UTC).replace(tzinfo=None)
    assert stored_moment(read_back) == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert china_day(stored_moment(read_back)) == date(2026, 12, 4)
    assert china_clock(read_back) == "2026-12-04 01:00"
    assert china_clock(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)) == "2026-12-04 01:00"


@pytest.mark.usefixtures("machine_zone")
def test_a_typed_time_is_nanjings_wall_clock() -> None:
    # A clerk's "2026-12-04 01:00" in a results file is that time in Nanjing, 17:00 UTC the day before.
    typed = typed_moment(datetime(2026, 12, 4, 1, 0, tzinfo=UTC).replace(tzinfo=None))
    assert typed.astimezone(UTC) == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert china_day(typed) == date(2026, 12, 4)
    aware = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    assert typed_moment(aware) is aware
