"""The mediators' registry (特邀调解员): the names and phones agreements and signing packages print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select

from mediator.domain.parties import validate_phone
from mediator.domain.validators import validate_person_name
from mediator.errors import NotFoundError
from mediator.i18n import _
from mediator.services.audit.history import change_detail
from mediator.services.audit.trail import audit
from mediator.store.database import Database
from mediator.store.tables import CaseRow, MediatorRow


@dataclass(frozen=True)
class MediatorInfo:
    """One mediator as the registry shows it."""

    id: int
    name: str
    phone: str | None
    active: bool
    cases: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "active": self.active, "cases": self.cases}


@dataclass(frozen=True)
class MediatorSaved:
    """What ``add_mediator`` did."""

    mediator: MediatorInfo
    created: bool

    def summary(self) -> str:
        if self.created:
            return _("已登记调解员“{name}”。").format(name=self.mediator.name)
        return _("已更新调解员“{name}”的资料。").format(name=self.mediator.name)


def list_mediators(db: Database, *, active_only: bool = False) -> list[MediatorInfo]:
    """The mediators by name, with the number of cases each holds."""
    with db.session() as session:
        counts = dict(
            session.exec(
                select(CaseRow.mediator_id, func.count())
                .where(col(CaseRow.mediator_id).is_not(None))
                .group_by(col(CaseRow.mediator_id))
            ).all()
        )
        query = select(MediatorRow).order_by(col(MediatorRow.name))
        if active_only:
            query = query.where(col(MediatorRow.active).is_(True))
        return [
            MediatorInfo(row.id or 0, row.name, row.phone, row.active, counts.get(row.id, 0))
            for row in session.exec(query)
        ]


def add_mediator(
    db: Database, name: str, *, phone: str | None, actor: str, active: bool = True
) -> MediatorSaved:
    """Register a mediator, or update the phone and activity of one already registered."""
    person = validate_person_name(name)
    number = validate_phone(phone) if phone else None
    with db.transaction() as session:
        row = session.exec(select(MediatorRow).where(MediatorRow.name == person)).first()
        created = row is None
        if row is None:
            row = MediatorRow(name=person)
            session.add(row)
        history = [] if created else [("phone", row.phone, number), ("active", row.active, active)]
        if number is not None:
            row.phone = number
        row.active = active
        session.flush()
        history = [(key, old, new) for key, old, new in history if new is not None and old != new]
        detail = change_detail(history, subject=person, created=created)
        audit(session, actor=actor, action="mediator", detail=detail)
        cases = session.exec(select(func.count()).where(CaseRow.mediator_id == row.id)).one()
        return MediatorSaved(MediatorInfo(row.id or 0, row.name, row.phone, row.active, cases), created)


def set_mediator_active(db: Database, name: str, *, active: bool, actor: str) -> MediatorInfo:
    """Mark a mediator as (no longer) taking cases; their past cases keep their name."""
    person = validate_person_name(name)
    with db.transaction() as session:
        row = session.exec(select(MediatorRow).where(MediatorRow.name == person)).first()
        if row is None:
            raise NotFoundError(_("没有名为“{name}”的调解员。").format(name=person))
        detail = change_detail([("active", row.active, active)], subject=person)
        row.active = active
        audit(session, actor=actor, action="mediator", detail=detail)
        cases = session.exec(select(func.count()).where(CaseRow.mediator_id == row.id)).one()
        return MediatorInfo(row.id or 0, row.name, row.phone, row.active, cases)
