"""The e-signing round: a package for the court's online signing module (云签署), and the signed
agreements coming back, verified with pyHanko before any case moves to "signed".

- ``write_sign_package``: the batch's unsigned agreements plus manifest.xlsx / manifest.json.
- ``import_signed``: for each returned PDF, every embedded signature must be intact and valid,
  nothing may have changed after the last signature except what DocMDP allows (further
  signatures, form filling), and the document must match an agreement by its fingerprint. A
  certificate outside the trusted roots is a warning, or a rejection in strict mode. A rejected
  document changes nothing.
- ``signing_turnaround``: package written → all signed, per batch (median and max).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.agreement_terms import SIGNATURE_FIELDS
from mediator.domain.clock import china_clock, china_day, stored_moment
from mediator.domain.workflow import CaseStatus
from mediator.errors import EnvironmentProblem, UserError
from mediator.i18n import N_, _
from mediator.services.audit.trail import audit
from mediator.services.cases import batches as batch_list
from mediator.services.cases.changes import transition_case
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents import written
from mediator.services.documents.agreement import GeneratedAgreement, render_documents
from mediator.services.documents.data import load_case_documents, resolve_batch
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.progress import Progress
from mediator.services.xlsx_cells import SafeSheet, add_format
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, BatchRow, CaseRow, InvestorRow, MediatorRow, SigningRow

log = logging.getLogger("mediator.signing")
# pyHanko logs a traceback for every certificate it cannot chain to a trusted root; that outcome is
# reported to the user as a warning (or a rejection in strict mode), so keep its logs off stderr.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

MANIFEST_JSON = "manifest.json"
MANIFEST_XLSX = "manifest.xlsx"
# The four signature fields (agreement_terms.SIGNATURE_FIELDS): the case is signed, and the
# agreement in effect, only when all four are (人民调解法 §29: the organisation's seal included).
FIELD_LABELS = {
    "investor": "投资者",
    "company": "上市公司",
    "mediator": "调解员",
    "organisation": "调解组织印章",
}


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else stored_moment(moment)


# --- the package ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestEntry:
    case: str
    file: str
    sha256: str
    agreement_number: str
    fingerprint: str
    signers: list[str]
    phones: list[str | None]


@dataclass(frozen=True)
class SignPackage(DocumentResult):
    """What ``write_sign_package`` wrote."""

    folder: Path
    entries: list[ManifestEntry]
    written_at: datetime
    batch_number: int | None = None

    @property
    def count(self) -> int:
        return len(self.entries)

    def summary(self) -> str:
        return _("第{batch}批的签署包已写入 {folder}：协议书 {count} 份，清单 {xlsx}、{json}。").format(
            batch=self.batch_number,
            folder=self.folder,
            count=self.count,
            xlsx=MANIFEST_XLSX,
            json=MANIFEST_JSON,
        )

    def output_folder(self) -> Path | None:
        return self.folder


def write_sign_package(
    database: Database,
    batch: str | int,
    out_dir: Path,
    *,
    actor: str = "cli",
    jobs: int = 2,
    progress: Progress | None = None,
    start_method: str | None = None,
) -> SignPackage:
    """Write the batch's agreements awaiting signature and the manifest; record when it went out."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    # Agreements and manifests are renamed into place only after the database commit.
    staged = pdf_layout.StagedFiles(out_dir)
    with pdf_layout.published_after(staged), database.transaction() as session:
        batch_row = resolve_batch(session, batch)
        documents = [
            d
            for d in load_case_documents(session, batch_id=batch_row.id)
            if d.status == CaseStatus.AGREED.value
        ]
        if not documents:
            raise UserError(_("第{number}批没有待签署（已达成）的案件。").format(number=batch_row.number))
        phones = _phones(session, [d.case_id for d in documents])
        files = render_documents(
            documents, out_dir, jobs=jobs, progress=progress, start_method=start_method, staged=staged
        )
        contents = [staged.temp_of(f.path).read_bytes() for f in files]
        written.record_written(session, ((f.case_id, data) for f, data in zip(files, contents, strict=True)))
        entries = [
            _entry(d.data, f, phones[d.case_id], data)
            for d, f, data in zip(documents, files, contents, strict=True)
        ]
        _write_manifests(staged, entries)
        written_at = datetime.now(UTC)
        batch_row.signing_package_at = written_at
        session.add(batch_row)
        audit(
            session,
            actor=actor,
            action="signing_package",
            batch_id=batch_row.id,
            detail=f"{len(entries)} agreements",
        )
    log.info("signing package for batch %s: %d agreements", batch_row.number, len(entries))
    return SignPackage(out_dir, entries, written_at, batch_row.number)


