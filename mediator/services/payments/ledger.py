"""A case's payment plan and the money received on it.

Every write here starts by locking the case (``lock_case``): two mediators, or two imports, booking
payments on one case at the same moment are served one after the other, each seeing what the other
booked, so no sum is lost. Each payment is kept in the ledger (``payment``) with its reference,
which is booked once only, and fills the installment lines in order (``allocate_payment``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, false, select, update
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.money import format_money, parse_amount, to_money
from mediator.domain.payments import (
    allocate_payment,
    check_installment_plan,
    overdue_lines,
    status_after_payment,
)
from mediator.domain.validators import canonical_case_number, to_half_width
from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, UserError, ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import get_case, installments_of, paid_total, transition_case
from mediator.store.database import Database
from mediator.store.mapping import to_entity
from mediator.store.tables import CaseRow, InstallmentRow, PaymentRow

log = logging.getLogger("mediator.payments")

PAYABLE = frozenset({CaseStatus.CONFIRMED, CaseStatus.PARTIALLY_PAID})
# A plan can no longer change once the case is closed either way.
_PLAN_CLOSED = frozenset({CaseStatus.PAID, CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT})
REFERENCE_LIMIT = 60

SOURCE_MANUAL = "manual"
SOURCE_IMPORT = "import"


def _now() -> datetime:
    return datetime.now(UTC)


# --- locking ------------------------------------------------------------------------------------


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def take_write_lock(session: Session) -> None:
    """Step, first in a transaction that will lock cases it has yet to look up (imports).

    SQLite has no row locks: a write statement that opens the transaction takes the database's
    write lock, waiting (busy_timeout) while another writer holds it, and every read after it
    sees what that writer committed. On PostgreSQL nothing is needed here: ``lock_cases`` locks
    the rows themselves.
    """
    if _is_sqlite(session):
        session.execute(update(CaseRow).where(false()).values(version=CaseRow.version))


def lock_cases(session: Session, condition: ColumnElement[bool]) -> list[CaseRow]:
    """Step: the cases matching ``condition``, locked until the transaction ends, read fresh.

    PostgreSQL: ``SELECT … FOR UPDATE`` in id order (two writers locking the same cases queue up
    instead of deadlocking); a second writer waits here until the first commits, then reads its
    work. SQLite: the write lock (``take_write_lock``) is taken first, which serialises writers.
    """
    take_write_lock(session)
    statement = (
        select(CaseRow)
        .where(condition)
        .order_by(col(CaseRow.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(statement))


def lock_case(session: Session, case_id: int) -> CaseRow:
    """Step: one case, locked until the transaction ends (see ``lock_cases``)."""
    found = lock_cases(session, col(CaseRow.id) == case_id)
    if not found:
        return get_case(session, case_id)  # raises NotFoundError in the user's words
    return found[0]


def _bump_version(session: Session, case: CaseRow) -> None:
    """A payment or a plan changes what the case view shows: the next optimistic save must notice."""
    session.execute(
        update(CaseRow)
        .where(col(CaseRow.id) == case.id)
        .values(version=CaseRow.version + 1, updated_at=_now())
        .execution_options(synchronize_session=False)
    )
    session.refresh(case)


# --- plans --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentState:
    """One line of a payment plan, and whether it is overdue today."""

    sequence: int
    due_date: date
    amount: Decimal
    paid_on: date | None
    paid_amount: Decimal | None
    overdue: bool = False

    @property
    def owed(self) -> Decimal:
        return to_money(self.amount - (self.paid_amount or Decimal("0")))


@dataclass(frozen=True)
class PaymentState:
    """One sum received, as the ledger keeps it."""

    paid_on: date
    amount: Decimal
    reference: str | None
    source: str


@dataclass(frozen=True)
class CasePlan:
    """A case's agreed amount, payment plan, payments and what is still owed (the case detail)."""

    case_id: int
    case_number: str
    status: CaseStatus
    version: int
    agreed_amount: Decimal | None
    claimed_amount: Decimal
    installments: tuple[InstallmentState, ...]
    payments: tuple[PaymentState, ...]
    paid_total: Decimal

    @property
    def outstanding(self) -> Decimal | None:
        return None if self.agreed_amount is None else to_money(self.agreed_amount - self.paid_total)

    @property
    def overdue(self) -> tuple[InstallmentState, ...]:
        return tuple(line for line in self.installments if line.overdue)

    @property
    def plan_editable(self) -> bool:
        """A plan may be replaced while the case is open and nothing has been paid on it."""
        return (
            self.agreed_amount is not None
            and self.status not in _PLAN_CLOSED
            and not any(line.paid_amount for line in self.installments)
        )

    def summary(self) -> str:
        if self.agreed_amount is None:
            return _("尚未确定调解金额。")
        text = _("调解金额{agreed}元，分{n}期，已付{paid}元，尚欠{owed}元。").format(
            agreed=format_money(self.agreed_amount),
            n=max(len(self.installments), 1),
            paid=format_money(self.paid_total),
            owed=format_money(self.outstanding or Decimal("0")),
        )
        if self.overdue:
            text += _("逾期{n}期。").format(n=len(self.overdue))
        return text


