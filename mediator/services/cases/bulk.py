"""Work on many cases at once: list them, assign a mediator, move them to a next status.

The cases are a batch (第15批 or 15), optionally narrowed to some of its 案号, or the ids the GUI's
selection or filtered view holds. A bulk change is all or nothing, in one transaction: when any
case may not take the step, ``BulkRefused`` names every refused case with its reason and nothing
is changed. The workflow's rules are those of one case (``changes.transition_case``, which applies
``domain.workflow``): a bulk move is the same step taken for each case.

Entry points take a ``Database``: ``list_cases``, ``assign_mediator``, ``move_cases`` (with
``dry_run`` it is the preview the GUI shows before the change: what each case would become, or why
it cannot).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.money import to_money
from mediator.domain.privacy import mask_id_number, mask_phone
from mediator.domain.validators import canonical_case_number
from mediator.domain.workflow import CaseStatus, FailureReason, parse_failure_reason, parse_status
from mediator.errors import NotFoundError, UserError
from mediator.i18n import _
from mediator.services.audit.history import change_detail
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import find_batch, transition_case
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InstallmentRow, InvestorRow, MediatorRow

log = logging.getLogger("mediator.cases.bulk")

# Steps that carry more than a date: the application and the ruling are recorded with
# ``confirmation-record`` (the judicial-confirmation record shows them too), payments with their
# amounts. A bulk move to these is refused up front.
_NOT_IN_BULK: dict[CaseStatus, str] = {
    CaseStatus.CONFIRMATION_APPLIED: "confirmation",
    CaseStatus.CONFIRMED: "confirmation",
    CaseStatus.PARTIALLY_PAID: "payment",
    CaseStatus.PAID: "payment",
}


class BulkRefused(UserError):
    """Some cases may not take the step: every one named with its reason; nothing was changed."""

    def __init__(self, headline: str, refusals: Sequence[tuple[str, str]]) -> None:
        self.headline = headline
        self.refusals = list(refusals)
        lines = [headline] + [f"  {case}：{reason}" for case, reason in self.refusals]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CaseLine:
    """One case as ``mediator cases list`` prints it (ID and phone numbers masked)."""

    id: int
    case_number: str
    batch_number: int
    investor: str
    id_number: str
    phone: str
    status: CaseStatus
    claimed: Decimal
    agreed: Decimal | None
    paid: Decimal
    mediator: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_number,
            "batch": self.batch_number,
            "investor": self.investor,
            "id_number": self.id_number,
            "phone": self.phone,
            "status": self.status.value,
            "status_label": self.status.label,
            "claimed": str(self.claimed),
            "agreed": None if self.agreed is None else str(self.agreed),
            "paid": str(self.paid),
            "mediator": self.mediator,
        }


@dataclass(frozen=True)
class PlannedChange:
    """What a bulk change does (or would do) to one case; ``refusal`` says why it cannot."""

    case_id: int
    case_number: str
    investor: str
    before: str
    after: str
    refusal: str | None = None


@dataclass(frozen=True)
class BulkResult:
    """A bulk change as done (or, with ``dry_run``, as it would be done)."""

    action: str  # assign / move / contact
    target: str  # the mediator's name or the status's label
    changes: list[PlannedChange]
    on: date | None = None
    dry_run: bool = False

    @property
    def refused(self) -> list[PlannedChange]:
        return [c for c in self.changes if c.refusal is not None]

    @property
    def changed(self) -> int:
        if self.action == "contact":  # an attempt is recorded on each case
            return len(self.changes)
        return sum(1 for c in self.changes if c.refusal is None and c.before != c.after)

    def summary(self) -> str:
        if self.action == "contact":
            text = (
                _("将为 {count} 件案件记录联系：{name}。")
                if self.dry_run
                else _("已为 {count} 件案件记录联系：{name}。")
            )
            return text.format(count=self.changed, name=self.target)
        if self.action == "assign":
            text = _("已将 {count} 件案件的调解员设为{name}。")
        else:
            text = _("已将 {count} 件案件变更为“{name}”（日期 {on}）。")
        if self.dry_run:
            text = (
                _("将把 {count} 件案件的调解员设为{name}。")
                if self.action == "assign"
                else _("将把 {count} 件案件变更为“{name}”（日期 {on}）。")
            )
        on = self.on.isoformat() if self.on else ""
        lines = [text.format(count=self.changed, name=self.target, on=on)]
        unchanged = len(self.changes) - self.changed - len(self.refused)
        if unchanged:
            lines.append(_("另有 {count} 件本已如此，未作修改。").format(count=unchanged))
        if self.refused:
            lines.append(_("{count} 件不能变更：").format(count=len(self.refused)))
            lines += [f"  {c.case_number}：{c.refusal}" for c in self.refused]
        return "\n".join(lines)


# --- choosing the cases -------------------------------------------------------------------------


def select_cases(
    session: Session,
    *,
    batch: str | int | None,
    case_numbers: Sequence[str] | None,
    case_ids: Sequence[int] | None,
) -> list[CaseRow]:
    """The cases named: ids (the GUI), else a batch's cases, or those of its 案号 given."""
    if case_ids is not None:
        rows = {r.id: r for r in session.scalars(select(CaseRow).where(col(CaseRow.id).in_(list(case_ids))))}
        missing = [i for i in case_ids if i not in rows]
        if missing:
            raise NotFoundError(_("有 {count} 件案件已不存在，请刷新后重试。").format(count=len(missing)))
        return [rows[i] for i in dict.fromkeys(case_ids)]
    if batch is None:
        raise UserError(_("请给出批次（--batch）。"))
    batch_row: BatchRow = find_batch(session, batch)
    query = select(CaseRow).where(col(CaseRow.batch_id) == batch_row.id).order_by(col(CaseRow.case_number))
    in_batch = {r.case_number: r for r in session.scalars(query)}
    if not case_numbers:
        if not in_batch:
            raise UserError(_("第{number}批没有案件。").format(number=batch_row.number))
        return list(in_batch.values())
    wanted = list(dict.fromkeys(canonical_case_number(text) for text in case_numbers))
    outside = [number for number in wanted if number not in in_batch]
    if outside:
        raise NotFoundError(
            _("第{number}批中没有这些案号：{cases}。").format(
                number=batch_row.number, cases="、".join(outside)
            )
        )
    return [in_batch[number] for number in wanted]


