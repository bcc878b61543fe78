"""A filed case (民初, 委托调解) ends in a 民事调解书 or a withdrawal: the request to the court."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from sqlalchemy import select

from mediator.errors import UserError
from mediator.services.documents.kinds import DocumentRequest, kind
from mediator.store.database import Database
from mediator.store.tables import AgreementRow
from tests.fixtures.document_factories import COMPANY_NAME, make_batch


def pdf_text(path: Path) -> str:
    output = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", output)


def fields_of(path: Path) -> list[str]:
    with path.open("rb") as fh:
        return [name for name, _value, _ref in enumerate_sig_fields(PdfFileReader(fh))]


def test_filed_case_gets_a_request_for_a_mediation_statement(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("陈赟", "刘翀"), status="signed")
    run = kind("court-request").run(database, DocumentRequest(batch=15, out=tmp_path / "out"))
    assert [p.name for p in run.files] == [f"{n}-民事调解书申请书.pdf" for n in fixture.case_numbers]
    text = pdf_text(run.files[0])
    with database.session() as session:
        number = session.scalars(
            select(AgreementRow.number).where(AgreementRow.case_id == fixture.case_ids[0])
        ).one()
    for expected in (
        "申请书",
        "申请人（原告）：陈赟",
        "住址：南京市鼓楼区中山路1号",
        "申请人（被告）：" + COMPANY_NAME,
        "法定代表人：周明远",
        f"《调解协议书》（{number}），对（2025）苏01民初3100号证券虚假陈述责任纠纷一案制作民事调解书",
        "贵院立案后于2025年3月3日委托江苏省证券业协会进行调解（第15批）",
        "此致南京市中级人民法院",
        "法定代表人或委托代理人（签名）",
        "由江苏省证券业协会（特邀调解组织）协助制作",
    ):
        assert expected in text, expected
    assert "司法确认" not in text
    assert fields_of(run.files[0]) == ["investor", "company"]
    assert "已生成请求出具民事调解书的申请书 2 份" in run.summary()


def test_withdrawal_is_the_plaintiffs_alone(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("陈赟",), status="signed")
    run = kind("court-request").run(database, DocumentRequest(batch=15, out=tmp_path / "w", withdrawal=True))
    text = pdf_text(run.files[0])
    assert "撤诉申请书" in text and "申请撤回对被告" + COMPANY_NAME + "的起诉" in text
    assert fields_of(run.files[0]) == ["investor"]


def test_pre_filing_cases_get_none(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("陈赟",), status="signed", case_type="民诉前调")
    with pytest.raises(UserError) as refused:
        kind("court-request").run(database, DocumentRequest(batch=15, out=tmp_path / "x"))
    assert "没有已签署的立案后委托调解（民初）案件" in str(refused.value)
    assert fixture.case_numbers[0] in str(refused.value) and "司法确认" in str(refused.value)