def run_sign_package(database: Database, request: DocumentRequest) -> SignPackage:
    """The registry's entry point (``kinds.KINDS``) for the signing package."""
    return write_sign_package(
        database,
        request.batch_required,
        request.folder,
        actor=request.actor,
        jobs=request.jobs,
        progress=request.progress,
        start_method=request.start_method,
    )


def _phones(session: Session, case_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    query = (
        select(col(CaseRow.id), col(InvestorRow.phone), col(MediatorRow.phone))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
        .where(col(CaseRow.id).in_(case_ids))
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(query)}


def _entry(
    data: Any, generated: GeneratedAgreement, phones: tuple[str | None, str | None], content: bytes
) -> ManifestEntry:
    sha256 = hashlib.sha256(content).hexdigest()
    return ManifestEntry(
        case=data.case_number,
        file=generated.path.name,
        sha256=sha256,
        agreement_number=data.number,
        fingerprint=generated.fingerprint,
        # One signer per field, in SIGNATURE_FIELDS order: the organisation seals last.
        signers=[data.investor_name, data.company_name, data.mediator_name or "", data.organisation],
        # Full phone numbers on purpose: the court's signing module texts each signer a link, so
        # this manifest is the one export where masking would defeat its purpose.
        phones=[phones[0], None, phones[1], None],
    )


def _write_manifests(staged: pdf_layout.StagedFiles, entries: Sequence[ManifestEntry]) -> None:
    payload = {"fields": list(SIGNATURE_FIELDS), "documents": [asdict(e) for e in entries]}
    staged.write(MANIFEST_JSON, json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"))
    staged.write(MANIFEST_XLSX, _manifest_xlsx(entries))


def _manifest_xlsx(entries: Sequence[ManifestEntry]) -> bytes:
    import xlsxwriter

    buffer = BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("签署清单"))
    safe = SafeSheet(workbook, sheet)
    bold = add_format(workbook, {"bold": True})
    headers = [
        _("案号"),
        _("文件"),
        "SHA-256",
        _("协议编号"),
        _("投资者"),
        _("投资者手机"),
        _("上市公司"),
        _("调解员"),
        _("调解员手机"),
        _("调解组织（印章）"),
    ]
    for column, header in enumerate(headers):
        safe.text(0, column, header, bold)
    for row, entry in enumerate(entries, start=1):
        values = [
            entry.case,
            entry.file,
            entry.sha256,
            entry.agreement_number,
            entry.signers[0],
            entry.phones[0],
            entry.signers[1],
            entry.signers[2],
            entry.phones[2],
            entry.signers[3],
        ]
        for column, value in enumerate(values):
            safe.text(row, column, value)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 66)
    sheet.set_column(3, 9, 20)
    workbook.close()
    return buffer.getvalue()


# --- verifying what comes back --------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """One embedded signature as pyHanko found it."""

    field: str
    signer: str
    signed_at: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification: str
    docmdp_ok: bool | None
    # The certificate's names, and the ID numbers / USCCs it carries (never printed nor in JSON).
    names: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = dataclasses.field(default=(), repr=False)


@dataclass
class ImportedDocument:
    """The outcome for one returned PDF: accepted, incomplete, already imported, or rejected."""

    file: str
    outcome: str  # accepted / incomplete / already_signed / rejected
    case_number: str | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for signature in data["signatures"]:
            signature.pop("identifiers", None)
            signature["signed_at"] = signature["signed_at"].isoformat() if signature["signed_at"] else None
        return data


OUTCOME_LABELS = {
    "accepted": N_("已签署，已登记"),
    "incomplete": N_("签名不全"),
    "already_signed": N_("此前已登记"),
    "rejected": N_("拒收"),
}


