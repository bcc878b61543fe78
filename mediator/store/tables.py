"""The database tables (SQLModel). Migrations in ``mediator/store/migrations`` create them; never
``create_all`` outside tests of the migrations themselves.

Money columns use ``Money`` (integer fen in the database, ``Decimal`` in Python). Statuses are the
string values of ``mediator.domain.workflow.CaseStatus``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from mediator.store.types import Money


def _money(nullable: bool = True) -> Column[Decimal]:
    return Column(Money(), nullable=nullable)


class MediatorRow(SQLModel, table=True):
    """A mediator of the association (特邀调解员)."""

    __tablename__ = "mediator"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    active: bool = Field(default=True)


class ListedCompanyRow(SQLModel, table=True):
    """The defendant listed company (被告 / 上市公司)."""

    __tablename__ = "listed_company"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    stock_code: str | None = Field(default=None, max_length=10)
    exchange: str | None = Field(default=None, max_length=8)
    uscc: str | None = Field(default=None, max_length=18)
    legal_representative: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=200)
    counsel: str | None = Field(default=None, max_length=100)
    # Where the company pays agreed amounts from / how (shown in the agreement).
    payment_method: str | None = Field(default=None, max_length=200)
    stock_name: str | None = Field(default=None, max_length=20)  # 股票简称
    phone: str | None = Field(default=None, max_length=30)
    # The regulator's decision the claims rest on, and the false statement's dates (法释〔2022〕2号
    # Art. 7–8): the facts an agreement states and the loss calculator counts from.
    decision: str | None = Field(default=None, max_length=500)
    implemented_on: date | None = None
    disclosed_on: date | None = None
    # The share of the calculated loss its mediators offer (e.g. "0.4"), exact decimal text.
    settlement_ratio: str | None = Field(default=None, max_length=12)
    # How the investor receives the money (收款账户 clause) and the late-payment interest the
    # company's agreements state (违约条款); empty: the agreement's defaults.
    receiving_account: str | None = Field(default=None, max_length=200)
    late_interest: str | None = Field(default=None, max_length=200)


class BatchRow(SQLModel, table=True):
    """One court referral list (第N批)."""

    __tablename__ = "batch"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)  # 15 for 第15批
    court: str = Field(default="南京市中级人民法院", max_length=100)
    referral_date: date
    company_id: int = Field(foreign_key="listed_company.id", index=True)
    term_days: int = Field(default=30)
    extension_days: int = Field(default=0)
    extension_reason: str | None = Field(default=None, max_length=500)
    # Written when the signing package goes out; the turnaround runs from here to the last signature.
    signing_package_at: datetime | None = None
    created_at: datetime
    # The close-out (mediator batch close): every case paid, failed or returned to the court.
    closed_on: date | None = None
    # The day the organisation signed for the court's materials (签收): the mediation term counts
    # from it (特邀调解规定); None: from the referral date (deadlines.term_start).
    received_on: date | None = None


class InvestorRow(SQLModel, table=True):
    """A plaintiff investor (原告). 99% are natural persons with a resident ID."""

    __tablename__ = "investor"
    __table_args__ = (UniqueConstraint("id_type", "id_number", name="uq_investor_identity"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    id_type: str = Field(default="resident_id", max_length=20)
    id_number: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200)
    securities_account: str | None = Field(default=None, max_length=30)
    agent: str | None = Field(default=None, max_length=100)


class CaseRow(SQLModel, table=True):
    """One investor's claim in one batch, identified by the court's 案号."""

    __tablename__ = "mediation_case"
    __table_args__ = (
        Index("ix_case_batch_status", "batch_id", "status"),
        Index("ix_case_status_investor", "status", "investor_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=60, unique=True)
    batch_id: int = Field(foreign_key="batch.id")
    investor_id: int = Field(foreign_key="investor.id", index=True)
    company_id: int = Field(foreign_key="listed_company.id", index=True)
    mediator_id: int | None = Field(default=None, foreign_key="mediator.id", index=True)
    claimed_amount: Decimal = Field(sa_column=_money(nullable=False))
    agreed_amount: Decimal | None = Field(default=None, sa_column=_money())
    status: str = Field(default="referred", max_length=30)
    failure_reason: str | None = Field(default=None, max_length=30)
    failure_note: str | None = Field(default=None, max_length=500)
    referred_on: date
    contacted_on: date | None = None
    mediating_on: date | None = None
    agreed_on: date | None = None
    signed_on: date | None = None
    signed_at: datetime | None = None
    confirmation_applied_on: date | None = None
    confirmed_on: date | None = None
    partially_paid_on: date | None = None
    paid_on: date | None = None
    failed_on: date | None = None
    returned_on: date | None = None
    updated_at: datetime
    # Optimistic locking for a team sharing one PostgreSQL database.
    version: int = Field(default=1)


class AgreementRow(SQLModel, table=True):
    """A mediation agreement (调解协议书) drawn up for a case."""

    __tablename__ = "agreement"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", unique=True)
    number: str = Field(max_length=60, unique=True)
    amount: Decimal = Field(sa_column=_money(nullable=False))
    fingerprint: str = Field(max_length=64, index=True)  # SHA-256 of the agreement data
    case_fee_bearer: str = Field(default="company", max_length=20)
    payment_account: str | None = Field(default=None, max_length=200)
    created_at: datetime
    effective_on: date | None = None


class VoidedAgreementRow(SQLModel, table=True):
    """An agreement replaced by an explicit re-issue: kept, marked void, with its reason."""

    __tablename__ = "voided_agreement"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    number: str = Field(max_length=60, unique=True)
    fingerprint: str = Field(max_length=64)
    amount: Decimal = Field(sa_column=_money(nullable=False))
    created_at: datetime
    effective_on: date | None = None
    # The signatures it carried: "field signer time" per line (names only, never ID numbers).
    signatures: str | None = Field(default=None, max_length=1000)
    voided_at: datetime
    reason: str = Field(max_length=500)
    actor: str = Field(max_length=50)
    replaced_by: str = Field(max_length=60)  # the new agreement number


class AgreementFileRow(SQLModel, table=True):
    """A file the app wrote for an agreement, by its SHA-256: a signed file comes back accepted only
    when its first revision is byte for byte one of these (services/documents/signing.py)."""

    __tablename__ = "agreement_file"
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    written_at: datetime


class SigningRow(SQLModel, table=True):
    """One signature found on a signed agreement that came back from the court's signing module."""

    __tablename__ = "signing"
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    field_name: str = Field(max_length=40)  # investor / company / mediator
    signer: str | None = Field(default=None, max_length=200)
    signed_at: datetime | None = None
    trusted: bool = Field(default=False)
    imported_at: datetime


