"""`mediator contact import FILE`: a call-back results list (案号, 结果, 时间, 备注) recorded all or
nothing, bad rows named by file, row and column (exit 1)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update

from mediator.store.database import open_database
from mediator.store.tables import CaseRow, ContactAttemptRow
from tests.cli.test_cli import run
from tests.fixtures.document_factories import make_batch
from tests.fixtures.payment_lists import write_csv, write_xlsx

HEADERS = ["序号", "案号", "结果", "时间", "备注"]
EXIT_FILE_ERRORS = 1


def _batch(tmp_path: Path) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    database = open_database(url)
    fixture = make_batch(database, names=("张䶮", "李堃", "王喆"), agreed=(None,) * 3)
    with database.transaction() as session:  # just referred: nobody reached yet
        session.execute(update(CaseRow).values(status="referred", mediating_on=None, contacted_on=None))
    database.dispose()
    return url, fixture.case_numbers


def _state(url: str) -> tuple[int, list[str]]:
    database = open_database(url)
    try:
        with database.session() as session:
            attempts = session.scalar(select(func.count()).select_from(ContactAttemptRow)) or 0
            statuses = list(session.scalars(select(CaseRow.status).order_by(CaseRow.case_number)))
    finally:
        database.dispose()
    return attempts, statuses


def test_call_back_results_are_recorded_from_a_file(tmp_path: Path) -> None:
    url, numbers = _batch(tmp_path)
    rows = [
        [1, numbers[0].replace("（", "(").replace("）", ")"), "未接听", "2025-03-04 09:30", ""],
        [2, numbers[0], "已接通", "2025年3月5日 14:10", "约周五面谈"],
        [3, f" {numbers[1]} ", "no_answer", datetime(2025, 3, 5, 10, 0), None],  # noqa: DTZ001 - a cell
        [4, numbers[2], "拒绝调解", "２０２５-０３-０６", "不接受调解"],
    ]
    path = write_xlsx(tmp_path / "回访结果.xlsx", HEADERS, rows, title="第15批回访结果")

    checked = run("--db", url, "contact", "import", str(path), "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "未写入" in checked.stdout and _state(url)[0] == 0

    result = run("--db", url, "contact", "import", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["written"], data["recorded"], data["cases"], data["reached"]) == (True, 4, 3, 2)
    assert data["now_contacted"] == 2
    # The answered calls made their cases 已联系; the unanswered one stays 已委派.
    assert _state(url) == (4, ["contacted", "referred", "contacted"])
    reach = json.loads(run("--db", url, "contact", "reach", "--batch", "15", "--json").stdout)
    assert reach["by_batch"][0]["reached"] == 2


def test_a_bad_row_names_file_row_and_column_and_nothing_is_recorded(tmp_path: Path) -> None:
    url, numbers = _batch(tmp_path)
    rows = [
        [1, numbers[0], "已接通", "2025-03-04 09:30", ""],
        [2, numbers[1], "也许", "2025-03-04 09:40", ""],
        [3, numbers[2], "未接听", "昨天下午", ""],
        [4, "（2025）苏01民初9999号", "未接听", "2025-03-04 10:00", ""],
        [5, numbers[2], "已接通", "2099-01-01 10:00", ""],
        [6, numbers[2], "短信已发送", "2025-03-04 10:00", ""],
    ]
    path = write_csv(tmp_path / "回访.csv", HEADERS, rows)
    result = run("--db", url, "contact", "import", str(path))
    assert result.returncode == EXIT_FILE_ERRORS, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "未记录任何回访" in result.stderr
    problems = {tuple(line.split()[:3]) for line in result.stdout.splitlines()}
    assert {
        ("回访.csv", "3", "结果"),
        ("回访.csv", "4", "时间"),
        ("回访.csv", "6", "时间"),
        ("回访.csv", "7", "结果"),
    } <= problems, result.stdout
    assert _state(url) == (0, ["referred"] * 3)

    # The unknown 案号 is found once the rows read well; still nothing is written.
    unknown = write_csv(tmp_path / "回访2.csv", HEADERS, [rows[0], rows[3]])
    result = run("--db", url, "contact", "import", str(unknown))
    assert result.returncode == EXIT_FILE_ERRORS
    assert ("回访2.csv", "3", "案号") in {tuple(line.split()[:3]) for line in result.stdout.splitlines()}
    assert _state(url) == (0, ["referred"] * 3)

    no_header = write_csv(tmp_path / "乱.csv", ["姓名", "电话"], [["张䶮", "13900000000"]])
    result = run("--db", url, "contact", "import", str(no_header))
    assert result.returncode == EXIT_FILE_ERRORS and "找不到表头" in result.stdout + result.stderr
