"""The data every document of a case is printed from, read in one query per job.

Agreements, signing packages, confirmation applications and the report to the court all start
here: the parent process reads the rows once, turns them into plain ``AgreementData`` values and
hands those to the renderers (possibly in other processes, which never open the database).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.agreement_terms import (
    AgreementData,
    InstallmentTerm,
    check_complete,
    format_agreement_number,
    missing_particulars,
    parse_agreement_number,
    refuse_incomplete,
)
from mediator.domain.clock import china_day, china_today, stored_moment
from mediator.domain.deadlines import agreement_effective_on
from mediator.domain.validators import resident_id_birth_date, resident_id_sex
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.cases.changes import find_batch
from mediator.store.tables import (
    AgreementRow,
    BatchRow,
    CaseRow,
    InstallmentRow,
    InvestorRow,
    ListedCompanyRow,
    MediatorRow,
    SigningRow,
    VoidedAgreementRow,
)

log = logging.getLogger("mediator.documents")


# From "agreed" on a case must have an agreement; earlier statuses have none yet.
AGREED_OR_LATER: frozenset[str] = frozenset(
    s.value
    for s in STATUS_ORDER[STATUS_ORDER.index(CaseStatus.AGREED) : STATUS_ORDER.index(CaseStatus.PAID) + 1]
)

SIGNED_OR_LATER: frozenset[str] = AGREED_OR_LATER - {CaseStatus.AGREED.value}
_CLOSED = frozenset({CaseStatus.FAILED.value, CaseStatus.RETURNED_TO_COURT.value})


@dataclass(frozen=True)
class CaseDocument:
    """One case's agreement data plus the ids the services need to write back."""

    case_id: int
    agreement_id: int
    status: str
    data: AgreementData
    # The day the agreement took effect (``deadlines.agreement_effective_on``: the recorded
    # effective date, else the case's signing date); None while it is not signed.
    effective_on: date | None = None
    # Signed (wholly, or signatures recorded): what the parties signed is never rewritten.
    signed: bool = False
    # The particulars it still lacks (``agreement_terms.missing_particulars``); empty: complete.
    missing: tuple[str, ...] = ()
    # The stored fingerprint (of what was signed, once signed).
    stored_fingerprint: str | None = None
    # The company's phone from its record, for the papers to the court (not part of the agreement).
    company_phone: str | None = None

    @property
    def unchanged_since_signing(self) -> bool:
        """Signed, and the data still gives the signed fingerprint: a reprint is the same paper."""
        return self.signed and self.stored_fingerprint == fingerprint_of(self.data)


def require_particulars(documents: Sequence[CaseDocument]) -> None:
    """Refuse (``IncompleteParticulars``, exit 2) when any case lacks a required particular,
    naming every such case and what it lacks; nothing is written."""
    refuse_incomplete({d.data.case_number: list(d.missing) for d in documents})


def resolve_batch(session: Session, batch: str | int) -> BatchRow:
    """The batch as the court writes it (第15批) or its bare number (15)."""
    return find_batch(session, batch)


def _query() -> Any:
    return (
        select(CaseRow, InvestorRow, ListedCompanyRow, BatchRow, MediatorRow, AgreementRow)
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
        .outerjoin(AgreementRow, col(AgreementRow.case_id) == col(CaseRow.id))
        .order_by(col(CaseRow.id))
    )