@dataclass
class ImportReport(DocumentResult):
    """The outcome of every returned PDF of a folder."""

    documents: list[ImportedDocument]
    strict: bool = False

    @property
    def complete(self) -> bool:
        # Rejected files are reported, not an error of the command: the others were registered.
        return self.count("rejected") == 0

    def details(self) -> str:
        return self.as_text()

    def table(self) -> tuple[list[str], list[tuple[list[str], bool]]]:
        rows = []
        for document in self.documents:
            notes = [document.reason] if document.reason else []
            notes += [_("警告：{text}").format(text=w) for w in document.warnings]
            cells = [
                document.file,
                _(OUTCOME_LABELS[document.outcome]),
                document.case_number or "",
                "；".join(notes),
            ]
            rows.append((cells, document.outcome in ("rejected", "incomplete")))
        return [_("文件"), _("结果"), _("案号"), _("原因 / 警告")], rows

    def count(self, outcome: str) -> int:
        return sum(1 for d in self.documents if d.outcome == outcome)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.count("accepted"),
            "incomplete": self.count("incomplete"),
            "already_signed": self.count("already_signed"),
            "rejected": self.count("rejected"),
            "documents": [d.as_json() for d in self.documents],
        }

    def as_text(self) -> str:
        """A line per file (its outcome, reason and warnings), then the summary."""
        lines = []
        for document in self.documents:
            line = f"{document.file}：{_(OUTCOME_LABELS[document.outcome])}"
            if document.case_number:
                line += f"（{document.case_number}）"
            if document.reason:
                line += f" — {document.reason}"
            lines.append(line)
            lines.extend(f"    {_('警告')}：{w}" for w in document.warnings)
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        """One sentence with the count of each outcome (CLI and GUI show the same)."""
        text = _(
            "共 {total} 份：登记 {accepted} 份，签名不全 {incomplete} 份，"
            "已登记过 {already} 份，拒收 {rejected} 份。"
        ).format(
            total=len(self.documents),
            accepted=self.count("accepted"),
            incomplete=self.count("incomplete"),
            already=self.count("already_signed"),
            rejected=self.count("rejected"),
        )
        if self.strict:
            text += "\n" + _("严格模式：签名证书不在受信任的根证书之下的文件一律拒收。")
        return text


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def load_trust_roots(path: Path | None) -> list[Any]:
    """The certificates in a PEM (or DER) file, as asn1crypto certificates."""
    if path is None:
        return []
    from asn1crypto import pem, x509

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(
            _("无法读取信任根证书文件 {path}：{reason}").format(path=path, reason=exc.strerror)
        ) from exc
    try:
        if pem.detect(data):
            ders = [der for _type, _headers, der in pem.unarmor(data, multiple=True)]
        else:
            ders = [data]
        certificates = [x509.Certificate.load(der) for der in ders]
        for certificate in certificates:
            certificate.native  # noqa: B018 - asn1crypto parses lazily: fail here, not mid-import
    except Exception as exc:
        # asn1crypto's own message quotes raw bytes and tags: no use to a mediator.
        raise UserError(
            _("信任根证书文件 {path} 无法识别：不是 PEM 或 DER 格式的证书。").format(path=path)
        ) from exc
    if not certificates:
        raise UserError(_("信任根证书文件 {path} 中没有证书。").format(path=path))
    return certificates


