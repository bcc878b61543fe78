"""Table rows to domain entities: services read a row, hand the rules a plain immutable value.

Entity fields carry the row's columns under the same names (tests/store/test_mapping.py keeps
them in step); statuses become ``CaseStatus``/``FailureReason`` on the way.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, overload

from sqlmodel import SQLModel

from mediator.domain import entities as e
from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.store import tables as t

ENTITY_OF: dict[type[SQLModel], type[Any]] = {
    t.MediatorRow: e.Mediator,
    t.ListedCompanyRow: e.ListedCompany,
    t.BatchRow: e.Batch,
    t.InvestorRow: e.Investor,
    t.CaseRow: e.Case,
    t.AgreementRow: e.Agreement,
    t.SigningRow: e.Signing,
    t.JudicialConfirmationRow: e.JudicialConfirmation,
    t.InstallmentRow: e.Installment,
    t.ContactAttemptRow: e.ContactAttempt,
    t.AuditEventRow: e.AuditEvent,
}


@overload
def to_entity(row: t.MediatorRow) -> e.Mediator: ...
@overload
def to_entity(row: t.ListedCompanyRow) -> e.ListedCompany: ...
@overload
def to_entity(row: t.BatchRow) -> e.Batch: ...
@overload
def to_entity(row: t.InvestorRow) -> e.Investor: ...
@overload
def to_entity(row: t.CaseRow) -> e.Case: ...
@overload
def to_entity(row: t.AgreementRow) -> e.Agreement: ...
@overload
def to_entity(row: t.SigningRow) -> e.Signing: ...
@overload
def to_entity(row: t.JudicialConfirmationRow) -> e.JudicialConfirmation: ...
@overload
def to_entity(row: t.InstallmentRow) -> e.Installment: ...
@overload
def to_entity(row: t.ContactAttemptRow) -> e.ContactAttempt: ...
@overload
def to_entity(row: t.AuditEventRow) -> e.AuditEvent: ...
def to_entity(row: SQLModel) -> Any:
    """The domain entity holding ``row``'s values (a snapshot: later changes to the row don't show)."""
    entity = ENTITY_OF[type(row)]
    values = {f.name: getattr(row, f.name) for f in fields(entity)}
    if isinstance(row, t.CaseRow):
        # Callers check the status text first where a user could have put it there.
        values["status"] = CaseStatus(row.status)
        values["failure_reason"] = FailureReason(row.failure_reason) if row.failure_reason else None
    return entity(**values)
