"""Judicial confirmation: the joint application's content, per case or per batch, and the record
of application and ruling with the 30-day window."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from sqlalchemy import select

from mediator.domain.clock import china_today
from mediator.errors import UserError, ValidationError
from mediator.services.documents.confirmation import record_confirmation, write_confirmation_applications
from mediator.store.database import Database
from mediator.store.tables import (
    AgreementRow,
    CaseRow,
    JudicialConfirmationRow,
    ListedCompanyRow,
    SettingRow,
)
from tests.fixtures.document_factories import COMPANY_NAME, make_batch

PRE_FILING = "民诉前调"


def pdf_text(path: Path) -> str:
    output = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", output)


def fonts_all_embedded(path: Path) -> bool:
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in output.splitlines()[2:]]
    return bool(rows) and all(row[-5:-3] == ["yes", "yes"] for row in rows)


def test_per_case_application_names_applicants_agreement_request_undertakings(
    database: Database, tmp_path: Path
) -> None:
    fixture = make_batch(database, names=("陈赟", "刘翀"), status="signed", case_type=PRE_FILING)
    run = write_confirmation_applications(database, "第15批", tmp_path / "out")
    assert (run.per_batch, run.cases, len(run.files)) == (False, 2, 2)
    first = tmp_path / "out" / "（2025）苏01民诉前调3100号-司法确认申请书.pdf"
    text = pdf_text(first)
    with database.session() as session:
        number = session.scalars(
            select(AgreementRow.number).where(AgreementRow.case_id == fixture.case_ids[0])
        ).one()
    expected = [
        "司法确认申请书",
        "申请人一：陈赟",
        fixture.id_numbers[0],
        "申请人二：" + COMPANY_NAME,
        "91320100MA1XY1234",
        "法定代表人：周明远",
        "请求确认申请人双方于2025年3月20日经江苏省证券业协会主持调解达成的《调解协议书》",
        number,
        "有效",
        "申请人一陈赟与申请人二"
        + COMPANY_NAME
        + "证券虚假陈述责任纠纷（诉前调解案号：（2025）苏01民诉前调3100号）",
        "经南京市中级人民法院于2025年3月3日委派（第15批）",
        "住址：南京市鼓楼区中山路1号",
        "联系电话：" + fixture.phones[0],
        "自愿达成调解协议",
        "不损害国家利益、社会公共利益和他人的合法权益",
        "虚假陈述或提交虚假材料",
        "愿意承担由此产生的全部法律责任",
        "此致南京市中级人民法院",
        "1.调解协议书",
        "身份证件复印件",
        "营业执照副本复印件",
        "法定代表人身份证明书",
        "授权委托书",
        "申请人一（签名）",
        "申请人二（盖章）：法定代表人或委托代理人（签名）",
        "主持调解的证明",
        "委派调解函（第15批）",
        "送达地址确认书",
        "由江苏省证券业协会（特邀调解组织）协助制作",  # the footer: not as if the court issued it
    ]
    assert [item for item in expected if item not in text] == []
    assert [word for word in ("纠纷纠纷", "一案", "诉申请人", "2025-") if word in text] == []
    assert "刘翀" not in text  # one application per case
    assert fonts_all_embedded(first)
    with first.open("rb") as fh:
        fields = [name for name, _value, _ref in enumerate_sig_fields(PdfFileReader(fh))]
    assert fields == ["investor", "company"]  # online signing: one field per applicant


def test_per_batch_application_has_a_schedule_of_cases(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("陈赟", "刘翀", "赵彧"), status="signed", case_type=PRE_FILING)
    with database.transaction() as session:
        session.add(SettingRow(key="confirmation_per_batch", value="1"))
    run = write_confirmation_applications(database, 15, tmp_path / "out")
    assert run.per_batch and [p.name for p in run.files] == ["第15批-司法确认申请书.pdf"]
    text = pdf_text(run.files[0])
    assert fonts_all_embedded(run.files[0])
    assert "3名投资者" in text
    assert "附表：申请确认的调解协议清单（第15批）" in text
    assert "证券虚假陈述责任纠纷共3件" in text and "纠纷纠纷" not in text
    assert "申请人一：在附表“申请人一签名”栏逐一签名" in text
    for case_number, name, id_number, phone, index in zip(
        fixture.case_numbers, fixture.names, fixture.id_numbers, fixture.phones, range(3), strict=True
    ):
        assert case_number in text and name in text and id_number in text and phone in text
        assert f"南京市鼓楼区中山路{index + 1}号" in text
    total = sum(fixture.agreed)
    assert "合计：3件" in text and f"{total:,.2f}" in text
    layout = subprocess.run(
        ["pdftotext", "-layout", str(run.files[0]), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Amounts right-aligned: the figures of the schedule end in the same column.
    ends = {
        line.rindex(f"{a:,.2f}") + len(f"{a:,.2f}")
        for a in [*fixture.agreed, total]
        for line in layout.splitlines()
        if f"{a:,.2f}" in line and "人民币" not in line
    }
    assert len(ends) == 1, ends
    # A case number breaks only after its year, never inside 苏01民诉前调3100号.
    for case_number in fixture.case_numbers:
        assert case_number.split("）", 1)[1] in layout, case_number
    with run.files[0].open("rb") as fh:
        fields = [name for name, _value, _ref in enumerate_sig_fields(PdfFileReader(fh))]
    assert fields == ["company"]


def test_the_application_gives_the_companys_phone(database: Database, tmp_path: Path) -> None:
    """Both applicants can be reached (法释〔2011〕5号 §3): the company's phone from its record."""
    make_batch(database, names=("陈赟",), status="signed", case_type=PRE_FILING)
    with database.transaction() as session:
        company = session.scalars(select(ListedCompanyRow)).one()
        company.phone = "025-52167788"
    run = write_confirmation_applications(database, 15, tmp_path / "out")
    assert "住所：南京市江宁区秣陵街道将军大道100号，联系电话：025-52167788。" in pdf_text(run.files[0])


