"""The things mediators work with, as plain immutable values (no database, no Qt).

``mediator.store.mapping.to_entity`` builds them from the table rows; their fields carry the
rows' columns under the same names. Rules that need nothing but one entity live here as methods.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from mediator.domain.deadlines import Deadline, WorkCalendar, mediation_term
from mediator.domain.money import to_money
from mediator.domain.privacy import mask_id_number, mask_phone
from mediator.domain.workflow import STEP_DATE_FIELD, CaseStatus, FailureReason, allowed_transitions
from mediator.errors import UserError, ValidationError
from mediator.i18n import _

# Longest extension of a batch's mediation term accepted in one go (a typo guard, not a legal limit).
MAX_EXTENSION_DAYS = 365
# Limits said out loud, never cut: one extension's reason, and all of a batch's reasons together
# (the batch keeps every one in full); how many times a term may be extended unless the team's
# setting ``max_term_extensions`` says otherwise.
MAX_REASON_LENGTH = 200
REASONS_LENGTH = 500
DEFAULT_MAX_EXTENSIONS = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Mediator:
    """A mediator of the association (特邀调解员)."""

    id: int | None = None
    name: str
    phone: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedCompany:
    """The defendant listed company (被告 / 上市公司) that pays the agreed amounts."""

    id: int | None = None
    name: str
    stock_code: str | None = None
    exchange: str | None = None
    uscc: str | None = None  # 统一社会信用代码
    legal_representative: str | None = None
    address: str | None = None
    counsel: str | None = None
    payment_method: str | None = None
    stock_name: str | None = None  # 股票简称
    phone: str | None = None
    decision: str | None = None  # the regulator's decision the claims rest on
    implemented_on: date | None = None  # 实施日 (法释〔2022〕2号 Art. 7)
    disclosed_on: date | None = None  # 揭露日 (Art. 8)
    receiving_account: str | None = None  # the agreement's 收款账户 clause for this company
    late_interest: str | None = None  # the agreement's late-payment interest for this company
    settlement_ratio: str | None = None  # share of the computed loss offered (e.g. "0.4")


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """One court referral list (委派调解, 第N批): its cases share the referral date and the term."""

    id: int | None = None
    number: int
    court: str = "南京市中级人民法院"
    referral_date: date
    company_id: int
    term_days: int = 30
    extension_days: int = 0
    extension_reason: str | None = None
    signing_package_at: datetime | None = None
    created_at: datetime
    closed_on: date | None = None  # the batch's close-out
    received_on: date | None = None  # 签收: the mediation term counts from it (deadlines.term_start)

    @property
    def label(self) -> str:
        """The batch as the court writes it: 第15批."""
        return _("第{number}批").format(number=self.number)

    def mediation_term(self, calendar: WorkCalendar | None = None) -> Deadline:
        """The last day of commissioned mediation for this batch, extensions included."""
        return mediation_term(
            self.referral_date,
            self.term_days,
            self.extension_days,
            calendar=calendar,
            received_on=self.received_on,
        )

    def extended(
        self, days: int, reason: str, *, done: int = 0, max_extensions: int = DEFAULT_MAX_EXTENSIONS
    ) -> Batch:
        """This batch with its term extended by ``days``; both parties' consent is the reason to record,
        appended in full to earlier reasons. ``done``: extensions so far, at most ``max_extensions``."""
        reason = " ".join((reason or "").split())
        if not reason:
            raise ValidationError(_("延长调解期限必须填写理由。"), field="reason")
        if len(reason) > MAX_REASON_LENGTH:
            raise ValidationError(
                _("延长理由过长：最多{limit}个字，现有{length}个（理由不会被截断保存）。").format(
                    limit=MAX_REASON_LENGTH, length=len(reason)
                ),
                field="reason",
            )
        if done >= max_extensions:
            raise ValidationError(
                _("{batch}的调解期限已延长{done}次，已达上限{limit}次。").format(
                    batch=self.label, done=done, limit=max_extensions
                ),
                field="days",
            )
        if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
            raise ValidationError(
                _("延长天数应在1到{max}天之间。").format(max=MAX_EXTENSION_DAYS), field="days", value=days
            )
        reasons = f"{self.extension_reason}；{reason}" if self.extension_reason else reason
        if len(reasons) > REASONS_LENGTH:
            raise ValidationError(
                _("历次延长理由合计将超过{limit}个字，无法完整保存，请精简本次理由。").format(
                    limit=REASONS_LENGTH
                ),
                field="reason",
            )
        return replace(self, extension_days=self.extension_days + int(days), extension_reason=reasons)


@dataclass(frozen=True, slots=True, kw_only=True)
class Investor:
    """A plaintiff investor (原告), nearly always a natural person with a resident ID."""

    id: int | None = None
    name: str
    id_type: str = "resident_id"
    id_number: str
    phone: str | None = None
    address: str | None = None
    securities_account: str | None = None
    agent: str | None = None  # 委托代理人

    @property
    def masked_id(self) -> str:
        """The ID number as lists and exports show it: 320***********123X."""
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        """The phone number as lists and exports show it: 138****5678 (empty when none)."""
        return mask_phone(self.phone)


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One investor's claim in one batch, known by the court's case number (案号)."""

    id: int | None = None
    case_number: str
    batch_id: int
    investor_id: int
    company_id: int
    mediator_id: int | None = None
    claimed_amount: Decimal
    agreed_amount: Decimal | None = None
    status: CaseStatus = CaseStatus.REFERRED
    failure_reason: FailureReason | None = None
    failure_note: str | None = None
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
    version: int = 1

    @property
    def allowed_next(self) -> list[CaseStatus]:
        """The statuses the case may move to next, in workflow order."""
        return allowed_transitions(self.status)

    @property
    def last_step_date(self) -> date:
        """The day of the latest step so far: a new step cannot be dated before it."""
        days: list[date | None] = [getattr(self, name) for name in STEP_DATE_FIELD.values()]
        return max(day for day in days if day is not None)

    def outstanding(self, paid_total: Decimal) -> Decimal:
        """What the company still owes once ``paid_total`` has been received."""
        if self.agreed_amount is None:
            raise UserError(_("案件没有调解金额，请先填写。"))
        return to_money(self.agreed_amount - paid_total)


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """A mediation agreement (调解协议书) drawn up for a case; ``fingerprint`` identifies its text."""

    id: int | None = None
    case_id: int
    number: str
    amount: Decimal
    fingerprint: str
    case_fee_bearer: str = "company"
    payment_account: str | None = None
    created_at: datetime
    effective_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Signing:
    """One signature (investor, company or mediator) found on a signed agreement."""

    id: int | None = None
    agreement_id: int
    field_name: str
    signer: str | None = None
    signed_at: datetime | None = None
    trusted: bool = False
    imported_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class JudicialConfirmation:
    """The joint application for judicial confirmation (司法确认) and the court's ruling (民特)."""

    id: int | None = None
    case_id: int
    application_date: date | None = None
    ruling_number: str | None = None
    ruling_date: date | None = None
    late_reason: str | None = None  # why the application came after its window


@dataclass(frozen=True, slots=True, kw_only=True)
class Installment:
    """One payment due from the company under the agreement (a lump sum is a single line)."""

    id: int | None = None
    case_id: int
    sequence: int = 1
    due_date: date
    amount: Decimal
    paid_on: date | None = None
    paid_amount: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactAttempt:
    """One attempt to reach an investor (phone, SMS, WeChat, visit, mail) and its outcome."""

    id: int | None = None
    case_id: int
    at: datetime
    channel: str
    outcome: str
    note: str | None = None
    mediator_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """Who did what and when; ``detail`` never holds ID or phone numbers."""

    id: int | None = None
    at: datetime
    actor: str
    action: str
    case_id: int | None = None
    batch_id: int | None = None
    detail: str | None = None
    seq: int = 0  # position in the hash chain (services/audit/chain.py)
    prev_hash: str = ""
    hash: str = ""
