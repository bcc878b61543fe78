"""Case use cases: transitions, edits, contacts, payments, term extension, finding a batch."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from mediator.domain.clock import china_today
from mediator.domain.deadlines import mediation_term
from mediator.domain.validators import make_resident_id
from mediator.domain.workflow import STATUS_ORDER, STEP_DATE_FIELD, TRANSITIONS, CaseStatus
from mediator.errors import NotFoundError, TransitionError, UserError, ValidationError
from mediator.services.calendar import (
    calendar_warning,
    load_work_calendar,
    parse_day,
    set_calendar_override,
    work_calendar,
)
from mediator.services.cases.changes import (
    CaseState,
    change_status,
    extend_mediation_term,
    find_batch,
    transition_case,
    update_case_fields,
)
from mediator.services.contacts.attempts import record_contact_attempt
from mediator.store.database import Database
from mediator.store.tables import (
    AuditEventRow,
    BatchRow,
    CaseRow,
    ContactAttemptRow,
    InstallmentRow,
    InvestorRow,
    ListedCompanyRow,
    MediatorRow,
)

REFERRED = date(2025, 3, 3)
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def _make_case(session: Session, status: CaseStatus = CaseStatus.REFERRED, **fields: Any) -> CaseRow:
    """A case in ``status`` with every earlier step dated one day apart (batch 第15批)."""
    company = session.scalar(select(ListedCompanyRow))
    if company is None:
        company = ListedCompanyRow(name="江苏华辰智能科技股份有限公司")
        session.add(company)
        session.add(MediatorRow(name="吴彧"))
        session.flush()
        session.add(BatchRow(number=15, referral_date=REFERRED, company_id=company.id, created_at=NOW))
        session.flush()
    batch = session.scalar(select(BatchRow))
    assert batch is not None
    count = session.scalar(select(func.count()).select_from(InvestorRow)) or 0
    id_number = make_resident_id("320106", date(1985, 7, 15), 501 + 2 * count)
    investor = InvestorRow(name="张䶮", id_number=id_number, phone="13812345678")
    session.add(investor)
    session.flush()
    values: dict[str, Any] = {
        "case_number": f"（2025）苏01民初{3100 + count}号",
        "batch_id": batch.id,
        "investor_id": investor.id,
        "company_id": company.id,
        "claimed_amount": Decimal("200000.00"),
        "status": status.value,
        "referred_on": REFERRED,
        "updated_at": NOW,
    }
    main_line = [s for s in STATUS_ORDER if s not in (CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT)]
    path = main_line[: main_line.index(status) + 1] if status in main_line else main_line[:3]
    if status is CaseStatus.RETURNED_TO_COURT:
        path = [*path, CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT]
    elif status is CaseStatus.FAILED:
        path = [*path, CaseStatus.FAILED]
    for offset, step in enumerate(path):
        values[STEP_DATE_FIELD[step]] = REFERRED + timedelta(days=offset)
    if status in main_line[main_line.index(CaseStatus.AGREED) :]:
        values["agreed_amount"] = Decimal("100000.00")
    if status in (CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT):
        values["failure_reason"] = "investor_declined"
    values.update(fields)
    case = CaseRow(**values)
    session.add(case)
    session.flush()
    return case


def _audit_count(session: Session, case_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AuditEventRow).where(AuditEventRow.case_id == case_id)
        )
        or 0
    )


ALLOWED = sorted((here, there) for here, targets in TRANSITIONS.items() for there in targets)


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{a.value}->{b.value}" for a, b in ALLOWED])
def test_every_allowed_transition_sets_its_date_and_is_audited(
    database: Database, current: CaseStatus, target: CaseStatus
) -> None:
    day = date(2025, 4, 1)
    with database.transaction() as session:
        # Marking a case agreed needs the amount the parties agreed on.
        extra = {"agreed_amount": Decimal("90000.00")} if target is CaseStatus.AGREED else {}
        case = _make_case(session, current, **extra)
        case_id = case.id
        assert case_id is not None
        if target is CaseStatus.PARTIALLY_PAID:
            # Partly paid means money came in: record some first.
            session.add(
                InstallmentRow(
                    case_id=case_id,
                    due_date=day,
                    amount=Decimal("100000"),
                    paid_amount=Decimal("1"),
                    paid_on=day,
                )
            )
        transition_case(
            session,
            case_id,
            target,
            actor="吴彧",
            on=day,
            failure_reason="unreachable",
            note="多次电话未接通",
        )
    with database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        assert case.status == target.value
        assert getattr(case, STEP_DATE_FIELD[target]) == day
        assert case.version == 2
        events = session.scalars(select(AuditEventRow).where(AuditEventRow.case_id == case_id)).all()
        assert [(e.actor, e.action) for e in events] == [("吴彧", "transition")]
        assert f"{current.value} → {target.value}" in (events[0].detail or "")
        if target is CaseStatus.FAILED:
            assert (case.failure_reason, case.failure_note) == ("unreachable", "多次电话未接通")


FORBIDDEN = [
    (CaseStatus.REFERRED, CaseStatus.AGREED),
    (CaseStatus.CONTACTED, CaseStatus.SIGNED),
    (CaseStatus.SIGNED, CaseStatus.FAILED),
    (CaseStatus.PAID, CaseStatus.REFERRED),
    (CaseStatus.RETURNED_TO_COURT, CaseStatus.CONTACTED),
    (CaseStatus.FAILED, CaseStatus.MEDIATING),
    (CaseStatus.CONFIRMED, CaseStatus.SIGNED),
]


@pytest.mark.parametrize(
    ("current", "target"), FORBIDDEN, ids=[f"{a.value}->{b.value}" for a, b in FORBIDDEN]
)
def test_forbidden_transitions_raise_and_change_nothing(
    any_database: Database, current: CaseStatus, target: CaseStatus
) -> None:
    with any_database.transaction() as session:
        case = _make_case(session, current)
        case_id, before = case.id, case.model_dump()
        assert case_id is not None
    with pytest.raises(TransitionError) as caught, any_database.transaction() as session:
        transition_case(session, case_id, target, actor="吴彧", on=date(2025, 4, 1), failure_reason="other")
    assert target.label in str(caught.value)
    with any_database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        assert case.model_dump() == before
        assert _audit_count(session, case_id) == 0


def test_agreed_needs_an_amount_and_failed_a_reason(database: Database) -> None:
    with database.transaction() as session:
        case_id = _make_case(session, CaseStatus.MEDIATING).id
        assert case_id is not None
    with pytest.raises(TransitionError, match="调解金额"):
        change_status(database, case_id, CaseStatus.AGREED, actor="吴彧")
    with pytest.raises(TransitionError, match="原因"):
        change_status(database, case_id, "failed", actor="吴彧")
    with pytest.raises(TransitionError, match="未知的案件状态"):
        change_status(database, case_id, "settled", actor="吴彧")
    update_case_fields(database, case_id, {"agreed_amount": "95,000元"}, actor="吴彧")
    state = change_status(database, case_id, CaseStatus.AGREED, actor="吴彧", on=date(2025, 3, 20))
    # A plain value, not a row bound to a closed session.
    assert isinstance(state, CaseState)
    assert (state.status, state.agreed_amount, state.step_dates[CaseStatus.AGREED]) == (
        CaseStatus.AGREED,
        Decimal("95000.00"),
        date(2025, 3, 20),
    )
    assert state.version == 3  # the edit, then the transition


def test_a_step_cannot_be_dated_before_the_previous_one(database: Database) -> None:
    with database.transaction() as session:
        case_id = _make_case(session, CaseStatus.CONTACTED).id  # contacted on 2025-03-04
        assert case_id is not None
        with pytest.raises(TransitionError, match="2025-03-04"):
            transition_case(session, case_id, CaseStatus.MEDIATING, actor="吴彧", on=date(2025, 3, 2))


@pytest.mark.parametrize("zone", ["Etc/GMT+12", "Etc/GMT-14"], ids=["20 h behind", "6 h ahead"])
def test_today_is_nanjings_day_whatever_the_machines_time_zone(
    database: Database, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """A PC or server left on another zone (a container on UTC) dated signings by Nanjing's day and
    then refused them as "a step in the future" until 08:00; and let a step be dated tomorrow."""
    saved = os.environ.get("TZ")
    monkeypatch.setenv("TZ", zone)
    time.tzset()  # between them, the two zones differ from Nanjing's day at any hour
    try:
        today = china_today()
        with database.transaction() as session:
            case_id = _make_case(session, CaseStatus.REFERRED).id
            assert case_id is not None
            transition_case(session, case_id, CaseStatus.CONTACTED, actor="吴彧", on=today)
            with pytest.raises(TransitionError, match="晚于今天"):
                transition_case(
                    session, case_id, CaseStatus.MEDIATING, actor="吴彧", on=today + timedelta(days=1)
                )
    finally:
        if saved is None:
            monkeypatch.delenv("TZ")
        else:
            monkeypatch.setenv("TZ", saved)
        time.tzset()


def test_unknown_case_is_not_found(database: Database) -> None:
    with pytest.raises(NotFoundError), database.transaction() as session:
        transition_case(session, 4242, CaseStatus.CONTACTED, actor="吴彧")


def test_stale_version_is_refused(any_database: Database) -> None:
    with any_database.transaction() as session:
        case_id = _make_case(session).id
        assert case_id is not None
    # Two mediators open the same case (version 1); the first one saves.
    first, second = any_database.session(), any_database.session()
    try:
        # The second one's window still holds the case as it was loaded (version 1).
        stale = second.get(CaseRow, case_id)
        assert stale is not None and stale.version == 1
        with first.begin():
            transition_case(first, case_id, CaseStatus.CONTACTED, actor="吴彧", expected_version=1)
        with pytest.raises(UserError, match="已被他人修改"):
            transition_case(second, case_id, CaseStatus.FAILED, actor="王建国", failure_reason="other")
        second.rollback()
        with pytest.raises(UserError, match="已被他人修改"), any_database.transaction() as session:
            transition_case(session, case_id, CaseStatus.MEDIATING, actor="王建国", expected_version=1)
    finally:
        first.close()
        second.close()
    with any_database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None and (case.status, case.version) == ("contacted", 2)
        assert _audit_count(session, case_id) == 1
    # The entry point refuses a stale version the same way, and writes nothing.
    with pytest.raises(UserError, match="已被他人修改"):
        change_status(any_database, case_id, CaseStatus.MEDIATING, actor="王建国", expected_version=1)
    assert (
        change_status(any_database, case_id, CaseStatus.MEDIATING, actor="王建国", expected_version=2).version
        == 3
    )


def test_editing_fields_validates_and_audits_names_only(any_database: Database) -> None:
    with any_database.transaction() as session:
        case_id = _make_case(session, CaseStatus.MEDIATING).id
        assert case_id is not None
    state = update_case_fields(
        any_database,
        case_id,
        {
            "agreed_amount": "１２,３４５.６７元",
            "investor_phone": "139 1234 5678",
            "investor_id_number": "32010619850715301x",
            "investor_agent": "  江苏苏源律师事务所   李律师 ",
            "claimed_amount": "200000",  # unchanged: not reported
        },
        actor="吴彧",
        expected_version=1,
    )
    assert state.agreed_amount == Decimal("12345.67") and state.version == 2
    with any_database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None
        assert (investor.phone, investor.id_number) == ("13912345678", "32010619850715301X")
        assert investor.agent == "江苏苏源律师事务所 李律师"
        event = session.scalars(select(AuditEventRow).where(AuditEventRow.case_id == case_id)).one()
        assert event.action == "edit"
        detail = event.detail or ""
        assert "investor_phone" in detail and "agreed_amount" in detail and "claimed_amount" not in detail
        assert "13912345678" not in detail and "3201061985" not in detail


def test_bad_edits_change_nothing(database: Database) -> None:
    with database.transaction() as session:
        case_id = _make_case(session, CaseStatus.SIGNED).id
        assert case_id is not None
    for changes, error in (
        ({"investor_phone": "1234"}, ValidationError),
        ({"investor_id_number": "320106198507153217"}, ValidationError),  # wrong check digit
        ({"agreed_amount": "90000"}, UserError),  # the agreement is signed
        ({"status": "paid"}, UserError),
    ):
        with pytest.raises(error):
            update_case_fields(database, case_id, {"investor_agent": "某律师", **changes}, actor="吴彧")
    with database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None and case.version == 1 and case.agreed_amount == Decimal("100000.00")
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None and investor.agent is None and investor.phone == "13812345678"


def test_contact_attempts_are_recorded(database: Database) -> None:
    beijing = timezone(timedelta(hours=8))
    with database.transaction() as session:
        case_id = _make_case(session).id
        assert case_id is not None
    record_contact_attempt(
        database,
        case_id,
        channel="phone",
        outcome="no_answer",
        at=datetime(2025, 3, 4, 9, 30, tzinfo=beijing),
        note="无人接听",
        actor="吴彧",
    )
    with pytest.raises(ValidationError):
        record_contact_attempt(
            database, case_id, channel="pigeon", outcome="reached", at=NOW, note=None, actor="吴彧"
        )
    with database.session() as session:
        attempt = session.scalars(select(ContactAttemptRow)).one()
        assert attempt.at == datetime(2025, 3, 4, 1, 30, tzinfo=UTC) and attempt.note == "无人接听"
        assert _audit_count(session, case_id) == 1


def test_term_extension_needs_a_reason_and_moves_the_deadline(database: Database) -> None:
    with database.transaction() as session:
        batch_id = _make_case(session).batch_id
    with pytest.raises(ValidationError, match="理由"):
        extend_mediation_term(database, "第15批", 15, "  ", actor="吴彧")
    extension = extend_mediation_term(database, 15, 15, "双方同意延长", actor="吴彧")
    assert (extension.batch_id, extension.batch_number, extension.days) == (batch_id, 15, 15)
    # The one sentence the CLI prints and the GUI shows in its status bar.
    assert extension.summary() == f"第15批的调解期限已延长15天，截止日为 {extension.term.end.isoformat()}。"
    with database.session() as session:
        batch = session.get(BatchRow, batch_id)
        assert batch is not None
        assert (batch.extension_days, batch.extension_reason) == (15, "双方同意延长")
        before = mediation_term(batch.referral_date, batch.term_days, 0)
        after = mediation_term(batch.referral_date, batch.term_days, batch.extension_days)
        assert after.nominal_end - before.nominal_end == timedelta(days=15)
        assert extension.term == mediation_term(
            batch.referral_date, batch.term_days, 15, load_work_calendar(session)
        )
        event = session.scalars(select(AuditEventRow).where(AuditEventRow.batch_id == batch_id)).one()
        assert event.action == "extend_term" and "双方同意延长" in (event.detail or "")


@pytest.mark.parametrize("text", ["第15批", "15", " 第１５批 ", "15批", 15])
def test_find_batch_accepts_how_people_write_it(database: Database, text: str | int) -> None:
    with database.transaction() as session:
        _make_case(session)
        assert find_batch(session, text).number == 15


def test_find_batch_explains_what_exists(database: Database) -> None:
    with database.transaction() as session:
        with pytest.raises(NotFoundError, match="还没有任何批次"):
            find_batch(session, "第3批")
        _make_case(session)
        with pytest.raises(NotFoundError, match=r"没有第3批.*第15批"):
            find_batch(session, "第3批")
        with pytest.raises(UserError, match="第15批"):
            find_batch(session, "十五")


def test_calendar_override_changes_deadlines(database: Database) -> None:
    # 2025-10-01 is National Day in the package data; an administrator may correct a day.
    assert not work_calendar(database).is_working_day(date(2025, 10, 1))
    set_calendar_override(database, parse_day("2025年10月1日"), True, "测试", actor="admin")
    calendar = work_calendar(database)
    assert calendar.is_working_day(date(2025, 10, 1))
    term = mediation_term(date(2025, 9, 1), 30, 0, calendar)
    assert term.end == date(2025, 10, 1) and calendar_warning(term) is None
    far = mediation_term(date(2099, 9, 1), 30, 0, calendar)
    warning = calendar_warning(far)
    assert warning is not None and "2099" in warning
    with pytest.raises(ValidationError):
        parse_day("2025-02-30")
