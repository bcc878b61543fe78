"""Judicial confirmation for many cases: a batch's application date, a rulings list, the late
reason, a ruling number used once, and correcting a mistyped date everywhere it shows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from mediator.domain.clock import china_today
from mediator.errors import TransitionError, UserError, ValidationError
from mediator.services.cases.bulk import BulkRefused
from mediator.services.cases.corrections import correct_step_date
from mediator.services.cases.lists import case_confirmation
from mediator.services.documents.confirmation import record_confirmation
from mediator.services.documents.rulings import RulingListProblems, record_confirmations
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, AuditEventRow, CaseRow, JudicialConfirmationRow
from tests.fixtures.document_factories import DocumentFixture, make_batch

NAMES = ("张䶮", "李堃", "王喆")
SIGNED = date(2025, 9, 1)  # window ends 2025-10-09 (National Day break)


def signed_batch(database: Database, names: tuple[str, ...] = NAMES) -> DocumentFixture:
    fixture = make_batch(database, names=names, status="signed", case_type="民诉前调")
    with database.transaction() as session:
        for index, case_id in enumerate(fixture.case_ids):
            case = session.get(CaseRow, case_id)
            assert case is not None
            case.signed_on = SIGNED
            session.add(
                AgreementRow(
                    case_id=case_id,
                    number=f"苏证调〔2025〕第{index + 1:04d}号",
                    amount=fixture.agreed[index],
                    fingerprint=f"{index}" * 64,
                    created_at=case.updated_at,
                    effective_on=SIGNED,
                )
            )
    return fixture


def statuses(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(CaseRow.status).order_by(CaseRow.case_number)))


def rulings_file(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["第15批司法确认裁定"])
    sheet.append(header or ["序号", "案号", "裁定案号", "裁定日期"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_a_batch_applies_at_once_and_a_list_brings_the_rulings(
    any_database: Database, tmp_path: Path
) -> None:
    fixture = signed_batch(any_database)
    applied = record_confirmations(any_database, batch="第15批", applied=date(2025, 9, 10), actor="t")
    assert len(applied.records) == 3 and "申请 3 件" in applied.summary()
    assert statuses(any_database) == ["confirmation_applied"] * 3
    rows = [
        [
            i + 1,
            number.replace("（", "(").replace("）", ")"),
            f"（2025）苏01民特{88 + i}号",
            date(2025, 9, 20),
        ]
        for i, number in enumerate(fixture.case_numbers)
    ]
    ruled = record_confirmations(any_database, rulings=rulings_file(tmp_path / "裁定.xlsx", rows), actor="t")
    assert "裁定 3 件" in ruled.summary()
    assert statuses(any_database) == ["confirmed"] * 3
    detail = case_confirmation(any_database, fixture.case_ids[1])
    assert detail.ruling_number == "（2025）苏01民特89号" and detail.ruling_date == date(2025, 9, 20)


def test_a_batch_application_is_all_or_nothing(database: Database) -> None:
    fixture = signed_batch(database)
    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[2])
        assert case is not None
        case.status, case.signed_on = "agreed", None
    with pytest.raises(BulkRefused) as refused:
        record_confirmations(database, batch=15, applied=date(2025, 9, 10), actor="t")
    assert [case for case, _reason in refused.value.refusals] == [fixture.case_numbers[2]]
    assert "只有已签署的案件" in refused.value.refusals[0][1]
    assert statuses(database) == ["signed", "signed", "agreed"]


def test_bad_rows_are_named_by_file_row_and_column_and_nothing_is_recorded(
    database: Database, tmp_path: Path
) -> None:
    fixture = signed_batch(database)
    record_confirmations(database, batch=15, applied=date(2025, 9, 10), actor="t")
    rows = [
        [1, fixture.case_numbers[0], "（2025）苏01民特88号", "2025-09-20"],
        [2, fixture.case_numbers[1], "（2025）苏01民初88号", "2025-09-20"],  # not 民特
        [3, fixture.case_numbers[2], "（2025）苏01民特88号", "2025年9月20日"],  # same ruling as row 3
        [4, "（2025）苏01民诉前调9999号", "（2025）苏01民特90号", "九月"],  # bad date
    ]
    with pytest.raises(RulingListProblems) as problems:
        record_confirmations(database, rulings=rulings_file(tmp_path / "裁定.xlsx", rows), actor="t")
    found = {(p.row, p.column) for p in problems.value.problems}
    assert found == {(4, "裁定案号"), (5, "裁定案号"), (6, "裁定日期")}
    assert all(p.file == "裁定.xlsx" for p in problems.value.problems)
    assert "第4行" in problems.value.problems[0].as_text()
    assert statuses(database) == ["confirmation_applied"] * 3


def test_rows_the_cases_cannot_take_are_refused_with_their_row(database: Database, tmp_path: Path) -> None:
    fixture = signed_batch(database)
    rows = [
        [1, fixture.case_numbers[0], "（2025）苏01民特88号", "2025-09-20"],  # not applied yet
        [2, "（2025）苏01民诉前调9999号", "（2025）苏01民特89号", "2025-09-20"],
    ]
    with pytest.raises(RulingListProblems) as problems:
        record_confirmations(database, rulings=rulings_file(tmp_path / "r.xlsx", rows), actor="t")
    messages = {p.row: p.message for p in problems.value.problems}
    assert "须先登记司法确认申请" in messages[3] and "没有此案号" in messages[4]
    assert statuses(database) == ["signed"] * 3


def test_filed_cases_are_refused_in_a_batch_and_in_a_rulings_list(database: Database, tmp_path: Path) -> None:
    """A 民初 case ends in a 民事调解书 or a withdrawal: named with the way to go, nothing recorded."""
    filed = make_batch(database, names=("王喆",), status="signed", batch_number=16)  # 民初
    with pytest.raises(BulkRefused) as refused:
        record_confirmations(database, batch=16, applied=date(2025, 9, 10), actor="t")
    [(case_number, reason)] = refused.value.refusals
    assert case_number == filed.case_numbers[0] and "court-request" in reason
    rows = [[1, filed.case_numbers[0], "（2025）苏01民特88号", "2025-09-20"]]
    with pytest.raises(RulingListProblems) as problems:
        record_confirmations(database, rulings=rulings_file(tmp_path / "r.xlsx", rows), actor="t")
    [problem] = problems.value.problems
    assert (problem.row, problem.column) == (3, "案号") and "民事调解书" in problem.message
    assert statuses(database) == ["signed"]


def test_a_list_without_the_needed_columns_is_refused(database: Database, tmp_path: Path) -> None:
    signed_batch(database)
    path = rulings_file(tmp_path / "r.xlsx", [["x", "y"]], header=["姓名", "金额"])
    with pytest.raises(RulingListProblems, match="1 个问题") as problems:
        record_confirmations(database, rulings=path, actor="t")
    assert "没有找到表头" in problems.value.problems[0].message


def test_a_ruling_number_already_used_on_another_case_is_refused(any_database: Database) -> None:
    fixture = signed_batch(any_database, NAMES[:2])
    for number in fixture.case_numbers:
        record_confirmation(any_database, number, applied=date(2025, 9, 10), actor="t")
    record_confirmation(
        any_database,
        fixture.case_numbers[0],
        ruling="（2025）苏01民特88号",
        ruling_date=date(2025, 9, 20),
        actor="t",
    )
    with pytest.raises(ValidationError, match="已登记在案件（2025）苏01民诉前调3100号上"):
        record_confirmation(
            any_database,
            fixture.case_numbers[1],
            ruling="(2025)苏01民特88号",
            ruling_date=date(2025, 9, 21),
            actor="t",
        )
    assert statuses(any_database) == ["confirmed", "confirmation_applied"]


def test_a_late_application_needs_its_reason_and_shows_as_late(database: Database) -> None:
    fixture = signed_batch(database, NAMES[:1])
    with pytest.raises(ValidationError, match="已超过申请期限2025-10-09"):
        record_confirmation(database, fixture.case_numbers[0], applied=date(2025, 10, 20), actor="t")
    assert statuses(database) == ["signed"]
    record = record_confirmation(
        database,
        fixture.case_numbers[0],
        applied=date(2025, 10, 20),
        late_reason="投资者住院，迟交材料",
        actor="t",
    )
    assert record.late and "逾期申请，原因：投资者住院，迟交材料" in record.summary()
    assert case_confirmation(database, fixture.case_ids[0]).late_reason == "投资者住院，迟交材料"


def test_future_dates_are_refused(database: Database) -> None:
    fixture = signed_batch(database, NAMES[:1])
    with pytest.raises(TransitionError, match="尚未发生"):
        record_confirmation(
            database,
            fixture.case_numbers[0],
            applied=china_today() + timedelta(days=3),
            actor="t",
        )


def test_a_mistyped_application_date_is_corrected_everywhere_and_audited(database: Database) -> None:
    fixture = signed_batch(database, NAMES[:1])
    record_confirmation(database, fixture.case_numbers[0], applied=date(2025, 9, 30), actor="t")
    # Recording it again with another date points to the correction instead of half-changing it.
    with pytest.raises(UserError, match="correct-date"):
        record_confirmation(database, fixture.case_numbers[0], applied=date(2025, 9, 3), actor="t")
    with pytest.raises(UserError, match="须说明理由"):
        correct_step_date(
            database,
            fixture.case_numbers[0],
            step="已申请司法确认",
            on=date(2025, 9, 3),
            reason=" ",
            actor="t",
        )
    with pytest.raises(TransitionError, match="早于案件上一步"):
        correct_step_date(
            database,
            fixture.case_numbers[0],
            step="已申请司法确认",
            on=date(2025, 8, 3),
            reason="录错",
            actor="t",
        )
    with pytest.raises(ValidationError, match="逾期原因"):
        correct_step_date(
            database,
            fixture.case_numbers[0],
            step="confirmation_applied",
            on=date(2025, 10, 30),
            reason="录错",
            actor="t",
        )
    result = correct_step_date(
        database,
        fixture.case_numbers[0],
        step="已申请司法确认",
        on=date(2025, 9, 3),
        reason="录入时把3日误作30日",
        actor="t",
    )
    assert "2025-09-30 更正为 2025-09-03" in result.summary()
    with database.session() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        row = session.scalar(select(JudicialConfirmationRow))
        audit = session.scalar(select(AuditEventRow).where(AuditEventRow.action == "correct_date"))
    assert case is not None and case.confirmation_applied_on == date(2025, 9, 3)
    assert row is not None and row.application_date == date(2025, 9, 3)
    assert audit is not None and "录入时把3日误作30日" in (audit.detail or "")
    # The ruling can now follow the corrected application.
    ruled = record_confirmation(
        database,
        fixture.case_numbers[0],
        ruling="（2025）苏01民特88号",
        ruling_date=date(2025, 9, 10),
        actor="t",
    )
    assert ruled.status == "confirmed"
    with pytest.raises(ValidationError, match="晚于案件下一步"):
        correct_step_date(
            database, fixture.case_numbers[0], step="已签署", on=date(2025, 9, 5), reason="x", actor="t"
        )
    with pytest.raises(UserError, match="没有“履行完毕”这一步"):
        correct_step_date(
            database, fixture.case_numbers[0], step="履行完毕", on=date(2025, 9, 5), reason="x", actor="t"
        )


@pytest.mark.postgres
def test_two_people_recording_one_ruling_at_once_on_postgresql(postgres_url: str) -> None:
    """The second waits for the first to commit, then finds the number taken."""
    import threading
    import time

    from mediator.services.documents.confirmation import find_case, record_confirmation_step
    from mediator.store.database import open_database

    database = open_database(postgres_url)
    try:
        fixture = signed_batch(database, NAMES[:2])
        for number in fixture.case_numbers:
            record_confirmation(database, number, applied=date(2025, 9, 10), actor="t")
        holding = threading.Event()

        def first() -> None:
            with database.transaction() as session:
                case = find_case(session, fixture.case_numbers[0])
                record_confirmation_step(
                    session, case, ruling="（2025）苏01民特88号", ruling_date=date(2025, 9, 20), actor="甲"
                )
                holding.set()
                time.sleep(1.0)  # still uncommitted while the second person records

        thread = threading.Thread(target=first)
        thread.start()
        assert holding.wait(10)
        with pytest.raises(ValidationError, match="同一裁定不能用于两件案件"):
            record_confirmation(
                database,
                fixture.case_numbers[1],
                ruling="（2025）苏01民特88号",
                ruling_date=date(2025, 9, 21),
                actor="乙",
            )
        thread.join()
        assert statuses(database) == ["confirmed", "confirmation_applied"]
    finally:
        database.dispose()
