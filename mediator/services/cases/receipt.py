"""The day the organisation signed for a batch's materials (签收), from which the commissioned-
mediation term counts (特邀调解规定, 法释〔2016〕14号; ``deadlines.term_start``). Until it is
recorded the referral date stands in, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mediator.domain.clock import china_today
from mediator.domain.deadlines import Deadline, TermStart, mediation_term, term_start
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import find_batch
from mediator.store.database import Database


@dataclass(frozen=True)
class BatchReceipt:
    """A batch's term start (签收 date or the referral date standing in) and the term's last day."""

    batch_number: int
    referral_date: date
    start: TermStart
    term: Deadline

    def summary(self) -> str:
        return _("第{n}批的调解期限自{label}{start}起算，至{end}届满（委派日{referred}）。").format(
            n=self.batch_number,
            label=self.start.label,
            start=_cn(self.start.day),
            end=_cn(self.term.end),
            referred=_cn(self.referral_date),
        )


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def record_receipt(
    database: Database, batch: str | int, received_on: date | None, *, actor: str, today: date | None = None
) -> BatchReceipt:
    """Record (or, with ``None``, clear) the batch's 签收 date; the term is recomputed from it.

    Refused: a 签收 date before the referral or in the future.
    """
    from mediator.services.calendar import load_work_calendar

    today = today or china_today()
    with database.transaction() as session:
        row = find_batch(session, batch)
        if received_on is not None and received_on < row.referral_date:
            raise ValidationError(
                _("签收日{day}早于第{n}批的委派日{referred}。").format(
                    day=_cn(received_on), n=row.number, referred=_cn(row.referral_date)
                ),
                field="received_on",
                value=received_on,
            )
        if received_on is not None and received_on > today:
            raise ValidationError(
                _("签收日{day}晚于今天，不能登记尚未发生的签收。").format(day=_cn(received_on)),
                field="received_on",
                value=received_on,
            )
        row.received_on = received_on
        session.add(row)
        audit(
            session,
            actor=actor,
            action="batch_received",
            batch_id=row.id,
            detail=f"received_on={received_on.isoformat() if received_on else 'cleared'}",
        )
        term = mediation_term(
            row.referral_date,
            row.term_days,
            row.extension_days,
            calendar=load_work_calendar(session),
            received_on=received_on,
        )
        return BatchReceipt(row.number, row.referral_date, term_start(row.referral_date, received_on), term)
