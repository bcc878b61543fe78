"""Re-issuing an agreement, only when asked: ``mediator agreements --reissue 案号 --reason 理由``.

What the parties signed is never rewritten silently: a batch run leaves signed agreements alone
(``agreement.generate_agreements``). When the content must change after signing (an address
corrected, an amount renegotiated), the mediator re-issues one case explicitly, with a reason:
the agreement gets a new 协议编号, the old one is kept in ``voided_agreement`` marked void (its
number, fingerprint, effective date and the signatures it carried), the case goes back to 已达成
to be signed again, and the audit trail records who did it and why.

A case whose judicial confirmation is applied for or ruled on (or that is being paid) cannot be
re-issued here: the court holds that agreement.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.validators import canonical_case_number
from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.agreement import AgreementRun, render_documents
from mediator.services.documents.agreement import run as generate_run
from mediator.services.documents.data import NumberAllocator, load_case_documents, require_particulars
from mediator.services.documents.kinds import DocumentRequest
from mediator.services.documents.layout import StagedFiles
from mediator.services.documents.written import record_written
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, CaseRow, SigningRow, VoidedAgreementRow

log = logging.getLogger("mediator.documents")

REASON_LIMIT = 500
# Re-issue is for agreements not yet before the court: drafted (agreed) or signed.
_REISSUABLE = frozenset({CaseStatus.AGREED.value, CaseStatus.SIGNED.value})


@dataclass(frozen=True)
class ReissueRun(AgreementRun):
    """A re-issued agreement: the new file, the new and the voided number."""

    old_number: str = ""
    new_number: str = ""
    reason: str = ""
    was_signed: bool = False

    def summary(self) -> str:
        text = _(
            "已重新出具{scope}的调解协议书：新编号 {new}，原协议 {old} 已作废（理由：{reason}），"
            "保存在 {folder}。"
        ).format(
            scope=self.scope, new=self.new_number, old=self.old_number, reason=self.reason, folder=self.folder
        )
        if self.was_signed:
            text += "\n" + _("原协议已签署：案件退回“已达成”，新协议须重新签署。")
        return text


def run(database: Database, request: DocumentRequest) -> AgreementRun:
    """The registry's entry point for ``agreements`` (``kinds.KINDS``): the explicit re-issue of
    one case's agreement with ``--reissue 案号 --reason 理由``, else a batch's or chosen cases'
    agreements (``agreement.run``: signed ones are skipped and named)."""
    if request.reissue:
        return reissue_agreement(
            database,
            request.reissue,
            reason=request.reason or "",
            out_dir=request.folder,
            actor=request.actor,
        )
    return generate_run(database, request)


def _checked_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise UserError(_("重新出具已出具的调解协议须说明理由（--reason）。"))
    if len(text) > REASON_LIMIT:
        raise UserError(_("理由过长：最多{limit}个字。").format(limit=REASON_LIMIT))
    return text


def reissue_agreement(
    database: Database, case_number: str, *, reason: str, out_dir: Path, actor: str = "cli"
) -> ReissueRun:
    """Void a case's agreement (kept, marked void) and write a new one under a new number."""
    started = time.perf_counter()
    reason = _checked_reason(reason)
    # The new file is renamed into place only after the database commit (removed if it fails).
    staged = StagedFiles(pdf_layout.ensure_writable_folder(Path(out_dir)))
    with pdf_layout.published_after(staged), database.transaction() as session:
        case, agreement = _reissuable(session, canonical_case_number(case_number))
        was_signed = case.status == CaseStatus.SIGNED.value
        old_number = agreement.number
        new_number = NumberAllocator(session).next(china_today().year)
        _void(session, case, agreement, new_number, reason, actor)
        documents = load_case_documents(session, case_ids=[case.id])  # type: ignore[list-item]
        require_particulars(documents)
        files = render_documents(documents, out_dir, jobs=1, staged=staged)
        # Its SHA-256, kept: the signed copy of the new agreement is accepted only if it grew from it.
        record_written(session, ((f.case_id, staged.temp_of(f.path).read_bytes()) for f in files))
        audit(
            session,
            actor=actor,
            action="agreement_reissued",
            case_id=case.id,
            batch_id=case.batch_id,
            detail=f"{old_number} → {new_number}; {reason}",
        )
    log.info("agreement of case %s re-issued", case.id)
    return ReissueRun(
        files=files,
        seconds=time.perf_counter() - started,
        scope=case.case_number,
        folder=Path(out_dir),
        old_number=old_number,
        new_number=new_number,
        reason=reason,
        was_signed=was_signed,
    )


def _reissuable(session: Session, number: str) -> tuple[CaseRow, AgreementRow]:
    case = session.scalar(select(CaseRow).where(col(CaseRow.case_number) == number))
    if case is None:
        raise NotFoundError(_("没有案号为{case}的案件。").format(case=number))
    agreement = session.scalar(select(AgreementRow).where(col(AgreementRow.case_id) == case.id))
    if agreement is None:
        raise UserError(
            _("案件{case}尚未出具调解协议书，无须重新出具；请直接生成（mediator agreements）。").format(
                case=number
            )
        )
    if case.status not in _REISSUABLE:
        raise UserError(
            _("案件{case}当前为“{status}”，协议已提交法院或正在履行，不能重新出具。").format(
                case=number, status=CaseStatus(case.status).label
            )
        )
    return case, agreement


def _void(
    session: Session, case: CaseRow, agreement: AgreementRow, new_number: str, reason: str, actor: str
) -> None:
    """Keep the old agreement as void, give the row its new number, put the case back to 已达成."""
    now = datetime.now(UTC)
    signatures = session.scalars(
        select(SigningRow).where(col(SigningRow.agreement_id) == agreement.id).order_by(col(SigningRow.id))
    ).all()
    carried = "\n".join(
        f"{s.field_name} {s.signer or ''} {s.signed_at.isoformat() if s.signed_at else ''}".strip()
        for s in signatures
    )
    session.add(
        VoidedAgreementRow(
            case_id=case.id,  # type: ignore[arg-type]
            number=agreement.number,
            fingerprint=agreement.fingerprint,
            amount=agreement.amount,
            created_at=agreement.created_at,
            effective_on=agreement.effective_on,
            signatures=carried[:1000] or None,
            voided_at=now,
            reason=reason,
            actor=actor[:50],
            replaced_by=new_number,
        )
    )
    # The signatures belong to the voided agreement (kept above); the new one starts unsigned.
    session.execute(delete(SigningRow).where(col(SigningRow.agreement_id) == agreement.id))
    agreement.number = new_number
    agreement.effective_on = None
    agreement.created_at = now
    session.add(agreement)
    if case.status == CaseStatus.SIGNED.value:
        case.status = CaseStatus.AGREED.value
        case.signed_on = None
        case.signed_at = None
        case.version += 1
        case.updated_at = now
        session.add(case)
    session.flush()