def test_filed_applied_and_late_cases_are_left_out_with_a_warning(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("陈赟", "刘翀", "赵彧"), status="signed", case_type=PRE_FILING)
    today = china_today()
    with database.transaction() as session:
        applied = session.get(CaseRow, fixture.case_ids[1])
        assert applied is not None
        applied.status = "confirmation_applied"
        late = session.get(CaseRow, fixture.case_ids[2])
        assert late is not None
        late.signed_on = today - timedelta(days=60)
        current = session.get(CaseRow, fixture.case_ids[0])
        assert current is not None
        current.signed_on = today - timedelta(days=2)
    run = write_confirmation_applications(database, 15, tmp_path / "out")
    assert [p.name for p in run.files] == ["（2025）苏01民诉前调3100号-司法确认申请书.pdf"]
    left = {item.case_number: item.reason for item in run.left_out}
    assert left.keys() == {fixture.case_numbers[1], fixture.case_numbers[2]}
    assert "已申请司法确认" in left[fixture.case_numbers[1]]
    assert "申请期限已于" in left[fixture.case_numbers[2]] and "届满" in left[fixture.case_numbers[2]]
    summary = run.summary()
    assert "警告：未列入申请的案件 2 件" in summary and fixture.case_numbers[2] in summary


def test_no_signed_case_is_a_clear_error(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("陈赟",))  # agreed, not signed yet
    with pytest.raises(UserError, match="第15批没有已签署"):
        write_confirmation_applications(database, 15, tmp_path / "out")


