"""`mediator offers import`, `payments add`, `payments import` and `payments status` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mediator.services.payments.ledger import case_plan
from mediator.store.database import open_database
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.fixtures.document_factories import make_batch
from tests.fixtures.payment_lists import write_csv, write_xlsx

EXIT_FILE_ERRORS = 1
CASE = "（2025）苏01民初3100号"


def _database(tmp_path: Path, **options: object) -> tuple[str, list[int]]:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    database = open_database(url)
    fixture = make_batch(database, names=("张䶮", "李堃"), installments_for_first=False, **options)  # type: ignore[arg-type]
    database.dispose()
    return url, fixture.case_ids


def _plans(url: str, case_ids: list[int]) -> list[tuple[Decimal | None, int, Decimal]]:
    database = open_database(url)
    try:
        plans = [case_plan(database, case_id) for case_id in case_ids]
    finally:
        database.dispose()
    return [(p.agreed_amount, len(p.installments), p.paid_total) for p in plans]


def test_offers_import_sets_amounts_and_plans(tmp_path: Path) -> None:
    url, case_ids = _database(tmp_path, agreed=(None, None))
    headers = ["案号", "调解金额", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"]
    rows = [
        [CASE, "１２，０００元", "2025-06-30", "￥6,000", "2025年9月30日", "6000.00"],
        ["(2025)苏01民初3101号", "30000", None, None, None, None],
    ]
    path = write_xlsx(tmp_path / "报价.xlsx", headers, rows)
    result = run("--db", url, "offers", "import", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["written"] is True and [c["agreed_amount"] for c in data["cases"]] == ["12000.00", "30000.00"]
    assert _plans(url, case_ids) == [
        (Decimal("12000.00"), 2, Decimal("0")),
        (Decimal("30000.00"), 0, Decimal("0")),
    ]


def test_offers_import_names_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    url, case_ids = _database(tmp_path, agreed=(None, None))
    headers = ["案号", "调解金额", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"]
    rows = [
        [CASE, "1000", None, None, None, None],  # good
        ["（2025）苏01民初9999号", "1000", None, None, None, None],  # unknown 案号
        ["（2025）苏01民初3101号", "60000", None, None, None, None],  # above the claim (50,001.00)
    ]
    path = write_xlsx(tmp_path / "报价.xlsx", headers, rows)
    plan = write_csv(
        tmp_path / "plans.csv",
        headers,
        [
            [CASE, "1000", "2025-06-30", "500", "2025-07-30", "499.99"],  # off by one fen
            ["（2025）苏01民初3101号", "1000", "2025-09-30", "500", "2025-06-30", "500"],  # out of order
        ],
    )
    result = run("--db", url, "offers", "import", str(path))
    assert result.returncode == EXIT_FILE_ERRORS and "Traceback" not in result.stderr
    table = result.stdout
    assert "报价.xlsx" in table and "没有这个案号" in table and "高于诉请金额" in table
    assert "未写入任何数据" in result.stderr
    result = run("--db", url, "offers", "import", str(plan), "--json")
    assert result.returncode == EXIT_FILE_ERRORS
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "调解金额"), (3, "第2期付款日期")]
    assert "不一致" in errors[0]["message"] and "早于上一期" in errors[1]["message"]
    assert _plans(url, case_ids) == [(None, 0, Decimal("0"))] * 2


def test_payments_add_and_its_refusals(tmp_path: Path) -> None:
    url, case_ids = _database(tmp_path, agreed=("1000.00", "500.00"), status="confirmed")
    ok = run(
        "--db",
        url,
        "payments",
        "add",
        CASE,
        "--amount",
        "￥400",
        "--on",
        "2025-07-01",
        "--ref",
        "BK1",
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {
        "case_no": CASE,
        "amount": "400.00",
        "paid_on": "2025-07-01",
        "reference": "BK1",
        "paid_total": "400.00",
        "outstanding": "600.00",
        "status": "partially_paid",
    }
    duplicate = run(
        "--db", url, "payments", "add", CASE, "--amount", "1", "--on", "2025-07-02", "--ref", "BK1"
    )
    assert_one_line_error(duplicate, EXIT_INPUT, "BK1", "已登记过")
    above = run("--db", url, "payments", "add", CASE, "--amount", "600.01", "--on", "2025-07-02")
    assert_one_line_error(above, EXIT_INPUT, "超过尚未履行的金额600.00元")
    unknown = run(
        "--db", url, "payments", "add", "（2025）苏01民初9999号", "--amount", "1", "--on", "2025-07-02"
    )
    assert_one_line_error(unknown, EXIT_INPUT, "9999")
    bad_date = run("--db", url, "payments", "add", CASE, "--amount", "1", "--on", "七月")
    assert_one_line_error(bad_date, EXIT_INPUT, "--on")
    assert _plans(url, case_ids) == [
        (Decimal("1000.00"), 1, Decimal("400.00")),
        (Decimal("500.00"), 0, Decimal("0")),
    ]


def test_payments_import_all_or_nothing_and_the_status(tmp_path: Path) -> None:
    url, case_ids = _database(tmp_path, agreed=("1000.00", "500.00"), status="confirmed")
    headers = ["流水号", "案号", "付款金额", "付款日期"]
    bad = write_xlsx(
        tmp_path / "bad.xlsx",
        headers,
        [["T1", CASE, "1000", "2025-07-01"], ["T2", "（2025）苏01民初3101号", "500.01", "2025-07-01"]],
    )
    refused = run("--db", url, "payments", "import", str(bad))
    assert (
        refused.returncode == EXIT_FILE_ERRORS
        and "超过尚未履行" in refused.stdout
        and "bad.xlsx" in refused.stdout
    )
    assert _plans(url, case_ids)[0][2] == Decimal("0")
    good = write_xlsx(
        tmp_path / "good.xlsx",
        headers,
        [["T1", CASE, "1,000.00", "2025-07-01"], ["T2", "（2025）苏01民初3101号", "200", "2025年7月2日"]],
    )
    booked = run("--db", url, "payments", "import", str(good))
    assert booked.returncode == 0, booked.stderr
    assert "2 笔" in booked.stdout
    status = json.loads(run("--db", url, "payments", "status", "--json").stdout)
    assert status["by_batch"][0]["paid"] == "1200.00" and status["by_batch"][0]["outstanding"] == "300.00"


@pytest.mark.parametrize("command", ["offers", "payments"])
def test_a_missing_file_is_one_problem(tmp_path: Path, command: str) -> None:
    url, _ids = _database(tmp_path, agreed=(None, None))
    result = run("--db", url, command, "import", str(tmp_path / "nope.xlsx"))
    assert result.returncode == EXIT_FILE_ERRORS and "Traceback" not in result.stderr
    assert "无法读取文件" in result.stdout


def test_the_payments_date_is_today_or_earlier(tmp_path: Path) -> None:
    url, _ids = _database(tmp_path, agreed=("1000.00", "500.00"), status="confirmed")
    today = datetime.now(UTC).date()
    later = today.replace(year=today.year + 1, day=1).isoformat()
    result = run("--db", url, "payments", "add", CASE, "--amount", "1", "--on", later)
    assert_one_line_error(result, EXIT_INPUT, "晚于今天")