def _investor_names(session: Session, cases: Sequence[CaseRow]) -> dict[int, str]:
    ids = list({c.investor_id for c in cases})
    query = select(col(InvestorRow.id), col(InvestorRow.name)).where(col(InvestorRow.id).in_(ids))
    return {int(i or 0): str(name) for i, name in session.connection().execute(query)}


def split_case_numbers(text: str | None) -> list[str] | None:
    """``--cases`` as typed: 案号 separated by commas (either width), 、 or semicolons."""
    if text is None:
        return None
    for separator in ("，", "、", ";", "；"):
        text = text.replace(separator, ",")
    numbers = [part.strip() for part in text.split(",") if part.strip()]
    if not numbers:
        raise UserError(_("--cases 中没有案号。"))
    return numbers


# --- listing ------------------------------------------------------------------------------------


def list_cases(
    database: Database, *, batch: str | int | None = None, status: CaseStatus | str | None = None
) -> list[CaseLine]:
    """The cases of a batch (or all), optionally in one status, in 案号 order; ID and phone
    numbers masked, ``paid`` the sum received."""
    wanted = None if status is None else parse_status(status)
    with database.session() as session:
        paid = (
            select(func.coalesce(func.sum(InstallmentRow.paid_amount), Decimal("0.00")))
            .where(col(InstallmentRow.case_id) == col(CaseRow.id))
            .scalar_subquery()
        )
        query = (
            select(
                col(CaseRow.id),
                col(CaseRow.case_number),
                col(BatchRow.number),
                col(InvestorRow.name),
                col(InvestorRow.id_number),
                col(InvestorRow.phone),
                col(CaseRow.status),
                col(CaseRow.claimed_amount),
                col(CaseRow.agreed_amount),
                paid,
                col(MediatorRow.name),
            )
            .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
            .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
            .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
            .order_by(col(CaseRow.case_number))
        )
        if batch is not None:
            query = query.where(col(CaseRow.batch_id) == find_batch(session, batch).id)
        if wanted is not None:
            query = query.where(col(CaseRow.status) == wanted.value)
        result: list[Any] = list(session.execute(query))
    return [
        CaseLine(
            id=r[0],
            case_number=r[1],
            batch_number=r[2],
            investor=r[3],
            id_number=mask_id_number(r[4]),
            phone=mask_phone(r[5]),
            status=CaseStatus(r[6]),
            claimed=r[7],
            agreed=r[8],
            # The Money column type turns the fen sum back into Decimal yuan.
            paid=to_money(r[9] or 0),
            mediator=r[10],
        )
        for r in result
    ]