def test_application_and_ruling_are_recorded_with_the_window(any_database: Database) -> None:
    fixture = make_batch(any_database, names=("陈赟",), status="signed", case_type=PRE_FILING)
    with any_database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        case.signed_on = date(2025, 9, 1)
        session.add(
            AgreementRow(
                case_id=case.id,
                number="苏证调〔2025〕第0001号",
                amount=fixture.agreed[0],
                fingerprint="f" * 64,
                created_at=case.updated_at,
                effective_on=date(2025, 9, 1),
            )
        )
    applied = record_confirmation(
        any_database, "(2025)苏01民诉前调3100号", applied=date(2025, 9, 10), actor="t"
    )
    assert applied.status == "confirmation_applied"
    # 民诉法 §85: 30 days from 2025-09-01 end on 10-01, inside the National Day break: next working day.
    assert applied.window is not None and applied.window.end == date(2025, 10, 9) and applied.window.shifted

    with pytest.raises(ValidationError, match="民特"):
        record_confirmation(
            any_database,
            fixture.case_numbers[0],
            ruling="（2025）苏01民初88号",
            ruling_date=date(2025, 9, 20),
            actor="t",
        )
    with pytest.raises(ValidationError, match="早于申请日期"):
        record_confirmation(
            any_database,
            fixture.case_numbers[0],
            ruling="（2025）苏01民特88号",
            ruling_date=date(2025, 9, 9),
            actor="t",
        )

    ruled = record_confirmation(
        any_database,
        fixture.case_numbers[0],
        ruling="(2025)苏01民特88号",
        ruling_date=date(2025, 9, 20),
        actor="t",
    )
    assert (ruled.status, ruled.ruling_number, ruled.ruling_date) == (
        "confirmed",
        "（2025）苏01民特88号",
        date(2025, 9, 20),
    )
    with any_database.session() as session:
        row = session.scalars(select(JudicialConfirmationRow)).one()
        case = session.get(CaseRow, fixture.case_ids[0])
        assert (row.application_date, row.ruling_date) == (date(2025, 9, 10), date(2025, 9, 20))
        assert case is not None and case.confirmed_on == date(2025, 9, 20)


def test_ruling_before_application_is_refused(database: Database) -> None:
    fixture = make_batch(database, names=("陈赟",), status="signed", case_type=PRE_FILING)
    with pytest.raises(UserError, match="须先登记司法确认申请"):
        record_confirmation(
            database,
            fixture.case_numbers[0],
            ruling="（2025）苏01民特88号",
            ruling_date=date(2025, 9, 20),
            actor="t",
        )
    with database.session() as session:
        assert session.scalars(select(JudicialConfirmationRow)).all() == []


def test_run_reports_each_cases_window(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("陈赟", "刘翀"), status="signed", case_type=PRE_FILING)
    first = write_confirmation_applications(database, 15, tmp_path / "a")
    assert first.windows == []  # no signed copy imported yet: the effective date is unknown
    with database.transaction() as session:
        agreement = session.scalars(
            select(AgreementRow).where(AgreementRow.case_id == fixture.case_ids[1])
        ).one()
        agreement.effective_on = date(2025, 9, 1)
    second = write_confirmation_applications(database, 15, tmp_path / "b", today=date(2025, 9, 5))
    case_number, window = second.earliest_window()  # type: ignore[misc]
    assert (case_number, window.end) == (fixture.case_numbers[1], date(2025, 10, 9))
    assert "最早的申请期限：2025年10月9日" in second.summary()


def test_filed_cases_get_no_confirmation_application(database: Database, tmp_path: Path) -> None:
    filed = make_batch(database, names=("王喆",), status="signed")  # 民初: a filed case
    with pytest.raises(UserError) as refused:
        write_confirmation_applications(database, 15, tmp_path / "filed")
    assert "第15批没有已签署、待司法确认的案件" in str(refused.value)
    assert filed.case_numbers[0] in str(refused.value) and "民事调解书" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_filed_case_cannot_record_a_confirmation(any_database: Database) -> None:
    """A 民初 case ends in a 民事调解书 or a withdrawal: its application date and ruling are refused
    with the way to go (court-request), and nothing changes."""
    fixture = make_batch(any_database, names=("王喆",), status="signed")  # 民初: a filed case
    refusals = []
    for values in (
        {"applied": date(2025, 9, 10)},
        {"ruling": "（2025）苏01民特88号", "ruling_date": date(2025, 9, 20)},
    ):
        with pytest.raises(UserError) as refused:
            record_confirmation(any_database, fixture.case_numbers[0], actor="t", **values)  # type: ignore[arg-type]
        refusals.append(str(refused.value))
    for message in refusals:
        assert fixture.case_numbers[0] in message and "court-request" in message and "民事调解书" in message
    with any_database.session() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None and (case.status, case.confirmation_applied_on) == ("signed", None)
        assert session.scalars(select(JudicialConfirmationRow)).all() == []
