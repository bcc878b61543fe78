"""The audit trail: who did what, when (the one place audit events are written)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

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
