"""Mediation agreements (调解协议书) as PDF: one per case, from ``resources/templates/agreement.toml``.

Each PDF carries the agreement's fingerprint (SHA-256 of its data) in the footer of every page, in
a QR code and in its document information, and four empty signature fields named ``investor``,
``company``, ``mediator`` and ``organisation`` (the seal) over the signature blocks for the court's
online signing module. A batch renders in a process pool: the parent reads everything in one
query and passes plain data; each worker registers the font once.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
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
from mediator.domain.identity import id_label
from mediator.domain.money import format_money, rmb_upper
from mediator.domain.referral_kinds import ReferralKind, party_roles
from mediator.domain.validators import safe_file_name, validate_stock_code
from mediator.errors import EnvironmentProblem, UserError, ValidationError
from mediator.i18n import N_, _
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.data import (
    CaseDocument,
    fingerprint_of,
    load_case_documents,
    require_particulars,
    resolve_batch,
)
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
_EXCHANGES = {"SSE": N_("上海证券交易所"), "SZSE": N_("深圳证券交易所"), "BSE": N_("北京证券交易所")}
# The late-payment interest when the company's record names none: the LPR, the benchmark courts use
# for late payment since 2019 (the template words it; a company's own rate replaces it).
DEFAULT_LATE_INTEREST = N_("同期全国银行间同业拆借中心公布的一年期贷款市场报价利率")
# The receiving account when neither the agreement nor the company's record names one.
DEFAULT_RECEIVING_ACCOUNT = N_("甲方本人名下、经甲方书面确认的银行结算账户")


def _exchange_name(stock_code: str | None) -> str:
    if not stock_code:
        return ""
    try:
        _code, exchange = validate_stock_code(stock_code)
    except ValidationError:
        return ""
    return _(_EXCHANGES[exchange])


def _lump_sum_due(data: AgreementData) -> str:
    if len(data.installments) == 1:
        return cn_date(data.installments[0].due_date) + "前"
    if data.referral_kind.ends_in_confirmation:
        return _("本协议经人民法院司法确认之日起三十日内")
    return _("民事调解书生效之日起三十日内")


def _facts(data: AgreementData) -> dict[str, object]:
    """The facts of the dispute (人民调解法 §29: 主要事实): stock, decision, the two dates."""
    return {
        "exchange_name": _exchange_name(data.company_stock_code),
        "stock_name": data.company_stock_name or "",
        "stock_code": data.company_stock_code or "",
        "decision_sentence": (
            _("{decision}认定乙方信息披露存在虚假陈述。").format(decision=data.company_decision)
            if data.company_decision
            else ""
        ),
        "implemented_on": cn_date(data.implemented_on),
        "disclosed_on": cn_date(data.disclosed_on),
    }


def _referral(data: AgreementData) -> tuple[dict[str, object], dict[str, bool]]:
    try:
        kind = data.referral_kind
    except ValidationError:  # refused before rendering (missing_particulars); a preview still shows
        kind = ReferralKind.FILED
    roles = party_roles(kind)
    values: dict[str, object] = {
        "referral_kind": kind.label,
        "investor_role": roles.investor,
        "company_role": roles.company,
    }
    return values, {"pre_filing": kind is ReferralKind.PRE_FILING, "filed": kind is ReferralKind.FILED}


def template_values(data: AgreementData) -> tuple[dict[str, object], dict[str, bool]]:
    """The placeholder values and ``when`` flags of an agreement template."""
    referral_values, referral_flags = _referral(data)
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
        "investor_id_label": id_label(data.investor_id_type),
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
        "lump_sum_due": _lump_sum_due(data),
        "installment_count": cn_count(len(data.installments)),
        "payment_method": data.payment_method or _("银行转账"),
        "payment_account": (
            data.payment_account
            if data.payment_account and data.payment_account != data.payment_method
            else _(DEFAULT_RECEIVING_ACCOUNT)
        ),
        "late_interest": data.late_interest or _(DEFAULT_LATE_INTEREST),
        "case_fee_bearer": CASE_FEE_BEARERS.get(data.case_fee_bearer, data.case_fee_bearer),
        "originals": cn_count(data.originals),
        "fingerprint": fingerprint_of(data),
        **referral_values,
        **_facts(data),
    }
    flags = {
        "lump_sum": data.is_lump_sum,
        "installments": not data.is_lump_sum,
        "investor_agent": bool(data.investor_agent),
        "company_agent": bool(data.company_agent),
        **referral_flags,
    }
    return values, flags


def build_agreement_pdf(data: AgreementData, *, checked: bool = False) -> bytes:
    """The finished agreement PDF (with its four empty signature fields) for one case.

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
            for index, term in enumerate(data.installments, start=1):
                line = template.fill(
                    str(template.section("installment_line").get("text", "")),
                    {
                        "sequence": term.sequence,
                        "due_date": cn_date(term.due_date),
                        "amount": format_money(term.amount),
                        "amount_upper": rmb_upper(term.amount),
                        "end": "。" if index == len(data.installments) else "；",
                    },
                    markup=True,
                )
                story.append(
                    Paragraph(line, style[str(template.section("installment_line").get("style", "clause"))])
                )
            continue
        story.append(Paragraph(block.text, style.get(block.style, style["para"])))
    # The signature page's heading, the last clause before it and the four blocks stay together.
    last = story.pop()
    story.append(KeepTogether([last, Spacer(1, 10), *signature_blocks(template, values)]))
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
    """The investor, company, mediator and organisation blocks (each an AcroForm signature
    field, ``SIGNATURE_FIELDS``) under the signature page's heading."""
    style = _styles()
    date_line = template.text("signatures", "date_line", values)
    blocks: list[Any] = []
    if template.section("signatures").get("heading"):
        blocks.append(
            Paragraph(template.text("signatures", "heading", values, markup=True), style["heading"])
        )
    for name in SIGNATURE_FIELDS:
        blocks.append(SignatureBlock(name, template.text("signatures", name, values), date_line))
        blocks.append(Spacer(1, 6))
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
    # Cases left out because their agreement is signed: never re-issued silently (案号 list).
    skipped_signed: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.files)

    def summary(self) -> str:
        text = _("已为{scope}生成调解协议书 {count} 份（用时 {seconds:.1f} 秒），保存在 {folder}。").format(
            scope=self.scope, count=self.count, seconds=self.seconds, folder=self.folder or ""
        )
        if self.skipped_signed:
            shown = "、".join(self.skipped_signed[:5]) + ("等" if len(self.skipped_signed) > 5 else "")
            text += "\n" + _(
                "已跳过已签署的 {n} 件（{cases}）：已签署的协议不重新出具；确需重新出具，"
                "请用 mediator agreements --reissue 案号 --reason 理由。"
            ).format(n=len(self.skipped_signed), cases=shown)
        return text

    def output_folder(self) -> Path | None:
        return self.folder


