"""Mediation agreements (调解协议书) as PDF: one per case, from ``resources/templates/agreement.toml``.

Each PDF carries the agreement's fingerprint (SHA-256 of its data) in the footer of every page, in
a QR code and in its document information, and three empty signature fields named ``investor``,
``company`` and ``mediator`` over the signature blocks for the court's online signing module.
A batch renders in a process pool: the parent reads everything in one query and passes plain
data; each worker registers the font once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import KeepTogether, Paragraph, Spacer

from mediator.domain.agreement_terms import (
    CASE_FEE_BEARERS,
    DISPUTE_KIND,
    ORGANISATION_ROLE,
    SIGNATURE_FIELDS,
    AgreementData,
)
from mediator.domain.money import format_money, rmb_upper
from mediator.domain.validators import safe_file_name
from mediator.errors import EnvironmentProblem, UserError
from mediator.i18n import _
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.data import CaseDocument, fingerprint_of, load_case_documents, resolve_batch
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import (
    PageDecorations,
    SignatureBlock,
    StagedFiles,
    check_coverage,
    cn_count,
    cn_date,
)
from mediator.services.documents.templates import DocumentTemplate, load_template
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.pdf")

TEMPLATE = "agreement"
_ID_LABELS = {"resident_id": "公民身份号码"}


def template_values(data: AgreementData) -> tuple[dict[str, object], dict[str, bool]]:
    """The placeholder values and ``when`` flags of an agreement template."""
    lump_sum_due = (
        cn_date(data.installments[0].due_date) + "前"
        if len(data.installments) == 1
        else _("本协议经人民法院司法确认之日起三十日内")
    )
    values: dict[str, object] = {
        "agreement_number": data.number,
        "drawn_up_on": cn_date(data.drawn_up_on),
        "court": data.court,
        "organisation": data.organisation,
        "organisation_role": ORGANISATION_ROLE,
        "dispute_kind": DISPUTE_KIND,
        "case_number": data.case_number,
        "batch_number": data.batch_number,
        "referral_date": cn_date(data.referral_date),
        "investor_name": data.investor_name,
        "investor_sex": data.investor_sex,
        "investor_birth_date": cn_date(data.investor_birth_date),
        "investor_id_label": _ID_LABELS.get(data.investor_id_type, "身份证件号码"),
        "investor_id_number": data.investor_id_number,
        "investor_address": data.investor_address,
        "investor_phone": data.investor_phone,
        "investor_agent": data.investor_agent,
        "investor_account": data.investor_account,
        "company_name": data.company_name,
        "company_uscc": data.company_uscc,
        "company_legal_representative": data.company_legal_representative,
        "company_address": data.company_address,
        "company_agent": data.company_agent,
        "mediator_name": data.mediator_name or "",
        "claimed_amount": format_money(data.claimed_amount),
        "claimed_amount_upper": rmb_upper(data.claimed_amount),
        "agreed_amount": format_money(data.agreed_amount),
        "agreed_amount_upper": rmb_upper(data.agreed_amount),
        "lump_sum_due": lump_sum_due,
        "installment_count": cn_count(len(data.installments)),
        "payment_method": data.payment_method or _("银行转账"),
        "payment_account": (
            data.payment_account
            if data.payment_account and data.payment_account != data.payment_method
            else _("以甲方书面确认的账户为准")
        ),
        "case_fee_bearer": CASE_FEE_BEARERS.get(data.case_fee_bearer, data.case_fee_bearer),
        "originals": cn_count(data.originals),
        "fingerprint": fingerprint_of(data),
    }
    flags = {
        "lump_sum": data.is_lump_sum,
        "installments": not data.is_lump_sum,
        "investor_agent": bool(data.investor_agent),
        "company_agent": bool(data.company_agent),
    }
    return values, flags


def build_agreement_pdf(data: AgreementData, *, checked: bool = False) -> bytes:
    """The finished agreement PDF (with its three empty signature fields) for one case.

    ``checked``: the caller already ran ``check_coverage`` on this data (batch jobs check every
    case before rendering any).
    """
    template = load_template(TEMPLATE)
    values, flags = template_values(data)
    if not checked:
        check_coverage(
            [str(v) for v in values.values() if v is not None],
            where=_("案件{case}").format(case=data.case_number),
        )
    style = _styles()
    story: list[Any] = []
    for block in template.blocks(values, flags):
        if block.kind == "installment_lines":
            for term in data.installments:
                line = template.fill(
                    str(template.section("installment_line").get("text", "")),
                    {
                        "sequence": term.sequence,
                        "due_date": cn_date(term.due_date),
                        "amount": format_money(term.amount),
                        "amount_upper": rmb_upper(term.amount),
                    },
                    markup=True,
                )
                story.append(
                    Paragraph(line, style[str(template.section("installment_line").get("style", "clause"))])
                )
            continue
        story.append(Paragraph(block.text, style.get(block.style, style["para"])))
    story.append(Spacer(1, 10))
    story.append(KeepTogether(signature_blocks(template, values)))
    fingerprint = str(values["fingerprint"])
    decorations = PageDecorations(
        page_label=template.text("footer", "page", {"page": "{page}", "pages": "{pages}"}),
        footer_text=template.text("footer", "text", values),
        qr_text=template.text("footer", "qr", values),
        fingerprint=fingerprint,
        seed_text=_seed_text(template),
    )
    pdf = pdf_layout.render_story(story, decorations, title=f"{template.data.get('name', '')} {data.number}")
    return pdf


_style_cache: dict[str, Any] = {}


def _styles() -> dict[str, Any]:
    # Paragraph styles are read-only once made; one set per process.
    if not _style_cache:
        _style_cache.update(pdf_layout.styles())
    return _style_cache


_seeds: dict[int, str] = {}


def _seed_text(template: DocumentTemplate) -> str:
    key = id(template.data)
    if key not in _seeds:
        texts: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)

        walk(template.data)
        _seeds.clear()
        _seeds[key] = pdf_layout.template_seed_text(texts)
    return _seeds[key]


def signature_blocks(template: DocumentTemplate, values: dict[str, object]) -> list[Any]:
    """The investor, company and mediator blocks (each an AcroForm field) and the seal line."""
    style = _styles()
    date_line = template.text("signatures", "date_line", values)
    blocks: list[Any] = []
    for name in SIGNATURE_FIELDS:
        blocks.append(SignatureBlock(name, template.text("signatures", name, values), date_line))
        blocks.append(Spacer(1, 8))
    blocks.append(Paragraph(template.text("signatures", "seal", values, markup=True), style["plain"]))
    return blocks


def agreement_file_name(data: AgreementData) -> str:
    """The PDF's file name, from the 案号 (valid on Windows)."""
    return safe_file_name(data.case_number) + ".pdf"


