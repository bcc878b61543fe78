"""The request that ends a filed case (委托调解, a 民初 number) after its agreement is signed:
both parties ask the court for a 民事调解书, or the plaintiff withdraws (``--withdrawal``).

A filed case does not go to judicial confirmation (that is for pre-filing referrals, see
``confirmation``): the court that holds the suit makes the mediation statement itself
(民事诉讼法 §100; 特邀调解规定, 法释〔2016〕14号) or rules on the withdrawal (§148). One PDF per
signed filed case, from ``resources/templates/court_request.toml``; the batch's other cases are
named in the result with the reason they got none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import Paragraph, Spacer

from mediator.domain.referral_kinds import ReferralKind
from mediator.domain.validators import safe_file_name
from mediator.domain.workflow import CaseStatus
from mediator.errors import UserError, ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents import papers
from mediator.services.documents.data import (
    CaseDocument,
    load_case_documents,
    require_particulars,
    resolve_batch,
)
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import StagedFiles
from mediator.services.documents.templates import load_template
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.documents")

TEMPLATE = "court_request"


def build_court_request_pdf(document: CaseDocument, *, withdrawal: bool) -> bytes:
    """The request for a 民事调解书 (both parties sign) or the withdrawal (the plaintiff signs)."""
    template = load_template(TEMPLATE)
    values = papers.paper_values([document], per_batch=False)
    data = document.data
    flags = {
        "statement": not withdrawal,
        "withdrawal": withdrawal,
        "investor_agent": bool(data.investor_agent),
        "company_agent": bool(data.company_agent),
    }
    papers.check_paper_coverage(values, [document], where=_("案件{case}").format(case=data.case_number))
    style = pdf_layout.styles()
    story: list[Any] = []
    for block in template.blocks(values, flags):
        if block.kind == "signatures":
            lines = template.section("signatures").get("lead", [])
            lead = [template.fill(str(line), values, markup=True) for line in lines]
            fields = ("investor",) if withdrawal else ("investor", "company")
            story.append(papers.signature_section(template, values, fields, lead))
            story.append(Spacer(1, 6))
        else:
            story.append(Paragraph(block.text, style.get(block.style, style["para"])))
            if block.style == "title":
                story.append(Spacer(1, 6))
    title = _("撤诉申请书") if withdrawal else _("民事调解书申请书")
    return pdf_layout.render_story(story, papers.decorations(template, values), title=title)


@dataclass(frozen=True)
class CourtRequestRun(DocumentResult):
    """What ``write_court_requests`` wrote, and the batch's signed cases that got none."""

    files: list[Path]
    withdrawal: bool
    folder: Path | None = None
    left_out: tuple[tuple[str, str], ...] = ()

    def summary(self) -> str:
        kind = _("撤诉申请书") if self.withdrawal else _("请求出具民事调解书的申请书")
        text = _("已生成{kind} {count} 份，保存在 {folder}。").format(
            kind=kind, count=len(self.files), folder=self.folder or ""
        )
        if self.left_out:
            text += "\n" + _("警告：未生成的案件 {n} 件：").format(n=len(self.left_out))
            text += "".join(f"\n  {case}：{reason}" for case, reason in self.left_out)
        return text

    def output_folder(self) -> Path | None:
        return self.folder


def _reason_left_out(document: CaseDocument) -> str | None:
    try:
        kind = document.data.referral_kind
    except ValidationError:
        return _("案号不是立案（民初）案号，无法确定结案方式")
    if kind is not ReferralKind.FILED:
        return _("诉前委派调解（民诉前调）的案件应共同申请司法确认（见 confirmation）")
    return None


def write_court_requests(
    database: Database,
    batch: str | int,
    out_dir: Path,
    *,
    withdrawal: bool = False,
    progress: Progress | None = None,
    actor: str = "cli",
) -> CourtRequestRun:
    """One request per signed filed case of the batch; nothing is written if any lacks particulars."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    suffix = _("-撤诉申请书") if withdrawal else _("-民事调解书申请书")
    # The files are renamed into place only after the database commit (and removed if it fails).
    staged = StagedFiles(out_dir)
    with pdf_layout.published_after(staged), database.transaction() as session:
        batch_row = resolve_batch(session, batch)
        signed = [
            d
            for d in load_case_documents(session, batch_id=batch_row.id)
            if d.status == CaseStatus.SIGNED.value
        ]
        documents: list[CaseDocument] = []
        left_out: list[tuple[str, str]] = []
        for document in signed:
            reason = _reason_left_out(document)
            if reason is None:
                documents.append(document)
            else:
                left_out.append((document.data.case_number, reason))
        if not documents:
            raise UserError(
                _("第{number}批没有已签署的立案后委托调解（民初）案件。").format(number=batch_row.number)
                + "".join(f" {case}：{reason}" for case, reason in left_out[:5])
            )
        require_particulars(documents)
        if progress is not None:
            progress.update(0, len(documents), _("正在生成申请书"))
        for done, document in enumerate(documents, start=1):
            if progress is not None:
                progress.check()
            name = safe_file_name(document.data.case_number + suffix) + ".pdf"
            staged.temp_path_for(name).write_bytes(build_court_request_pdf(document, withdrawal=withdrawal))
            if progress is not None:
                progress.update(done)
        files = [target for _temp, target in staged.staged]
        audit(
            session,
            actor=actor,
            action="court_requests",
            batch_id=batch_row.id,
            detail=(_("撤诉申请书 {count} 件") if withdrawal else _("民事调解书申请书 {count} 件")).format(
                count=len(documents)
            ),
        )
    return CourtRequestRun(files=files, withdrawal=withdrawal, folder=out_dir, left_out=tuple(left_out))


def run(database: Database, request: DocumentRequest) -> CourtRequestRun:
    """The registry's entry point (``kinds.KINDS``)."""
    return write_court_requests(
        database,
        request.batch_required,
        request.folder,
        withdrawal=request.withdrawal,
        progress=request.progress,
        actor=request.actor,
    )