def verify_signed_pdf(data: bytes, trust_roots: Sequence[Any]) -> tuple[str | None, list[SignatureCheck]]:
    """The fingerprint the document carries and its checked signatures; ``_Rejected`` if it fails."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        try:
            info = reader.trailer["/Info"]
        except KeyError:
            info = None
        fingerprint = str(info.get(f"/{pdf_layout.FINGERPRINT_INFO_KEY}")) if info is not None else None
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise _Rejected(_("不是有效的PDF文件（{reason}）").format(reason=exc)) from exc
    if fingerprint in (None, "None", ""):
        raise _Rejected(_("文件中没有协议数据指纹，不是本系统生成的调解协议书"))
    if not signatures:
        raise _Rejected(_("文件没有任何电子签名"))
    context = ValidationContext(
        trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail"
    )
    checks: list[SignatureCheck] = []
    for signature in signatures:
        name = signature.field_name or "?"
        try:
            status = validate_pdf_signature(signature, context)
        except Exception as exc:
            raise _Rejected(_("签名“{field}”无法验证：{reason}").format(field=name, reason=exc)) from exc
        subject = status.signing_cert.subject.native if status.signing_cert is not None else {}
        names, identifiers = written.certificate_identity(subject)
        checks.append(
            SignatureCheck(
                field=name,
                signer=str(subject.get("common_name") or status.signing_cert.subject.human_friendly),
                signed_at=status.signer_reported_dt,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                coverage=status.coverage.name if status.coverage else "UNKNOWN",
                modification=status.modification_level.name if status.modification_level else "UNKNOWN",
                docmdp_ok=status.docmdp_ok,
                names=tuple(names),
                identifiers=tuple(identifiers),
            )
        )
        label = FIELD_LABELS.get(name, name)
        if not status.intact:
            raise _Rejected(_("“{field}”的签名与文件内容不符：签名后文件被修改").format(field=label))
        if not status.valid:
            raise _Rejected(_("“{field}”的签名无效").format(field=label))
        if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
            raise _Rejected(_("“{field}”的签名没有覆盖整个文件").format(field=label))
        # DocMDP / modification analysis: after a signature only further signatures and form
        # filling are allowed; changed page content shows up as level OTHER.
        if status.docmdp_ok is False or (
            status.modification_level is not None
            and status.modification_level.name in ("ANNOTATIONS", "OTHER")
        ):
            raise _Rejected(_("“{field}”签名之后文件内容被修改").format(field=label))
    _review_from_first_revision(reader)
    return fingerprint, checks


def _review_from_first_revision(reader: Any) -> None:
    """pyHanko's modification analysis from the file the app wrote (revision 0) to the last one:
    every revision may only add signatures or fill fields — also the one the first signature
    came in, which the per-signature checks do not look at."""
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, SuspiciousModification
    from pyhanko.sign.diff_analysis.form_rules_api import FormUpdatingRule
    from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy

    # pyHanko's default policy, except that the first signature may set /SigFlags (the unsigned
    # file has none): the signature flags of the form, nothing a reader shows. The other keys are
    # pyHanko's own ACROFORM_EXEMPT_STRICT_COMPARISON.
    default_form_rule = DEFAULT_DIFF_POLICY.form_rule
    assert default_form_rule is not None
    policy = StandardDiffPolicy(
        global_rules=DEFAULT_DIFF_POLICY.global_rules,
        form_rule=FormUpdatingRule(
            field_rules=default_form_rule.field_rules,
            ignored_acroform_keys={"/Fields", "/Q", "/DA", "/NeedAppearances", "/DR", "/SigFlags"},
        ),
    )
    try:
        result = policy.review_file(reader, 0)
    except SuspiciousModification as exc:
        result = exc
    level = None if isinstance(result, SuspiciousModification) else result.modification_level
    if level is None or level > ModificationLevel.FORM_FILLING:
        raise _Rejected(_("文件在本系统写出之后不只是增加了签名或填写了表单，内容已被修改"))


def import_signed(
    database: Database,
    folder: Path,
    *,
    trust_roots: Path | None = None,
    strict: bool = False,
    actor: str = "cli",
    progress: Progress | None = None,
) -> ImportReport:
    """Verify every PDF in ``folder``; fully signed agreements move their case to "signed"."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(_("文件夹不存在：{folder}").format(folder=folder))
    roots = load_trust_roots(trust_roots)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".pdf" and p.is_file())
    if not files:
        raise UserError(_("文件夹 {folder} 中没有PDF文件。").format(folder=folder))
    if progress is not None:
        progress.update(0, len(files), _("正在验证已签署的协议书"))
    documents: list[ImportedDocument] = []
    with database.transaction() as session:
        for done, path in enumerate(files, start=1):
            if progress is not None:
                progress.check()
            documents.append(_import_one(session, path, roots, strict, actor))
            if progress is not None:
                progress.update(done)
    return ImportReport(documents, strict=strict)


