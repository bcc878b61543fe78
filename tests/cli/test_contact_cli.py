"""The contact round, the due list and the close-out from the command line, refusals included."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from python_calamine import CalamineWorkbook
from sqlalchemy import update

from mediator.store.database import open_database
from mediator.store.tables import CaseRow, InstallmentRow
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.fixtures.document_factories import make_batch

NAMES = ("张䶮", "李堃", "王喆")


def test_a_batch_is_contacted_followed_up_and_closed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    database = open_database(url)
    batch = make_batch(database, names=NAMES, agreed=(None,) * 3)
    database.dispose()
    numbers = batch.case_numbers
    out = tmp_path / "短信.xlsx"

    sent = run(
        "--db", url, "contact", "sms-list", "--batch", "第15批", "--out", str(out), "--date", "2025-03-10"
    )
    assert sent.returncode == 0, sent.stderr
    assert "3 条" in sent.stdout
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert len(rows) == 4 and "3月10日" in rows[1][4]

    logged = run("--db", url, "contact", "log", numbers[0], "--outcome", "已接通", "--note", "同意面谈")
    assert logged.returncode == 0 and "已接通" in logged.stdout
    bulk = run(
        "--db", url, "contact", "log", numbers[1], numbers[2].replace("（", "(").replace("）", ")"),
        "--outcome", "no_answer", "--channel", "电话", "--at", "2025-03-04 09:30",
    )  # fmt: skip
    assert bulk.returncode == 0 and "2 件" in bulk.stdout, bulk.stderr
    assert_one_line_error(
        run("--db", url, "contact", "log", numbers[0], "--outcome", "也许"), EXIT_INPUT, "也许"
    )
    assert_one_line_error(
        run("--db", url, "contact", "log", numbers[0], "（2025）苏01民初1号", "--outcome", "未接听"),
        EXIT_INPUT,
        "（2025）苏01民初1号",
    )
    assert_one_line_error(
        run("--db", url, "contact", "log", numbers[0], "--outcome", "未接听", "--at", "昨天"),
        EXIT_INPUT,
        "--at",
    )

    reach = json.loads(run("--db", url, "contact", "reach", "--batch", "15", "--json").stdout)
    assert reach["by_batch"] == [
        {"label": "第15批", "cases": 3, "attempted": 3, "reached": 1, "rate": "33.3"}
    ]
    proposals = run("--db", url, "contact", "unreachable", "--attempts", "1", "--days", "0", "--json")
    assert [p["case_no"] for p in json.loads(proposals.stdout)] == numbers[1:]
    assert run("--db", url, "contact", "rule", "--attempts", "2", "--days", "5").returncode == 0
    assert "2 次回访" in run("--db", url, "contact", "unreachable").stdout
    assert_one_line_error(run("--db", url, "contact", "rule", "--attempts", "0", "--days", "5"), EXIT_INPUT)

    due = run("--db", url, "due", "--json")
    assert due.returncode == 0, due.stderr
    entries = json.loads(due.stdout)
    assert {e["case_no"] for e in entries} == set(numbers)  # the 2025 term is long over
    assert all(e["kind"] == "mediation_term" and e["days_left"] < 0 for e in entries)
    assert set(entries[0]) >= {"case_no", "kind", "due_on", "days_left"}
    assert "已逾期" in run("--db", url, "due", "--days", "3").stdout
    assert_one_line_error(run("--db", url, "due", "--days", "-2"), EXIT_INPUT)

    refused = run("--db", url, "batch", "close", "15")
    assert_one_line_error(refused, EXIT_INPUT, "3 件案件未结", numbers[0])
    database = open_database(url)
    with database.transaction() as session:
        session.execute(update(CaseRow).where(CaseRow.id == batch.case_ids[0]).values(status="paid"))
        session.execute(
            update(CaseRow)
            .where(CaseRow.id.in_(batch.case_ids[1:]))  # type: ignore[union-attr]
            .values(status="failed", failure_reason="unreachable", failed_on=date(2025, 3, 20))
        )
        session.execute(update(InstallmentRow).values(paid_amount=InstallmentRow.amount))
    database.dispose()
    letter = run("--db", url, "return-letter", "--batch", "15", "--out", str(tmp_path / "函"))
    assert letter.returncode == 0, letter.stderr
    assert (tmp_path / "函" / "第15批-退回函.pdf").is_file() and "2 件案件已标记" in letter.stdout
    closed = run("--db", url, "batch", "close", "第15批", "--on", "2025-12-01")
    assert closed.returncode == 0 and "第15批已于 2025-12-01 结案" in closed.stdout, closed.stderr
    assert_one_line_error(run("--db", url, "batch", "close", "15"), EXIT_INPUT, "已于 2025-12-01 结案")
