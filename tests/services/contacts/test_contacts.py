"""The contact round of a batch: the SMS notice list, call-backs one by one and in bulk, reach rates
and the cases proposed for failure (无法联系)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select, update

from mediator.domain.contacts import ContactOutcome, UnreachableRule
from mediator.errors import EnvironmentProblem, NotFoundError, UserError, ValidationError
from mediator.services.contacts import sms as sms_module
from mediator.services.contacts.attempts import (
    log_contacts,
    record_contact_attempt,
    set_unreachable_rule,
    unreachable_rule_setting,
)
from mediator.services.contacts.reach import load_failure_proposals, load_reach_rates
from mediator.services.contacts.sms import export_sms_list
from mediator.services.documents import templates
from mediator.services.outputs import staging
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, CaseRow, ContactAttemptRow, InvestorRow, MediatorRow
from tests.fixtures.document_factories import DocumentFixture, make_batch

NAMES = ("张䶮", "李堃", "王喆", "阿依古丽·买买提")


@pytest.fixture
def database(any_database: Database) -> Database:
    """These tests run on SQLite and on PostgreSQL."""
    return any_database


@pytest.fixture
def batch(database: Database) -> DocumentFixture:
    """Four investors of 第15批 still in mediation, mediator 孙调解 (13900001111)."""
    return make_batch(database, names=NAMES, agreed=(None,) * len(NAMES))


def _attempts(database: Database) -> list[tuple[int, str, str]]:
    with database.session() as session:
        rows = session.execute(
            select(ContactAttemptRow.case_id, ContactAttemptRow.channel, ContactAttemptRow.outcome)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    return folder


def test_sms_list_is_written_from_the_template_and_recorded_as_sent(
    database: Database, batch: DocumentFixture, tmp_path: Path
) -> None:
    with database.transaction() as session:  # one investor has no mobile number
        case = session.get(CaseRow, batch.case_ids[3])
        assert case is not None
        session.execute(update(InvestorRow).where(InvestorRow.id == case.investor_id).values(phone=None))
    out = _folder(tmp_path) / "短信名单.xlsx"
    result = export_sms_list(database, "第15批", out, actor="周", on=date(2025, 3, 10))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["手机号码", "姓名", "案号", "调解员", "短信内容"]
    assert [row[0] for row in rows[1:]] == batch.phones[:3]  # full numbers: the gateway dials them
    assert all(isinstance(cell, str) for row in rows for cell in row)
    text = rows[1][4]
    for part in ("张䶮您好", batch.case_numbers[0], "孙调解", "13900001111", "3月10日", "南京市中级人民法院"):
        assert part in text
    assert _attempts(database) == [(case_id, "sms", "sent") for case_id in batch.case_ids[:3]]
    assert result.skipped == [batch.case_numbers[3]]
    assert "3 条" in result.summary() and batch.case_numbers[3] in result.summary()
    assert [p.name for p in out.parent.iterdir()] == ["短信名单.xlsx"]  # no temporary left over


def test_the_template_is_edited_without_code(
    database: Database, batch: DocumentFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "sms_notice.toml").write_text('text = "{name}，请于{date}前回电{mediator_phone}。"\n', "utf-8")
    monkeypatch.setattr(templates, "TEMPLATE_DIR", folder)
    export_sms_list(database, 15, tmp_path / "a.xlsx", actor="周", on=date(2025, 3, 10))
    rows = CalamineWorkbook.from_path(str(tmp_path / "a.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[1][4] == "张䶮，请于3月10日前回电13900001111。"
    (folder / "sms_notice.toml").write_text('text = "{姓名}您好"\n', "utf-8")
    with pytest.raises(UserError, match="未知的占位符"):
        export_sms_list(database, 15, tmp_path / "b.xlsx", actor="周")
    assert not (tmp_path / "b.xlsx").exists()


def test_sms_list_refusals_write_and_record_nothing(
    database: Database, batch: DocumentFixture, tmp_path: Path
) -> None:
    out = _folder(tmp_path) / "名单.xlsx"
    with pytest.raises(UserError, match=r"\.xlsx"):
        export_sms_list(database, 15, out.with_suffix(".csv"), actor="周")
    with pytest.raises(NotFoundError, match="没有第16批"):
        export_sms_list(database, 16, out, actor="周")
    with database.transaction() as session:
        session.execute(update(CaseRow).where(CaseRow.id == batch.case_ids[1]).values(mediator_id=None))
    with pytest.raises(UserError, match=f"还没有分配调解员.*{batch.case_numbers[1]}"):
        export_sms_list(database, 15, out, actor="周")
    with database.transaction() as session:
        session.execute(update(CaseRow).values(mediator_id=1))
        session.execute(update(MediatorRow).values(phone=None))
    with pytest.raises(UserError, match="孙调解没有登记电话"):
        export_sms_list(database, 15, out, actor="周")
    assert _attempts(database) == [] and list(out.parent.iterdir()) == []


def test_a_database_failure_leaves_no_file(
    database: Database, batch: DocumentFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(sms_module, "audit", broken)
    with pytest.raises(RuntimeError):
        export_sms_list(database, 15, _folder(tmp_path) / "x.xlsx", actor="周")
    assert list((tmp_path / "out").iterdir()) == [] and _attempts(database) == []


def test_a_failed_rename_says_where_the_list_is(
    database: Database, batch: DocumentFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(staging.os, "replace", refused)  # the rename after the commit
    with pytest.raises(EnvironmentProblem, match="短信名单已记录") as failure:
        export_sms_list(database, 15, _folder(tmp_path) / "x.xlsx", actor="周")
    [kept] = list((tmp_path / "out").iterdir())
    assert str(kept) in str(failure.value) and kept.suffix == ".part"
    assert len(_attempts(database)) == 4  # recorded: the list itself is complete in the kept file


def test_call_backs_in_bulk_are_all_or_nothing(database: Database, batch: DocumentFixture) -> None:
    typed = [n.replace("（", "(").replace("）", ")") for n in batch.case_numbers[:2]]
    with pytest.raises(NotFoundError, match="（2025）苏01民初9999号"):
        log_contacts(database, [*typed, "（2025）苏01民初9999号"], outcome="未接听", actor="周")
    with pytest.raises(ValidationError, match="未知的联系结果"):
        log_contacts(database, typed, outcome="maybe", actor="周")
    with pytest.raises(UserError, match="短信通知名单"):
        log_contacts(database, typed, outcome="sent", actor="周")
    assert _attempts(database) == []
    at = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    result = log_contacts(
        database, typed, outcome="未接听", channel="电话", at=at, note="无人接听", actor="周"
    )
    assert result.summary() == "已为 2 件案件记录联系：电话，未接听。"
    assert _attempts(database) == [
        (batch.case_ids[0], "phone", "no_answer"),
        (batch.case_ids[1], "phone", "no_answer"),
    ]
    one = log_contacts(database, [typed[0]], outcome="agreed", actor="周")
    assert one.summary() == f"已记录{batch.case_numbers[0]}的联系：电话，同意调解。"
    with database.session() as session:
        details = session.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == "contact")).all()
    assert details == ["phone: no_answer", "phone: no_answer", "phone: agreed"]


def test_a_single_attempt_from_the_case_panel(database: Database, batch: DocumentFixture) -> None:
    state = record_contact_attempt(
        database,
        batch.case_ids[0],
        channel="wechat",
        outcome="refused",
        at=datetime.now(UTC),
        note=None,
        actor="周",
    )
    assert state.case_number == batch.case_numbers[0]
    with pytest.raises(ValidationError, match="时区"):
        record_contact_attempt(
            database,
            batch.case_ids[0],
            channel="phone",
            outcome="reached",
            at=datetime(2025, 3, 4),  # noqa: DTZ001 - the refusal under test
            note=None,
            actor="周",
        )
    with pytest.raises(NotFoundError):
        record_contact_attempt(
            database, 10**6, channel="phone", outcome="reached", at=datetime.now(UTC), note=None, actor="周"
        )


def test_reach_rates_per_batch_and_mediator(
    database: Database, batch: DocumentFixture, tmp_path: Path
) -> None:
    export_sms_list(database, 15, tmp_path / "s.xlsx", actor="周")
    numbers = batch.case_numbers
    log_contacts(database, numbers[:3], outcome="no_answer", actor="周")
    log_contacts(database, numbers[:1], outcome="已接通", actor="周")
    log_contacts(database, numbers[1:2], outcome="拒绝调解", actor="周")
    report = load_reach_rates(database, batch="第15批")
    assert [(r.label, r.cases, r.attempted, r.reached, str(r.rate)) for r in report.by_batch] == [
        ("第15批", 4, 4, 2, "50.0")
    ]
    assert [(r.label, r.reached) for r in report.by_mediator] == [("孙调解", 2)]
    assert "接通率 50.0%" in report.summary()
    assert report.as_json()["by_batch"][0]["rate"] == "50.0"
    with pytest.raises(NotFoundError):
        load_reach_rates(database, batch=99)


def test_unreachable_cases_are_proposed_not_failed(database: Database, batch: DocumentFixture) -> None:
    first = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
    for day in (0, 3, 7):
        log_contacts(
            database, batch.case_numbers[:2], outcome="未接听", at=first + timedelta(days=day), actor="周"
        )
    log_contacts(
        database, batch.case_numbers[1:2], outcome="已接通", at=first + timedelta(days=8), actor="周"
    )
    proposals = load_failure_proposals(database, today=date(2025, 3, 12))
    assert [(p.case_number, p.attempts, p.reason.label) for p in proposals.proposals] == [
        (batch.case_numbers[0], 3, "无法联系")
    ]
    assert "建议以“无法联系”终止调解的案件 1 件" in proposals.summary()
    assert load_failure_proposals(database, today=date(2025, 3, 10)).proposals == []  # 6 days only
    strict = load_failure_proposals(
        database, today=date(2025, 3, 12), rule=UnreachableRule(attempts=4, days=7)
    )
    assert strict.proposals == [] and "没有建议" in strict.summary()
    with database.session() as session:
        assert session.get(CaseRow, batch.case_ids[0]).status == "mediating"  # type: ignore[union-attr]


def test_the_rule_is_a_team_setting(database: Database) -> None:
    assert unreachable_rule_setting(database) == UnreachableRule(attempts=3, days=7)
    set_unreachable_rule(database, attempts=5, days=10, actor="管理员")
    assert unreachable_rule_setting(database) == UnreachableRule(attempts=5, days=10)
    with pytest.raises(ValidationError):
        set_unreachable_rule(database, attempts=0, days=10, actor="管理员")
    assert unreachable_rule_setting(database).attempts == 5
    assert ContactOutcome("sent").label == "短信已发送"
