"""Case use cases shared by the GUI and the CLI: status changes, edits, payments (contact attempts
live in ``mediator.services.contacts``).

Every change goes through here so that the workflow rules, the step dates, the version counter
(optimistic locking for a team sharing one PostgreSQL database) and the audit trail are applied the
same way whoever makes it.

Entry points (GUI, CLI) take a ``Database``, run in one transaction of their own (a failure changes
nothing) and return plain values (``CaseState``, ``TermExtension``), never rows bound to a session:
``update_case_fields``, ``change_status``, ``extend_mediation_term`` (payment plans and payments
live in ``mediator.services.payments``).

Steps take an open session and leave committing to the caller, for services that compose them
inside a transaction of their own (documents: signing, confirmation): ``transition_case``,
``edit_case_fields``, ``get_case``, ``find_batch``, ``paid_total``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from mediator.domain.batch_numbers import parse_batch_number
from mediator.domain.clock import china_today
from mediator.domain.deadlines import Deadline, mediation_term
from mediator.domain.entities import DEFAULT_MAX_EXTENSIONS
from mediator.domain.money import format_money, parse_amount, to_money
from mediator.domain.validators import (
    refuse_unsafe_characters,
    validate_mobile,
    validate_person_name,
    validate_resident_id,
)
from mediator.domain.workflow import (
    STATUS_ORDER,
    STEP_DATE_FIELD,
    CaseStatus,
    FailureReason,
    check_step_date,
    check_transition,
)
from mediator.errors import NotFoundError, TransitionError, UserError, ValidationError
from mediator.i18n import _
from mediator.services.audit.history import change_detail
from mediator.services.audit.trail import audit
from mediator.store.database import Database
from mediator.store.mapping import to_entity
from mediator.store.tables import (
    AuditEventRow,
    BatchRow,
    CaseRow,
    InstallmentRow,
    InvestorRow,
    MediatorRow,
    PaymentRow,
    SettingRow,
)

log = logging.getLogger("mediator.cases")

# Fields ``update_case_fields`` accepts; investor_* change the case's investor record.
EDITABLE_FIELDS: tuple[str, ...] = (
    "agreed_amount",
    "claimed_amount",
    "mediator_id",
    "investor_name",
    "investor_id_number",
    "investor_phone",
    "investor_address",
    "investor_agent",
)

# Statuses from which an agreement is binding: its amount is no longer edited in place.
_SIGNED_OR_LATER = frozenset(
    STATUS_ORDER[STATUS_ORDER.index(CaseStatus.SIGNED) : STATUS_ORDER.index(CaseStatus.PAID) + 1]
)


@dataclass(frozen=True)
class CaseState:
    """A case as a change left it: enough to show the outcome and to make the next change
    (``version`` is the ``expected_version`` of the next optimistic write)."""

    id: int
    case_number: str
    status: CaseStatus
    version: int
    agreed_amount: Decimal | None
    step_dates: dict[CaseStatus, date]

    @classmethod
    def of(cls, case: CaseRow) -> CaseState:
        assert case.id is not None
        steps = {status: getattr(case, name) for status, name in STEP_DATE_FIELD.items()}
        return cls(
            id=case.id,
            case_number=case.case_number,
            status=CaseStatus(case.status),
            version=case.version,
            agreed_amount=case.agreed_amount,
            step_dates={status: day for status, day in steps.items() if day is not None},
        )


@dataclass(frozen=True)
class TermExtension:
    """A batch's mediation term after an extension (reported by the CLI and the GUI alike)."""

    batch_id: int
    batch_number: int
    days: int
    reason: str
    term: Deadline

    def summary(self) -> str:
        return _("第{number}批的调解期限已延长{days}天，截止日为 {end}。").format(
            number=self.batch_number, days=self.days, end=self.term.end.isoformat()
        )


def _now() -> datetime:
    return datetime.now(UTC)


def get_case(session: Session, case_id: int) -> CaseRow:
    """Step: the case row, or ``NotFoundError`` in the user's words."""
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFoundError(_("案件不存在（编号 {id}），可能已被删除。").format(id=case_id))
    return case


def _conflict() -> UserError:
    return UserError(_("该案件已被他人修改，请刷新后重试"))


