"""Demo data: the fusion court's first year as published (14 batches, 4 listed companies, 645
investors, over ¥100 million claimed, over ¥45 million recovered), with invented people and companies.

Deterministic: a seeded ``random.Random`` drives everything and no timestamp depends on the clock,
so two loads give the same database. Every ID, credit code and mobile passes the domain validators.
Rows go in as plain dicts in bulk statements (one transaction, the caller's).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session, col

from mediator.demo.marker import is_demo, is_empty, mark_demo
from mediator.domain.audit_chain import EventContent
from mediator.domain.clock import CHINA_TZ
from mediator.domain.deadlines import WorkCalendar
from mediator.domain.money import to_money
from mediator.domain.validators import (
    canonical_case_number,
    make_resident_id,
    make_uscc,
    validate_mobile,
    validate_person_name,
)
from mediator.domain.workflow import STEP_DATE_FIELD, CaseStatus, FailureReason
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.audit import chain as audit_chain
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import (
    AgreementFileRow,
    AgreementRow,
    AuditEventRow,
    BatchRow,
    CaseRow,
    ContactAttemptRow,
    InstallmentRow,
    InvestorRow,
    JudicialConfirmationRow,
    ListedCompanyRow,
    MediatorRow,
    PaymentRow,
    SigningRow,
)

log = logging.getLogger("mediator.demo")

SEED = 20240515
# The demo describes the world as it stood at the end of the first year.
AS_OF = date(2025, 5, 31)
COURT = "南京市中级人民法院"

# Case data, children before parents: the order a reset deletes in (foreign keys).
_CASE_DATA_TABLES: tuple[Any, ...] = (
    SigningRow,
    AuditEventRow,
    ContactAttemptRow,
    PaymentRow,
    InstallmentRow,
    JudicialConfirmationRow,
    AgreementFileRow,
    AgreementRow,
    CaseRow,
    BatchRow,
    InvestorRow,
    ListedCompanyRow,
    MediatorRow,
)

_MEDIATORS: tuple[tuple[str, str], ...] = (
    ("王建国", "13951701234"),
    ("陈晓燕", "13813905678"),
    ("刘明哲", "15905186420"),
    ("周婧", "18913867531"),
    ("孙立军", "13770612468"),
    ("吴彧", "15251879753"),
)


@dataclass(frozen=True)
class _Company:
    name: str
    prefix: str  # the first 17 characters of its unified social credit code
    stock_code: str
    exchange: str
    legal_representative: str
    address: str
    counsel: str
    payment_method: str
    # The facts an agreement states (人民调解法 §29; 法释〔2022〕2号 Art. 7–8) and where the money goes.
    stock_name: str
    decision: str
    implemented_on: date
    disclosed_on: date
    receiving_account: str
    phone: str  # the papers to the court give each applicant's phone (法释〔2011〕5号 §3)


_BANK_ACCOUNT = "甲方本人名下、经甲方书面确认的银行结算账户"
_JIANGSU_CSRC = "中国证券监督管理委员会江苏监管局"

_COMPANIES: tuple[_Company, ...] = (
    _Company(
        "江苏华辰智能科技股份有限公司",
        "91320100MA1MXK3P7",
        "603917",
        "SSE",
        "顾立新",
        "南京市江宁区秣陵街道将军大道168号",
        "江苏金陵正诚律师事务所 蒋文涛律师",
        "银行转账至投资者本人银行账户",
        "华辰智能",
        f"{_JIANGSU_CSRC}《行政处罚决定书》（〔2022〕9号）",
        date(2019, 4, 26),
        date(2021, 8, 13),
        _BANK_ACCOUNT,
        "025-52167788",
    ),
    _Company(
        "苏州恒泰新材料股份有限公司",
        "91320500768312945",
        "002786",
        "SZSE",
        "沈国栋",
        "苏州工业园区星湖街328号",
        "江苏博衡律师事务所 朱晓岚律师",
        "银行转账至投资者本人证券资金账户",
        "恒泰新材",
        f"{_JIANGSU_CSRC}《行政处罚决定书》（〔2023〕4号）",
        date(2020, 4, 28),
        date(2022, 3, 11),
        "甲方证券账户对应的证券资金账户",
        "0512-62958810",
    ),
    _Company(
        "无锡瑞丰医疗器械股份有限公司",
        "91320200MA1Q4RT82",
        "300851",
        "SZSE",
        "钱志远",
        "无锡市新吴区菱湖大道97号",
        "江苏东恒律师事务所 许晨律师",
        "银行转账至投资者本人银行账户",
        "瑞丰医疗",
        "中国证券监督管理委员会《行政处罚决定书》（〔2024〕21号）",
        date(2021, 8, 27),
        date(2022, 11, 25),
        _BANK_ACCOUNT,
        "0510-85321906",
    ),
    _Company(
        "常州天启光电股份有限公司",
        "91320400MA1WBN6L3",
        "688371",
        "SSE",
        "杨振华",
        "常州市武进区常武中路18号",
        "江苏常诚律师事务所 邵敏律师",
        "经中国证券登记结算有限责任公司划付至甲方证券账户对应的资金账户",
        "天启光电",
        f"{_JIANGSU_CSRC}《行政处罚决定书》（〔2024〕7号）",
        date(2021, 4, 20),
        date(2023, 2, 10),
        "甲方证券账户对应的资金账户",
        "0519-86217730",
    ),
)

# Batch number → (referral date, company index, number of cases). 645 cases in all.
_BATCHES: tuple[tuple[date, int, int], ...] = (
    (date(2024, 5, 20), 0, 46),
    (date(2024, 6, 18), 0, 58),
    (date(2024, 7, 16), 1, 63),
    (date(2024, 8, 20), 0, 41),
    (date(2024, 9, 19), 1, 55),
    (date(2024, 10, 22), 2, 49),
    (date(2024, 11, 19), 1, 67),
    (date(2024, 12, 17), 2, 44),
    (date(2025, 1, 14), 3, 52),
    (date(2025, 2, 18), 2, 38),
    (date(2025, 3, 18), 3, 47),
    (date(2025, 4, 22), 3, 36),
    (date(2025, 5, 13), 1, 28),
    (date(2025, 5, 20), 3, 21),
)

# Batch number → (days, reason): the Spring Festival batch ran longer with both parties' consent.
_EXTENSIONS: dict[int, tuple[int, str]] = {9: (15, "春节假期，经双方当事人同意延长调解期限")}

# Region codes (GB/T 2260) with the place they stand for; Jiangsu first, a few from elsewhere.
_REGIONS: tuple[tuple[str, str], ...] = (
    ("320102", "南京市玄武区"),
    ("320104", "南京市秦淮区"),
    ("320105", "南京市建邺区"),
    ("320106", "南京市鼓楼区"),
    ("320111", "南京市浦口区"),
    ("320113", "南京市栖霞区"),
    ("320114", "南京市雨花台区"),
    ("320115", "南京市江宁区"),
    ("320205", "无锡市锡山区"),
    ("320211", "无锡市滨湖区"),
    ("320282", "宜兴市"),
    ("320402", "常州市天宁区"),
    ("320411", "常州市新北区"),
    ("320505", "苏州市虎丘区"),
    ("320506", "苏州市吴中区"),
    ("320508", "苏州市姑苏区"),
    ("320582", "张家港市"),
    ("320583", "昆山市"),
    ("320602", "南通市崇川区"),
    ("320703", "连云港市连云区"),
    ("320902", "盐城市亭湖区"),
    ("321002", "扬州市广陵区"),
    ("321102", "镇江市京口区"),
    ("321202", "泰州市海陵区"),
    ("310115", "上海市浦东新区"),
    ("330106", "杭州市西湖区"),
    ("340104", "合肥市蜀山区"),
)
_JIANGSU_SHARE = 24  # the first 24 regions are in Jiangsu: most investors live there
_XINJIANG = ("650102", "乌鲁木齐市天山区")
_ROADS = (
    "中山路", "北京西路", "汉中路", "广州路", "龙蟠中路", "江东中路", "双龙大道", "人民路", "解放路",
    "长江路", "建设路", "和平路", "学府路", "湖滨路", "太湖大道", "金鸡湖大道", "延陵西路", "文昌路",
)  # fmt: skip

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严戴莫孔汤"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
_MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建文国新志立东海峰昊然博翔"
_FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲桂丹萍红琳燕雪梅莉婷慧颖倩琴云洁蓉佳欣怡璐瑶晶雯露妍岚"
# Names a real referral list carries and a GB2312 font would drop (䶮 is in CJK Extension A).
_RARE_NAMES: tuple[tuple[str, int], ...] = (  # (name, 1 for a man, 0 for a woman)
    ("刘䶮", 1),
    ("王堃", 1),
    ("张喆", 1),
    ("陈赟", 1),
    ("李翀", 1),
    ("周彧", 1),
    ("赵珺", 0),
    ("孙婧", 0),
    ("黄昇", 1),
    ("郑龑", 1),
    ("欧阳婧怡", 0),
    ("徐堃", 1),
)
_MINORITY_NAMES: tuple[tuple[str, int], ...] = (("阿依古丽·买买提", 0), ("艾力·吐尔逊", 1))
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "157", "158", "159", "177", "180", "181", "182", "183", "185", "187", "188", "189", "199",
)  # fmt: skip
_LAW_FIRMS = (
    "上海汉盛律师事务所",
    "江苏苏源律师事务所",
    "北京大成（南京）律师事务所",
    "上海明伦律师事务所",
    "江苏天哲律师事务所",
)
_AGENT_SURNAMES = "赵钱孙李周吴郑王冯陈"
_FAILURE_NOTES: dict[FailureReason, tuple[str, ...]] = {
    FailureReason.UNREACHABLE: ("电话多次无人接听，短信未回复", "预留号码为空号"),
    FailureReason.INVESTOR_DECLINED: ("投资者坚持按诉请金额赔偿", "投资者要求另行计算损失，拒绝调解方案"),
    FailureReason.COMPANY_DECLINED: ("上市公司认为交易不在实施日至揭露日之间", "上市公司对损失计算有异议"),
    FailureReason.WITHDRAWN: ("投资者撤回起诉",),
    FailureReason.OTHER: ("投资者已去世，继承人尚未确定",),
}
# How a case fails, as cumulative chances of one draw; the other 89 % reach an agreement.
_FATES: tuple[tuple[float, FailureReason], ...] = (
    (0.035, FailureReason.UNREACHABLE),
    (0.075, FailureReason.INVESTOR_DECLINED),
    (0.095, FailureReason.COMPANY_DECLINED),
    (0.105, FailureReason.WITHDRAWN),
    (0.11, FailureReason.OTHER),
)


@dataclass(frozen=True)
class DemoResult:
    """What ``load_demo`` inserted."""

    batches: int
    companies: int
    investors: int
    cases: int
    claimed_total: Decimal
    paid_total: Decimal
    reset: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return _(
            "已载入演示数据：{batches}个批次、{companies}家上市公司、{investors}名投资者、{cases}件案件，"
            "诉请金额合计{claimed}元，已履行{paid}元。"
        ).format(
            batches=self.batches,
            companies=self.companies,
            investors=self.investors,
            cases=self.cases,
            claimed=_yuan(self.claimed_total),
            paid=_yuan(self.paid_total),
        )


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def clear_case_data(session: Session) -> None:
    """Delete every batch, case, person and document; settings and calendar corrections stay.
    The demo's audit log goes too (its chain restarts): only a demo database is ever cleared."""
    audit_chain.forget(session.connection())
    for table in _CASE_DATA_TABLES:
        session.execute(delete(table))


