"""The audit trail: who did what, when (the one place audit events are written).

``audit`` is a step: services add the event inside the transaction of the change it records.
``record_event`` is the entry point for an event that stands alone (the user unmasking personal
data), in a transaction of its own. Both chain the event (``chain.append``): the log is
append-only and ``mediator audit verify`` finds any row edited or deleted behind the app's back.

The events of a transaction are chained when it commits (a ``before_commit`` hook), in the same
transaction: the chain's lock is then the last lock a writer takes and is held only while it
commits, so two writers that lock the same cases in turn cannot deadlock on it, and a rolled-back
transaction leaves no event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
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
) -> None:
    """Record who did what in the session's transaction (chained when it commits). ``detail``
    must not carry ID or phone numbers: callers name the fields they changed, not their values."""
    content = EventContent.of(
        at=_now(), actor=actor, action=action, case_id=case_id, batch_id=batch_id, detail=detail
    )
    session.info.setdefault(_PENDING, []).append(content)


_PENDING = "mediator.audit.pending"


@event.listens_for(OrmSession, "before_commit")
def _chain_pending(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        chain.append(session.connection(), pending)


@event.listens_for(OrmSession, "after_rollback")
def _drop_pending(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


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
