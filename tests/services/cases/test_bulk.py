"""Bulk work on cases: list, assign a mediator, move to a next status — all or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mediator.domain.clock import china_today
from mediator.errors import NotFoundError, TransitionError, UserError
from mediator.services.cases.bulk import (
    BulkRefused,
    assign_mediator,
    list_cases,
    move_cases,
    split_case_numbers,
)
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, CaseRow, MediatorRow
from tests.fixtures.document_factories import make_batch

NAMES = ("张䶮", "李堃", "王喆")


def _statuses(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(CaseRow.status).order_by(CaseRow.case_number)))


def _audits(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def test_move_is_all_or_nothing_and_names_every_refused_case(database: Database) -> None:
    fixture = make_batch(database, names=NAMES, status="mediating", agreed=("1000.00", None, None))
    before = _audits(database)
    with pytest.raises(BulkRefused) as refused:
        move_cases(database, "已达成", batch="第15批", on=date(2025, 4, 1), actor="测试员")
    assert [case for case, _reason in refused.value.refusals] == fixture.case_numbers[1:]
    assert all("调解金额" in reason for _case, reason in refused.value.refusals)
    assert "未作任何修改" in str(refused.value)
    # Nothing changed: the case that could move did not, and no history was written.
    assert _statuses(database) == ["mediating"] * 3
    assert _audits(database) == before


def test_move_takes_every_case_one_step_with_one_date(any_database: Database) -> None:
    fixture = make_batch(any_database, names=NAMES, status="mediating")
    result = move_cases(any_database, "agreed", batch=15, on=date(2025, 4, 1), actor="测试员")
    assert result.changed == 3 and not result.refused
    assert "3 件" in result.summary()
    assert _statuses(any_database) == ["agreed"] * 3
    with any_database.session() as session:
        days = set(session.scalars(select(CaseRow.agreed_on)))
    assert days == {date(2025, 4, 1)}
    assert [line.case_number for line in list_cases(any_database, batch=15)] == fixture.case_numbers


def test_move_of_some_cases_and_the_dry_run_preview(database: Database) -> None:
    fixture = make_batch(database, names=NAMES, status="mediating", agreed=("1000.00", None, "2000.00"))
    preview = move_cases(database, "已达成", batch=15, on=date(2025, 4, 1), actor="t", dry_run=True)
    assert [c.case_number for c in preview.refused] == [fixture.case_numbers[1]]
    assert next((c.before, c.after) for c in preview.changes) == ("调解中", "已达成")
    assert _statuses(database) == ["mediating"] * 3  # a preview writes nothing
    typed = f"{fixture.case_numbers[0]}，{fixture.case_numbers[2].replace('（', '(').replace('）', ')')}"
    move_cases(
        database, "已达成", batch=15, case_numbers=split_case_numbers(typed), on=date(2025, 4, 1), actor="t"
    )
    assert _statuses(database) == ["agreed", "mediating", "agreed"]


def test_move_refuses_future_dates_and_dates_before_the_previous_step(database: Database) -> None:
    make_batch(database, names=NAMES[:1], status="mediating")
    tomorrow = china_today() + timedelta(days=2)
    with pytest.raises(BulkRefused, match="不能登记尚未发生的步骤"):
        move_cases(database, "已达成", batch=15, on=tomorrow, actor="t")
    with pytest.raises(BulkRefused, match="早于案件上一步的日期"):
        move_cases(database, "已达成", batch=15, on=date(2025, 3, 1), actor="t")
    assert _statuses(database) == ["mediating"]


def test_move_refuses_steps_that_need_more_than_a_date(database: Database) -> None:
    make_batch(database, names=NAMES[:1], status="signed")
    with pytest.raises(UserError, match="confirmation-record"):
        move_cases(database, "已申请司法确认", batch=15, actor="t")
    with pytest.raises(UserError, match="逐案登记"):
        move_cases(database, "paid", batch=15, actor="t")
    with pytest.raises(TransitionError, match="未知的案件状态"):
        move_cases(database, "完成", batch=15, actor="t")


def test_cases_outside_the_batch_and_unknown_batches_are_refused(database: Database) -> None:
    make_batch(database, names=NAMES[:1], status="mediating")
    with pytest.raises(NotFoundError, match="第15批中没有这些案号"):
        move_cases(database, "已达成", batch=15, case_numbers=["（2025）苏01民初9999号"], actor="t")
    with pytest.raises(NotFoundError, match="没有第16批"):
        move_cases(database, "已达成", batch=16, actor="t")


def test_assign_gives_every_case_the_mediator_and_is_audited(database: Database) -> None:
    make_batch(database, names=NAMES, status="mediating")
    with database.transaction() as session:
        session.add(MediatorRow(name="吴彧", phone="13900002222"))
    result = assign_mediator(database, "吴彧", batch="第15批", actor="测试员")
    assert result.changed == 3
    assert {line.mediator for line in list_cases(database)} == {"吴彧"}
    with database.session() as session:
        details = list(session.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == "edit")))
    assert len(details) == 3 and all("吴彧" in (d or "") for d in details)
    # The case history says it in words, old → new.
    from mediator.services.cases.lists import case_detail

    history = case_detail(database, list_cases(database)[0].id).history
    assert any("调解员：孙调解 → 吴彧" in line.text for line in history), [line.text for line in history]


def test_assign_refuses_an_unknown_or_inactive_mediator(database: Database) -> None:
    make_batch(database, names=NAMES[:1], status="mediating")
    with database.transaction() as session:
        session.add(MediatorRow(name="钱停用", active=False))
    with pytest.raises(NotFoundError, match="没有名为“无名”的调解员"):
        assign_mediator(database, "无名", batch=15, actor="t")
    with pytest.raises(UserError, match="已停用"):
        assign_mediator(database, "钱停用", batch=15, actor="t")
    assert {line.mediator for line in list_cases(database)} == {"孙调解"}


def test_list_masks_personal_data_and_gives_amounts_as_decimals(database: Database) -> None:
    fixture = make_batch(database, names=NAMES[:2], status="agreed")
    lines = list_cases(database, batch=15, status="已达成")
    data = lines[0].as_json()
    assert data["case_no"] == fixture.case_numbers[0]
    assert data["investor"] == "张䶮"
    assert fixture.id_numbers[0] not in str(data) and "*" in data["id_number"]
    assert data["agreed"] == str(fixture.agreed[0]) and data["paid"] == "0.00"
    assert isinstance(lines[0].claimed, Decimal)
    assert list_cases(database, status="contacted") == []
