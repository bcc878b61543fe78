"""The audit trail: who did what, when (the one place audit events are written).

``audit`` is a step: services add the event inside the transaction of the change it records.
``record_event`` is the entry point for an event that stands alone (the user unmasking personal
data), in a transaction of its own."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from mediator.store.database import Database
from mediator.store.tables import AuditEventRow


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
) -> AuditEventRow:
    """Record who did what (the one place audit events are written). ``detail`` must not carry
    ID or phone numbers: callers name the fields they changed, not their values."""
    event = AuditEventRow(
        at=_now(),
        actor=(actor or "?")[:50],
        action=action[:40],
        case_id=case_id,
        batch_id=batch_id,
        detail=detail[:2000] if detail else None,
    )
    session.add(event)
    return event


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
