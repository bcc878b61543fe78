"""The mediation term counts from the 签收 date recorded per batch, else from the referral date
(shown as such): one rule, deadlines.term_start, for the batch list, the dashboard and the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from mediator.domain.deadlines import WorkCalendar, mediation_term, term_start
from mediator.errors import ValidationError
from mediator.services.cases.batches import list_batches
from mediator.services.cases.receipt import record_receipt
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, BatchRow
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.fixtures.document_factories import make_batch


def test_term_start_is_the_receipt_else_the_referral_date() -> None:
    referred, received = date(2025, 3, 3), date(2025, 3, 10)
    assert term_start(referred, None).day == referred and not term_start(referred, None).received
    assert term_start(referred, None).label == "委派日（未登记签收日）"
    assert term_start(referred, received).day == received and term_start(referred, received).label == "签收日"
    calendar = WorkCalendar()
    # 30 days from 2025-03-10 is 2025-04-09 (a Wednesday); from 03-03 it is 04-02.
    assert mediation_term(referred, calendar=calendar, received_on=received).end == date(2025, 4, 9)
    assert mediation_term(referred, calendar=calendar).end == date(2025, 4, 2)


def test_recorded_receipt_moves_the_batch_term(database: Database) -> None:
    make_batch(database, names=("陈赟",))
    before = record_receipt(database, 15, None, actor="t", today=date(2025, 3, 20))
    assert "自委派日（未登记签收日）2025年3月3日起算，至2025年4月2日届满" in before.summary()
    after = record_receipt(database, "第15批", date(2025, 3, 10), actor="孙调解", today=date(2025, 3, 20))
    assert "自签收日2025年3月10日起算，至2025年4月9日届满（委派日2025年3月3日）" in after.summary()
    [summary] = list_batches(database, today=date(2025, 3, 20))
    assert summary.term.start == date(2025, 3, 10) and summary.term.end == date(2025, 4, 9)
    with database.session() as session:
        assert session.scalars(select(BatchRow.received_on)).one() == date(2025, 3, 10)
        events = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "batch_received")).all()
        assert [e.actor for e in events] == ["t", "孙调解"]


def test_receipt_before_referral_or_in_the_future_is_refused(database: Database) -> None:
    make_batch(database, names=("陈赟",))
    with pytest.raises(ValidationError, match="早于第15批的委派日"):
        record_receipt(database, 15, date(2025, 3, 1), actor="t", today=date(2025, 3, 20))
    with pytest.raises(ValidationError, match="晚于今天"):
        record_receipt(database, 15, date(2025, 3, 21), actor="t", today=date(2025, 3, 20))
    with database.session() as session:
        assert session.scalars(select(BatchRow.received_on)).one() is None


def test_batch_received_from_the_command_line(database: Database, sqlite_url: str, tmp_path: Path) -> None:
    make_batch(database, names=("陈赟",))
    done = run("--db", sqlite_url, "batch-received", "--batch", "15", "--on", "2025-03-10")
    assert done.returncode == 0, done.stderr
    assert "自签收日2025年3月10日起算" in done.stdout
    missing = run("--db", sqlite_url, "batch-received", "--batch", "15")
    assert_one_line_error(missing, EXIT_INPUT, "--on")
    cleared = run("--db", sqlite_url, "batch-received", "--batch", "15", "--clear")
    assert cleared.returncode == 0 and "委派日（未登记签收日）" in cleared.stdout