def _check_version(case: CaseRow, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise _conflict()


def _write_case(session: Session, case: CaseRow, values: Mapping[str, Any]) -> CaseRow:
    """Write ``values`` only if nobody changed the case since we read it, and bump its version.

    A conditional UPDATE rather than read-check-write: on PostgreSQL a concurrent writer blocks on
    the row until the other commits, then finds the version moved on and matches nothing.
    """
    version = case.version
    result = session.execute(
        update(CaseRow)
        .where(col(CaseRow.id) == case.id, col(CaseRow.version) == version)
        .values(**values, version=version + 1, updated_at=_now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict()
    session.refresh(case)
    return case


def _status_of(text: CaseStatus | str) -> CaseStatus:
    try:
        return CaseStatus(text)
    except ValueError:
        raise TransitionError(_("未知的案件状态：{status}。").format(status=text)) from None


def transition_case(
    session: Session,
    case_id: int,
    target: CaseStatus | str,
    *,
    actor: str,
    on: date | None = None,
    failure_reason: FailureReason | str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    waiver: str | None = None,
) -> CaseRow:
    """Step: move a case to ``target`` if the workflow allows it, recording the day of the step.

    履行完毕 on a case the company has paid part of needs the rest booked first (services/cases/
    settlement.py asks for the final payment) or ``waiver``, why the rest is not paid; with
    nothing paid yet the agreed amount counts as paid in one sum on the step's day.

    Runs in the caller's transaction (signing and confirmation compose it with their own writes;
    ``change_status`` is the entry point that opens one). Raises ``TransitionError`` (nothing
    changed) for a forbidden step, ``UserError`` when someone else changed the case since
    ``expected_version`` was read.
    """
    case = get_case(session, case_id)
    _check_version(case, expected_version)
    current = _status_of(case.status)
    target = _status_of(target)
    entity = to_entity(case)
    check_transition(
        current, target, failure_reason=failure_reason, agreed_amount_set=entity.agreed_amount is not None
    )
    today = china_today()
    on = on or today
    # No step dated in the future, nor before the case's previous step (domain.workflow).
    check_step_date(on, previous=entity.last_step_date, today=today)
    values: dict[str, Any] = {"status": target.value, STEP_DATE_FIELD[target]: on}
    note = note.strip() if note else None
    if target is CaseStatus.FAILED:
        values["failure_reason"] = FailureReason(str(failure_reason)).value
        values["failure_note"] = note[:500] if note else None
    # The recovered figure is the sum of payments: a status saying money came in must agree with it.
    if target is CaseStatus.PARTIALLY_PAID and paid_total(session, case_id) == 0:
        raise TransitionError(_("请先登记已收到的款项，再将案件标记为“部分履行”。"))
    waived = _settle_rest(session, case, on, waiver) if target is CaseStatus.PAID else None
    _write_case(session, case, values)
    detail = f"{current.value} → {target.value}"
    if target is CaseStatus.FAILED:
        detail += f" ({values['failure_reason']})"
    if note:
        detail += f"：{note}"
    if waived is not None:
        detail += "：" + _("其余{amount}元免于支付，理由：{reason}").format(
            amount=format_money(waived), reason=" ".join((waiver or "").split())
        )
    audit(session, actor=actor, action="transition", case_id=case.id, batch_id=case.batch_id, detail=detail)
    log.info("case %s: %s -> %s", case.id, current.value, target.value)
    return case


def _optional_text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    refuse_unsafe_characters(str(value), "text", _("内容"))
    text = " ".join(str(value).split())
    if len(text) > limit:
        raise ValidationError(
            _("内容过长：最多{limit}个字，现有{length}个。").format(limit=limit, length=len(text)),
            value=value,
        )
    return text or None


def _update_case_fields(
    session: Session,
    case_id: int,
    changes: Mapping[str, Any],
    *,
    actor: str,
    expected_version: int | None = None,
) -> CaseRow:
    """Edit the fields in ``EDITABLE_FIELDS``, each checked by its domain validator.

    Only values that really change are written; the audit event lists the changed field names,
    never their values (they may be ID or phone numbers).
    """
    case = get_case(session, case_id)
    _check_version(case, expected_version)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise UserError(_("不能修改这些字段：{fields}。").format(fields="、".join(unknown)))
    status = _status_of(case.status)
    investor = session.get(InvestorRow, case.investor_id)
    assert investor is not None  # FK guarantees it
    case_values: dict[str, Any] = {}
    investor_values: dict[str, Any] = {}
    for name, raw in changes.items():
        if name == "agreed_amount":
            _collect(case_values, case, "agreed_amount", _agreed_amount(case, status, raw))
        elif name == "claimed_amount":
            _collect(case_values, case, "claimed_amount", parse_amount(raw))
        elif name == "mediator_id":
            if raw is not None and session.get(MediatorRow, int(raw)) is None:
                raise NotFoundError(_("调解员不存在（编号 {id}）。").format(id=raw))
            _collect(case_values, case, "mediator_id", None if raw is None else int(raw))
        else:
            attribute = name.removeprefix("investor_")
            _collect(investor_values, investor, attribute, _investor_value(attribute, raw))
    if not case_values and not investor_values:
        return case
    # Old → new for the history (services/audit/history.py masks ID and phone numbers).
    changed = [(key, getattr(case, key), value) for key, value in sorted(case_values.items())]
    changed += [(f"investor_{k}", getattr(investor, k), v) for k, v in sorted(investor_values.items())]
    if "id_number" in investor_values:
        taken = session.scalar(
            select(col(InvestorRow.id)).where(
                col(InvestorRow.id_type) == investor.id_type,
                col(InvestorRow.id_number) == investor_values["id_number"],
                col(InvestorRow.id) != investor.id,
            )
        )
        if taken is not None:
            raise UserError(_("已有另一位投资者使用该证件号码。"))
    for key, value in investor_values.items():
        setattr(investor, key, value)
    # Investor edits bump the case version too: the case view shows them.
    _write_case(session, case, case_values)
    audit(
        session,
        actor=actor,
        action="edit",
        case_id=case.id,
        batch_id=case.batch_id,
        detail=change_detail([_named_mediator(session, change) for change in changed]),
    )
    return case


def _named_mediator(session: Session, change: tuple[str, Any, Any]) -> tuple[str, Any, Any]:
    """A change of mediator as the names the history shows, not their row ids."""
    field, old, new = change
    if field != "mediator_id":
        return change
    names = [
        None if key is None else getattr(session.get(MediatorRow, key), "name", None) for key in (old, new)
    ]
    return ("mediator", names[0], names[1])


def _agreed_amount(case: CaseRow, status: CaseStatus, raw: Any) -> Decimal | None:
    """The agreed amount as typed, if the case's stage allows changing it."""
    value = None if raw in (None, "") else parse_amount(raw)
    if value != case.agreed_amount and status in _SIGNED_OR_LATER:
        raise UserError(_("调解协议已签署，不能再修改调解金额。"))
    if value is None and status is CaseStatus.AGREED:
        raise UserError(_("案件已达成调解，调解金额不能为空。"))
    if value is not None and value > case.claimed_amount:
        raise ValidationError(_("调解金额不能高于诉请金额。"), field="agreed_amount", value=raw)
    return value


def _investor_value(attribute: str, raw: Any) -> str | None:
    """An investor field as typed, checked by its domain validator."""
    if attribute == "name":
        return validate_person_name(raw)
    if attribute == "id_number":
        return validate_resident_id(raw)
    if attribute == "phone":
        return None if raw in (None, "") else validate_mobile(raw)
    return _optional_text(raw, 200 if attribute == "address" else 100)


def _collect(values: dict[str, Any], row: Any, attribute: str, value: Any) -> None:
    if getattr(row, attribute) != value:
        values[attribute] = value


def installments_of(session: Session, case_id: int) -> list[InstallmentRow]:
    return list(
        session.scalars(
            select(InstallmentRow)
            .where(col(InstallmentRow.case_id) == case_id)
            .order_by(col(InstallmentRow.sequence))
        )
    )


def paid_total(session: Session, case_id: int) -> Decimal:
    """Step: the money received on a case so far."""
    total = session.scalar(
        select(func.coalesce(func.sum(InstallmentRow.paid_amount), Decimal("0.00"))).where(
            col(InstallmentRow.case_id) == case_id
        )
    )
    return to_money(total or 0)


def _settle_rest(session: Session, case: CaseRow, on: date, waiver: str | None) -> Decimal | None:
    """履行完毕: what is still owed must be paid or waived with a reason, never booked unasked.
    Returns the amount waived (None when nothing is)."""
    assert case.id is not None
    if case.agreed_amount is None:
        raise TransitionError(_("案件没有调解金额，不能标记为“履行完毕”。"))
    paid = paid_total(session, case.id)
    rest = case.agreed_amount - paid
    if rest <= 0:
        return None
    if waiver and waiver.strip():
        return to_money(rest)
    if paid > 0:
        raise TransitionError(
            _(
                "案件已收到{paid}元，尚有{rest}元未付：请登记最后一笔付款的金额和日期，"
                "或说明其余款项免于支付的理由。"
            ).format(paid=format_money(paid), rest=format_money(rest))
        )
    # Nothing received yet: the agreed amount, paid in one sum on the step's day.
    _book_outstanding(session, case, on)
    return None


def _book_outstanding(session: Session, case: CaseRow, on: date) -> None:
    """Marking a case paid means the company paid everything: book what is still open on ``on``."""
    assert case.id is not None
    if case.agreed_amount is None:
        raise TransitionError(_("案件没有调解金额，不能标记为“履行完毕”。"))
    installments = installments_of(session, case.id)
    if not installments:
        session.add(InstallmentRow(case_id=case.id, sequence=1, due_date=on, amount=case.agreed_amount))
        session.flush()
        installments = installments_of(session, case.id)
    booked = Decimal("0.00")
    for installment in installments:
        if (installment.paid_amount or 0) < installment.amount:
            booked += installment.amount - (installment.paid_amount or 0)
            installment.paid_amount, installment.paid_on = installment.amount, on
    if booked:
        # The payments ledger adds up to what the installments received.
        session.add(
            PaymentRow(case_id=case.id, paid_on=on, amount=booked, source="marked_paid", recorded_at=_now())
        )
    session.flush()


MAX_EXTENSIONS_SETTING = "max_term_extensions"


def max_term_extensions(session: Session) -> int:
    """How many times a batch's term may be extended: the team setting, else the default."""
    row = session.get(SettingRow, MAX_EXTENSIONS_SETTING)
    if row is not None and row.value.strip().isdigit():
        return int(row.value)
    return DEFAULT_MAX_EXTENSIONS


def _extend_mediation_term(
    session: Session, batch: BatchRow, days: int, reason: str, *, actor: str
) -> BatchRow:
    done = session.scalar(
        select(func.count())
        .select_from(AuditEventRow)
        .where(col(AuditEventRow.batch_id) == batch.id, col(AuditEventRow.action) == "extend_term")
    )
    extended = to_entity(batch).extended(
        days, reason, done=int(done or 0), max_extensions=max_term_extensions(session)
    )
    batch.extension_days, batch.extension_reason = extended.extension_days, extended.extension_reason
    reason = " ".join((reason or "").split())
    audit(
        session,
        actor=actor,
        action="extend_term",
        batch_id=batch.id,
        detail=_("延长{days}天：{reason}").format(days=days, reason=reason),
    )
    session.flush()
    return batch


# --- entry points: one transaction each, plain results ------------------------------------------


def change_status(
    database: Database,
    case_id: int,
    target: CaseStatus | str,
    *,
    actor: str,
    on: date | None = None,
    failure_reason: FailureReason | str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    waiver: str | None = None,
) -> CaseState:
    """Move a case to ``target`` (see ``transition_case``) in a transaction of its own."""
    with database.transaction() as session:
        case = transition_case(
            session,
            case_id,
            target,
            actor=actor,
            on=on,
            failure_reason=failure_reason,
            note=note,
            expected_version=expected_version,
            waiver=waiver,
        )
        return CaseState.of(case)


def edit_case_fields(session: Session, case_id: int, changes: Mapping[str, Any], *, actor: str) -> CaseRow:
    """``update_case_fields`` as a step in the caller's transaction (the loss calculator sets the
    agreed amounts of a whole batch at once, all or none)."""
    return _update_case_fields(session, case_id, changes, actor=actor)


def update_case_fields(
    database: Database,
    case_id: int,
    changes: Mapping[str, Any],
    *,
    actor: str,
    expected_version: int | None = None,
) -> CaseState:
    """Edit the fields in ``EDITABLE_FIELDS``, each checked by its domain validator.

    Only values that really change are written; the audit event lists the changed field names,
    never their values (they may be ID or phone numbers).
    """
    with database.transaction() as session:
        case = _update_case_fields(session, case_id, changes, actor=actor, expected_version=expected_version)
        return CaseState.of(case)


def extend_mediation_term(
    database: Database, batch: str | int, days: int, reason: str, *, actor: str
) -> TermExtension:
    """Extend a batch's commissioned-mediation term (both parties' consent is the reason to
    record). ``batch`` as the user names it: 第15批, 15."""
    from mediator.services.calendar import load_work_calendar

    with database.transaction() as session:
        row = _extend_mediation_term(session, find_batch(session, batch), days, reason, actor=actor)
        assert row.id is not None
        term = mediation_term(
            row.referral_date,
            row.term_days,
            row.extension_days,
            calendar=load_work_calendar(session),
            received_on=row.received_on,
        )
        return TermExtension(row.id, row.number, days, row.extension_reason or "", term)


# --- steps shared with other services -----------------------------------------------------------


def find_batch(session: Session, batch: str | int) -> BatchRow:
    """Step: the batch the user named as the court writes it (第15批) or by its bare number (15)."""
    number = parse_batch_number(batch)
    row = session.scalar(select(BatchRow).where(col(BatchRow.number) == number))
    if row is None:
        numbers = list(session.scalars(select(col(BatchRow.number)).order_by(col(BatchRow.number))))
        if numbers:
            known = _("已有：{list}").format(list=_number_ranges(numbers))
        else:
            known = _("数据库中还没有任何批次")
        raise NotFoundError(_("没有第{number}批（{known}）。").format(number=number, known=known))
    return row


def _number_ranges(numbers: list[int]) -> str:
    """第1–14批、第16批 for [1..14, 16]."""
    parts: list[str] = []
    start = prev = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == prev + 1:
            prev = number
            continue
        parts.append(f"第{start}批" if start == prev else f"第{start}–{prev}批")
        if number is not None:
            start = prev = number
    return "、".join(parts)