class JudicialConfirmationRow(SQLModel, table=True):
    """The joint application for judicial confirmation (司法确认) and the court's ruling."""

    __tablename__ = "judicial_confirmation"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", unique=True)
    application_date: date | None = None
    ruling_number: str | None = Field(default=None, max_length=60)  # a 民特 case number
    ruling_date: date | None = None
    # An application recorded after its 30-day window (民事诉讼法 §205): why, as the mediator gave it.
    late_reason: str | None = Field(default=None, max_length=500)


class InstallmentRow(SQLModel, table=True):
    """A payment due from the company (one for a lump sum, several for installments)."""

    __tablename__ = "installment"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    sequence: int = Field(default=1)
    due_date: date
    amount: Decimal = Field(sa_column=_money(nullable=False))
    paid_on: date | None = None
    paid_amount: Decimal | None = Field(default=None, sa_column=_money())


class PaymentRow(SQLModel, table=True):
    """One sum the company paid (the ledger; the installment lines say what each has received).
    A bank's or company's reference is recorded once: the same transfer cannot be booked twice."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("reference", name="uq_payment_reference"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    paid_on: date
    amount: Decimal = Field(sa_column=_money(nullable=False))
    reference: str | None = Field(default=None, max_length=60)
    source: str = Field(max_length=20)  # manual / import / marked_paid
    recorded_at: datetime


class LossResultRow(SQLModel, table=True):
    """A case's loss calculation (法释〔2022〕2号), the latest one computed; amounts as computed."""

    __tablename__ = "loss_result"
    __table_args__ = (UniqueConstraint("case_id", name="uq_loss_result_case"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id")
    method: str = Field(max_length=10)  # mwa / fifo / actual / wavg / arith
    kind: str = Field(max_length=10)  # long (诱多) / short (诱空)
    implemented_on: date
    disclosed_on: date
    base_date: date
    base_price: str = Field(max_length=20)
    investment_loss: Decimal = Field(sa_column=_money(nullable=False))
    risk_deduction_pct: str = Field(max_length=10)
    commission: Decimal = Field(sa_column=_money(nullable=False))
    stamp_duty: Decimal = Field(sa_column=_money(nullable=False))
    interest: Decimal = Field(sa_column=_money(nullable=False))
    total: Decimal = Field(sa_column=_money(nullable=False))
    ratio: str | None = Field(default=None, max_length=12)
    proposed: Decimal | None = Field(default=None, sa_column=_money())
    parameters: str = Field(max_length=2000)  # JSON: rates, index, the files' names
    computed_at: datetime
    computed_by: str = Field(max_length=50)


class ContactAttemptRow(SQLModel, table=True):
    """One attempt to reach an investor (SMS, phone...) and its outcome."""

    __tablename__ = "contact_attempt"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    at: datetime
    channel: str = Field(max_length=20)  # phone / sms / wechat / visit / mail
    outcome: str = Field(max_length=30)  # a domain.contacts.ContactOutcome value (reached, sent...)
    note: str | None = Field(default=None, max_length=500)
    mediator_id: int | None = Field(default=None, foreign_key="mediator.id")


class AuditEventRow(SQLModel, table=True):
    """Who did what and when: status changes, edits, showing personal data, imports."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=50)
    action: str = Field(max_length=40)
    case_id: int | None = Field(default=None, foreign_key="mediation_case.id", index=True)
    batch_id: int | None = Field(default=None, foreign_key="batch.id")
    detail: str | None = Field(default=None, max_length=2000)  # never ID or phone numbers
    # The chain (domain/audit_chain.py): position, the previous event's hash and this one's.
    seq: int = Field(unique=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class CalendarOverrideRow(SQLModel, table=True):
    """An administrator's correction to the holiday calendar (a year the package does not know yet)."""

    __tablename__ = "calendar_override"
    day: date = Field(primary_key=True)
    is_working_day: bool
    note: str | None = Field(default=None, max_length=100)


class SettingRow(SQLModel, table=True):
    """Team-wide settings kept in the shared database (per-user ones live in QSettings)."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=2000)


class SearchGramRow(SQLModel, table=True):
    """One digit trigram of a case number (store/search.py): "310" → the cases whose 案号 hold it."""

    __tablename__ = "search_gram"
    __table_args__ = {"sqlite_with_rowid": False}
    gram: str = Field(primary_key=True, max_length=3)
    case_id: int = Field(primary_key=True)


class SearchStateRow(SQLModel, table=True):
    """How far ``search_gram`` reaches: cases above ``indexed_through`` are scanned instead."""

    __tablename__ = "search_state"
    id: int = Field(primary_key=True)
    indexed_through: int = Field(default=0)


class SearchPendingRow(SQLModel, table=True):
    """Cases whose 案号 changed since they were indexed (a trigger adds them; scanned until indexed)."""

    __tablename__ = "search_pending"
    case_id: int = Field(primary_key=True)