def load_demo(session: Session, *, reset: bool = False, progress: Progress | None = None) -> DemoResult:
    """Fill an empty database with the demo year and mark it as the demo's (demo/marker.py).

    A database holding anything but the demo is refused, with or without ``reset``: real cases are
    never mixed with invented ones nor cleared to make room for them. ``reset`` clears a demo
    database first (same transaction).
    """
    if not is_empty(session):
        if not is_demo(session):
            raise UserError(
                _(
                    "数据库中已有真实数据，演示数据只能载入空数据库或演示数据库；"
                    "不加 --db 时演示数据载入单独的演示数据库文件"
                )
            )
        if not reset:
            raise UserError(_("演示数据已经载入；如需重新载入演示数据请加 --reset"))
        log.info("clearing the demo database before loading the demo again")
        clear_case_data(session)
    plan = _DemoBuilder(random.Random(SEED)).build()
    if progress is not None:
        progress.update(0, len(plan.steps), _("正在载入演示数据"))
    for done, step in enumerate(plan.steps, start=1):
        if progress is not None:
            progress.check()
        step(session)
        if progress is not None:
            progress.update(done)
    _fingerprint_agreements(session)
    mark_demo(session)
    log.info("demo data loaded: %d cases", len(plan.cases))
    return DemoResult(
        batches=len(_BATCHES),
        companies=len(_COMPANIES),
        investors=len(plan.investors),
        cases=len(plan.cases),
        claimed_total=sum((c["claimed_amount"] for c in plan.cases), Decimal("0.00")),
        paid_total=sum((i["paid_amount"] or Decimal("0.00") for i in plan.installments), Decimal("0.00")),
        reset=reset,
        counts=plan.counts(),
    )


