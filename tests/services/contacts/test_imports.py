"""Call-back results from a file, and an answered call making a 已委派 case 已联系, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from mediator.services.contacts.attempts import log_contacts
from mediator.services.contacts.imports import import_contact_results
from mediator.store.database import Database
from mediator.store.tables import CaseRow, ContactAttemptRow
from tests.fixtures.document_factories import DocumentFixture, make_batch
from tests.fixtures.payment_lists import write_csv, write_xlsx

HEADERS = ["案号", "回访结果", "回访时间", "备注", "方式"]


@pytest.fixture
def database(any_database: Database) -> Database:
    return any_database


@pytest.fixture
def batch(database: Database) -> DocumentFixture:
    fixture = make_batch(database, names=("张䶮", "李堃"), agreed=(None, None))
    with database.transaction() as session:
        session.execute(update(CaseRow).values(status="referred", mediating_on=None, contacted_on=None))
    return fixture


def _cases(database: Database) -> list[tuple[str, object]]:
    with database.session() as session:
        rows = session.execute(select(CaseRow.status, CaseRow.contacted_on).order_by(CaseRow.case_number))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _attempts(database: Database) -> list[tuple[str, str, str | None]]:
    with database.session() as session:
        rows = session.execute(
            select(ContactAttemptRow.outcome, ContactAttemptRow.channel, ContactAttemptRow.note).order_by(
                ContactAttemptRow.at
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_results_are_recorded_in_time_order_and_the_first_answer_dates_the_step(
    database: Database, batch: DocumentFixture, tmp_path: Path
) -> None:
    first, second = batch.case_numbers
    rows = [
        [first, "同意调解", "2025年3月6日 9时30分", "同意面谈", "微信"],
        [first, "已接通", datetime(2025, 3, 5, 16, 0), None, None],  # noqa: DTZ001 - a spreadsheet cell
        [second, "未接听", "2025-03-05", "", ""],
    ]
    result = import_contact_results(database, write_xlsx(tmp_path / "回访.xlsx", HEADERS, rows), actor="周")
    assert result.errors == [] and result.written
    assert (result.recorded, result.cases, result.reached, result.now_contacted) == (3, 2, 2, 1)
    assert "1 件转为“已联系”" in result.summary()
    assert _attempts(database) == [  # a bare day is noon
        ("no_answer", "phone", None),
        ("reached", "phone", None),
        ("agreed", "wechat", "同意面谈"),
    ]
    statuses = _cases(database)
    assert statuses[0][0] == "contacted" and str(statuses[0][1]) == "2025-03-05"
    assert statuses[1] == ("referred", None)


def test_a_dry_run_and_a_bad_list_write_nothing(
    database: Database, batch: DocumentFixture, tmp_path: Path
) -> None:
    first, _second = batch.case_numbers
    path = write_csv(tmp_path / "回访.csv", HEADERS, [[first, "已接通", "2025-03-05 10:00", "", ""]])
    checked = import_contact_results(database, path, actor="周", dry_run=True)
    assert checked.errors == [] and not checked.written and "未写入" in checked.summary()
    bad = write_csv(
        tmp_path / "坏.csv",
        HEADERS,
        [[first, "已接通", "2025-03-05 25:00", "", ""], [first, "已接通", "2025-03-05", "x" * 501, "飞鸽"]],
    )
    result = import_contact_results(database, bad, actor="周")
    assert [(e.row, e.column) for e in result.errors] == [(2, "回访时间"), (3, "备注"), (3, "方式")]
    assert _attempts(database) == [] and [s for s, _on in _cases(database)] == ["referred"] * 2


def test_a_call_dated_before_the_referral_is_kept_and_the_status_left_alone(
    database: Database, batch: DocumentFixture
) -> None:
    before = datetime.fromisoformat("2025-03-01T10:00:00+08:00")  # the batch was referred on 3 March
    logged = log_contacts(database, batch.case_numbers[:1], outcome="已接通", at=before, actor="周")
    assert logged.now_contacted == 0 and "已联系" not in logged.summary()
    assert _attempts(database) == [("reached", "phone", None)]
    assert _cases(database)[0] == ("referred", None)
    later = datetime.fromisoformat("2025-03-04T10:00:00+08:00")
    logged = log_contacts(database, batch.case_numbers, outcome="拒绝调解", at=later, actor="周")
    assert logged.now_contacted == 2 and "2 件转为“已联系”" in logged.summary()
    assert [s for s, _on in _cases(database)] == ["contacted", "contacted"]
