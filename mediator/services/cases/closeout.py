"""Closing a batch (``mediator batch close NO``): once every case of the batch is paid (履行完毕) or
has failed or been returned to the court, the batch is closed on a day; a batch with an open case
is refused, naming the open cases. The failed cases go back to the court with a return letter
(退回函, the ``return-letter`` document kind).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.workflow import CaseStatus
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import find_batch
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow

log = logging.getLogger("mediator.cases")

# The statuses a batch can be closed with: paid in full, or handed back to the court.
CLOSED_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.PAID, CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT}
)
_NAMED_IN_REFUSAL = 10


@dataclass(frozen=True)
class BatchCloseOut:
    """A closed batch: how its cases ended."""

    batch_number: int
    closed_on: date
    paid: int
    returned: int
    failed: int  # failed and not yet returned: the return letter is still to be sent

    def summary(self) -> str:
        """What `mediator batch close` prints and the GUI says."""
        text = _(
            "第{batch}批已于 {day} 结案：履行完毕 {paid} 件，调解不成 {failed} 件，已退回法院 {returned} 件。"
        ).format(
            batch=self.batch_number,
            day=self.closed_on.isoformat(),
            paid=self.paid,
            failed=self.failed,
            returned=self.returned,
        )
        if self.failed:
            text += "\n" + _(
                "{count} 件调解不成的案件尚未退回法院：请生成退回函"
                "（mediator return-letter --batch {batch} --out 文件夹）。"
            ).format(count=self.failed, batch=self.batch_number)
        return text


def open_cases(session: Session, batch_id: int) -> list[tuple[str, CaseStatus]]:
    """Step: the batch's cases that keep it open (neither paid nor failed nor returned), by 案号."""
    closed = [status.value for status in CLOSED_STATUSES]
    rows = session.connection().execute(
        select(col(CaseRow.case_number), col(CaseRow.status))
        .where(col(CaseRow.batch_id) == batch_id, col(CaseRow.status).not_in(closed))
        .order_by(col(CaseRow.case_number))
    )
    return [(number, CaseStatus(status)) for number, status in rows]


def _refusal(batch: BatchRow, still_open: list[tuple[str, CaseStatus]]) -> UserError:
    named = "、".join(f"{number}（{status.label}）" for number, status in still_open[:_NAMED_IN_REFUSAL])
    if len(still_open) > _NAMED_IN_REFUSAL:
        named += _("等")
    return UserError(
        _("第{batch}批还有 {count} 件案件未结，不能结案：{cases}。").format(
            batch=batch.number, count=len(still_open), cases=named
        )
    )


def close_batch(database: Database, batch: str | int, *, on: date, actor: str) -> BatchCloseOut:
    """Close the batch the user named (第15批, 15) on ``on``, if every case is paid, failed or
    returned; ``UserError`` naming the open cases otherwise, and for a batch closed already."""
    with database.transaction() as session:
        row = find_batch(session, batch)
        assert row.id is not None
        if row.closed_on is not None:
            raise UserError(
                _("第{batch}批已于 {day} 结案。").format(batch=row.number, day=row.closed_on.isoformat())
            )
        still_open = open_cases(session, row.id)
        if still_open:
            raise _refusal(row, still_open)
        counts = {status: 0 for status in CLOSED_STATUSES}
        for status in session.scalars(select(col(CaseRow.status)).where(col(CaseRow.batch_id) == row.id)):
            counts[CaseStatus(status)] += 1
        if not sum(counts.values()):
            raise UserError(_("第{batch}批没有案件，无需结案。").format(batch=row.number))
        row.closed_on = on
        session.add(row)
        audit(session, actor=actor, action="close_batch", batch_id=row.id, detail=on.isoformat())
        log.info("batch %s closed", row.number)
        return BatchCloseOut(
            batch_number=row.number,
            closed_on=on,
            paid=counts[CaseStatus.PAID],
            returned=counts[CaseStatus.RETURNED_TO_COURT],
            failed=counts[CaseStatus.FAILED],
        )