def load_case_documents(
    session: Session,
    *,
    batch_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    save: bool = True,
) -> list[CaseDocument]:
    """The agreement data of a batch's agreed cases, or of the given cases (each must be agreed).

    Checks every case before returning any (missing amount, wrong installments → a
    ``ValidationError`` naming the 案号); each document lists the particulars it lacks
    (``require_particulars`` refuses them all at once). With ``save`` an agreement row is created
    for a case that has none (its number is fixed from then on) and the stored fingerprint follows
    the data until the first signature comes back.
    """
    chosen = case_ids is not None
    rows = [row for row in _rows(session, batch_id, case_ids) if _has_agreement(row[0], chosen=chosen)]
    installments = _installments(session, [row[0].id for row in rows])
    signed_agreements = _agreements_with_signatures(
        session, [row[5].id for row in rows if row[5] is not None]
    )
    numbers = NumberAllocator(session)
    loaded: list[tuple[CaseRow, AgreementRow | None, AgreementData, bool, str | None]] = []
    kept_signed = 0
    for case, investor, company, batch, mediator, agreement in rows:
        _require_amount(case)
        drawn_up = _drawn_up_on(case, agreement)
        number = agreement.number if agreement else numbers.next(drawn_up.year)
        data = _agreement_data(case, investor, company, batch, mediator, agreement, number, drawn_up)
        data = replace(data, installments=tuple(installments.get(case.id, ())))
        check_complete(data)
        stored = agreement
        # What the parties signed stays as signed: its stored fingerprint no longer follows edits.
        signed = (
            agreement is not None and agreement.id in signed_agreements
        ) or case.status in SIGNED_OR_LATER
        if save:
            stored = _save_agreement(session, case, agreement, data, signed)
            if signed and agreement is not None and agreement.fingerprint != fingerprint_of(data):
                kept_signed += 1
        loaded.append((case, stored, data, signed, company.phone))
    if kept_signed:
        # A signed agreement is what the parties signed: its stored fingerprint stays.
        log.warning("%d signed agreements differ from the current case data", kept_signed)
    if save:
        session.flush()  # once for the batch: new agreement rows get their ids
    return [
        replace(_case_document(case, agreement, data, signed), company_phone=phone)
        for case, agreement, data, signed, phone in loaded
    ]


def _case_document(
    case: CaseRow, agreement: AgreementRow | None, data: AgreementData, signed: bool
) -> CaseDocument:
    recorded = agreement.effective_on if agreement is not None else None
    return CaseDocument(
        case_id=case.id,  # type: ignore[arg-type]
        agreement_id=(agreement.id or 0) if agreement is not None else 0,
        status=case.status,
        data=data,
        effective_on=agreement_effective_on(recorded, case.signed_on),
        signed=signed,
        missing=tuple(missing_particulars(data)),
        stored_fingerprint=agreement.fingerprint if agreement is not None else None,
    )


def fingerprint_of(data: AgreementData) -> str:
    """``data.fingerprint()``, computed once per agreement and process (a batch asks for it in the
    loader, the coverage check, the renderer and the result: 0.1 ms each, 645 times)."""
    return _fingerprint(data)


@lru_cache(maxsize=4096)
def _fingerprint(data: AgreementData) -> str:
    return data.fingerprint()


def _rows(session: Session, batch_id: int | None, case_ids: Sequence[int] | None) -> list[Any]:
    query = _query()
    if case_ids is not None:
        query = query.where(col(CaseRow.id).in_(list(case_ids)))
    if batch_id is not None:
        query = query.where(col(CaseRow.batch_id) == batch_id)
    rows = list(session.execute(query).all())
    if case_ids is not None and len(rows) != len(set(case_ids)):
        raise ValidationError(_("所选案件中有的已不存在，请刷新后重试。"))
    return rows


def _has_agreement(case: CaseRow, *, chosen: bool) -> bool:
    """Whether a case gets an agreement. A batch's cases still being mediated, or failed, have
    none; a case the user chose explicitly must have one (``_require_amount`` says why not)."""
    if chosen:
        return True
    if case.status in _CLOSED:
        return False
    return case.agreed_amount is not None or case.status in AGREED_OR_LATER


def _require_amount(case: CaseRow) -> None:
    if case.agreed_amount is None:
        raise ValidationError(
            _("案件{case}尚未填写调解金额，不能生成调解协议书。").format(case=case.case_number),
            field="agreed_amount",
            value=case.case_number,
        )


def _drawn_up_on(case: CaseRow, agreement: AgreementRow | None) -> date:
    """The day the agreement was reached: recorded on the case, else when its row was made, else today."""
    if case.agreed_on is not None:
        return case.agreed_on
    if agreement is not None:
        return china_day(stored_moment(agreement.created_at))
    return china_today()