def plan_lines(rows: Sequence[InstallmentRow], on: date) -> tuple[InstallmentState, ...]:
    late = set(overdue_lines([to_entity(row) for row in rows], on))
    return tuple(
        InstallmentState(row.sequence, row.due_date, row.amount, row.paid_on, row.paid_amount, index in late)
        for index, row in enumerate(rows)
    )


def load_plan(session: Session, case: CaseRow, on: date | None = None) -> CasePlan:
    """Step: the plan of ``case`` as it stands in the session."""
    assert case.id is not None
    payments = session.scalars(
        select(PaymentRow).where(col(PaymentRow.case_id) == case.id).order_by(col(PaymentRow.id))
    )
    return CasePlan(
        case_id=case.id,
        case_number=case.case_number,
        status=CaseStatus(case.status),
        version=case.version,
        agreed_amount=case.agreed_amount,
        claimed_amount=case.claimed_amount,
        installments=plan_lines(installments_of(session, case.id), on or china_today()),
        payments=tuple(PaymentState(p.paid_on, p.amount, p.reference, p.source) for p in payments),
        paid_total=paid_total(session, case.id),
    )


def case_plan(database: Database, case_id: int) -> CasePlan:
    """A case's plan, payments and balance, read in a session of its own."""
    with database.session() as session:
        return load_plan(session, get_case(session, case_id))


def check_plan_allowed(case: CaseRow) -> None:
    """Refuse to (re)plan a case without an agreed amount or that is closed."""
    if case.agreed_amount is None:
        raise UserError(_("请先填写调解金额，再安排付款计划。"))
    status = CaseStatus(case.status)
    if status in _PLAN_CLOSED:
        raise UserError(_("案件当前为“{status}”，不能再修改付款计划。").format(status=status.label))


def replace_plan(
    session: Session,
    case: CaseRow,
    plan: Sequence[tuple[date, Decimal]],
    *,
    actor: str,
    detail: str | None = None,
) -> None:
    """Step: replace the plan of a locked ``case`` by ``plan`` (empty: a lump sum). Refuses a plan
    that does not add up to the agreed amount, or a case that has already received money."""
    assert case.id is not None
    check_plan_allowed(case)
    if plan:
        assert case.agreed_amount is not None
        check_installment_plan(plan, case.agreed_amount)
    if any(row.paid_amount for row in installments_of(session, case.id)):
        raise UserError(_("已有付款记录，不能重新安排付款计划。"))
    session.execute(delete(InstallmentRow).where(col(InstallmentRow.case_id) == case.id))
    session.add_all(
        InstallmentRow(case_id=case.id, sequence=sequence, due_date=due, amount=amount)
        for sequence, (due, amount) in enumerate(plan, start=1)
    )
    audit(
        session,
        actor=actor,
        action="installments",
        case_id=case.id,
        batch_id=case.batch_id,
        detail=detail or (_("付款计划：{n}期").format(n=len(plan)) if plan else _("付款计划：一次性支付")),
    )
    session.flush()


def set_installments(
    database: Database, case_id: int, plan: Sequence[tuple[date, Decimal | str]], *, actor: str
) -> CasePlan:
    """Replace a case's payment plan (an empty plan: one lump sum). The amounts must add up to the
    agreed amount, the dates be in order; a plan that has already received money stays."""
    # Amounts come typed or from a spreadsheet: read them as money before the plan's rules apply.
    parsed = [(due, parse_amount(amount)) for due, amount in plan]
    with database.transaction() as session:
        case = lock_case(session, case_id)
        replace_plan(session, case, parsed, actor=actor)
        _bump_version(session, case)
        return load_plan(session, case)


# --- payments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentOutcome:
    """A payment booked: on which case, and where the case stands after it."""

    case_id: int
    case_number: str
    amount: Decimal
    paid_on: date
    reference: str | None
    paid_total: Decimal
    outstanding: Decimal
    status: CaseStatus
    version: int

    def summary(self) -> str:
        text = _(
            "{case}：收到付款{amount}元（{on}），累计已付{paid}元，尚欠{owed}元，状态：{status}。"
        ).format(
            case=self.case_number,
            amount=format_money(self.amount),
            on=self.paid_on.isoformat(),
            paid=format_money(self.paid_total),
            owed=format_money(self.outstanding),
            status=self.status.label,
        )
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_number,
            "amount": str(self.amount),
            "paid_on": self.paid_on.isoformat(),
            "reference": self.reference,
            "paid_total": str(self.paid_total),
            "outstanding": str(self.outstanding),
            "status": self.status.value,
        }


def clean_reference(text: object) -> str | None:
    """A payment reference as typed: half-width, no spaces; refuses control characters and
    anything longer than the ledger keeps (never cut)."""
    if text is None:
        return None
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    value = "".join(to_half_width(str(text)).split())
    if not value:
        return None
    if not value.isprintable():
        raise ValidationError(_("流水号中含有不可见的控制字符。"), field="reference", value=text)
    if len(value) > REFERENCE_LIMIT:
        raise ValidationError(
            _("流水号过长（最多{limit}个字符）。").format(limit=REFERENCE_LIMIT),
            field="reference",
            value=text,
        )
    return value