def run_signed_import(database: Database, request: DocumentRequest) -> ImportReport:
    """The registry's entry point (``kinds.KINDS``) for signed files coming back."""
    return import_signed(
        database,
        request.folder,
        trust_roots=request.trust_roots,
        strict=request.strict,
        actor=request.actor,
        progress=request.progress,
    )


def _import_one(
    session: Session, path: Path, roots: Sequence[Any], strict: bool, actor: str
) -> ImportedDocument:
    result = ImportedDocument(file=path.name, outcome="rejected")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EnvironmentProblem(
            _("无法读取文件 {path}：{reason}").format(path=path, reason=exc.strerror)
        ) from exc
    try:
        _fingerprint, checks = _verified(data, roots)
        result.signatures = checks
        # The case comes from the file the app wrote (its first revision), never from the document
        # information of a later revision, which no signature covers.
        agreement = written.written_agreement(session, data)
        case = session.get(CaseRow, agreement.case_id)
        assert case is not None
        result.case_number = case.case_number
        _check_signers(session, agreement, checks, strict, result)
        untrusted = [c for c in checks if not c.trusted]
        for check in untrusted:
            message = _("“{field}”的签名证书（{signer}）不在受信任的根证书之下").format(
                field=FIELD_LABELS.get(check.field, check.field), signer=check.signer
            )
            if strict:
                raise _Rejected(message)
            result.warnings.append(message)
        signed_fields = {c.field for c in checks}
        missing = [FIELD_LABELS[f] for f in SIGNATURE_FIELDS if f not in signed_fields]
        if missing:
            result.outcome = "incomplete"
            result.reason = _("尚缺{who}的签名").format(who="、".join(missing))
            return result
        if case.status in _SIGNED_OR_LATER:
            result.outcome = "already_signed"
            return result
        if case.status != CaseStatus.AGREED.value:
            raise _Rejected(
                _("案件当前为“{status}”，不能登记签署").format(status=CaseStatus(case.status).label)
            )
        _record(session, case, agreement, checks, actor)
        result.outcome = "accepted"
    except (_Rejected, written.NotWritten) as rejection:
        result.outcome = "rejected"
        result.reason = rejection.reason
    return result


def _verified(data: bytes, roots: Sequence[Any]) -> tuple[str | None, list[SignatureCheck]]:
    """``verify_signed_pdf``, with any failure of the PDF parser (a file nested too deep, a broken
    object) turned into a rejection of this file alone."""
    try:
        return verify_signed_pdf(data, roots)
    except _Rejected:
        raise
    except Exception as exc:  # RecursionError included
        log.info("signed file rejected by the parser: %s", type(exc).__name__)
        raise _Rejected(
            _("文件无法解析（{kind}），不是完好的PDF文件").format(kind=type(exc).__name__)
        ) from exc


def _check_signers(
    session: Session,
    agreement: AgreementRow,
    checks: Sequence[SignatureCheck],
    strict: bool,
    result: ImportedDocument,
) -> None:
    """Each field's certificate against its party: a warning, or a refusal with ``--strict``."""
    parties = written.parties_of(session, agreement)
    for check in checks:
        party = parties.get(check.field)
        if party is None:
            continue
        label = FIELD_LABELS.get(check.field, check.field)
        for problem in written.signer_mismatches(party, check.names, check.identifiers, label):
            if strict:
                raise _Rejected(problem)
            result.warnings.append(problem)


def _record(
    session: Session, case: CaseRow, agreement: AgreementRow, checks: Sequence[SignatureCheck], actor: str
) -> None:
    now = datetime.now(UTC)
    times = [c.signed_at for c in checks if c.signed_at is not None]
    latest = max(times) if times else now
    # No SAVEPOINT: pysqlite commits one on release when it opened the transaction itself, which
    # broke the import's all-or-nothing. The caller checked the case is 已达成, so the step to
    # 已签署 is allowed; anything else failing here aborts the whole import (nothing written).
    transition_case(
        session,
        case.id,  # type: ignore[arg-type]
        CaseStatus.SIGNED,
        actor=actor,
        on=china_day(latest),
        note=_("电子签署文件导入"),
    )
    case.signed_at = latest.astimezone(UTC)
    session.add(case)
    agreement.effective_on = china_day(latest)
    session.add(agreement)
    for check in checks:
        session.add(
            SigningRow(
                agreement_id=agreement.id,  # type: ignore[arg-type]
                field_name=check.field,
                signer=check.signer[:200],
                signed_at=check.signed_at.astimezone(UTC) if check.signed_at else None,
                trusted=check.trusted,
                imported_at=now,
            )
        )


