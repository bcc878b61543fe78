"""What binds a signed agreement to its case: the files the app wrote, and who may sign each field.

- ``record_written``: the SHA-256 of every agreement PDF the app writes is kept (``agreement_file``),
  in the transaction that wrote it.
- ``written_agreement``: a returned file is the app's only if its first revision (the bytes up to
  the first ``%%EOF``, before any incremental update) is byte for byte such a file, and that file's
  fingerprint is the agreement's current one (a reissued or changed agreement voids older files).
  Content, fingerprint and case cannot then be swapped: an update after signing that carries
  another agreement's document information changes nothing here.
- ``signer_mismatches``: each field's certificate against the party the field belongs to (name,
  and the ID number or USCC where the certificate carries one).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.agreement_terms import MEDIATION_ORGANISATION
from mediator.domain.workflow import CaseStatus
from mediator.i18n import _
from mediator.services.documents import layout as pdf_layout
from mediator.store.tables import (
    AgreementFileRow,
    AgreementRow,
    CaseRow,
    InvestorRow,
    ListedCompanyRow,
    MediatorRow,
)

_EOF = b"%%EOF"
_LINE_ENDS = (b"\r\n", b"\n", b"\r", b"")


class NotWritten(Exception):
    """The file is not (or no longer) one the app wrote for an agreement; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def record_written(session: Session, written: Iterable[tuple[int, bytes]]) -> None:
    """Keep the SHA-256 of each (case id, file bytes) the app just wrote, in the caller's transaction."""
    pairs = list(written)
    if not pairs:
        return
    case_ids = [case_id for case_id, _data in pairs]
    agreements = dict(
        session.execute(
            select(col(AgreementRow.case_id), col(AgreementRow.id)).where(
                col(AgreementRow.case_id).in_(case_ids)
            )
        ).all()
    )
    now = datetime.now(UTC)
    for case_id, data in pairs:
        agreement_id = agreements.get(case_id)
        if agreement_id is not None:
            digest = hashlib.sha256(data).hexdigest()
            session.add(AgreementFileRow(agreement_id=agreement_id, sha256=digest, written_at=now))


def first_revision_candidates(data: bytes) -> list[bytes]:
    """The file's first revision, with each end-of-line a writer may have put after ``%%EOF``."""
    end = data.find(_EOF)
    if end < 0:
        return []
    end += len(_EOF)
    candidates = []
    for line_end in _LINE_ENDS:
        if data[end : end + len(line_end)] == line_end:
            candidates.append(data[: end + len(line_end)])
    return candidates


def written_agreement(session: Session, data: bytes) -> AgreementRow:
    """The agreement whose written file is this file's first revision; ``NotWritten`` otherwise."""
    for first in first_revision_candidates(data):
        digest = hashlib.sha256(first).hexdigest()
        agreement_id = session.scalar(
            select(col(AgreementFileRow.agreement_id)).where(col(AgreementFileRow.sha256) == digest).limit(1)
        )
        if agreement_id is None:
            continue
        agreement = session.get(AgreementRow, agreement_id)
        if agreement is None:  # pragma: no cover - the foreign key keeps it
            break
        if _fingerprint_of(first) != agreement.fingerprint:
            raise NotWritten(
                _(
                    "此文件是协议{number}此前的版本（协议数据指纹已变：已重新出具或内容已修改），请签署新版本"
                ).format(number=agreement.number)
            )
        return agreement
    _refuse_written_before_binding(session, data)
    raise NotWritten(
        _("文件首版与本系统写出的任何调解协议书都不一致（内容、指纹或案件被替换，或不是本系统的文件）")
    )


