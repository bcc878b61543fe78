"""Correcting a mistyped step date, with a reason, audited.

A step's date lives on the case (``contacted_on``, ``confirmation_applied_on``...) and, for the
judicial confirmation, also on its record (the application date, the ruling date): a correction
changes every place, so the case panel, the documents and the court report agree. The new date
obeys the same rules as a new step (``domain.workflow.check_step_date``): not in the future, not
before the case's previous step, and not after its next one. An application moved past its window
needs the late reason (民事诉讼法 §205).

Entry point: ``correct_step_date``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.workflow import STATUS_ORDER, STEP_DATE_FIELD, CaseStatus, check_step_date, parse_status
from mediator.errors import UserError, ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.calendar import load_work_calendar
from mediator.services.documents.confirmation import find_case
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, CaseRow, JudicialConfirmationRow

log = logging.getLogger("mediator.cases")

REASON_LIMIT = 500


@dataclass(frozen=True)
class DateCorrection:
    """A step date as corrected."""

    case_id: int
    case_number: str
    step: CaseStatus
    old: date
    new: date
    reason: str

    def summary(self) -> str:
        return _("已将{case}的“{step}”日期由 {old} 更正为 {new}（理由：{reason}）。").format(
            case=self.case_number,
            step=self.step.label,
            old=self.old.isoformat(),
            new=self.new.isoformat(),
            reason=self.reason,
        )


def _neighbours(case: CaseRow, step: CaseStatus) -> tuple[date | None, date | None]:
    """The latest date of the steps before ``step`` and the earliest of those after it."""
    position = STATUS_ORDER.index(step)
    before: list[date] = []
    after: list[date] = []
    for status in STATUS_ORDER:
        day = getattr(case, STEP_DATE_FIELD[status])
        if day is None or status is step:
            continue
        # Failing and returning come after whatever step the case had reached.
        (before if STATUS_ORDER.index(status) < position else after).append(day)
    return max(before, default=None), min(after, default=None)


def correct_step_date(
    database: Database,
    case_number: str | None = None,
    *,
    step: CaseStatus | str,
    on: date,
    reason: str,
    actor: str,
    case_id: int | None = None,
    late_reason: str | None = None,
) -> DateCorrection:
    """Correct the date of a step the case has taken (by 案号, or ``case_id`` from the GUI)."""
    status = parse_status(step)
    text = " ".join((reason or "").split())
    if not text:
        raise UserError(_("更正日期须说明理由（--reason）。"))
    if len(text) > REASON_LIMIT:
        raise ValidationError(_("内容过长（最多{limit}个字）。").format(limit=REASON_LIMIT), field="reason")
    with database.transaction() as session:
        if case_id is not None:
            case = session.get(CaseRow, case_id)
            if case is None:
                raise UserError(_("案件不存在（编号 {id}），可能已被删除。").format(id=case_id))
        else:
            case = find_case(session, case_number or "")
        assert case.id is not None
        field = STEP_DATE_FIELD[status]
        old = getattr(case, field)
        if old is None:
            raise UserError(
                _("案件{case}没有“{step}”这一步，无日期可更正。").format(
                    case=case.case_number, step=status.label
                )
            )
        if old == on:
            raise UserError(_("新日期与原日期相同（{day}），无需更正。").format(day=on.isoformat()))
        previous, following = _neighbours(case, status)
        check_step_date(on, previous=previous, today=china_today())
        if following is not None and on > following:
            raise ValidationError(
                _("日期{on}晚于案件下一步的日期{next}，请核对。").format(
                    on=on.isoformat(), next=following.isoformat()
                ),
                field="on",
                value=on,
            )
        _correct_confirmation(session, case, status, on, late_reason)
        session.execute(
            update(CaseRow)
            .where(col(CaseRow.id) == case.id)
            .values({field: on, "version": case.version + 1, "updated_at": datetime.now(UTC)})
            .execution_options(synchronize_session=False)
        )
        detail = _("更正“{step}”日期：{old} → {new}；理由：{reason}").format(
            step=status.label, old=old.isoformat(), new=on.isoformat(), reason=text
        )
        audit(
            session,
            actor=actor,
            action="correct_date",
            case_id=case.id,
            batch_id=case.batch_id,
            detail=detail,
        )
        log.info("case %s: %s date corrected", case.id, status.value)
        return DateCorrection(case.id, case.case_number, status, old, on, text)


def _correct_confirmation(
    session: Session, case: CaseRow, status: CaseStatus, on: date, late_reason: str | None
) -> None:
    """The judicial-confirmation record carries the application and ruling dates too."""
    if status not in (CaseStatus.CONFIRMATION_APPLIED, CaseStatus.CONFIRMED):
        return
    row = session.scalar(
        select(JudicialConfirmationRow).where(col(JudicialConfirmationRow.case_id) == case.id)
    )
    if row is None:
        assert case.id is not None
        row = JudicialConfirmationRow(case_id=case.id)
    if status is CaseStatus.CONFIRMED:
        row.ruling_date = on
    else:
        row.application_date = on
        row.late_reason = _late_reason(session, case, on, late_reason or row.late_reason)
    session.add(row)
    session.flush()


def _late_reason(session: Session, case: CaseRow, applied: date, reason: str | None) -> str | None:
    from mediator.domain.deadlines import confirmation_window_of

    recorded = session.scalar(
        select(col(AgreementRow.effective_on)).where(col(AgreementRow.case_id) == case.id)
    )
    window = confirmation_window_of(recorded, case.signed_on, load_work_calendar(session))
    if window is None or applied <= window.end:
        return None
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationError(
            _("更正后的申请日期{applied}已超过申请期限{end}：请同时说明逾期原因（--late-reason）。").format(
                applied=applied.isoformat(), end=window.end.isoformat()
            ),
            field="late_reason",
        )
    return text[:REASON_LIMIT]
