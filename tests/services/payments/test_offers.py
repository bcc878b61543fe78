"""The company's offers list: agreed amounts and installment plans, all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from mediator.services.payments.offers import import_offers
from mediator.store.database import Database
from mediator.store.tables import CaseRow, InstallmentRow
from tests.fixtures.document_factories import DocumentFixture, make_batch
from tests.fixtures.payment_lists import write_csv, write_xlsx

HEADERS = [
    "序号",
    "案号",
    "原告",
    "调解金额（元）",
    "第1期付款日期",
    "第1期金额",
    "第2期付款日期",
    "第2期金额",
]


@pytest.fixture
def mediating(any_database: Database) -> DocumentFixture:
    """Three cases in mediation without amounts; claims 30,105,000.00, 50,001.00 and 50,002.00."""
    return make_batch(any_database, names=("张䶮", "李堃", "王喆"), agreed=(None, None, None))


def _state(database: Database) -> tuple[list[Decimal | None], list[tuple[int, int, date, Decimal]]]:
    with database.session() as session:
        agreed = list(session.scalars(select(CaseRow.agreed_amount).order_by(CaseRow.id)))
        plans = [
            (i.case_id, i.sequence, i.due_date, i.amount)
            for i in session.scalars(
                select(InstallmentRow).order_by(InstallmentRow.case_id, InstallmentRow.sequence)
            )
        ]
    return agreed, plans


def test_a_messy_offers_list_sets_amounts_and_plans(
    any_database: Database, mediating: DocumentFixture, tmp_path: Path
) -> None:
    rows = [
        [
            1,
            "(２０２５)苏01民初3100号",
            "张䶮",
            "￥1,200,000.00元",
            date(2025, 6, 30),
            "600,000元",
            "2025年9月30日",
            "６００，０００",
        ],
        [2, "（2025）苏01民初3101号", "李堃", "30000元", None, None, None, None],
        [3, "（2025）苏01民初3102号", "王喆", 45000.5, "2025-07-01", 45000.5, "", ""],
    ]
    path = write_xlsx(
        tmp_path / "报价.xlsx", HEADERS, rows, title="金陵智造科技股份有限公司调解方案（第15批）"
    )
    result = import_offers(any_database, path, actor="吴彧")
    assert result.errors == [] and result.written
    assert "3 件" in result.summary() and "2 件分期" in result.summary()
    agreed, plans = _state(any_database)
    assert agreed == [Decimal("1200000.00"), Decimal("30000.00"), Decimal("45000.50")]
    first, _second, third = mediating.case_ids
    assert plans == [
        (first, 1, date(2025, 6, 30), Decimal("600000.00")),
        (first, 2, date(2025, 9, 30), Decimal("600000.00")),
        (third, 1, date(2025, 7, 1), Decimal("45000.50")),
    ]
    data = result.as_json()
    assert data["cases"][0]["installments"][1] == {"due_on": "2025-09-30", "amount": "600000.00"}
    with any_database.session() as session:
        assert {c.status for c in session.scalars(select(CaseRow))} == {"mediating"}


def test_a_gb18030_csv_is_read_too(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("张䶮",), agreed=(None,))
    path = write_csv(tmp_path / "offers.csv", ["案号", "和解金额"], [["（2025）苏01民初3100号", "12,345.60"]])
    assert import_offers(database, path, actor="吴彧").written
    assert _state(database)[0] == [Decimal("12345.60")]


@pytest.mark.parametrize(
    ("row", "column", "needle"),
    [
        (["（2025）苏01民初9999号", "1000", None, None, None, None], "案号", "没有这个案号"),
        (["（2025）苏01民初3101号", "50001.01", None, None, None, None], "调解金额（元）", "高于诉请金额"),
        (
            ["（2025）苏01民初3101号", "1000.00", "2025-06-30", "500", "2025-07-30", "499.99"],
            "调解金额（元）",
            "不一致",
        ),
        (
            ["（2025）苏01民初3101号", "1000", "2025年9月30日", "500", "2025-06-30", "500"],
            "第2期付款日期",
            "早于上一期",
        ),
        (["（2025）苏01民初3101号", "1000", "2025-13-01", "1000", None, None], "第1期付款日期", "日期"),
        (["（2025）苏01民初3101号", "1000", "2025-06-30", None, None, None], "第1期金额", "金额"),
        (["（2025）苏01民初3101号", "-5", None, None, None, None], "调解金额（元）", "负数"),
    ],
)
def test_a_bad_row_writes_nothing_and_is_named(
    database: Database, tmp_path: Path, row: list[object], column: str, needle: str
) -> None:
    make_batch(database, names=("张䶮", "李堃"), agreed=(None, None))
    headers = ["案号", "调解金额（元）", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"]
    good = ["（2025）苏01民初3100号", "5000", None, None, None, None]
    path = write_xlsx(tmp_path / "报价.xlsx", headers, [good, row])
    result = import_offers(database, path, actor="吴彧")
    assert not result.written and result.lines == []
    assert [(e.file, e.row, e.column) for e in result.errors] == [(str(path), 3, column)]
    assert needle in result.errors[0].message
    assert _state(database) == ([None, None], [])


def test_a_signed_case_keeps_its_amount(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("张䶮",), agreed=("1000.00",), status="signed", installments_for_first=False)
    path = write_xlsx(tmp_path / "报价.xlsx", ["案号", "调解金额"], [["（2025）苏01民初3100号", "900"]])
    result = import_offers(database, path, actor="吴彧")
    assert "已签署" in result.errors[0].message and result.errors[0].column == "调解金额"
    assert _state(database)[0] == [Decimal("1000.00")]


def test_the_same_case_twice_and_a_missing_pair_column_are_refused(
    database: Database, tmp_path: Path
) -> None:
    make_batch(database, names=("张䶮",), agreed=(None,))
    twice = write_xlsx(
        tmp_path / "twice.xlsx",
        ["案号", "调解金额"],
        [["（2025）苏01民初3100号", "900"], ["(2025)苏01民初3100号", "800"]],
    )
    assert "第2行重复" in import_offers(database, twice, actor="吴彧").errors[0].message
    half = write_xlsx(
        tmp_path / "half.xlsx",
        ["案号", "调解金额", "第1期付款日期"],
        [["（2025）苏01民初3100号", "900", "2025-06-30"]],
    )
    result = import_offers(database, half, actor="吴彧")
    assert result.errors[0].row is None and "第1期金额" in result.errors[0].message
    assert _state(database) == ([None], [])


def test_a_dry_run_checks_against_the_database_and_writes_nothing(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("张䶮",), agreed=(None,))
    path = write_xlsx(tmp_path / "报价.xlsx", ["案号", "调解金额"], [["（2025）苏01民初3100号", "900"]])
    preview = import_offers(database, path, actor="吴彧", dry_run=True)
    assert not preview.written and preview.errors == [] and preview.lines[0].investor == "张䶮"
    assert _state(database) == ([None], [])


def test_a_file_without_the_columns_is_one_problem(database: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", ["姓名", "金额"], [["张三", "1"]])
    result = import_offers(database, path, actor="吴彧")
    assert len(result.errors) == 1 and result.errors[0].row is None and "表头" in result.errors[0].message


def test_the_agreement_prints_the_imported_plan(database: Database, tmp_path: Path) -> None:
    """Each installment of the company's offer appears in the agreement: date, amount and 大写."""
    import re
    import subprocess

    from mediator.services.cases.changes import change_status
    from mediator.services.documents.agreement import generate_agreements

    fixture = make_batch(database, names=("张䶮",), agreed=(None,))
    headers = ["案号", "调解金额", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"]
    rows = [
        ["（2025）苏01民初3100号", "1,200,000.50元", "2025-06-30", "400,000", "2025年12月31日", "800000.50"]
    ]
    assert import_offers(database, write_xlsx(tmp_path / "报价.xlsx", headers, rows), actor="吴彧").written
    change_status(database, fixture.case_ids[0], "agreed", actor="吴彧", on=date(2025, 3, 20))
    generate_agreements(database, batch="第15批", out_dir=tmp_path / "out", jobs=1)
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = re.sub(r"\s+", "", text)
    assert "乙方分两期将上述款项支付给甲方" in text
    assert "（1）2025年6月30日前支付人民币400,000.00元（大写：肆拾万元整）" in text
    assert "（2）2025年12月31日前支付人民币800,000.50元（大写：捌拾万元零伍角）" in text
