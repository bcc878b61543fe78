"""The demo year: the court's published figures, valid people and companies, a plausible workflow."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from mediator.demo.first_year import is_empty, load_demo
from mediator.domain.referral_kinds import ReferralKind, referral_kind
from mediator.domain.validators import (
    canonical_case_number,
    validate_mobile,
    validate_resident_id,
    validate_stock_code,
    validate_uscc,
)
from mediator.domain.workflow import STATUS_ORDER, STEP_DATE_FIELD, CaseStatus
from mediator.errors import Cancelled, UserError
from mediator.services.progress import Progress
from mediator.services.reporting.stats import compute_stats
from mediator.store.database import Database, open_database
from mediator.store.tables import (
    AgreementRow,
    AuditEventRow,
    BatchRow,
    CaseRow,
    ContactAttemptRow,
    InstallmentRow,
    InvestorRow,
    JudicialConfirmationRow,
    ListedCompanyRow,
    MediatorRow,
)

MAIN_LINE = [s for s in STATUS_ORDER if s not in (CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT)]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One demo database shared by the read-only checks of this module."""
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    with db.transaction() as session:
        load_demo(session)
    yield db
    db.dispose()


@pytest.fixture
def session(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as session:
        yield session


def test_reproduces_the_first_year_figures(session: Session) -> None:
    stats = compute_stats(session)
    assert (stats.batches, stats.companies, stats.investors, stats.cases) == (14, 4, 645, 645)
    assert stats.claimed_total > Decimal("100000000")
    assert stats.paid_total > Decimal("45000000")
    assert stats.agreed_total >= stats.paid_total
    numbers = session.scalars(select(BatchRow.number).order_by(BatchRow.number)).all()
    assert numbers == list(range(1, 15))
    first, last = session.execute(
        select(func.min(BatchRow.referral_date), func.max(BatchRow.referral_date))
    ).one()
    assert date(2024, 5, 1) <= first < date(2024, 6, 1)
    assert date(2025, 5, 1) <= last < date(2025, 6, 1)
    assert len(session.scalars(select(MediatorRow)).all()) in (5, 6)
    extended = session.scalars(select(BatchRow).where(BatchRow.extension_days > 0)).all()
    assert extended and all(batch.extension_reason for batch in extended)


def test_a_cancelled_load_writes_nothing(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'cancel.db'}")
    progress = Progress()
    progress.cancel()
    try:
        with pytest.raises(Cancelled), db.transaction() as session:
            load_demo(session, progress=progress)
        with db.session() as session:
            assert is_empty(session)
    finally:
        db.dispose()


def test_statuses_are_spread_plausibly(session: Session) -> None:
    by_status = compute_stats(session).by_status
    for status in (CaseStatus.PAID, CaseStatus.CONFIRMED, CaseStatus.MEDIATING, CaseStatus.RETURNED_TO_COURT):
        assert by_status[status] > 0, status
    per_batch: dict[int, Counter[str]] = defaultdict(Counter)
    for number, status in session.execute(
        select(BatchRow.number, CaseRow.status).join(BatchRow, CaseRow.batch_id == BatchRow.id)
    ):
        per_batch[number][status] += 1
    # The oldest batch is mostly settled and paid; the newest one is still being contacted.
    oldest = per_batch[1]
    assert oldest["paid"] / oldest.total() > 0.6
    newest = per_batch[14]
    early = {"referred", "contacted", "mediating"}
    assert set(newest) <= early | {"agreed", "failed"}
    assert sum(newest[s] for s in early) / newest.total() > 0.8
    failed = session.scalars(
        select(CaseRow).where(CaseRow.status.in_(["failed", "returned_to_court"]))  # type: ignore[attr-defined]
    ).all()
    assert failed and all(case.failure_reason and case.failed_on for case in failed)
    assert len({case.failure_reason for case in failed}) >= 3


def test_people_and_companies_pass_the_validators(session: Session) -> None:
    investors = session.scalars(select(InvestorRow)).all()
    assert len({i.id_number for i in investors}) == 645
    for investor in investors:
        assert validate_resident_id(investor.id_number) == investor.id_number
        assert investor.phone is not None and validate_mobile(investor.phone) == investor.phone
        assert investor.securities_account and re.fullmatch(r"[A0]\d{9}", investor.securities_account)
    assert len({i.phone for i in investors}) == 645
    names = "".join(i.name for i in investors)
    for rare in "䶮堃喆赟翀彧":
        assert rare in names, rare
    assert any("·" in i.name for i in investors)
    assert sum(i.id_number.startswith("32") for i in investors) > 500  # mostly Jiangsu residents
    for company in session.scalars(select(ListedCompanyRow)):
        assert company.uscc and validate_uscc(company.uscc) == company.uscc
        assert company.stock_code and validate_stock_code(company.stock_code) == (
            company.stock_code,
            company.exchange,
        )
        assert company.legal_representative and company.address and company.payment_method
        # The facts an agreement states and where the money goes (no contradicting defaults).
        assert company.stock_name and company.decision and company.receiving_account and company.phone
        assert company.implemented_on and company.disclosed_on
        assert company.implemented_on < company.disclosed_on < date(2024, 5, 15)  # before the court opened


def test_securities_accounts_match_the_exchange(session: Session) -> None:
    rows = session.execute(
        select(InvestorRow.securities_account, ListedCompanyRow.exchange)
        .join(CaseRow, CaseRow.investor_id == InvestorRow.id)
        .join(ListedCompanyRow, CaseRow.company_id == ListedCompanyRow.id)
    ).all()
    for account, exchange in rows:
        assert account[0] == ("A" if exchange == "SSE" else "0")


def test_case_numbers_are_canonical_and_unique(session: Session) -> None:
    numbers = session.scalars(select(CaseRow.case_number)).all()
    assert len(set(numbers)) == 645
    for number in numbers:
        assert canonical_case_number(number) == number
        assert re.fullmatch(r"（202[45]）苏01民诉前调\d+号", number)  # pre-filing referrals (委派)
        assert referral_kind(number) is ReferralKind.PRE_FILING  # so signed cases apply for 司法确认


def test_step_dates_follow_the_workflow(session: Session) -> None:
    for case in session.scalars(select(CaseRow)):
        status = CaseStatus(case.status)
        assert getattr(case, STEP_DATE_FIELD[status]) is not None, case.case_number
        dates = [getattr(case, STEP_DATE_FIELD[s]) for s in MAIN_LINE]
        present = [d for d in dates if d is not None]
        assert present == sorted(present), case.case_number
        if status in MAIN_LINE:
            # Nothing recorded for steps the case has not reached.
            later = MAIN_LINE[MAIN_LINE.index(status) + 1 :]
            assert all(getattr(case, STEP_DATE_FIELD[s]) is None for s in later), case.case_number
        else:
            assert case.failed_on is not None and case.failed_on >= max(present)
            if case.returned_on:
                assert case.returned_on >= case.failed_on
        for day in [*present, case.failed_on, case.returned_on]:
            if day is not None:
                assert date(2024, 5, 1) <= day <= date(2025, 5, 31)
        if status in MAIN_LINE[MAIN_LINE.index(CaseStatus.AGREED) :]:
            assert case.agreed_amount is not None
            assert (
                Decimal("0.44") * case.claimed_amount
                <= case.agreed_amount
                <= Decimal("0.61") * case.claimed_amount
            )


def test_documents_and_payments_match_the_status(session: Session) -> None:
    signed_or_later = {s.value for s in MAIN_LINE[MAIN_LINE.index(CaseStatus.SIGNED) :]}
    applied_or_later = {s.value for s in MAIN_LINE[MAIN_LINE.index(CaseStatus.CONFIRMATION_APPLIED) :]}
    cases = {case.id: case for case in session.scalars(select(CaseRow))}
    agreements = {a.case_id: a for a in session.scalars(select(AgreementRow))}
    assert set(agreements) == {i for i, c in cases.items() if c.status in signed_or_later}
    for case_id, agreement in agreements.items():
        assert agreement.amount == cases[case_id].agreed_amount
        assert re.fullmatch(r"[0-9a-f]{64}", agreement.fingerprint)
        assert re.fullmatch(r"苏证调〔202[45]〕第\d{4}号", agreement.number)
    confirmations = {j.case_id: j for j in session.scalars(select(JudicialConfirmationRow))}
    assert set(confirmations) == {i for i, c in cases.items() if c.status in applied_or_later}
    for case_id, confirmation in confirmations.items():
        confirmed = cases[case_id].confirmed_on
        assert (confirmation.ruling_number is not None) == (confirmed is not None)
        if confirmation.ruling_number:
            assert re.fullmatch(r"（202[45]）苏01民特\d+号", confirmation.ruling_number)
    plans: dict[int, list[InstallmentRow]] = defaultdict(list)
    for installment in session.scalars(select(InstallmentRow).order_by(InstallmentRow.sequence)):
        plans[installment.case_id].append(installment)
    assert set(plans) == set(agreements)
    assert {len(plan) for plan in plans.values()} == {1, 2, 3}
    for case_id, plan in plans.items():
        case = cases[case_id]
        assert sum(i.amount for i in plan) == case.agreed_amount
        paid = sum(i.paid_amount or Decimal(0) for i in plan)
        if case.status == "paid":
            assert paid == case.agreed_amount
        elif case.status == "partially_paid":
            assert 0 < paid < case.agreed_amount
        else:
            assert paid == 0


def test_history_and_contacts_are_recorded(session: Session) -> None:
    contacted = session.scalar(
        select(func.count()).select_from(CaseRow).where(CaseRow.contacted_on.is_not(None))
    )  # type: ignore[union-attr]
    reached = session.scalar(
        select(func.count(func.distinct(ContactAttemptRow.case_id))).where(
            ContactAttemptRow.outcome == "reached"
        )
    )
    assert reached == contacted
    transitions = session.scalar(
        select(func.count()).select_from(AuditEventRow).where(AuditEventRow.action == "transition")
    )
    assert transitions and transitions > 645 * 3
    # Audit details never carry an ID or phone number.
    for detail in session.scalars(select(AuditEventRow.detail)):
        assert not re.search(r"\d{11}", detail or "")


def test_loading_twice_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'twice.db'}")
    try:
        with db.session() as session:
            assert is_empty(session)
        with db.transaction() as session:
            first = load_demo(session)
        assert "645" in first.summary() and "14" in first.summary()
        with db.session() as session:
            assert not is_empty(session)
            before = compute_stats(session).as_json()
        with pytest.raises(UserError, match="--reset"), db.transaction() as session:
            load_demo(session)
        with db.session() as session:
            assert compute_stats(session).as_json() == before
        with db.transaction() as session:
            load_demo(session, reset=True)
        with db.session() as session:
            assert compute_stats(session).as_json() == before
            assert session.scalar(select(func.count()).select_from(CaseRow)) == 645
    finally:
        db.dispose()


def test_two_loads_are_identical(any_database: Database, demo_db: Database) -> None:
    """Deterministic on either database: same figures, same people, same case numbers."""
    with any_database.transaction() as session:
        load_demo(session)

    def fingerprint(db: Database) -> tuple[object, ...]:
        with db.session() as session:
            return (
                compute_stats(session).as_json(),
                sorted(
                    session.execute(select(CaseRow.case_number, CaseRow.status, CaseRow.agreed_amount)).all()
                ),
                sorted(session.execute(select(InvestorRow.name, InvestorRow.id_number)).all()),
            )

    assert fingerprint(any_database) == fingerprint(demo_db)


def test_demo_agreements_carry_the_fingerprint_their_pdf_prints(session: Session) -> None:
    """Signed copies of demo agreements must match their cases in signed-import."""
    from mediator.services.documents.data import load_case_documents

    stored = {a.case_id: a.fingerprint for a in session.scalars(select(AgreementRow))}
    documents = load_case_documents(session, case_ids=list(stored), save=False)
    assert len(documents) == len(stored) > 400
    assert all(stored[d.case_id] == d.data.fingerprint() for d in documents)
