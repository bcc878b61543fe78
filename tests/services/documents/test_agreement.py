"""Agreements as PDF: every element the court needs, read back from the file itself."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from sqlalchemy import select

from mediator.domain.agreement_terms import IncompleteParticulars, parse_agreement_number
from mediator.domain.money import rmb_upper
from mediator.errors import EnvironmentProblem, UserError, ValidationError
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.agreement import generate_agreements
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, CaseRow, InvestorRow, ListedCompanyRow
from tests.fixtures.document_factories import COMPANY_NAME, RARE_NAMES, make_batch


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def squeeze(text: str) -> str:
    """Text without whitespace: line breaks fall anywhere in Chinese prose."""
    return re.sub(r"\s+", "", text)


PRE_FILING = "民诉前调"


@pytest.fixture
def generated(database: Database, tmp_path: Path) -> tuple:
    """A pre-filing referral (委派调解, 民诉前调 numbers): the fusion court's usual batch."""
    fixture = make_batch(database, case_type=PRE_FILING)
    run = generate_agreements(database, batch="第15批", out_dir=tmp_path / "out", jobs=2)
    return fixture, run


def test_every_element_of_the_agreement_is_in_the_pdf(generated: tuple, database: Database) -> None:
    fixture, run = generated
    assert run.count == len(RARE_NAMES)
    by_case = {f.case_number: f for f in run.files}
    first = by_case[fixture.case_numbers[0]]
    assert first.path.name == "（2025）苏01民诉前调3100号.pdf"
    text = squeeze(pdf_text(first.path))
    with database.session() as session:
        agreement = session.scalar(select(AgreementRow).where(AgreementRow.case_id == fixture.case_ids[0]))
    assert agreement is not None
    expected = [
        "调解协议书",
        agreement.number,
        "南京市中级人民法院",
        "诉前调解案号：（2025）苏01民诉前调3100号",
        "第15批委派江苏省证券业协会进行诉前调解",
        "甲方与乙方证券虚假陈述责任纠纷",
        "2025年3月3日",
        "甲方（申请人）：张䶮",
        "乙方（被申请人）：" + COMPANY_NAME,
        "男",
        "1980年3月12日出生",
        fixture.id_numbers[0],  # in full: the parties sign this document
        fixture.phones[0],
        "南京市鼓楼区中山路1号",
        COMPANY_NAME,
        "91320100MA1XY1234",
        "法定代表人：周明远",
        "江苏金石律师事务所钱律师（特别授权）",
        "证券账户：A123456780",
        # The facts (人民调解法 §29): stock, regulator's decision, 实施日 and 揭露日, basis of the amount.
        "在上海证券交易所上市",
        "股票简称：金陵智造",
        "股票代码：600999",
        "《行政处罚决定书》（〔2024〕12号）认定乙方信息披露存在虚假陈述",
        "实施日为2021年4月28日",
        "揭露日为2023年6月16日",
        "法释〔2022〕2号第二十五条至第三十一条",
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
        "元（大写：陆仟壹佰柒拾贰元捌角）；（2）2025年9月30日前",
        "陆仟壹佰柒拾贰元捌角）。三、",  # the last installment ends the list with "。"
        "收款账户：甲方本人名下、经甲方书面确认的银行结算账户",
        "顺延至法定休假日后的第一个工作日",
        # Default clause: late interest and acceleration of installments.
        "按同期全国银行间同业拆借中心公布的一年期贷款市场报价利率向甲方支付逾期付款利息",
        "有权要求乙方立即一次性支付全部剩余款项",
        # The waiver names whom it covers.
        "不再以任何方式向乙方及乙方的董事、监事、高级管理人员、控股股东和实际控制人主张权利",
        "三十日内，共同向南京市中级人民法院申请司法确认",
        "一式四份",
        "调解员签名并加盖调解组织印章之日起生效",
        "签署页",
        "甲方（签名或盖章）",
        "乙方（盖章）",
        "调解员（签名）：孙调解",
        "调解组织（印章）：江苏省证券业协会",
        "年月日",
        "第1页共3页",
        "第3页共3页",
        "江苏省证券业协会协议编号：" + agreement.number,  # the footer names the organisation
        agreement.fingerprint,
    ]
    missing = [item for item in expected if squeeze(item) not in text]
    assert missing == []
    # No litigation terms before filing: nobody has sued yet.
    assert [
        word for word in ("原告", "被告", "甲方诉乙方", "一案", "民事调解书", "节假日；") if word in text
    ] == []
    assert rmb_upper(Decimal("12345.60")) == "壹万贰仟叁佰肆拾伍元陆角"


def test_filed_case_agreement_ends_in_a_mediation_statement_not_confirmation(
    database: Database, tmp_path: Path
) -> None:
    fixture = make_batch(database, names=("李堃",), installments_for_first=False)
    run = generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    text = squeeze(pdf_text(run.files[0].path))
    for expected in (
        "甲方（原告）：李堃",
        "乙方（被告）：" + COMPANY_NAME,
        "甲方诉乙方证券虚假陈述责任纠纷一案（案号：（2025）苏01民初3100号）",
        "立案后于2025年3月3日以第15批委托江苏省证券业协会进行调解",
        "请求南京市中级人民法院依据本协议制作民事调解书",
        "甲方可以向南京市中级人民法院申请撤回起诉",
        "案件受理费（如有）由乙方负担",
        "民事调解书生效之日起三十日内",
    ):
        assert expected in text, expected
    assert "司法确认" not in text
    assert fixture.case_numbers == ["（2025）苏01民初3100号"]


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
    assert "甲方并有权要求乙方立即一次性支付全部剩余款项" not in text  # acceleration: installments only
    assert "支付逾期付款利息" in text


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