def load_demo_into(
    database: Database, *, reset: bool = False, only_if_empty: bool = False, progress: Progress | None = None
) -> DemoResult | None:
    """``load_demo`` in a transaction of its own (the entry point of the CLI and the GUI).

    ``only_if_empty``: do nothing (and return None) when the database already holds the demo, as when
    the window opens the demo database a second time; a database holding other data is refused.
    """
    with database.transaction() as session:
        if only_if_empty and is_demo(session) and not is_empty(session):
            return None
        return load_demo(session, reset=reset, progress=progress)


def _fingerprint_agreements(session: Session) -> None:
    """Give every demo agreement the fingerprint its PDF carries, so that signed copies made from
    the demo match their cases in ``signed-import``."""
    from mediator.services.documents.data import load_case_documents

    case_ids = list(session.scalars(select(col(AgreementRow.case_id))))
    documents = load_case_documents(session, case_ids=case_ids, save=False)
    session.execute(
        update(AgreementRow),
        [{"id": d.agreement_id, "fingerprint": d.data.fingerprint()} for d in documents],
    )


# --- the generator --------------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing-time moment of ``day``, stored as UTC (the store keeps UTC)."""
    return datetime.combine(day, time(hour, minute), tzinfo=CHINA_TZ).astimezone(UTC)


