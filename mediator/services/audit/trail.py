"""The audit trail: who did what, when (the one place audit events are written).

``audit`` is a step: services add the event inside the transaction of the change it records.
``record_event`` is the entry point for an event that stands alone (the user unmasking personal
data), in a transaction of its own. Both chain the event (``chain.append``): the log is
append-only and ``mediator audit verify`` finds any row edited or deleted behind the app's back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from mediator.domain.audit_chain import EventContent
from mediator.services.audit import chain
from mediator.store.database import Database


def _now() -> datetime:
    return datetime.now(UTC)


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    case_id: int | None = None,
    batch_id: int | None = None,
    detail: str | None = None,
) -> int:
    """Record who did what in the session's transaction; the event's position in the chain.
    ``detail`` must not carry ID or phone numbers: callers name the fields they changed, not
    their values."""
    content = EventContent.of(
        at=_now(), actor=actor, action=action, case_id=case_id, batch_id=batch_id, detail=detail
    )
    return chain.append(session.connection(), [content])[0]


def record_event(
    database: Database,
    *,
    actor: str,
    action: str,
    case_id: int | None = None,
    batch_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Record an event that is not part of a change (e.g. personal data shown), committed at once."""
    with database.transaction() as session:
        audit(session, actor=actor, action=action, case_id=case_id, batch_id=batch_id, detail=detail)