def _agreement_data(
    case: CaseRow,
    investor: InvestorRow,
    company: ListedCompanyRow,
    batch: BatchRow,
    mediator: MediatorRow | None,
    agreement: AgreementRow | None,
    number: str,
    drawn_up: date,
) -> AgreementData:
    sex: str | None = None
    birth: date | None = None
    if investor.id_type == "resident_id":
        try:
            sex, birth = resident_id_sex(investor.id_number), resident_id_birth_date(investor.id_number)
        except ValidationError:
            sex, birth = None, None
    return AgreementData(
        number=number,
        drawn_up_on=drawn_up,
        court=batch.court,
        case_number=case.case_number,
        batch_number=batch.number,
        referral_date=batch.referral_date,
        investor_name=investor.name,
        investor_id_type=investor.id_type,
        investor_id_number=investor.id_number,
        investor_sex=sex,
        investor_birth_date=birth,
        investor_address=investor.address,
        investor_phone=investor.phone,
        investor_agent=investor.agent,
        investor_account=investor.securities_account,
        company_name=company.name,
        company_uscc=company.uscc,
        company_legal_representative=company.legal_representative,
        company_address=company.address,
        company_agent=company.counsel,
        mediator_name=mediator.name if mediator else None,
        claimed_amount=case.claimed_amount,
        agreed_amount=case.agreed_amount,  # type: ignore[arg-type]
        payment_method=company.payment_method,
        # The agreement's own account, else the company's standing rule (收款账户).
        payment_account=(agreement.payment_account if agreement else None) or company.receiving_account,
        case_fee_bearer=agreement.case_fee_bearer if agreement else "company",
        company_stock_name=company.stock_name,
        company_stock_code=company.stock_code,
        company_decision=company.decision,
        implemented_on=company.implemented_on,
        disclosed_on=company.disclosed_on,
        late_interest=company.late_interest,
    )


def _installments(session: Session, case_ids: list[int]) -> dict[int, list[InstallmentTerm]]:
    result: dict[int, list[InstallmentTerm]] = {}
    if not case_ids:
        return result
    query = (
        select(InstallmentRow)
        .where(col(InstallmentRow.case_id).in_(case_ids))
        .order_by(col(InstallmentRow.case_id), col(InstallmentRow.sequence))
    )
    for row in session.scalars(query):
        result.setdefault(row.case_id, []).append(InstallmentTerm(row.sequence, row.due_date, row.amount))
    return result


def _agreements_with_signatures(session: Session, agreement_ids: list[int]) -> set[int]:
    if not agreement_ids:
        return set()
    query = select(col(SigningRow.agreement_id)).where(col(SigningRow.agreement_id).in_(agreement_ids))
    return set(session.scalars(query.distinct()))


class NumberAllocator:
    """Hands out the next agreement number of a year (苏证调〔2025〕第0001号, counting per year)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.last: dict[int, int] = {}

    def next(self, year: int) -> str:
        if year not in self.last:
            prefix = format_agreement_number(year, 1).split("第")[0]
            query = select(col(AgreementRow.number)).where(col(AgreementRow.number).startswith(prefix))
            # A voided agreement keeps its number: it is never handed out again.
            voided = select(col(VoidedAgreementRow.number)).where(
                col(VoidedAgreementRow.number).startswith(prefix)
            )
            numbers = [*self.session.scalars(query), *self.session.scalars(voided)]
            sequences = [parse_agreement_number(n)[1] for n in numbers]
            self.last[year] = max(sequences, default=0)
        self.last[year] += 1
        return format_agreement_number(year, self.last[year])


def _save_agreement(
    session: Session, case: CaseRow, agreement: AgreementRow | None, data: AgreementData, signed: bool
) -> AgreementRow:
    """The case's agreement row, created (number fixed from now on) or brought up to date."""
    fingerprint = fingerprint_of(data)
    if agreement is None:
        agreement = AgreementRow(
            case_id=case.id,  # type: ignore[arg-type]
            number=data.number,
            amount=data.agreed_amount,
            fingerprint=fingerprint,
            case_fee_bearer=data.case_fee_bearer,
            payment_account=data.payment_account,
            created_at=datetime.now(UTC),
        )
        session.add(agreement)
    elif agreement.fingerprint != fingerprint and not signed:
        agreement.fingerprint = fingerprint
        agreement.amount = data.agreed_amount
        session.add(agreement)
    return agreement
