"""No silent re-issue: a batch run leaves signed agreements alone and says so; re-issuing one takes
an explicit command with a reason, gives a new number, keeps the old one marked void, audited."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from mediator.domain.agreement_terms import parse_agreement_number
from mediator.domain.clock import china_today
from mediator.errors import UserError
from mediator.services.documents.agreement import generate_agreements
from mediator.services.documents.kinds import DocumentRequest, kind
from mediator.services.documents.reissue import reissue_agreement
from mediator.services.documents.signing import import_signed, write_sign_package
from mediator.store.database import Database
from mediator.store.tables import (
    AgreementRow,
    AuditEventRow,
    CaseRow,
    InvestorRow,
    SigningRow,
    VoidedAgreementRow,
)
from tests.fixtures.document_factories import COMPANY_NAME, DocumentFixture, make_batch
from tests.fixtures.signing_helpers import make_ca, sign_all

SIGNERS = {
    "investor": "张䶮",
    "company": COMPANY_NAME,
    "mediator": "孙调解",
    "organisation": "江苏省证券业协会",
}


def pdf_text(path: Path) -> str:
    output = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", output)


@pytest.fixture
def signed_first(database: Database, tmp_path: Path) -> DocumentFixture:
    """Two agreed cases; the first one's agreement signed by all four and imported."""
    fixture = make_batch(database, names=("张䶮", "李堃"), case_type="民诉前调")
    package = write_sign_package(database, 15, tmp_path / "package", jobs=1)
    pki = make_ca(tmp_path)
    returned = tmp_path / "returned"
    returned.mkdir()
    first = tmp_path / "package" / package.entries[0].file
    (returned / "a.pdf").write_bytes(sign_all(first.read_bytes(), pki, SIGNERS))
    assert import_signed(database, returned, trust_roots=pki.ca_pem).documents[0].outcome == "accepted"
    return fixture


def _agreement(database: Database, case_id: int) -> AgreementRow:
    with database.session() as session:
        return session.scalars(select(AgreementRow).where(AgreementRow.case_id == case_id)).one()


def test_batch_run_skips_signed_cases_and_says_so(
    signed_first: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    fixture = signed_first
    before = _agreement(database, fixture.case_ids[0])
    with database.transaction() as session:  # the investor's address changes after signing
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None
        investor.address = "南京市玄武区北京东路41号"

    run = generate_agreements(database, batch=15, out_dir=tmp_path / "again", jobs=1)

    assert [f.case_number for f in run.files] == [fixture.case_numbers[1]]
    assert not (tmp_path / "again" / f"{fixture.case_numbers[0]}.pdf").exists()
    summary = run.summary()
    assert "已跳过已签署的 1 件（（2025）苏01民诉前调3100号）" in summary
    assert "--reissue" in summary
    after = _agreement(database, fixture.case_ids[0])
    assert (after.number, after.fingerprint) == (before.number, before.fingerprint)


def test_only_signed_cases_write_nothing_and_say_why(
    signed_first: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    run = generate_agreements(database, case_ids=signed_first.case_ids[:1], out_dir=tmp_path / "x", jobs=1)
    assert run.files == [] and "已跳过已签署的 1 件" in run.summary()


def test_reprinting_a_signed_agreement_needs_unchanged_data(
    signed_first: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    fixture = signed_first
    same = generate_agreements(
        database, case_ids=fixture.case_ids[:1], out_dir=tmp_path / "same", jobs=1, reprint_signed=True
    )
    signed = _agreement(database, fixture.case_ids[0])
    assert [f.fingerprint for f in same.files] == [signed.fingerprint]  # the very paper signed
    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None
        investor.phone = "13900000000"
    changed = generate_agreements(
        database, case_ids=fixture.case_ids[:1], out_dir=tmp_path / "changed", jobs=1, reprint_signed=True
    )
    assert changed.files == [] and "已跳过已签署的 1 件" in changed.summary()


def test_reissue_needs_a_reason(signed_first: DocumentFixture, database: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="须说明理由"):
        reissue_agreement(database, signed_first.case_numbers[0], reason="  ", out_dir=tmp_path / "r")
    assert _agreement(database, signed_first.case_ids[0]).effective_on is not None


def test_reissue_gives_a_new_number_and_keeps_the_old_one_void(
    signed_first: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    fixture = signed_first
    old = _agreement(database, fixture.case_ids[0])
    request = DocumentRequest(
        reissue="(2025)苏01民诉前调3100号", reason="投资者住址变更", out=tmp_path / "reissued", actor="孙调解"
    )

    run = kind("agreements").run(database, request)

    new = _agreement(database, fixture.case_ids[0])
    other = _agreement(database, fixture.case_ids[1])
    assert len({old.number, new.number, other.number}) == 3  # a number is never handed out twice
    assert parse_agreement_number(new.number)[0] == china_today().year  # drawn up today
    assert new.effective_on is None and new.fingerprint != old.fingerprint
    text = pdf_text(run.files[0].path)
    assert new.number in text and old.number not in text
    assert f"新编号 {new.number}，原协议 {old.number} 已作废（理由：投资者住址变更）" in run.summary()
    assert "新协议须重新签署" in run.summary()
    with database.session() as session:
        voided = session.scalars(select(VoidedAgreementRow)).one()
        assert (voided.number, voided.fingerprint, voided.replaced_by) == (
            old.number,
            old.fingerprint,
            new.number,
        )
        assert voided.reason == "投资者住址变更" and voided.actor == "孙调解"
        assert voided.effective_on == old.effective_on
        assert "organisation 江苏省证券业协会" in (voided.signatures or "")
        assert session.scalars(select(SigningRow)).all() == []
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None and (case.status, case.signed_on, case.signed_at) == ("agreed", None, None)
        event = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "agreement_reissued")
        ).one()
        assert event.actor == "孙调解" and event.case_id == fixture.case_ids[0]
        assert old.number in (event.detail or "") and "投资者住址变更" in (event.detail or "")


def test_reissue_of_an_agreement_before_the_court_is_refused(
    signed_first: DocumentFixture, database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        case = session.get(CaseRow, signed_first.case_ids[0])
        assert case is not None
        case.status = "confirmation_applied"
    with pytest.raises(UserError, match=r"已申请司法确认.*不能重新出具"):
        reissue_agreement(database, signed_first.case_numbers[0], reason="更正", out_dir=tmp_path / "r")
    with pytest.raises(UserError, match="没有案号"):
        reissue_agreement(database, "（2025）苏01民诉前调9999号", reason="更正", out_dir=tmp_path / "r")