def test_four_named_empty_signature_fields_on_the_signature_page(generated: tuple) -> None:
    _fixture, run = generated
    order = ("investor", "company", "mediator", "organisation")
    for generated_file in run.files:
        with generated_file.path.open("rb") as fh:
            reader = PdfFileReader(fh)
            fields = {name: (value, ref.get_object()) for name, value, ref in enumerate_sig_fields(reader)}
            assert sorted(fields) == sorted(order)  # the organisation's seal is a field of its own
            assert all(value is None for value, _widget in fields.values())  # empty: not signed yet
            tops = [float(fields[name][1]["/Rect"][3]) for name in order]
            assert tops == sorted(tops, reverse=True)  # in reading order down the page
            pages = {fields[name][1]["/P"].idnum if "/P" in fields[name][1] else None for name in order}
            assert len(pages) == 1  # the four blocks stay together on one page
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
        assert all(a.fingerprint for a in session.scalars(select(AgreementRow)))


def test_missing_investor_particulars_and_mediator_refuse_naming_each_case(
    database: Database, tmp_path: Path
) -> None:
    fixture = make_batch(database, names=("张䶮", "李堃", "王喆"), case_type=PRE_FILING)
    with database.transaction() as session:
        first = session.get(CaseRow, fixture.case_ids[0])
        second = session.get(CaseRow, fixture.case_ids[1])
        assert first is not None and second is not None
        investor = session.get(InvestorRow, first.investor_id)
        assert investor is not None
        investor.address = None
        investor.phone = ""
        second.mediator_id = None
    out = tmp_path / "out"
    with pytest.raises(IncompleteParticulars) as caught:
        generate_agreements(database, batch=15, out_dir=out, jobs=1)
    message = str(caught.value)
    assert message.startswith("2件案件资料不全")
    assert "（2025）苏01民诉前调3100号缺投资者住址、投资者联系电话" in message
    assert "（2025）苏01民诉前调3101号缺承办调解员" in message
    assert "3102" not in message
    assert caught.value.cases == {
        "（2025）苏01民诉前调3100号": ["投资者住址", "投资者联系电话"],
        "（2025）苏01民诉前调3101号": ["承办调解员"],
    }
    assert not out.exists() or list(out.iterdir()) == []


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


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "甲方（申请人）：张三，男，1980年3月12日出生，公民身份号码：32100219551212130X，"
            "住址：扬州市广陵区学府路254号幢1501室，联系电话：13682977859。",
            "联系电话",
        ),
        (
            "甲方与乙方证券虚假陈述责任纠纷，南京市中级人民法院于2025年3月3日以第15批委派江苏省"
            "证券业协会进行诉前调解（诉前调解案号：（2025）苏01民诉前调3100号）。",
            "（2025）苏01民诉前调3100号",
        ),
        ("申请人一至申请人一百二十三名投资者与申请人二的纠纷，经调解组织调解达成协议，申请人一", "申请人一"),
    ],
)
def test_no_word_is_broken_across_lines(text: str, word: str) -> None:
    from reportlab.platypus import Paragraph

    for width in range(300, 460, 7):  # wherever the line happens to end
        paragraph = Paragraph(text, pdf_layout.styles()["clause"])
        paragraph.wrap(width, 1000)
        lines = ["".join(line[1]) for line in paragraph.blPara.lines]
        assert "".join(lines) == text
        for line, nxt in itertools.pairwise(lines):
            joined = line + nxt
            for start in range(max(0, len(line) - len(word) + 1), len(line)):
                assert joined[start : start + len(word)] != word, (width, line, nxt)


def test_the_companys_receiving_account_and_late_interest_are_printed(
    database: Database, tmp_path: Path
) -> None:
    from mediator.services.parties.companies import set_company

    make_batch(database, names=("王喆",), case_type=PRE_FILING, installments_for_first=False)
    set_company(
        database,
        COMPANY_NAME,
        actor="t",
        receiving_account="甲方证券账户对应的资金账户",
        late_interest="每日万分之三",
    )
    run = generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    text = squeeze(pdf_text(run.files[0].path))
    assert "收款账户：甲方证券账户对应的资金账户" in text
    assert "按每日万分之三向甲方支付逾期付款利息" in text


def test_an_investor_with_a_permit_is_named_by_that_document(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=("陈家明",), case_type=PRE_FILING, installments_for_first=False)
    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None
        investor.id_type, investor.id_number = "hk_macau_permit", "H12345678"
    run = generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    text = squeeze(pdf_text(run.files[0].path))
    assert "甲方（申请人）：陈家明，港澳居民来往内地通行证号码：H12345678" in text
    assert "出生" not in text.split("乙方")[0]  # no sex or birth date read off a permit


def test_the_facts_read_right_when_the_companys_record_is_thin(database: Database, tmp_path: Path) -> None:
    """Without stock name, decision and dates the facts still close every bracket and sentence."""
    make_batch(database, names=("王喆",), case_type=PRE_FILING, installments_for_first=False)
    with database.transaction() as session:
        company = session.scalars(select(ListedCompanyRow)).one()
        company.stock_name = company.decision = None
        company.implemented_on = company.disclosed_on = None
    run = generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    text = squeeze(pdf_text(run.files[0].path))
    assert "乙方为在上海证券交易所上市的公司，股票代码：600999。甲方以其" in text
    assert "股票简称" not in text and "实施日" not in text and "）。甲方以其" not in text
