"""The report to the court: every case, masked IDs, exact amounts, formula-looking text kept as text."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from mediator.domain.privacy import mask_id_number
from mediator.errors import UserError
from mediator.services.documents.court_report import write_court_report
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, CaseRow
from tests.fixtures.document_factories import DocumentFixture, make_batch

NAMES = ('=HYPERLINK("http://x","点我")', "李堃", "+王喆", "@陈赟")


@pytest.fixture
def fixture(database: Database) -> DocumentFixture:
    fixture = make_batch(
        database, names=NAMES, agreed=("12345.60", "0.10", None, "99999999.99"), case_type="民诉前调"
    )
    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[2])
        assert case is not None
        case.status, case.failure_reason, case.failure_note = "failed", "investor_declined", "-坚持诉请金额"
    return fixture


def _rows(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def test_xlsx_has_title_rows_totals_and_masked_ids(
    fixture: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    files = write_court_report(database, "第15批", out)
    assert files.cases == 4 and files.xlsx == out and files.pdf is None
    rows = _rows(out)
    assert rows[0][0] == "南京市中级人民法院委派调解案件情况反馈表（第15批）"
    assert "金陵智造科技股份有限公司" in rows[1][0] and "2025-03-03" in rows[1][0]
    header = rows[3]
    assert header[:6] == (
        "案号",
        "原告（投资者）",
        "身份证件号码",
        "诉请金额（元）",
        "调解金额（元）",
        "状态",
    )
    body = rows[4:8]
    assert [r[0] for r in body] == fixture.case_numbers
    assert [r[2] for r in body] == [mask_id_number(i) for i in fixture.id_numbers]
    assert all(i not in str(rows) for i in fixture.id_numbers)
    assert [r[4] for r in body] == [12345.6, 0.1, None, 99999999.99]
    assert [r[5] for r in body] == ["已达成", "已达成", "调解不成", "已达成"]
    assert body[2][-1] == "投资者不同意：-坚持诉请金额"
    assert body[0][6] == "2025-03-03" and body[0][8] == "2025-03-20"
    totals = rows[8]
    assert totals[0] == "合计（4件）"
    expected_agreed = Decimal("12345.60") + Decimal("0.10") + Decimal("99999999.99")
    assert Decimal(str(totals[4])) == expected_agreed
    assert Decimal(str(totals[3])) == sum(
        (Decimal("30105000.00"), Decimal("50001.00"), Decimal("50002.00"), Decimal("50003.00")), Decimal(0)
    )


def test_cells_that_look_like_formulas_stay_text(
    fixture: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    write_court_report(database, 15, out)
    sheet = openpyxl.load_workbook(out).active
    names = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=2) for r in range(5, 9)}
    for name in ('=HYPERLINK("http://x","点我")', "+王喆", "@陈赟"):
        cell = names[name]
        assert cell.data_type == "s", name  # a string, not a formula
        assert cell.quotePrefix, name  # and Excel keeps it text when the cell is edited
    note = sheet.cell(row=7, column=sheet.max_column)
    assert note.value == "投资者不同意：-坚持诉请金额" and note.data_type == "s"
    amount = sheet.cell(row=5, column=5)
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"


def test_full_ids_only_when_asked_and_audited(
    fixture: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "full.xlsx"
    write_court_report(database, 15, out, show_personal_data=True, actor="张调解")
    assert [r[2] for r in _rows(out)[4:8]] == fixture.id_numbers
    with database.session() as session:
        events = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "show_personal_data")
        ).all()
    assert [(e.actor, e.batch_id) for e in events] == [("张调解", fixture.batch_id)]
    assert all(i not in (events[0].detail or "") for i in fixture.id_numbers)


def test_pdf_version(fixture: DocumentFixture, database: Database, tmp_path: Path) -> None:
    files = write_court_report(database, 15, tmp_path / "report.xlsx", pdf=tmp_path / "report.pdf")
    assert files.pdf == tmp_path / "report.pdf" and files.xlsx is not None
    only_pdf = write_court_report(database, 15, tmp_path / "only.pdf")
    assert only_pdf.pdf == tmp_path / "only.pdf" and only_pdf.xlsx is None
    text = re.sub(
        r"\s+",
        "",
        subprocess.run(["pdftotext", str(only_pdf.pdf), "-"], capture_output=True, text=True).stdout,
    )
    assert "委派调解案件情况反馈表（第15批）" in text
    assert mask_id_number(fixture.id_numbers[1]) in text
    assert fixture.id_numbers[1] not in text
    assert "100,012,345.69" in text  # agreed total
    assert "合计（4件）" in text
    fonts = subprocess.run(["pdffonts", str(only_pdf.pdf)], capture_output=True, text=True).stdout
    embedded = [row.split()[-5:-3] for row in fonts.splitlines()[2:]]
    assert embedded and all(flags == ["yes", "yes"] for flags in embedded)  # every font embedded, subset


def test_wrong_extension_is_refused_before_writing(
    fixture: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    with pytest.raises(UserError, match=r"\.xlsx 或 \.pdf"):
        write_court_report(database, 15, tmp_path / "out" / "report.csv")
    assert not (tmp_path / "out").exists()


def test_agreement_ruling_paid_outstanding_and_every_date_in_xlsx_and_pdf(
    fixture: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    from datetime import date

    from mediator.services.documents.confirmation import record_confirmation
    from mediator.store.tables import AgreementRow, InstallmentRow

    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        case.status, case.signed_on = "signed", date(2025, 4, 1)
        session.add(
            AgreementRow(
                case_id=case.id,
                number="苏证调〔2025〕第0007号",
                amount=fixture.agreed[0],
                fingerprint="a" * 64,
                created_at=case.updated_at,
                effective_on=date(2025, 4, 1),
            )
        )
        first = session.scalar(select(InstallmentRow).where(InstallmentRow.case_id == case.id))
        assert first is not None
        first.paid_amount, first.paid_on = first.amount, date(2025, 6, 30)
    record_confirmation(database, fixture.case_numbers[0], applied=date(2025, 4, 10), actor="t")
    record_confirmation(
        database,
        fixture.case_numbers[0],
        ruling="（2025）苏01民特88号",
        ruling_date=date(2025, 4, 20),
        actor="t",
    )
    files = write_court_report(database, 15, tmp_path / "r.xlsx", pdf=tmp_path / "r.pdf")
    rows = _rows(tmp_path / "r.xlsx")
    header = list(rows[3])
    for title in ("调解协议编号", "司法确认裁定案号", "裁定日期", "已履行金额（元）", "未履行金额（元）"):
        assert title in header, title
    first_row = dict(zip(header, rows[4], strict=True))
    assert first_row["调解协议编号"] == "苏证调〔2025〕第0007号"
    assert first_row["司法确认裁定案号"] == "（2025）苏01民特88号"
    assert first_row["裁定日期"] == "2025-04-20" and first_row["申请确认日期"] == "2025-04-10"
    assert first_row["已履行金额（元）"] == 6172.8 and first_row["未履行金额（元）"] == 6172.8
    failed = dict(zip(header, rows[6], strict=True))
    assert failed["未履行金额（元）"] is None  # a failed case owes nothing
    assert files.pdf is not None
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True).stdout
    )
    for expected in (
        "苏证调〔2025〕第0007号",
        "（2025）苏01民特88号",
        "2025-04-20",
        "2025-04-10",
        "6,172.80",
    ):
        assert expected in text, expected
    # Every date the xlsx gives is in the PDF too.
    for day in ("2025-03-03", "2025-03-05", "2025-03-20", "2025-04-01", "2025-04-10", "2025-04-20"):
        assert day in text, day