def _refuse_written_before_binding(session: Session, data: bytes) -> None:
    """An agreement written before the app kept its files' SHA-256 has no file to compare with: its
    signed copy cannot be proven to be the app's and is refused, with what to do instead (write the
    agreement again: a batch run does for unsigned ones, a re-issue for a signed one)."""
    candidates = first_revision_candidates(data)
    if not candidates:
        return
    try:
        fingerprint = _fingerprint_of(candidates[0])
    except Exception:  # not even a readable first revision: the general refusal says so
        return
    if not fingerprint:
        return
    agreement = session.scalar(
        select(AgreementRow).where(col(AgreementRow.fingerprint) == fingerprint).limit(1)
    )
    if agreement is None:
        return
    kept = session.scalar(
        select(col(AgreementFileRow.id)).where(col(AgreementFileRow.agreement_id) == agreement.id).limit(1)
    )
    if kept is not None:
        return  # files of it are known, and this is none of them: the general refusal
    case = session.get(CaseRow, agreement.case_id)
    if case is not None and case.status == CaseStatus.AGREED.value:
        remedy = _(
            "请重新生成该批次的协议书（mediator agreements --batch 批次号，会记录新文件），再签署新文件"
        )
    else:
        remedy = _("请重新出具该协议（mediator agreements --reissue 案号 --reason 理由），再签署新文件")
    raise NotWritten(
        _(
            "协议{number}写出于本系统开始保存协议文件指纹之前，无法核实此签署件是本系统写出的原件；{remedy}。"
        ).format(number=agreement.number, remedy=remedy)
    )


def _fingerprint_of(first_revision: bytes) -> str | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(first_revision), strict=False)
    info = reader.trailer["/Info"]
    value = info.get(f"/{pdf_layout.FINGERPRINT_INFO_KEY}")
    return None if value is None else str(value)


# --- who signed -----------------------------------------------------------------------------------

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


@dataclass(frozen=True)
class Party:
    """Who a signature field belongs to: a name, and an ID number or USCC when known."""

    name: str
    identifier: str | None = None
    is_organisation: bool = False


def parties_of(session: Session, agreement: AgreementRow) -> dict[str, Party]:
    """The party behind each signature field of the agreement's case (fields without one: none)."""
    row = session.execute(
        select(
            col(InvestorRow.name),
            col(InvestorRow.id_number),
            col(ListedCompanyRow.name),
            col(ListedCompanyRow.uscc),
            col(MediatorRow.name),
        )
        .select_from(CaseRow)
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
        .where(col(CaseRow.id) == agreement.case_id)
    ).one()
    parties = {
        "investor": Party(row[0], row[1]),
        "company": Party(row[2], row[3], is_organisation=True),
        # The seal of the mediation organisation the agreement names (人民调解法 §29).
        "organisation": Party(MEDIATION_ORGANISATION, None, is_organisation=True),
    }
    if row[4]:
        parties["mediator"] = Party(row[4])
    return parties


def certificate_identity(subject: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(names, identifiers) a certificate's subject carries: common and organisation names; ID
    numbers and USCCs found in serialNumber, organizationIdentifier, the names or the units."""
    names: list[str] = []
    texts: list[str] = []
    for key, value in subject.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            text = str(item)
            texts.append(text)
            if key in ("common_name", "organization_name"):
                names.append(text)
    found: list[str] = []
    for text in texts:
        found += [m.upper() for m in _ID_NUMBER.findall(text)]
        found += [m.upper() for m in _USCC.findall(text.upper())]
    return names, sorted(set(found))


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def signer_mismatches(
    party: Party, names: Sequence[str], identifiers: Sequence[str], label: str
) -> list[str]:
    """Why the certificate is not the party's (empty when it is)."""
    problems = []
    if names and _plain(party.name) not in {_plain(n) for n in names}:
        problems.append(
            _("“{field}”的签名人为“{signer}”，与当事人“{party}”不符").format(
                field=label, signer="、".join(names), party=party.name
            )
        )
    if party.identifier and identifiers:
        pattern = _USCC if party.is_organisation else _ID_NUMBER
        relevant = [i for i in identifiers if pattern.fullmatch(i)]
        if relevant and party.identifier.upper() not in relevant:
            kind = _("统一社会信用代码") if party.is_organisation else _("身份证号")
            problems.append(_("“{field}”签名证书中的{kind}与当事人不符").format(field=label, kind=kind))
    return problems