def reference_taken(session: Session, reference: str) -> PaymentRow | None:
    """Step: the payment already booked under ``reference``, if any."""
    return session.scalar(select(PaymentRow).where(col(PaymentRow.reference) == reference))


def duplicate_reference_message(session: Session, existing: PaymentRow) -> str:
    case = session.get(CaseRow, existing.case_id)
    return _("流水号“{ref}”已登记过（{case}，{on}，{amount}元），不能重复登记。").format(
        ref=existing.reference,
        case=case.case_number if case else existing.case_id,
        on=existing.paid_on.isoformat(),
        amount=format_money(existing.amount),
    )


def check_payable(case: CaseRow) -> None:
    status = CaseStatus(case.status)
    if status not in PAYABLE:
        raise UserError(_("案件当前为“{status}”，司法确认后才能登记履行款项。").format(status=status.label))


def check_paid_on(paid_on: date) -> None:
    if paid_on > china_today():
        raise ValidationError(
            _("付款日期{on}晚于今天，请核对。").format(on=paid_on.isoformat()), field="paid_on", value=paid_on
        )


def book_payment(
    session: Session,
    case: CaseRow,
    money: Decimal,
    paid_on: date,
    *,
    reference: str | None,
    source: str,
    actor: str,
) -> PaymentOutcome:
    """Step: book ``money`` on a case locked by ``lock_case``: kept in the ledger, filling the
    installments in order; the case moves to partially paid, or to paid when nothing is left.
    Refuses a case not yet confirmed, a payment above what is still owed, a reference booked before."""
    assert case.id is not None
    check_paid_on(paid_on)
    check_payable(case)
    if reference is not None:
        existing = reference_taken(session, reference)
        if existing is not None:
            raise UserError(duplicate_reference_message(session, existing))
    status = CaseStatus(case.status)
    outstanding = to_entity(case).outstanding(paid_total(session, case.id))  # refuses a case without amount
    installments = installments_of(session, case.id)
    if not installments:
        # No plan recorded: the agreement is a lump sum due on the day it is paid.
        assert case.agreed_amount is not None  # outstanding() refused a case without one
        line = InstallmentRow(case_id=case.id, sequence=1, due_date=paid_on, amount=case.agreed_amount)
        session.add(line)
        installments = [line]
    allocations = allocate_payment([to_entity(row) for row in installments], money, outstanding=outstanding)
    for installment, allocation in zip(installments, allocations, strict=True):
        if allocation.share > 0:
            installment.paid_amount, installment.paid_on = allocation.paid_after, paid_on
    session.add(
        PaymentRow(
            case_id=case.id,
            paid_on=paid_on,
            amount=money,
            reference=reference,
            source=source,
            recorded_at=_now(),
        )
    )
    session.flush()
    detail = _("收到付款{amount}元").format(amount=money)
    if reference:
        detail += _("（流水号 {ref}）").format(ref=reference)
    audit(session, actor=actor, action="payment", case_id=case.id, batch_id=case.batch_id, detail=detail)
    target = status_after_payment(status, money, outstanding)
    if target is None:
        _bump_version(session, case)
    else:
        on = max(paid_on, to_entity(case).last_step_date)
        transition_case(session, case.id, target, actor=actor, on=on)
    log.info("case %s: payment booked", case.id)
    return PaymentOutcome(
        case_id=case.id,
        case_number=case.case_number,
        amount=money,
        paid_on=paid_on,
        reference=reference,
        paid_total=paid_total(session, case.id),
        outstanding=to_money(outstanding - money),
        status=CaseStatus(case.status),
        version=case.version,
    )


def record_payment(
    database: Database,
    case_id: int,
    amount: Decimal | str,
    paid_on: date,
    *,
    actor: str,
    reference: str | None = None,
) -> PaymentOutcome:
    """Record money the company paid on a case (the case detail's 登记付款)."""
    money = parse_amount(amount)
    ref = clean_reference(reference)
    with database.transaction() as session:
        case = lock_case(session, case_id)
        return book_payment(session, case, money, paid_on, reference=ref, source=SOURCE_MANUAL, actor=actor)


def add_payment(
    database: Database,
    case_number: str,
    amount: Decimal | str,
    paid_on: date,
    *,
    actor: str,
    reference: str | None = None,
) -> PaymentOutcome:
    """Record a payment on the case the user names by its 案号 (``mediator payments add``)."""
    number = canonical_case_number(case_number)
    money = parse_amount(amount)
    ref = clean_reference(reference)
    with database.transaction() as session:
        found = lock_cases(session, col(CaseRow.case_number) == number)
        if not found:
            raise NotFoundError(_("没有案号为{number}的案件。").format(number=number))
        return book_payment(
            session, found[0], money, paid_on, reference=ref, source=SOURCE_MANUAL, actor=actor
        )