# --- bulk changes -------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the transaction to roll a preview back, carrying its result."""

    def __init__(self, result: BulkResult) -> None:
        super().__init__()
        self.result = result


def _mediator(session: Session, name: str) -> MediatorRow:
    text = " ".join((name or "").split())
    row = session.scalar(select(MediatorRow).where(col(MediatorRow.name) == text))
    if row is None:
        names = list(session.scalars(select(col(MediatorRow.name)).order_by(col(MediatorRow.name))))
        known = "、".join(names) if names else _("还没有登记任何调解员（mediator mediator add）")
        raise NotFoundError(_("没有名为“{name}”的调解员（{known}）。").format(name=text, known=known))
    if not row.active:
        raise UserError(_("调解员{name}已停用，不能再分配案件。").format(name=row.name))
    return row


def assign_mediator(
    database: Database,
    mediator: str,
    *,
    actor: str,
    batch: str | int | None = None,
    case_numbers: Sequence[str] | None = None,
    case_ids: Sequence[int] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BulkResult:
    """Give the cases one mediator (from the registry, active), in one transaction."""
    try:
        with database.transaction() as session:
            row = _mediator(session, mediator)
            cases = select_cases(session, batch=batch, case_numbers=case_numbers, case_ids=case_ids)
            names = _investor_names(session, cases)
            current = _mediator_names(session, cases)
            changes: list[PlannedChange] = []
            if progress is not None:
                progress.update(0, len(cases), _("正在分配调解员"))
            for done, case in enumerate(cases, start=1):
                assert case.id is not None
                if progress is not None:
                    progress.check()
                before = current.get(case.mediator_id or -1, "")
                changes.append(
                    PlannedChange(case.id, case.case_number, names[case.investor_id], before, row.name)
                )
                if case.mediator_id != row.id:
                    _set_mediator(session, case, row, before or None, actor)
                if progress is not None:
                    progress.update(done)
            result = BulkResult("assign", row.name, changes, dry_run=dry_run)
            if dry_run:
                raise _DryRun(result)
            log.info("bulk assign: %d cases", result.changed)
            return result
    except _DryRun as preview:
        return preview.result


def _mediator_names(session: Session, cases: Sequence[CaseRow]) -> dict[int, str]:
    ids = list({c.mediator_id for c in cases if c.mediator_id is not None})
    query = select(col(MediatorRow.id), col(MediatorRow.name)).where(col(MediatorRow.id).in_(ids))
    return {int(i or 0): str(name) for i, name in session.connection().execute(query)}


def _set_mediator(
    session: Session, case: CaseRow, mediator: MediatorRow, before: str | None, actor: str
) -> None:
    session.execute(
        update(CaseRow)
        .where(col(CaseRow.id) == case.id)
        .values(mediator_id=mediator.id, version=CaseRow.version + 1, updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    audit(
        session,
        actor=actor,
        action="edit",
        case_id=case.id,
        batch_id=case.batch_id,
        detail=change_detail([("mediator", before, mediator.name)]),
    )


def move_cases(
    database: Database,
    target: CaseStatus | str,
    *,
    actor: str,
    on: date | None = None,
    batch: str | int | None = None,
    case_numbers: Sequence[str] | None = None,
    case_ids: Sequence[int] | None = None,
    failure_reason: FailureReason | str | None = None,
    note: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BulkResult:
    """Move every case to ``target`` on one date, all or nothing.

    Each case takes the step exactly as it would alone (``transition_case``); a case that may not
    is noted with its reason. Any refusal: ``BulkRefused`` naming them all, nothing changed. With
    ``dry_run`` the result lists what would happen, refusals included, and nothing is written.
    """
    status = parse_status(target)
    if failure_reason is not None:
        failure_reason = parse_failure_reason(failure_reason)
    if status in _NOT_IN_BULK:
        if _NOT_IN_BULK[status] == "confirmation":
            raise UserError(
                _("“{status}”请用司法确认登记（confirmation-record，可按批次或清单登记）。").format(
                    status=status.label
                )
            )
        raise UserError(_("“{status}”须逐案登记收到的款项，不能批量变更。").format(status=status.label))
    try:
        with database.transaction() as session:
            cases = select_cases(session, batch=batch, case_numbers=case_numbers, case_ids=case_ids)
            names = _investor_names(session, cases)
            changes = _move_each(
                session,
                cases,
                names,
                status,
                actor=actor,
                on=on,
                failure_reason=failure_reason,
                note=note,
                progress=progress,
            )
            result = BulkResult("move", status.label, changes, on=on or china_today(), dry_run=dry_run)
            if dry_run:
                raise _DryRun(result)
            if result.refused:
                headline = _("{count} 件案件不能变更为“{status}”，未作任何修改：").format(
                    count=len(result.refused), status=status.label
                )
                raise BulkRefused(headline, [(c.case_number, c.refusal or "") for c in result.refused])
            log.info("bulk move: %d cases to %s", len(changes), status.value)
            return result
    except _DryRun as preview:
        return preview.result


def _move_each(
    session: Session,
    cases: Sequence[CaseRow],
    names: dict[int, str],
    status: CaseStatus,
    *,
    actor: str,
    on: date | None,
    failure_reason: FailureReason | str | None,
    note: str | None,
    progress: Progress | None,
) -> list[PlannedChange]:
    changes: list[PlannedChange] = []
    if progress is not None:
        progress.update(0, len(cases), _("正在变更案件状态"))
    for done, case in enumerate(cases, start=1):
        assert case.id is not None
        if progress is not None:
            progress.check()
        before = CaseStatus(case.status).label
        refusal = None
        try:
            # A refused step raises before writing; the whole transaction is rolled back anyway.
            transition_case(
                session, case.id, status, actor=actor, on=on, failure_reason=failure_reason, note=note
            )
        except UserError as exc:
            refusal = str(exc)
        changes.append(
            PlannedChange(case.id, case.case_number, names[case.investor_id], before, status.label, refusal)
        )
        if progress is not None:
            progress.update(done)
    return changes


def contact_cases(
    database: Database,
    outcome: str,
    *,
    actor: str,
    channel: str = "phone",
    at: datetime | None = None,
    note: str | None = None,
    batch: str | int | None = None,
    case_numbers: Sequence[str] | None = None,
    case_ids: Sequence[int] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BulkResult:
    """Record the same contact attempt (channel and outcome) on every case, all or nothing (the
    step of ``services.contacts``: one attempt per case, audited)."""
    from mediator.domain.contacts import ContactOutcome, parse_channel, parse_outcome
    from mediator.services.contacts.attempts import log_contact

    parsed_channel, parsed_outcome = parse_channel(channel), parse_outcome(outcome)
    if parsed_outcome is ContactOutcome.SENT:
        raise UserError(_("“短信已发送”由短信通知名单自动记录（mediator contact sms-list）。"))
    when = at or datetime.now(UTC)
    label = f"{parsed_channel.label}·{parsed_outcome.label}"
    try:
        with database.transaction() as session:
            cases = select_cases(session, batch=batch, case_numbers=case_numbers, case_ids=case_ids)
            names = _investor_names(session, cases)
            changes: list[PlannedChange] = []
            if progress is not None:
                progress.update(0, len(cases), _("正在记录联系结果"))
            for done, case in enumerate(cases, start=1):
                assert case.id is not None
                if progress is not None:
                    progress.check()
                log_contact(
                    session,
                    case.id,
                    channel=parsed_channel,
                    outcome=parsed_outcome,
                    at=when,
                    note=note,
                    actor=actor,
                )
                before = CaseStatus(case.status).label
                changes.append(
                    PlannedChange(case.id, case.case_number, names[case.investor_id], before, label)
                )
                if progress is not None:
                    progress.update(done)
            result = BulkResult("contact", label, changes, dry_run=dry_run)
            if dry_run:
                raise _DryRun(result)
            log.info("bulk contact: %d attempts (%s)", len(changes), parsed_outcome.value)
            return result
    except _DryRun as preview:
        return preview.result
