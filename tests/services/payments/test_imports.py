"""A company's or bank's payment list: matched by 案号 or ID number, booked all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from mediator.services.payments.imports import import_payments
from mediator.services.payments.ledger import case_plan, set_installments
from mediator.store.database import Database
from mediator.store.tables import PaymentRow
from tests.fixtures.document_factories import DocumentFixture, make_batch
from tests.fixtures.payment_lists import write_csv, write_xlsx

HEADERS = ["交易流水号", "户名", "身份证号码", "案号", "交易金额", "交易日期"]


@pytest.fixture
def confirmed(any_database: Database) -> DocumentFixture:
    """Three confirmed cases agreed at 12,345.60 / 13,345.61 / 14,345.62."""
    fixture = make_batch(
        any_database, names=("张䶮", "李堃", "王喆"), status="confirmed", installments_for_first=False
    )
    set_installments(
        any_database,
        fixture.case_ids[0],
        [(date(2025, 6, 30), "6000"), (date(2025, 9, 30), "6345.60")],
        actor="吴彧",
    )
    return fixture


def _paid(database: Database, fixture: DocumentFixture) -> list[Decimal]:
    return [case_plan(database, case_id).paid_total for case_id in fixture.case_ids]


def test_a_bank_list_is_matched_by_case_number_or_id_number(
    any_database: Database, confirmed: DocumentFixture, tmp_path: Path
) -> None:
    rows = [
        ["B001", "张䶮", "", "(2025)苏01民初3100号", "￥7,000.00", "2025年7月1日"],
        ["B002", "李堃", confirmed.id_numbers[1], "", "１３３４５．６１元", date(2025, 7, 2)],
        ["B003", "张䶮", "", "（2025）苏01民初3100号", "5,345.60", "2025-10-08"],
    ]
    path = write_xlsx(tmp_path / "流水.xlsx", HEADERS, rows, title="银行回单明细")
    result = import_payments(any_database, path, actor="吴彧")
    assert result.errors == [] and result.written
    assert "3 笔" in result.summary() and "2 件" in result.summary()
    assert _paid(any_database, confirmed) == [Decimal("12345.60"), Decimal("13345.61"), Decimal("0.00")]
    plan = case_plan(any_database, confirmed.case_ids[0])
    assert [line.paid_amount for line in plan.installments] == [Decimal("6000.00"), Decimal("6345.60")]
    assert plan.status.value == "paid"
    assert result.as_json()["total"] == "25691.21"


@pytest.mark.parametrize(
    ("row", "column", "needle"),
    [
        (["B9", "", "", "（2025）苏01民初9999号", "100", "2025-07-01"], "案号", "没有这个案号"),
        (["B9", "", "", "（2025）苏01民初3102号", "14345.63", "2025-07-01"], "交易金额", "超过尚未履行"),
        (["B1", "", "", "（2025）苏01民初3102号", "100", "2025-07-01"], "交易流水号", "重复"),
        (["B9", "", "", "（2025）苏01民初3102号", "100", "2025-02-30"], "交易日期", "日期"),
        (["B9", "", "", "", "100", "2025-07-01"], "案号", "案号或身份证号码"),
    ],
)
def test_a_bad_row_writes_nothing(
    database: Database, tmp_path: Path, row: list[object], column: str, needle: str
) -> None:
    fixture = make_batch(
        database, names=("张䶮", "李堃", "王喆"), status="confirmed", installments_for_first=False
    )
    good = ["B1", "", "", "（2025）苏01民初3100号", "100", "2025-07-01"]
    path = write_xlsx(tmp_path / "流水.xlsx", HEADERS, [good, row])
    result = import_payments(database, path, actor="吴彧")
    assert not result.written and result.booked == []
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], result.errors
    assert needle in result.errors[0].message
    assert _paid(database, fixture) == [Decimal("0.00")] * 3
    with database.session() as session:
        assert session.scalars(select(PaymentRow)).all() == []


def test_an_id_number_with_two_cases_or_none_is_refused_and_masked(
    database: Database, tmp_path: Path
) -> None:
    fixture = make_batch(database, names=("张䶮",), status="signed", installments_for_first=False)
    path = write_csv(
        tmp_path / "pay.csv",
        ["身份证号", "付款金额", "付款日期"],
        [[fixture.id_numbers[0], "10", "2025-07-01"]],
    )
    result = import_payments(database, path, actor="吴彧")
    error = result.errors[0]
    assert "没有待履行" in error.message and error.row == 2
    assert fixture.id_numbers[0] not in str(error.as_json())


def test_a_reference_booked_before_is_refused(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("张䶮",), status="confirmed", installments_for_first=False)
    rows = [["（2025）苏01民初3100号", "10", "2025-07-01", "X1"]]
    headers = ["案号", "付款金额", "付款日期", "流水号"]
    assert import_payments(database, write_xlsx(tmp_path / "a.xlsx", headers, rows), actor="吴彧").written
    again = import_payments(database, write_xlsx(tmp_path / "b.xlsx", headers, rows), actor="吴彧")
    assert "已登记过" in again.errors[0].message and again.errors[0].column == "流水号"
    assert _paid(database, fixture) == [Decimal("10.00")]