# --- turnaround -----------------------------------------------------------------------------------


def signing_turnaround(session: Session, batch_id: int) -> tuple[timedelta, timedelta] | None:
    """Median and max time from the signing package to each case's last signature, or None."""
    batch = session.get(BatchRow, batch_id)
    if batch is None or batch.signing_package_at is None:
        return None
    sent = _aware(batch.signing_package_at)
    assert sent is not None
    query = select(col(CaseRow.signed_at)).where(
        col(CaseRow.batch_id) == batch_id,
        col(CaseRow.signed_at).is_not(None),
    )
    signed = [stored_moment(at) for at in session.scalars(query) if at]
    spans = [max(at - sent, timedelta(0)) for at in signed]
    if not spans:
        return None
    median_seconds = statistics.median(span.total_seconds() for span in spans)
    return timedelta(seconds=median_seconds), max(spans)


@dataclass(frozen=True)
class SigningStatus:
    """A batch's signing round: how many signed, how many waiting, how long it took."""

    batch_number: int
    package_at: datetime | None
    agreed: int
    signed: int
    turnaround: tuple[timedelta, timedelta] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch_number,
            "package_at": self.package_at.isoformat() if self.package_at else None,
            "awaiting_signature": self.agreed,
            "signed": self.signed,
            "fields": list(SIGNATURE_FIELDS),
            "turnaround_median_hours": _hours(self.turnaround[0]) if self.turnaround else None,
            "turnaround_max_hours": _hours(self.turnaround[1]) if self.turnaround else None,
        }

    def summary(self) -> str:
        """What `mediator signing-status` prints."""
        return _status_summary(self)


def _status_summary(status: SigningStatus) -> str:
    lines = [
        _("第{n}批：已签署 {signed} 件，待签署 {agreed} 件。").format(
            n=status.batch_number, signed=status.signed, agreed=status.agreed
        ),
        _("每份协议须{fields}共 {count} 处全部签署（盖章）后方登记为已签署。").format(
            fields="、".join(FIELD_LABELS[f] for f in SIGNATURE_FIELDS), count=len(SIGNATURE_FIELDS)
        ),
    ]
    if status.package_at is None:
        lines.append(_("尚未生成签署包。"))
    else:
        lines.append(_("签署包生成于 {at}。").format(at=china_clock(status.package_at)))
    if status.turnaround is not None:
        median, longest = status.turnaround
        lines.append(
            _("签署用时：中位数 {median}，最长 {longest}。").format(
                median=format_span(median), longest=format_span(longest)
            )
        )
    return "\n".join(lines)


def _hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


# Lives with the batch list (which shows it without loading the PDF machinery); kept here for the CLI.
format_span = batch_list.format_span


def signing_status(database: Database, batch: str | int) -> SigningStatus:
    """The signing round of a batch (read only)."""
    with database.session() as session:
        return _signing_status(session, batch)


def _signing_status(session: Session, batch: str | int) -> SigningStatus:
    batch_row = resolve_batch(session, batch)
    statuses = list(session.scalars(select(col(CaseRow.status)).where(col(CaseRow.batch_id) == batch_row.id)))
    signed = sum(1 for s in statuses if s not in (CaseStatus.AGREED.value,) and s in _SIGNED_OR_LATER)
    return SigningStatus(
        batch_number=batch_row.number,
        package_at=_aware(batch_row.signing_package_at),
        agreed=statuses.count(CaseStatus.AGREED.value),
        signed=signed,
        turnaround=signing_turnaround(session, batch_row.id),  # type: ignore[arg-type]
    )


_SIGNED_OR_LATER = frozenset(
    {
        CaseStatus.SIGNED.value,
        CaseStatus.CONFIRMATION_APPLIED.value,
        CaseStatus.CONFIRMED.value,
        CaseStatus.PARTIALLY_PAID.value,
        CaseStatus.PAID.value,
    }
)
