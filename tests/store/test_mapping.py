"""Rows to entities: every column reaches the entity, statuses become the workflow's enums."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import SQLModel

from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.store.mapping import ENTITY_OF, to_entity
from mediator.store.tables import BatchRow, CaseRow, InstallmentRow, InvestorRow

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("row_type", list(ENTITY_OF), ids=lambda t: t.__name__)
def test_each_entity_carries_exactly_its_tables_columns(row_type: type[SQLModel]) -> None:
    columns = {column.name for column in row_type.__table__.columns}  # type: ignore[attr-defined]
    assert {f.name for f in fields(ENTITY_OF[row_type])} == columns


def test_a_failed_case_row_becomes_a_case_with_its_status_and_reason() -> None:
    row = CaseRow(
        id=12,
        case_number="（2025）苏01民初3100号",
        batch_id=7,
        investor_id=3,
        company_id=1,
        claimed_amount=Decimal("45000.00"),
        status="failed",
        failure_reason="investor_declined",
        referred_on=date(2025, 3, 3),
        contacted_on=date(2025, 3, 10),
        failed_on=date(2025, 3, 20),
        updated_at=NOW,
        version=4,
    )
    case = to_entity(row)
    assert (case.id, case.status, case.failure_reason, case.version) == (
        12,
        CaseStatus.FAILED,
        FailureReason.INVESTOR_DECLINED,
        4,
    )
    assert case.allowed_next == [CaseStatus.RETURNED_TO_COURT] and case.last_step_date == date(2025, 3, 20)


def test_rows_become_entities_with_their_rules() -> None:
    batch = to_entity(BatchRow(id=7, number=15, referral_date=date(2024, 9, 1), company_id=1, created_at=NOW))
    assert (batch.label, batch.term_days, batch.extension_days) == ("第15批", 30, 0)
    investor = to_entity(InvestorRow(id=3, name="张䶮", id_number="320106198507153216", phone="13812345678"))
    assert (investor.masked_id, investor.masked_phone) == ("320***********3216", "138****5678")
    line = to_entity(InstallmentRow(case_id=12, due_date=date(2025, 5, 1), amount=Decimal("325.04")))
    assert (line.sequence, line.amount, line.paid_amount) == (1, Decimal("325.04"), None)