def _worker_init() -> None:
    _die_with_parent()
    pdf_layout.register_font()


def _die_with_parent() -> None:
    """Linux: the kernel ends this worker when the process that started it dies (a killed run must
    not leave workers rendering agreements with ID numbers). Elsewhere the pool's own checks apply."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


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
    staged: StagedFiles | None = None,
) -> list[GeneratedAgreement]:
    """Render each case's agreement into ``out_dir``: every file or, on any failure, none.

    With ``staged`` the files stay under their temporary names (``GeneratedAgreement.path`` is the
    name they will get): the caller renames them with ``staged.commit()`` after its database
    commit, or ``discard``s them."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    for document in documents:  # fail before rendering anything, naming the case
        values, _flags = template_values(document.data)
        check_coverage(
            [str(v) for v in values.values() if v is not None],
            where=_("案件{case}").format(case=document.data.case_number),
        )
    publish = staged is None
    staged = StagedFiles(out_dir) if staged is None else staged
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
        names = [agreement_file_name(document.data) for document, _temp in tasks]
        finals = staged.commit() if publish else [staged.folder / name for name in names]
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
    actor: str = "cli",
    reprint_signed: bool = False,
) -> AgreementRun:
    """Write the agreements of a batch's agreed cases (or of the given cases) into ``out_dir``.

    Signed agreements are skipped and named in the result (never re-issued silently); with
    ``reprint_signed`` (the preview's printing) a signed one whose data still gives the signed
    fingerprint is printed again, identical — a changed one stays skipped.

    Agreement numbers are created on first generation and kept afterwards. Nothing is written
    when any case fails its checks.
    """
    started = time.perf_counter()
    # The files are renamed into place only after the database commit (and removed if it fails).
    staged = StagedFiles(pdf_layout.ensure_writable_folder(Path(out_dir)))
    with pdf_layout.published_after(staged), database.transaction() as session:
        batch_row = resolve_batch(session, batch) if batch is not None else None
        batch_id = batch_row.id if batch_row is not None else None
        batch_number = batch_row.number if batch_row is not None else None
        loaded = load_case_documents(session, batch_id=batch_id, case_ids=case_ids)
        # A signed agreement is what the parties signed: a run leaves it alone and says so.
        documents = [d for d in loaded if not d.signed or (reprint_signed and d.unchanged_since_signing)]
        kept = {d.case_id for d in documents}
        skipped = tuple(d.data.case_number for d in loaded if d.case_id not in kept)
        if not documents and not skipped:
            raise UserError(_("没有已达成调解金额的案件，未生成调解协议书。"))
        require_particulars(documents)
        jobs = max(1, min(jobs, os.cpu_count() or 1, len(documents)))
        files = render_documents(
            documents, out_dir, jobs=jobs, progress=progress, start_method=start_method, staged=staged
        )
        from mediator.services.documents.written import record_written

        # Their SHA-256, kept: a signed file is accepted only if it grew from one of these.
        record_written(session, ((f.case_id, staged.temp_of(f.path).read_bytes()) for f in files))
        from mediator.services.audit.trail import audit

        # Agreement numbers were fixed and files written: recorded like every change.
        audit(
            session,
            actor=actor,
            action="agreements",
            batch_id=batch_id,
            detail=", ".join(f.agreement_number for f in files)[:2000],
        )
    log.info("generated %d agreements in %.2f s", len(files), time.perf_counter() - started)
    if case_ids is not None:
        scope = _("所选 {count} 件案件").format(count=len(case_ids))
    else:
        scope = _("第{number}批").format(number=batch_number)
    return AgreementRun(
        files=files,
        seconds=time.perf_counter() - started,
        scope=scope,
        folder=Path(out_dir),
        skipped_signed=skipped,
    )


def run(database: Database, request: DocumentRequest) -> AgreementRun:
    """A batch's agreements, or chosen cases' (the registry's ``agreements`` kind goes through
    ``reissue.run``, which also takes the explicit ``--reissue 案号 --reason 理由``)."""
    if request.batch is None and not request.case_ids:
        raise UserError(_("请给出批次（--batch）或要重新出具的案号（--reissue）。"))
    return generate_agreements(
        database,
        batch=None if request.case_ids else request.batch,
        case_ids=request.case_ids or None,
        out_dir=request.folder,
        jobs=request.jobs,
        progress=request.progress,
        start_method=request.start_method,
        actor=request.actor,
    )
