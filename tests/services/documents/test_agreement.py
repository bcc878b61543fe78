"""Agreements as PDF: every element the court needs, read back from the file itself."""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from sqlalchemy import select

from mediator.domain.agreement_terms import parse_agreement_number
from mediator.domain.money import rmb_upper
from mediator.errors import EnvironmentProblem, UserError, ValidationError
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.agreement import generate_agreements
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, ListedCompanyRow
from tests.fixtures.document_factories import COMPANY_NAME, RARE_NAMES, make_batch


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def squeeze(text: str) -> str:
    """Text without whitespace: line breaks fall anywhere in Chinese prose."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def generated(database: Database, tmp_path: Path) -> tuple:
    fixture = make_batch(database)
    run = generate_agreements(database, batch="第15批", out_dir=tmp_path / "out", jobs=2)
    return fixture, run


def test_every_element_of_the_agreement_is_in_the_pdf(generated: tuple, database: Database) -> None:
    fixture, run = generated
    assert run.count == len(RARE_NAMES)
    by_case = {f.case_number: f for f in run.files}
    first = by_case[fixture.case_numbers[0]]
    assert first.path.name == "（2025）苏01民初3100号.pdf"
    text = squeeze(pdf_text(first.path))
    with database.session() as session:
        agreement = session.scalar(select(AgreementRow).where(AgreementRow.case_id == fixture.case_ids[0]))
    assert agreement is not None
    expected = [
        "调解协议书",
        agreement.number,
        "南京市中级人民法院",
        "（2025）苏01民初3100号",
        "第15批",
        "2025年3月3日",
        "张䶮",
        "男",
        "1980年3月12日出生",
        fixture.id_numbers[0],  # in full: the parties sign this document
        fixture.phones[0],
        "南京市鼓楼区中山路1号",
        COMPANY_NAME,
        "91320100MA1XY1234",
        "法定代表人：周明远",
        "江苏金石律师事务所",
        "江苏省证券业协会",
        "特邀调解组织",
        "调解员：孙调解",
        "证券虚假陈述责任纠纷",
        "30,105,000.00",
        "12,345.60",
        rmb_upper(Decimal("12345.60")),
        "分两期",
        "2025年6月30日前支付人民币6,172.80元",
        rmb_upper(Decimal("6172.80")),
        "2025年9月30日前",
        "案件受理费（如有）由乙方负担",
        "不再以任何方式向乙方",
        "三十日内，共同向南京市中级人民法院申请司法确认",
        "一式四份",
        "之日起生效",
        "甲方（签名或盖章）",
        "乙方（盖章）",
        "调解员（签名）",
        "年月日",
        "第1页共2页",
        "第2页共2页",
        agreement.fingerprint,
    ]
    missing = [item for item in expected if squeeze(item) not in text]
    assert missing == []
    assert rmb_upper(Decimal("12345.60")) == "壹万贰仟叁佰肆拾伍元陆角"


def test_rare_name_characters_come_back_intact(generated: tuple) -> None:
    fixture, run = generated
    for generated_file, name in zip(
        sorted(run.files, key=lambda f: f.case_number), fixture.names, strict=True
    ):
        assert name in pdf_text(generated_file.path)


def test_lump_sum_agreement_says_one_payment(generated: tuple) -> None:
    fixture, run = generated
    second = next(f for f in run.files if f.case_number == fixture.case_numbers[1])
    text = squeeze(pdf_text(second.path))
    assert "一次性支付给甲方" in text
    assert "本协议经人民法院司法确认之日起三十日内" in text
    assert "分两期" not in text


def test_fonts_are_embedded_as_subsets(generated: tuple) -> None:
    _fixture, run = generated
    output = subprocess.run(
        ["pdffonts", str(run.files[0].path)], check=True, capture_output=True, text=True
    ).stdout
    rows = output.splitlines()[2:]
    assert rows, output
    for row in rows:
        columns = row.split()
        # name type encoding emb sub uni object ID: emb and sub are the 4th and 3rd from the end.
        assert columns[-5:-3] == ["yes", "yes"], row
        assert re.match(r"[A-Z]{6}\+", columns[0]), row


def test_three_named_empty_signature_fields_on_the_signature_page(generated: tuple) -> None:
    _fixture, run = generated
    for generated_file in run.files:
        with generated_file.path.open("rb") as fh:
            reader = PdfFileReader(fh)
            fields = {name: (value, ref.get_object()) for name, value, ref in enumerate_sig_fields(reader)}
            assert sorted(fields) == ["company", "investor", "mediator"]
            assert all(value is None for value, _widget in fields.values())  # empty: not signed yet
            tops = [float(fields[name][1]["/Rect"][3]) for name in ("investor", "company", "mediator")]
            assert tops == sorted(tops, reverse=True)  # in reading order down the page
            info = reader.trailer["/Info"]
            assert str(info["/MediatorFingerprint"]) == generated_file.fingerprint


def test_agreement_numbers_are_created_once_and_kept(any_database: Database, tmp_path: Path) -> None:
    fixture = make_batch(any_database)
    first = generate_agreements(any_database, batch=15, out_dir=tmp_path / "a", jobs=1)
    second = generate_agreements(any_database, batch="第15批", out_dir=tmp_path / "b", jobs=1)
    numbers_first = {f.case_number: f.agreement_number for f in first.files}
    numbers_second = {f.case_number: f.agreement_number for f in second.files}
    assert numbers_first == numbers_second
    sequences = sorted(parse_agreement_number(n) for n in numbers_first.values())
    assert sequences == [(2025, i) for i in range(1, len(fixture.case_ids) + 1)]
    assert (tmp_path / "b" / "（2025）苏01民初3101号.pdf").read_bytes()[:5] == b"%PDF-"


def test_missing_company_details_name_the_case_and_write_nothing(database: Database, tmp_path: Path) -> None:
    make_batch(database, company_uscc=False)
    out = tmp_path / "out"
    with pytest.raises(ValidationError) as caught:
        generate_agreements(database, batch=15, out_dir=out, jobs=1)
    assert "（2025）苏01民初3100号" in str(caught.value)
    assert "统一社会信用代码" in str(caught.value)
    assert not out.exists() or list(out.iterdir()) == []
    with database.session() as session:
        assert session.scalars(select(AgreementRow)).all() == []


def test_selected_case_without_agreed_amount_is_refused(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("张䶮", "李堃"), agreed=("1000.00", None))
    with pytest.raises(UserError) as caught:
        generate_agreements(database, case_ids=fixture.case_ids, out_dir=tmp_path / "out", jobs=1)
    assert "（2025）苏01民初3101号" in str(caught.value)
    assert "调解金额" in str(caught.value)
    # The batch command skips the case still being mediated and writes the other one.
    run = generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    assert [f.case_number for f in run.files] == ["（2025）苏01民初3100号"]


def test_unwritable_output_folder_is_a_clear_error(database: Database, tmp_path: Path) -> None:
    make_batch(database)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    with pytest.raises(EnvironmentProblem) as caught:
        generate_agreements(database, batch=15, out_dir=blocked / "out", jobs=1)
    assert str(blocked) in str(caught.value)
    if os.geteuid() != 0:  # root ignores folder permissions
        readonly = tmp_path / "readonly"
        readonly.mkdir(mode=0o500)
        with pytest.raises(EnvironmentProblem):
            generate_agreements(database, batch=15, out_dir=readonly, jobs=1)


def test_a_character_the_font_lacks_is_refused_before_rendering(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("张\U000f0001",))  # a private-use character no font maps
    with pytest.raises(UserError) as caught:
        generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    assert "（2025）苏01民初3100号" in str(caught.value)
    assert "U+F0001" in str(caught.value)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_font_covers_rare_name_characters() -> None:
    assert pdf_layout.missing_characters(["䶮堃喆赟翀彧龑昇珺婧𠇔"]) == []


def test_company_details_edit_is_reflected_in_fingerprint(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("王喆",))
    first = generate_agreements(database, batch=15, out_dir=tmp_path / "a", jobs=1).files[0]
    with database.transaction() as session:
        company = session.scalars(select(ListedCompanyRow)).one()
        company.address = "南京市建邺区江东中路1号"
    second = generate_agreements(database, batch=15, out_dir=tmp_path / "b", jobs=1).files[0]
    assert first.agreement_number == second.agreement_number
    assert first.fingerprint != second.fingerprint
    with database.session() as session:
        assert session.scalars(select(AgreementRow.fingerprint)).one() == second.fingerprint


@pytest.mark.parametrize(
    "text",
    [
        # Before the fix: "；" after a hanging "）" started the next line.
        "（1）2024年7月31日前支付人民币45,020.00元（大写：肆万伍仟零贰拾元整）；",
        # Before the fix: "：" started the line holding the phone number.
        "甲方（原告）：张三，男，1980年3月12日出生，公民身份号码：32100219551212130X，"
        "住址：扬州市广陵区学府路254号1幢1501室，联系电话：13682977859。",
    ],
)
def test_no_line_starts_with_closing_punctuation(text: str) -> None:
    from reportlab.platypus import Paragraph

    paragraph = Paragraph(text, pdf_layout.styles()["clause"])
    paragraph.wrap(pdf_layout.PAGE_SIZE[0] - 2 * pdf_layout.MARGIN_X - 12, 1000)
    lines = ["".join(line[1]) for line in paragraph.blPara.lines]
    assert len(lines) >= 2 and "".join(lines) == text
    assert [line for line in lines[1:] if line[0] in pdf_layout.CANNOT_START] == []
    assert [line for line in lines[:-1] if line[-1] in pdf_layout.CANNOT_END] == []
