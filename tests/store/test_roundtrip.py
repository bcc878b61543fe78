"""Every table written and read back on SQLite and PostgreSQL: amounts, rare names, times survive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from mediator.store.database import Database
from mediator.store.tables import (
    AgreementRow,
    AuditEventRow,
    BatchRow,
    CalendarOverrideRow,
    CaseRow,
    ContactAttemptRow,
    InstallmentRow,
    InvestorRow,
    JudicialConfirmationRow,
    ListedCompanyRow,
    MediatorRow,
    SettingRow,
    SigningRow,
)

BEIJING = timezone(timedelta(hours=8))
SIGNED_AT = datetime(2024, 6, 17, 14, 5, 9, 123456, tzinfo=BEIJING)


def _seed(db: Database) -> dict[str, int]:
    """One row in every table, linked together; returns the ids."""
    now = datetime(2024, 5, 20, 2, 30, tzinfo=UTC)
    with db.transaction() as session:
        mediator = MediatorRow(name="吴彧", phone="15251879753")
        company = ListedCompanyRow(
            name="江苏华辰智能科技股份有限公司",
            stock_code="603917",
            exchange="SSE",
            uscc="91320100MA1MXK3P7W",
        )
        session.add_all([mediator, company])
        session.flush()
        batch = BatchRow(number=15, referral_date=date(2025, 3, 3), company_id=company.id, created_at=now)
        investor = InvestorRow(name="张䶮", id_number="320106198507153216", phone="13812345678")
        rare = InvestorRow(name="𠇔喆·阿依古丽", id_number="11010519491231002X")
        session.add_all([batch, investor, rare])
        session.flush()
        case = CaseRow(
            case_number="（2025）苏01民初3100号",
            batch_id=batch.id,
            investor_id=investor.id,
            company_id=company.id,
            mediator_id=mediator.id,
            claimed_amount=Decimal("98765432109.87"),
            agreed_amount=Decimal("0.01"),
            status="signed",
            referred_on=date(2025, 3, 3),
            signed_on=date(2025, 3, 28),
            signed_at=SIGNED_AT,
            updated_at=now,
        )
        session.add(case)
        session.flush()
        agreement = AgreementRow(
            case_id=case.id,
            number="苏证调〔2025〕第0001号",
            amount=Decimal("1234567.89"),
            fingerprint="a" * 64,
            created_at=now,
            effective_on=date(2025, 3, 28),
        )
        session.add(agreement)
        session.flush()
        session.add_all(
            [
                SigningRow(
                    agreement_id=agreement.id, field_name="investor", signer="张䶮", signed_at=SIGNED_AT,
                    imported_at=now,
                ),
                JudicialConfirmationRow(
                    case_id=case.id, application_date=date(2025, 4, 2), ruling_number="（2025）苏01民特88号"
                ),
                InstallmentRow(
                    case_id=case.id, sequence=1, due_date=date(2025, 5, 6), amount=Decimal("617283.95"),
                    paid_on=date(2025, 5, 6), paid_amount=Decimal("617283.95"),
                ),
                ContactAttemptRow(
                    case_id=case.id, at=SIGNED_AT, channel="phone", outcome="reached", note="已告知",
                    mediator_id=mediator.id,
                ),
                AuditEventRow(
                    at=now, actor="吴彧", action="transition", case_id=case.id, batch_id=batch.id,
                    seq=1, prev_hash="0" * 64, hash="f" * 64,
                ),
                CalendarOverrideRow(day=date(2027, 10, 1), is_working_day=False, note="国庆节"),
                SettingRow(key="signing.strict", value="true"),
            ]
        )  # fmt: skip
        return {"case": case.id, "rare": rare.id, "agreement": agreement.id}  # type: ignore[dict-item]


def test_every_table_round_trips(any_database: Database) -> None:
    ids = _seed(any_database)
    with any_database.session() as session:
        case = session.get(CaseRow, ids["case"])
        assert case is not None
        assert case.claimed_amount == Decimal("98765432109.87")
        assert isinstance(case.claimed_amount, Decimal)
        assert case.agreed_amount == Decimal("0.01")
        assert case.case_number == "（2025）苏01民初3100号"
        # Stored as UTC, the same instant comes back, aware.
        assert case.signed_at == SIGNED_AT
        assert case.signed_at is not None and case.signed_at.utcoffset() == timedelta(0)
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None and investor.name == "张䶮"
        rare = session.get(InvestorRow, ids["rare"])
        assert rare is not None and rare.name == "𠇔喆·阿依古丽"
        agreement = session.get(AgreementRow, ids["agreement"])
        assert agreement is not None and agreement.amount == Decimal("1234567.89")
        assert agreement.number == "苏证调〔2025〕第0001号"
        signing = session.scalars(select(SigningRow)).one()
        assert (signing.signer, signing.signed_at) == ("张䶮", SIGNED_AT)
        confirmation = session.scalars(select(JudicialConfirmationRow)).one()
        assert confirmation.ruling_number == "（2025）苏01民特88号"
        installment = session.scalars(select(InstallmentRow)).one()
        assert installment.paid_amount == Decimal("617283.95")
        contact = session.scalars(select(ContactAttemptRow)).one()
        assert contact.at == SIGNED_AT and contact.note == "已告知"
        event = session.scalars(select(AuditEventRow)).one()
        assert (event.actor, event.case_id) == ("吴彧", case.id)
        override = session.get(CalendarOverrideRow, date(2027, 10, 1))
        assert override is not None and override.is_working_day is False
        setting = session.get(SettingRow, "signing.strict")
        assert setting is not None and setting.value == "true"
        company = session.get(ListedCompanyRow, case.company_id)
        assert company is not None and company.uscc == "91320100MA1MXK3P7W"


def test_money_sums_stay_exact(any_database: Database) -> None:
    """A SUM over Money comes back as exact Decimal yuan on both databases (no float on the way)."""
    ids = _seed(any_database)
    with any_database.transaction() as session:
        case = session.get(CaseRow, ids["case"])
        assert case is not None
        rows: list[dict[str, Any]] = [
            {"case_id": case.id, "sequence": n + 2, "due_date": date(2025, 6, 1), "amount": Decimal("0.10")}
            for n in range(3)
        ]
        session.execute(insert(InstallmentRow), rows)
    from sqlalchemy import func

    with any_database.session() as session:
        total = session.scalar(select(func.sum(InstallmentRow.amount)))
    assert total == Decimal("617284.25")


def test_money_refuses_float(database: Database) -> None:
    with pytest.raises(Exception, match="float"), database.transaction() as session:
        session.execute(
            insert(InstallmentRow),
            [{"case_id": 1, "sequence": 1, "due_date": date(2025, 1, 1), "amount": 0.1}],
        )


def test_case_number_is_unique(any_database: Database) -> None:
    ids = _seed(any_database)
    with any_database.session() as session:
        case = session.get(CaseRow, ids["case"])
        assert case is not None
        duplicate = case.model_dump(exclude={"id"})
    with pytest.raises(IntegrityError), any_database.transaction() as session:
        session.execute(insert(CaseRow), [duplicate])
    with any_database.session() as session:
        assert len(session.scalars(select(CaseRow)).all()) == 1


def test_foreign_keys_are_enforced(any_database: Database) -> None:
    with pytest.raises(IntegrityError), any_database.transaction() as session:
        session.execute(
            insert(InstallmentRow),
            [{"case_id": 4242, "sequence": 1, "due_date": date(2025, 1, 1), "amount": Decimal("1")}],
        )


def test_sqlite_runs_in_wal_mode_with_foreign_keys(database: Database) -> None:
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