# --- batch generation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedAgreement:
    case_id: int
    case_number: str
    agreement_number: str
    fingerprint: str
    path: Path


@dataclass(frozen=True)
class AgreementRun(DocumentResult):
    """What a generation job wrote."""

    files: list[GeneratedAgreement]
    seconds: float
    # What it was asked for (第15批, 所选 3 件案件) and where the files went.
    scope: str = ""
    folder: Path | None = None

    @property
    def count(self) -> int:
        return len(self.files)

    def summary(self) -> str:
        return _("已为{scope}生成调解协议书 {count} 份（用时 {seconds:.1f} 秒），保存在 {folder}。").format(
            scope=self.scope, count=self.count, seconds=self.seconds, folder=self.folder or ""
        )

    def output_folder(self) -> Path | None:
        return self.folder


def _worker_init() -> None:
    pdf_layout.register_font()


def _render_to(data: AgreementData, temp_path: str) -> str:
    pdf = build_agreement_pdf(data, checked=True)
    with open(temp_path, "wb") as fh:
        fh.write(pdf)
    return temp_path


def render_documents(
    documents: Sequence[CaseDocument],
    out_dir: Path,
    *,
    jobs: int = 2,
    progress: Progress | None = None,
    start_method: str | None = None,
) -> list[GeneratedAgreement]:
    """Render each case's agreement into ``out_dir``: every file or, on any failure, none."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    for document in documents:  # fail before rendering anything, naming the case
        values, _flags = template_values(document.data)
        check_coverage(
            [str(v) for v in values.values() if v is not None],
            where=_("案件{case}").format(case=document.data.case_number),
        )
    staged = StagedFiles(out_dir)
    results: list[GeneratedAgreement] = []
    try:
        tasks = []
        for document in documents:
            name = agreement_file_name(document.data)
            tasks.append((document, staged.temp_path_for(name)))
        if progress is not None:
            progress.update(0, len(tasks), _("正在生成调解协议书"))
        if jobs <= 1 or len(tasks) <= 1:
            for done, (document, temp) in enumerate(tasks, start=1):
                if progress is not None:
                    progress.check()
                _render_to(document.data, str(temp))
                if progress is not None:
                    progress.update(done)
        else:
            _render_in_pool(tasks, jobs, progress, start_method)
        finals = staged.commit()
    except OSError as exc:
        staged.discard()
        raise EnvironmentProblem(
            _("无法写入文件夹 {folder}：{reason}").format(folder=out_dir, reason=exc.strerror or exc)
        ) from exc
    except BaseException:
        staged.discard()
        raise
    for (document, _temp), final in zip(tasks, finals, strict=True):
        results.append(
            GeneratedAgreement(
                document.case_id,
                document.data.case_number,
                document.data.number,
                fingerprint_of(document.data),
                final,
            )
        )
    return results


def _render_in_pool(
    tasks: list[tuple[CaseDocument, Path]], jobs: int, progress: Progress | None, start_method: str | None
) -> None:
    # The GUI asks for "spawn": forking a process that runs Qt threads can copy a held lock.
    context = multiprocessing.get_context(start_method) if start_method else None
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, mp_context=context) as pool:
        pending: set[Future[str]] = set()
        queue = list(tasks)
        done_count = 0
        # Keep a bounded number of tasks in flight so a cancel takes effect quickly.
        in_flight = jobs * 8
        try:
            while queue or pending:
                while queue and len(pending) < in_flight:
                    document, temp = queue.pop(0)
                    pending.add(pool.submit(_render_to, document.data, str(temp)))
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()  # re-raises a worker's error (a UserError keeps its message)
                    done_count += 1
                if progress is not None:
                    progress.update(done_count)
                    progress.check()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def generate_agreements(
    database: Database,
    *,
    batch: str | int | None = None,
    case_ids: Sequence[int] | None = None,
    out_dir: Path,
    jobs: int = 2,
    progress: Progress | None = None,
    start_method: str | None = None,
) -> AgreementRun:
    """Write the agreements of a batch's agreed cases (or of the given cases) into ``out_dir``.

    Agreement numbers are created on first generation and kept afterwards. Nothing is written
    when any case fails its checks.
    """
    started = time.perf_counter()
    with database.transaction() as session:
        batch_row = resolve_batch(session, batch) if batch is not None else None
        batch_id = batch_row.id if batch_row is not None else None
        batch_number = batch_row.number if batch_row is not None else None
        documents = load_case_documents(session, batch_id=batch_id, case_ids=case_ids)
        if not documents:
            raise UserError(_("没有已达成调解金额的案件，未生成调解协议书。"))
        jobs = max(1, min(jobs, os.cpu_count() or 1, len(documents)))
        files = render_documents(documents, out_dir, jobs=jobs, progress=progress, start_method=start_method)
    log.info("generated %d agreements in %.2f s", len(files), time.perf_counter() - started)
    if case_ids is not None:
        scope = _("所选 {count} 件案件").format(count=len(case_ids))
    else:
        scope = _("第{number}批").format(number=batch_number)
    return AgreementRun(files=files, seconds=time.perf_counter() - started, scope=scope, folder=Path(out_dir))


def run(database: Database, request: DocumentRequest) -> AgreementRun:
    """The registry's entry point (``kinds.KINDS``): a batch's agreements, or chosen cases'."""
    return generate_agreements(
        database,
        batch=None if request.case_ids else request.batch,
        case_ids=request.case_ids or None,
        out_dir=request.folder,
        jobs=request.jobs,
        progress=request.progress,
        start_method=request.start_method,
    )