@dataclass
class _Plan:
    mediators: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    investors: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    # Rows of case children, keyed to the case by its index in ``cases`` (ids come from the database).
    contacts: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    installments: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    signings: list[dict[str, Any]] = field(default_factory=list)
    confirmations: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in _Plan.__dataclass_fields__}

    @property
    def steps(self) -> list[Any]:
        return [self._parents, self._cases, self._children]

    def _parents(self, session: Session) -> None:
        mediator_ids = _insert_returning(session, MediatorRow, self.mediators)
        company_ids = _insert_returning(session, ListedCompanyRow, self.companies)
        for batch in self.batches:
            batch["company_id"] = company_ids[batch.pop("_company")]
        batch_ids = _insert_returning(session, BatchRow, self.batches)
        investor_ids = _insert_returning(session, InvestorRow, self.investors)
        for case in self.cases:
            case["batch_id"] = batch_ids[case.pop("_batch")]
            case["company_id"] = company_ids[case.pop("_company")]
            case["investor_id"] = investor_ids[case.pop("_investor")]
            mediator = case.pop("_mediator")
            case["mediator_id"] = None if mediator is None else mediator_ids[mediator]
        for row in self.contacts:
            mediator = row.pop("_mediator")
            row["mediator_id"] = None if mediator is None else mediator_ids[mediator]
        for row in self.audits:
            batch = row.pop("_batch", None)
            row["batch_id"] = None if batch is None else batch_ids[batch]

    def _cases(self, session: Session) -> None:
        case_ids = _insert_returning(session, CaseRow, self.cases)
        for rows in (self.contacts, self.audits, self.installments, self.agreements, self.confirmations):
            for row in rows:
                index = row.pop("_case")
                row["case_id"] = None if index is None else case_ids[index]

    def _children(self, session: Session) -> None:
        agreement_ids = _insert_returning(session, AgreementRow, self.agreements)
        for row in self.signings:
            row["agreement_id"] = agreement_ids[row.pop("_agreement")]
        for table, rows in (
            (ContactAttemptRow, self.contacts),
            (InstallmentRow, self.installments),
            (JudicialConfirmationRow, self.confirmations),
            (SigningRow, self.signings),
        ):
            if rows:
                session.execute(insert(table), rows)
        # The history is chained like every audit event (services/audit/chain.py), in this transaction.
        audit_chain.append(
            session.connection(),
            [
                EventContent.of(
                    at=row["at"],
                    actor=row["actor"],
                    action=row["action"],
                    case_id=row.get("case_id"),
                    batch_id=row.get("batch_id"),
                    detail=row.get("detail"),
                )
                for row in self.audits
            ],
        )


