"""Closing a batch: only when every case is paid, failed or returned; refused naming the open cases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from mediator.errors import NotFoundError, UserError
from mediator.services.cases.closeout import close_batch
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, BatchRow, CaseRow
from tests.fixtures.document_factories import make_batch


def _set(database: Database, case_ids: list[int], statuses: list[str]) -> None:
    with database.transaction() as session:
        for case_id, status in zip(case_ids, statuses, strict=True):
            session.execute(update(CaseRow).where(CaseRow.id == case_id).values(status=status))


def test_a_batch_with_open_cases_is_refused_naming_them(any_database: Database) -> None:
    batch = make_batch(any_database, names=("张䶮", "李堃", "王喆"))
    _set(any_database, batch.case_ids, ["paid", "partially_paid", "mediating"])
    with pytest.raises(UserError) as refused:
        close_batch(any_database, "第15批", on=date(2025, 12, 1), actor="周")
    message = str(refused.value)
    assert "第15批还有 2 件案件未结" in message
    assert (
        f"{batch.case_numbers[1]}（部分履行）" in message and f"{batch.case_numbers[2]}（调解中）" in message
    )
    assert batch.case_numbers[0] not in message
    with any_database.session() as session:
        assert session.scalars(select(BatchRow.closed_on)).one() is None
    with pytest.raises(NotFoundError):
        close_batch(any_database, 16, on=date(2025, 12, 1), actor="周")


def test_paid_failed_and_returned_cases_close_the_batch_once(any_database: Database) -> None:
    batch = make_batch(any_database, names=("张䶮", "李堃", "王喆"))
    _set(any_database, batch.case_ids, ["paid", "failed", "returned_to_court"])
    result = close_batch(any_database, 15, on=date(2025, 12, 1), actor="周")
    assert (result.paid, result.failed, result.returned) == (1, 1, 1)
    assert "第15批已于 2025-12-01 结案" in result.summary()
    assert "mediator return-letter --batch 15" in result.summary()  # one failed case still to return
    with any_database.session() as session:
        assert session.scalars(select(BatchRow.closed_on)).one() == date(2025, 12, 1)
        assert session.scalars(select(AuditEventRow.action)).all() == ["close_batch"]
    with pytest.raises(UserError, match="第15批已于 2025-12-01 结案"):
        close_batch(any_database, 15, on=date(2025, 12, 2), actor="周")