def _insert_returning(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert and get the new ids back in row order (no hand-made ids: PostgreSQL's sequences
    would not know about them)."""
    if not rows:
        return []
    statement = insert(table).returning(table.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _current_status(kept: dict[CaseStatus, date]) -> CaseStatus:
    """The status a case is in: its latest step, except that a failed case stays failed (or returned)."""
    if CaseStatus.RETURNED_TO_COURT in kept:
        return CaseStatus.RETURNED_TO_COURT
    if CaseStatus.FAILED in kept:
        return CaseStatus.FAILED
    order = list(CaseStatus)
    return max(kept, key=lambda status: (kept[status], order.index(status)))


class _DemoBuilder:
    """Draws the whole demo year from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.calendar = WorkCalendar()
        self.plan = _Plan()
        self._identities: set[str] = set()
        self._phones: set[str] = set()
        self._case_numbers: dict[int, int] = {2024: 1180, 2025: 310}
        self._agreement_numbers: dict[int, int] = {}
        self._ruling_numbers: dict[int, int] = {2024: 402, 2025: 57}
        self._special_names = list(_RARE_NAMES) + list(_MINORITY_NAMES)

    # helpers

    def workday(self, day: date) -> date:
        return self.calendar.next_working_day(day)

    def after(self, day: date, low: int, high: int) -> date:
        return self.workday(day + timedelta(days=self.rng.randint(low, high)))

    def build(self) -> _Plan:
        plan = self.plan
        for name, phone in _MEDIATORS:
            plan.mediators.append({"name": name, "phone": validate_mobile(phone), "active": True})
        for company in _COMPANIES:
            plan.companies.append(
                {
                    "name": company.name,
                    "stock_code": company.stock_code,
                    "exchange": company.exchange,
                    "uscc": make_uscc(company.prefix),
                    "legal_representative": company.legal_representative,
                    "address": company.address,
                    "counsel": company.counsel,
                    "payment_method": company.payment_method,
                    "stock_name": company.stock_name,
                    "decision": company.decision,
                    "implemented_on": company.implemented_on,
                    "disclosed_on": company.disclosed_on,
                    "receiving_account": company.receiving_account,
                    "phone": company.phone,
                }
            )
        for index, (referral, company_index, size) in enumerate(_BATCHES):
            self.batch(index, referral, company_index, size)
        return plan

    # people

    def person(self) -> tuple[str, int]:
        if self._special_names and self.rng.random() < 0.04:
            return self._special_names.pop(0)
        sex = self.rng.randint(0, 1)
        if self.rng.random() < 0.01:
            surname = self.rng.choice(_COMPOUND_SURNAMES)
        else:
            surname = self.rng.choice(_SURNAMES)
        pool = _MALE_GIVEN if sex else _FEMALE_GIVEN
        given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return surname + given, sex

    def identity(self, name: str, sex: int) -> tuple[str, str]:
        if "·" in name:
            region, place = _XINJIANG
        elif self.rng.random() < 0.9:
            region, place = self.rng.choice(_REGIONS[:_JIANGSU_SHARE])
        else:
            region, place = self.rng.choice(_REGIONS[_JIANGSU_SHARE:])
        while True:
            birth = date(1950, 1, 1) + timedelta(days=self.rng.randint(0, 48 * 365))
            # GB 11643: the sequence code's last digit is odd for men, even for women.
            seq = self.rng.randrange(0, 500) * 2 + sex
            number = make_resident_id(region, birth, seq)
            if number not in self._identities:
                self._identities.add(number)
                return number, place

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return validate_mobile(number)

    def investor(self, exchange: str) -> dict[str, Any]:
        name, sex = self.person()
        id_number, place = self.identity(name, sex)
        address = (
            f"{place}{self.rng.choice(_ROADS)}{self.rng.randint(1, 399)}号"
            f"{self.rng.randint(1, 30)}幢{self.rng.randint(1, 28)}0{self.rng.randint(1, 4)}室"
        )
        # Shanghai accounts are A + 9 digits, Shenzhen ones 0 + 9 digits.
        account = ("A" if exchange == "SSE" else "0") + f"{self.rng.randrange(10**9):09d}"
        agent = None
        if self.rng.random() < 0.3:
            agent = f"{self.rng.choice(_LAW_FIRMS)} {self.rng.choice(_AGENT_SURNAMES)}律师"
        return {
            "name": validate_person_name(name),
            "id_type": "resident_id",
            "id_number": id_number,
            "phone": self.mobile(),
            "address": address,
            "securities_account": account,
            "agent": agent,
        }

    def claimed(self) -> Decimal:
        # Most claims are tens of thousands to a few hundred thousand yuan; a few are millions.
        if self.rng.random() < 0.045:
            amount = self.rng.uniform(1_000_000, 3_600_000)
        else:
            amount = min(max(self.rng.lognormvariate(11.45, 0.7), 12_000), 680_000)
        return to_money(Decimal(int(amount * 100)) / 100)

    def case_number(self, year: int) -> str:
        """The fusion court's batches are pre-filing referrals (委派调解): 民诉前调 numbers, ending
        in judicial confirmation (``domain.referral_kinds``), not filed 民初 cases."""
        self._case_numbers[year] += self.rng.randint(1, 3)
        return canonical_case_number(f"({year})苏01民诉前调{self._case_numbers[year]}号")

    # one batch

    def batch(self, index: int, referral: date, company: int, size: int) -> None:
        plan, rng = self.plan, self.rng
        # Two mediators share a batch; the lead takes about two thirds of it.
        lead, second = rng.sample(range(len(_MEDIATORS)), 2)
        created = _at(referral, 10, 30)
        extension, reason = _EXTENSIONS.get(index + 1, (0, None))
        package_day = self.workday(referral + timedelta(days=26))
        package_at = _at(package_day, 9, 0) if package_day <= AS_OF else None
        plan.batches.append(
            {
                "number": index + 1,
                "court": COURT,
                "referral_date": referral,
                "_company": company,
                "term_days": 30,
                "extension_days": extension,
                "extension_reason": reason,
                "signing_package_at": package_at,
                "created_at": created,
            }
        )
        plan.audits.append(
            {
                "at": created,
                "actor": _MEDIATORS[lead][0],
                "action": "import",
                "_case": None,
                "_batch": index,
                "detail": f"第{index + 1}批：{size}件",
            }
        )
        if extension:
            plan.audits.append(
                {
                    "at": _at(referral + timedelta(days=20), 15, 0),
                    "actor": _MEDIATORS[lead][0],
                    "action": "extend_term",
                    "_case": None,
                    "_batch": index,
                    "detail": f"延长{extension}天：{reason}",
                }
            )
        for _number in range(size):
            mediator = lead if rng.random() < 0.67 else second
            self.case(index, referral, company, mediator, package_day, 30 + extension)

    def case(
        self, batch: int, referral: date, company: int, mediator: int, package_day: date, term: int
    ) -> None:
        plan = self.plan
        investor = self.investor(_COMPANIES[company].exchange)
        plan.investors.append(investor)
        case_index = len(plan.cases)
        claimed = self.claimed()
        # The whole life of the case as it would unfold; only what happened by AS_OF is kept.
        steps, failure = self.life(referral, package_day, term)
        kept = {status: day for status, day in steps.items() if day <= AS_OF}
        ratio = Decimal(self.rng.randint(4500, 6000)) / 10000
        agreed_amount = (
            (claimed * ratio).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            if CaseStatus.AGREED in kept
            else None
        )
        plan_rows: list[dict[str, Any]] = []
        if CaseStatus.SIGNED in kept and agreed_amount is not None:
            plan_rows = self.installments(case_index, agreed_amount, steps[CaseStatus.SIGNED])
            self.payments(plan_rows, kept)
            plan.installments.extend(plan_rows)
        row = self.case_row(batch, company, mediator, claimed, agreed_amount, kept, failure)
        plan.cases.append(row)
        self.contacts(case_index, referral, kept, failure, mediator)
        self.history(case_index, batch, kept, _MEDIATORS[mediator][0])
        if CaseStatus.SIGNED in kept and agreed_amount is not None:
            self.agreement(case_index, row, investor, company, agreed_amount, kept, plan_rows)
        if CaseStatus.CONFIRMATION_APPLIED in kept:
            self.confirmation(case_index, kept)

    def fate(self) -> FailureReason | None:
        """How the case ends: about one in nine fails, for one of the reasons below."""
        draw = self.rng.random()
        for bound, reason in _FATES:
            if draw < bound:
                return reason
        return None

    def life(
        self, referral: date, package_day: date, term: int
    ) -> tuple[dict[CaseStatus, date], FailureReason | None]:
        """The day of every step the case would take, ignoring AS_OF, and why it failed if it did."""
        steps: dict[CaseStatus, date] = {CaseStatus.REFERRED: referral}
        contacted = self.after(referral, 2, 14)
        mediating = self.after(contacted, 1, 6)
        agreed = min(self.after(mediating, 2, 9), package_day - timedelta(days=1))
        agreed = max(agreed, mediating)
        failure = self.fate()
        if failure is FailureReason.UNREACHABLE:
            # Nobody answered before the mediation term ran out.
            steps[CaseStatus.FAILED] = self.workday(referral + timedelta(days=term))
        elif failure is FailureReason.WITHDRAWN:
            steps[CaseStatus.CONTACTED] = contacted
            steps[CaseStatus.FAILED] = self.after(contacted, 2, 12)
        elif failure is not None:
            steps[CaseStatus.CONTACTED] = contacted
            steps[CaseStatus.MEDIATING] = mediating
            steps[CaseStatus.FAILED] = self.workday(max(agreed, mediating + timedelta(days=3)))
        else:
            steps[CaseStatus.CONTACTED] = contacted
            steps[CaseStatus.MEDIATING] = mediating
            steps[CaseStatus.AGREED] = agreed
            # Most sign in the batch's signing round; one that agreed late (a holiday in
            # between) gets its own package the next working day.
            signed = package_day if agreed < package_day else self.after(agreed, 1, 1)
            steps[CaseStatus.SIGNED] = signed
            applied = self.after(signed, 2, 14)
            steps[CaseStatus.CONFIRMATION_APPLIED] = applied
            steps[CaseStatus.CONFIRMED] = self.after(applied, 3, 14)
        if CaseStatus.FAILED in steps:
            steps[CaseStatus.RETURNED_TO_COURT] = self.after(steps[CaseStatus.FAILED], 3, 10)
        return steps, failure

    def payments(self, plan_rows: list[dict[str, Any]], kept: dict[CaseStatus, date]) -> None:
        """Mark the instalments paid by AS_OF (in order, stopping at the first one missed) and add
        the payment steps to ``kept``."""
        confirmed = kept.get(CaseStatus.CONFIRMED)
        paid_days: list[date] = []
        for row in plan_rows:
            # The company pays on the due day, never before the court has confirmed.
            pay_day = row["due_date"] if confirmed is None else max(row["due_date"], confirmed)
            if confirmed is not None and pay_day <= AS_OF and self.rng.random() < 0.985:
                row["paid_on"], row["paid_amount"] = pay_day, row["amount"]
                paid_days.append(pay_day)
            else:
                break
        if paid_days and len(paid_days) < len(plan_rows):
            kept[CaseStatus.PARTIALLY_PAID] = paid_days[0]
        elif paid_days:
            if len(paid_days) > 1:
                kept[CaseStatus.PARTIALLY_PAID] = paid_days[0]
            kept[CaseStatus.PAID] = paid_days[-1]

    def case_row(
        self,
        batch: int,
        company: int,
        mediator: int,
        claimed: Decimal,
        agreed_amount: Decimal | None,
        kept: dict[CaseStatus, date],
        failure: FailureReason | None,
    ) -> dict[str, Any]:
        """The case's row; the investor is the one just added to the plan."""
        rng = self.rng
        failed = failure is not None and CaseStatus.FAILED in kept
        row: dict[str, Any] = {
            "case_number": self.case_number(kept[CaseStatus.REFERRED].year),
            "_batch": batch,
            "_investor": len(self.plan.investors) - 1,
            "_company": company,
            "_mediator": mediator,
            "claimed_amount": claimed,
            "agreed_amount": agreed_amount,
            "status": _current_status(kept).value,
            "failure_reason": failure.value if failure is not None and failed else None,
            "failure_note": rng.choice(_FAILURE_NOTES[failure]) if failure is not None and failed else None,
            "signed_at": None,
            "updated_at": _at(max(kept.values()), 17, 0),
            "version": len(kept),
        }
        for step, column in STEP_DATE_FIELD.items():
            row[column] = kept.get(step)
        if CaseStatus.SIGNED in kept:
            # Cloud signing: the whole round within hours of the package going out.
            row["signed_at"] = _at(kept[CaseStatus.SIGNED], 9, 0) + timedelta(
                minutes=rng.randint(40, 20 * 60)
            )
        return row

    def confirmation(self, case_index: int, kept: dict[CaseStatus, date]) -> None:
        """The application for judicial confirmation, with the ruling once the court has made it."""
        confirmed = kept.get(CaseStatus.CONFIRMED)
        ruling = None
        if confirmed is not None:
            self._ruling_numbers[confirmed.year] = self._ruling_numbers.get(confirmed.year, 0) + 1
            ruling = canonical_case_number(
                f"({confirmed.year})苏01民特{self._ruling_numbers[confirmed.year]}号"
            )
        self.plan.confirmations.append(
            {
                "_case": case_index,
                "application_date": kept[CaseStatus.CONFIRMATION_APPLIED],
                "ruling_number": ruling,
                "ruling_date": confirmed,
            }
        )

    def installments(self, case_index: int, agreed: Decimal, signed: date) -> list[dict[str, Any]]:
        rng = self.rng
        parts = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
        first_due = self.workday(signed + timedelta(days=rng.randint(35, 50)))
        amounts: list[Decimal] = []
        left = agreed
        for part in range(parts - 1):
            share = (
                (agreed / parts).quantize(Decimal("1"), rounding=ROUND_HALF_UP) if part == 0 else amounts[0]
            )
            amounts.append(share)
            left -= share
        amounts.append(left)
        return [
            {
                "_case": case_index,
                "sequence": number + 1,
                "due_date": self.workday(first_due + timedelta(days=30 * number)),
                "amount": to_money(amount),
                "paid_on": None,
                "paid_amount": None,
            }
            for number, amount in enumerate(amounts)
        ]

    def contacts(
        self,
        case_index: int,
        referral: date,
        kept: dict[CaseStatus, date],
        failure: FailureReason | None,
        mediator: int,
    ) -> None:
        rng, rows = self.rng, self.plan.contacts
        contacted = kept.get(CaseStatus.CONTACTED)
        if failure is FailureReason.UNREACHABLE:
            end = kept.get(CaseStatus.FAILED, AS_OF)
            attempts = [
                (
                    self.after(referral, k * 6, k * 6 + 4),
                    rng.choice(("no_answer", "wrong_number", "message_left")),
                )
                for k in range(rng.randint(3, 4))
            ]
            attempts = [(day, outcome) for day, outcome in attempts if day <= min(end, AS_OF)]
        elif contacted is not None:
            misses = rng.choice((0, 0, 1, 1, 2))
            attempts = []
            for k in range(misses):
                day = referral + timedelta(days=1 + k)
                if day < contacted:
                    attempts.append((day, rng.choice(("no_answer", "message_left"))))
            attempts.append((contacted, "reached"))
        else:
            attempts = [(referral + timedelta(days=1), "no_answer")] if rng.random() < 0.5 else []
            attempts = [(day, outcome) for day, outcome in attempts if day <= AS_OF]
        for day, outcome in attempts:
            channel = "sms" if outcome == "message_left" else rng.choice(("phone", "phone", "phone", "sms"))
            rows.append(
                {
                    "_case": case_index,
                    "at": _at(day, rng.randint(9, 16), rng.randint(0, 59)),
                    "channel": channel,
                    "outcome": outcome,
                    "note": "已告知委派调解事项及调解期限" if outcome == "reached" else None,
                    "_mediator": mediator,
                }
            )

    def history(self, case_index: int, batch: int, kept: dict[CaseStatus, date], actor: str) -> None:
        order = list(CaseStatus)
        steps = sorted(kept.items(), key=lambda item: (item[1], order.index(item[0])))
        for (before, _day), (after, day) in pairwise(steps):
            self.plan.audits.append(
                {
                    "at": _at(day, 17, 0),
                    "actor": actor,
                    "action": "transition",
                    "_case": case_index,
                    "_batch": batch,
                    "detail": f"{before.value} → {after.value}",
                }
            )

    def agreement(
        self,
        case_index: int,
        case: dict[str, Any],
        investor: dict[str, Any],
        company: int,
        amount: Decimal,
        kept: dict[CaseStatus, date],
        installments: list[dict[str, Any]],
    ) -> None:
        signed = kept[CaseStatus.SIGNED]
        year = kept[CaseStatus.AGREED].year
        self._agreement_numbers[year] = self._agreement_numbers.get(year, 0) + 1
        number = f"苏证调〔{year}〕第{self._agreement_numbers[year]:04d}号"
        agreement_index = len(self.plan.agreements)
        self.plan.agreements.append(
            {
                "_case": case_index,
                "number": number,
                "amount": amount,
                # The real fingerprint needs the stored rows: _fingerprint_agreements fills it in.
                "fingerprint": "",
                "case_fee_bearer": "company",
                "payment_account": _COMPANIES[company].receiving_account,
                "created_at": _at(kept[CaseStatus.AGREED], 16, 0),
                "effective_on": signed,
            }
        )
        signed_at = case["signed_at"]
        for offset, (field_name, signer) in enumerate(
            (
                ("investor", investor["name"]),
                ("company", _COMPANIES[company].name),
                ("mediator", _MEDIATORS[case["_mediator"]][0]),
            )
        ):
            self.plan.signings.append(
                {
                    "_agreement": agreement_index,
                    "field_name": field_name,
                    "signer": signer,
                    "signed_at": signed_at - timedelta(minutes=20 * (2 - offset)),
                    "trusted": True,
                    "imported_at": signed_at + timedelta(minutes=30),
                }
            )
