"""The queries behind the case table: filtered, sorted, paged ids; row data by id; counts.

The GUI model (gui/case_table.py, after Anki's browser DataModel) holds only ids and asks for row
data of the rows it shows, so the work per screen is a page of ids plus ~40 rows, whatever the
size of the database. Filtering and sorting happen in the database.

Speed: sorting follows an index (案号 is unique, investor name indexed), so an unfiltered first
page reads ~200 index entries. The text filter goes through the search index of store/search.py
(name substrings, ID/phone tails, 案号 digit trigrams), so a keystroke reads the matching cases
rather than every case: page and count in 2-60 ms at a million cases on SQLite and PostgreSQL
(tests/benchmarks/bench_gui.py). Matches too common for an index (one digit, "苏01") are tested
row by row in display order, which fills a page quickly; ``count_cases(limit=...)`` stops there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    ScalarSelect,
    Select,
    and_,
    any_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.deadlines import Deadline, agreement_effective_on, confirmation_window_of
from mediator.domain.privacy import mask_id_number, mask_phone
from mediator.domain.validators import to_half_width
from mediator.domain.workflow import STATUS_ORDER, STEP_DATE_FIELD, CaseStatus
from mediator.errors import NotFoundError
from mediator.i18n import _
from mediator.services.payments.recovered import overdue_installments
from mediator.store import search
from mediator.store.database import Database
from mediator.store.tables import (
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
    SearchGramRow,
    SearchPendingRow,
    SearchStateRow,
)

PAGE_SIZE = 200
# Digits typed in the filter box are matched as the end of ID and phone numbers from this length:
# shorter runs of digits are far more likely part of a 案号 (3100) than the tail of an ID.
MIN_TAIL_DIGITS = 4


class SortKey(StrEnum):
    """The columns the case table can sort on (in the database)."""

    CASE_NUMBER = "case_number"
    INVESTOR = "investor"
    BATCH = "batch"
    COMPANY = "company"
    CLAIMED = "claimed"
    AGREED = "agreed"
    STATUS = "status"
    MEDIATOR = "mediator"
    REFERRED_ON = "referred_on"
    UPDATED = "updated"


@dataclass(frozen=True)
class CaseFilter:
    """What the user typed and picked above the case table. Empty means "all"."""

    text: str = ""
    status: CaseStatus | None = None
    company_id: int | None = None
    mediator_id: int | None = None
    batch_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not any(
            (self.status, self.company_id, self.mediator_id, self.batch_id)
        )


@dataclass(frozen=True)
class CaseListRow:
    """One row of the case table. ``id_number`` and ``phone`` are masked unless asked otherwise."""

    id: int
    case_number: str
    investor_name: str
    id_number: str
    phone: str
    batch_number: int
    company: str
    claimed_amount: Decimal
    agreed_amount: Decimal | None
    status: CaseStatus
    mediator: str | None
    referred_on: date
    version: int
    overdue: int = 0  # installments past their day and not fully paid (services/payments/recovered.py)


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """What the company, mediator and batch drop-downs offer."""

    companies: list[Choice]
    mediators: list[Choice]
    batches: list[Choice]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_TAIL = re.compile(r"[0-9]+[Xx]?")
_CASE_NUMBER_CHARS = re.compile(r"[0-9（）苏民初诉前调特号]")
_NOT_A_NAME = re.compile(r"[0-9（）]")


# A digit trigram held by more cases than this is no help: the database walks the case_number
# index in display order instead (a dense match fills a page after a few hundred rows).
DENSE_GRAM = 20_000
# Investors matching a name above this many: the page walks the display order (see _text_condition).
DENSE_INVESTORS = 2_000


@dataclass(frozen=True)
class _TextCondition:
    condition: ColumnElement[bool]
    # True when the database tests it row by row in display order (a match dense enough that a
    # page fills quickly); False when an index yields the matching cases (counting them is cheap)
    # or, for names on PostgreSQL, when its planner chooses between the two by itself.
    walks: bool


def _text_condition(session: Session, text: str, *, page: bool) -> _TextCondition | None:
    """The text filter as index-backed conditions (store/search.py), exact as a plain scan.

    Names match by substring, ID and phone numbers by their end (from ``MIN_TAIL_DIGITS``
    digits), 案号 by substring with either kind of bracket. ``page``: the condition serves a page
    of ids in display order (rather than a count).
    """
    needle = " ".join(to_half_width(text).split())
    if not needle:
        return None
    # 案号 are stored with full-width brackets; people type either.
    case_needle = needle.replace("(", "（").replace(")", "）")
    postgres = session.get_bind().dialect.name == "postgresql"
    # Names hold no digits or brackets, ID and phone tails are only digits (and X), 案号 always
    # hold digits or fixed words: conditions that cannot match are left out.
    investors: list[Select[Any]] = []
    if _TAIL.fullmatch(needle):
        if len(needle) >= MIN_TAIL_DIGITS:
            investors.extend(_tail_matches(needle.upper(), postgres))
    elif not _NOT_A_NAME.search(case_needle):
        investors.extend(_name_matches(needle, postgres))
    by_number = None
    if _CASE_NUMBER_CHARS.search(case_needle):
        by_number = _case_number_condition(session, case_needle)
    if not investors:
        return (
            _TextCondition(by_number.condition, by_number.walks)
            if by_number
            else _TextCondition(false(), False)
        )
    matching_investors: CompoundSelect[Any] | Select[Any] = union_all(*investors)
    if postgres:
        # One select with OR: PostgreSQL estimates how many investors match (a bitmap OR of the
        # same indexes) and walks the display order for a common surname; over a UNION it
        # guesses 200 and sorts every matching case instead.
        matching_investors = select(col(InvestorRow.id)).where(
            or_(*(one.whereclause for one in investors if one.whereclause is not None))
        )
    by_investor: ColumnElement[bool] = col(CaseRow.investor_id).in_(matching_investors)
    if postgres and (few := _few_ids(session, matching_investors, DENSE_INVESTORS)) is not None:
        # The investors' ids themselves: PostgreSQL then plans from the array's length. From the
        # name ranges its estimate swings with ANALYZE's sample (26 or 12,294 cases for '张伟'),
        # and the larger one walks the display order through a million cases (0.6 s a keystroke).
        by_investor = col(CaseRow.investor_id) == any_(literal(few, ARRAY(Integer)))
    if by_number is None:
        # A common surname (more than DENSE_INVESTORS investors): PostgreSQL, whose estimate is
        # then large whatever the sample, walks the display order by itself (with "+ 0" it would
        # hash every case instead).
        if page and not postgres and _more_than(session, matching_investors, DENSE_INVESTORS):
            # Many cases (a common surname): walk the display order and test each case against
            # the investors found once; "+ 0" keeps SQLite from starting at investor_id.
            return _TextCondition((col(CaseRow.investor_id) + 0).in_(matching_investors), True)
        return _TextCondition(by_investor, False)
    if by_number.walks:
        return _TextCondition(or_(by_number.condition, by_investor), True)
    # Two index-backed sets united, rather than one OR that would make the database fetch every
    # case row to test both sides.
    case_id = col(CaseRow.id)
    both = union_all(select(case_id).where(by_number.condition), select(case_id).where(by_investor))
    return _TextCondition(case_id.in_(both), False)


def _few_ids(session: Session, query: CompoundSelect[Any] | Select[Any], many: int) -> list[int] | None:
    """The ids ``query`` yields when there are at most ``many`` of them (read up to just past it)."""
    ids = list(session.scalars(query.limit(many + 1)))
    return ids if len(ids) <= many else None


def _more_than(session: Session, query: CompoundSelect[Any] | Select[Any], many: int) -> bool:
    """Whether ``query`` yields more than ``many`` rows (counted up to just past it)."""
    counted = select(func.count()).select_from(query.limit(many + 1).subquery())
    return int(session.scalar(counted) or 0) > many


def _name_matches(needle: str, postgres: bool) -> list[Select[Any]]:
    """Investors whose name holds ``needle``: the name from its 1st, 2nd or 3rd character starts
    with it (three index ranges), or the name is longer (few; scanned)."""
    name = col(InvestorRow.name)
    selects = [
        select(col(InvestorRow.id)).where(
            search.starts_with(search.name_from(name, k, postgres=postgres), needle)
        )
        for k in search.NAME_INDEXED_FROM
    ]
    selects.append(
        select(col(InvestorRow.id)).where(
            func.length(name) > search.LONG_NAME, name.like(f"%{_escape_like(needle)}%", escape="\\")
        )
    )
    return selects


def _tail_matches(tail: str, postgres: bool) -> list[Select[Any]]:
    """Investors whose ID (or, for digits only, phone) number ends with ``tail``: an equality on
    the indexed last four characters, then the exact suffix test."""
    suffix = f"%{_escape_like(tail)}"
    last = tail[-search.TAIL_LENGTH :]
    id_number = col(InvestorRow.id_number)
    selects = [
        select(col(InvestorRow.id)).where(
            search.tail(id_number, postgres=postgres) == last, id_number.like(suffix, escape="\\")
        )
    ]
    if tail.isdigit():
        phone = col(InvestorRow.phone)
        selects.append(
            select(col(InvestorRow.id)).where(
                search.tail(phone, postgres=postgres) == last, phone.like(suffix, escape="\\")
            )
        )
    return selects


def _case_number_condition(session: Session, case_needle: str) -> _TextCondition:
    """案号 holding ``case_needle``.

    * Typed from its start (the stored form always begins with its only "（",
      canonical_case_number): a range of the case_number index, exact and in display order.
    * With a rare digit trigram: only the cases holding it (and the next rarest, if also rare), and
      those the index has not reached yet, are tested; the database starts from that short list.
    * Otherwise (one or two digits, a common trigram such as the year): the test stays in the main
      query and the database walks the case_number index in display order, a page fills quickly.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    number = col(CaseRow.case_number)
    if case_needle.startswith("（"):
        prefix = search.starts_with(search.code_point_order(number, postgres=postgres), case_needle)
        return _TextCondition(prefix, False)
    like = number.like(f"%{_escape_like(case_needle)}%", escape="\\")
    grams = search.needle_grams(case_needle)
    if not grams:
        return _TextCondition(like, True)
    held_by = _gram_counts(session, grams)
    rarest, *others = sorted(grams, key=held_by.__getitem__)
    if held_by[rarest] > DENSE_GRAM:
        return _TextCondition(like, True)
    indexed = select(col(SearchGramRow.case_id)).where(col(SearchGramRow.gram) == rarest)
    if others and held_by[others[0]] <= DENSE_GRAM:
        # The cases holding the next rarest trigram as well ("3100": 310 and 100), the two index
        # ranges merged by case id: ~300 candidates at a million cases instead of ~4,000, each a
        # case row to read and test (PostgreSQL 20 -> 3 ms, SQLite 4.5 -> 3 ms).
        also = aliased(SearchGramRow)
        indexed = indexed.join(
            also, and_(col(also.case_id) == col(SearchGramRow.case_id), col(also.gram) == others[0])
        )
    case_id = col(CaseRow.id)
    candidates: CompoundSelect[Any] = union_all(
        indexed,
        select(case_id).where(case_id > select(col(SearchStateRow.indexed_through)).scalar_subquery()),
        select(col(SearchPendingRow.case_id)),
    )
    return _TextCondition(and_(case_id.in_(candidates), like), False)


def _gram_counts(session: Session, grams: list[str]) -> dict[str, int]:
    """How many cases hold each of ``grams``, each counted up to just past ``DENSE_GRAM`` (one
    query for them all)."""

    def held(gram: str) -> ScalarSelect[int]:
        cases = select(col(SearchGramRow.case_id)).where(col(SearchGramRow.gram) == gram)
        return select(func.count()).select_from(cases.limit(DENSE_GRAM + 1).subquery()).scalar_subquery()

    counted: tuple[Any, ...] = tuple(session.execute(select(*(held(gram) for gram in grams))).one())
    return {gram: int(n or 0) for gram, n in zip(grams, counted, strict=True)}


def _or_company(session: Session, text: str, found: _TextCondition | None) -> _TextCondition | None:
    """The text filter also matches the listed company: part of its name or short name, or its
    stock code. Companies are few: their ids are looked up first, then the cases of those."""
    needle = " ".join(to_half_width(text).split())
    if found is None or len(needle) < 2:
        return found
    pattern = f"%{_escape_like(needle)}%"
    companies = list(
        session.scalars(
            select(col(ListedCompanyRow.id)).where(
                or_(
                    col(ListedCompanyRow.name).like(pattern, escape="\\"),
                    col(ListedCompanyRow.stock_name).like(pattern, escape="\\"),
                    col(ListedCompanyRow.stock_code) == needle,
                )
            )
        )
    )
    if not companies:
        return found
    # A company's cases are many: tested row by row in display order, a page fills at once.
    return _TextCondition(or_(found.condition, col(CaseRow.company_id).in_(companies)), True)


def _filtered(
    session: Session, query: Select[Any], flt: CaseFilter, *, page: bool
) -> tuple[Select[Any], bool]:
    """``query`` narrowed to ``flt``, and whether the database walks the rows to test the text."""
    conditions: list[ColumnElement[bool]] = []
    if flt.status is not None:
        conditions.append(CaseRow.status == CaseStatus(flt.status).value)  # type: ignore[arg-type]
    if flt.company_id is not None:
        conditions.append(CaseRow.company_id == flt.company_id)  # type: ignore[arg-type]
    if flt.mediator_id is not None:
        conditions.append(CaseRow.mediator_id == flt.mediator_id)  # type: ignore[arg-type]
    if flt.batch_id is not None:
        conditions.append(CaseRow.batch_id == flt.batch_id)  # type: ignore[arg-type]
    text = _or_company(session, flt.text, _text_condition(session, flt.text, page=page))
    if text is not None:
        conditions.append(text.condition)
    walks = text is not None and text.walks
    return (query.where(and_(*conditions)) if conditions else query), walks


def _status_rank() -> ColumnElement[int]:
    # Sort statuses in workflow order, not alphabetically by their code.
    return case({s.value: i for i, s in enumerate(STATUS_ORDER)}, value=CaseRow.status, else_=99)


def _sorted(query: Select[Any], sort: SortKey, descending: bool, *, postgres: bool) -> Select[Any]:
    key: Any
    if sort is SortKey.INVESTOR:
        query = query.join(InvestorRow, InvestorRow.id == CaseRow.investor_id)  # type: ignore[arg-type]
        key = InvestorRow.name
    elif sort is SortKey.BATCH:
        query = query.join(BatchRow, BatchRow.id == CaseRow.batch_id)  # type: ignore[arg-type]
        key = BatchRow.number
    elif sort is SortKey.COMPANY:
        query = query.join(ListedCompanyRow, ListedCompanyRow.id == CaseRow.company_id)  # type: ignore[arg-type]
        key = ListedCompanyRow.name
    elif sort is SortKey.MEDIATOR:
        query = query.outerjoin(MediatorRow, MediatorRow.id == CaseRow.mediator_id)  # type: ignore[arg-type]
        key = MediatorRow.name
    elif sort is SortKey.STATUS:
        key = _status_rank()
    else:
        key = {
            # By code point on both databases, the order of the index the filter's ranges use.
            SortKey.CASE_NUMBER: search.code_point_order(col(CaseRow.case_number), postgres=postgres),
            SortKey.CLAIMED: CaseRow.claimed_amount,
            SortKey.AGREED: CaseRow.agreed_amount,
            SortKey.REFERRED_ON: CaseRow.referred_on,
            SortKey.UPDATED: CaseRow.updated_at,
        }[sort]
    if descending:
        return query.order_by(key.desc(), CaseRow.id.desc())  # type: ignore[union-attr]
    return query.order_by(key.asc(), CaseRow.id.asc())  # type: ignore[union-attr]


def _interactive(session: Session) -> None:
    """A keystroke's queries touch a few pages: PostgreSQL's parallel workers cost more to start
    (about 10 ms) than they save there."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SET LOCAL max_parallel_workers_per_gather = 0"))


def case_ids(
    database: Database,
    flt: CaseFilter,
    sort: SortKey = SortKey.CASE_NUMBER,
    descending: bool = False,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> list[int]:
    """One page of matching case ids in display order."""
    with database.session() as session:
        _interactive(session)
        matching, _walks = _filtered(session, select(col(CaseRow.id)), flt, page=True)
        postgres = session.get_bind().dialect.name == "postgresql"
        query = _sorted(matching, SortKey(sort), descending, postgres=postgres)
        return list(session.scalars(query.offset(offset).limit(limit)))


# The case table's status bar counts matches up to this many and says "more than" beyond.
MATCH_COUNT_LIMIT = 10_000


def count_cases(database: Database, flt: CaseFilter, *, limit: int | None = None) -> int:
    """How many cases match (shown in the status bar).

    With ``limit``, counting stops there (the result is then ``limit``: "more than"): a filter
    that matches half of a million cases, such as one digit, is counted in milliseconds instead of
    a scan of every case.
    """
    with database.session() as session:
        _interactive(session)
        if limit is None:
            counted, _walks = _filtered(session, select(func.count()).select_from(CaseRow), flt, page=False)
        else:
            # Stop at the limit: dense matches (one digit, a common surname, the year) are not
            # tested or read to the end, whether rows are walked or an index range yields them.
            matching, _walks = _filtered(session, select(col(CaseRow.id)), flt, page=False)
            counted = select(func.count()).select_from(matching.limit(limit).subquery())
        total = int(session.scalar(counted) or 0)
        return total if limit is None else min(total, limit)


@cache
def _rows_query(postgres: bool) -> Select[*tuple[Any, ...]]:
    """Row data of the cases bound as ``ids`` with their overdue installments on ``today``.

    Built once: the select of thirteen columns, four joins and a subquery cost about 1 ms of
    Python per page to build again. PostgreSQL takes the ids as one array (``= ANY``): a hundred
    placeholders make a statement too long for psycopg to cache, parsed again on every page.
    """
    case_id = col(CaseRow.id)
    by_id = (
        case_id == any_(bindparam("ids", type_=ARRAY(Integer)))
        if postgres
        else case_id.in_(bindparam("ids", expanding=True))
    )
    return (
        select(
            case_id,
            col(CaseRow.case_number),
            col(InvestorRow.name),
            col(InvestorRow.id_number),
            col(InvestorRow.phone),
            col(BatchRow.number),
            col(ListedCompanyRow.name),
            col(CaseRow.claimed_amount),
            col(CaseRow.agreed_amount),
            col(CaseRow.status),
            col(MediatorRow.name),
            col(CaseRow.referred_on),
            col(CaseRow.version),
            overdue_installments(bindparam("today", type_=Date)),
        )
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
        .where(by_id)
    )


def case_rows(
    database: Database, ids: Sequence[int], *, show_personal_data: bool = False
) -> dict[int, CaseListRow]:
    """Row data for ``ids`` (any order; missing ids, e.g. deleted cases, are left out).

    ID and phone numbers come masked unless ``show_personal_data``: the caller records that choice
    in the audit log (the rule: personal data masked in lists unless the user asks).
    """
    if not ids:
        return {}
    query = _rows_query(not database.is_sqlite)
    with database.session() as session:
        # One statement (the overdue counts with the rows), its plain rows from the connection:
        # the ORM's result layer would cost more than the database's work for a page.
        result = session.connection().execute(query, {"ids": list(ids), "today": china_today()}).all()
    rows: dict[int, CaseListRow] = {}
    for r in result:
        rows[r[0]] = CaseListRow(
            id=r[0],
            case_number=r[1],
            investor_name=r[2],
            id_number=r[3] if show_personal_data else mask_id_number(r[3]),
            phone=(r[4] or "") if show_personal_data else mask_phone(r[4]),
            batch_number=r[5],
            company=r[6],
            claimed_amount=r[7],
            agreed_amount=r[8],
            status=CaseStatus(r[9]),
            mediator=r[10],
            referred_on=r[11],
            version=r[12],
            overdue=r[13],
        )
    return rows


def filter_choices(database: Database) -> FilterChoices:
    """Companies, mediators and batches for the filter drop-downs, in display order."""
    with database.session() as session:
        companies = [
            Choice(i, name)
            for i, name in session.connection().execute(
                select(col(ListedCompanyRow.id), col(ListedCompanyRow.name)).order_by(
                    col(ListedCompanyRow.name)
                )
            )
            if i is not None
        ]
        # The registry's mediators; one no longer taking cases says so (their cases keep them).
        mediators = [
            Choice(i, name if active else _("{name}（停用）").format(name=name))
            for i, name, active in session.connection().execute(
                select(col(MediatorRow.id), col(MediatorRow.name), col(MediatorRow.active)).order_by(
                    col(MediatorRow.name)
                )
            )
            if i is not None
        ]
        batches = [
            Choice(i, _("第{number}批").format(number=number))
            for i, number in session.connection().execute(
                select(col(BatchRow.id), col(BatchRow.number)).order_by(col(BatchRow.number))
            )
            if i is not None
        ]
    return FilterChoices(companies, mediators, batches)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    action: str
    detail: str | None

    @property
    def text(self) -> str:
        """The event in the interface language, old → new (services/audit/history.py)."""
        from mediator.services.audit.history import describe_event

        return describe_event(self.action, self.detail)


@dataclass(frozen=True)
class ContactLine:
    at: datetime
    channel: str
    outcome: str
    note: str | None


@dataclass(frozen=True)
class InstallmentLine:
    sequence: int
    due_date: date
    amount: Decimal
    paid_on: date | None
    paid_amount: Decimal | None


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case detail panel shows. ID and phone masked unless asked otherwise."""

    id: int
    version: int
    case_number: str
    status: CaseStatus
    failure_reason: str | None
    batch_id: int
    batch_number: int
    company: str
    investor_name: str
    id_number: str
    phone: str
    address: str
    agent: str
    claimed_amount: Decimal
    agreed_amount: Decimal | None
    mediator_id: int | None
    step_dates: dict[CaseStatus, date]
    history: list[HistoryLine]
    contacts: list[ContactLine]
    installments: list[InstallmentLine]
    personal_data_shown: bool

    @property
    def paid_total(self) -> Decimal:
        return sum((i.paid_amount or Decimal("0.00") for i in self.installments), Decimal("0.00"))


def case_detail(database: Database, case_id: int, *, show_personal_data: bool = False) -> CaseDetail:
    """Read one case with its history, contact attempts and installments."""
    with database.session() as session:
        return _case_detail(session, case_id, show_personal_data=show_personal_data)


def _case_detail(session: Session, case_id: int, *, show_personal_data: bool) -> CaseDetail:
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFoundError(_("案件不存在（编号 {id}），可能已被删除。").format(id=case_id))
    investor = session.get(InvestorRow, case.investor_id)
    batch = session.get(BatchRow, case.batch_id)
    company = session.get(ListedCompanyRow, case.company_id)
    assert investor is not None and batch is not None and company is not None  # foreign keys
    history = [
        HistoryLine(e.at, e.actor, e.action, e.detail)
        for e in session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.case_id == case_id)  # type: ignore[arg-type]
            .order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())  # type: ignore[attr-defined,union-attr]
        )
    ]
    contacts = [
        ContactLine(c.at, c.channel, c.outcome, c.note)
        for c in session.scalars(
            select(ContactAttemptRow)
            .where(ContactAttemptRow.case_id == case_id)  # type: ignore[arg-type]
            .order_by(ContactAttemptRow.at.desc())  # type: ignore[attr-defined]
        )
    ]
    installments = [
        InstallmentLine(i.sequence, i.due_date, i.amount, i.paid_on, i.paid_amount)
        for i in session.scalars(
            select(InstallmentRow)
            .where(InstallmentRow.case_id == case_id)  # type: ignore[arg-type]
            .order_by(InstallmentRow.sequence)  # type: ignore[arg-type]
        )
    ]
    steps = {
        status: getattr(case, field) for status, field in STEP_DATE_FIELD.items() if getattr(case, field)
    }
    return CaseDetail(
        id=case_id,
        version=case.version,
        case_number=case.case_number,
        status=CaseStatus(case.status),
        failure_reason=case.failure_reason,
        batch_id=batch.id or 0,
        batch_number=batch.number,
        company=company.name,
        investor_name=investor.name,
        id_number=investor.id_number if show_personal_data else mask_id_number(investor.id_number),
        phone=(investor.phone or "") if show_personal_data else mask_phone(investor.phone),
        address=investor.address or "",
        agent=investor.agent or "",
        claimed_amount=case.claimed_amount,
        agreed_amount=case.agreed_amount,
        mediator_id=case.mediator_id,
        step_dates=steps,
        history=history,
        contacts=contacts,
        installments=installments,
        personal_data_shown=show_personal_data,
    )


@dataclass(frozen=True)
class CaseConfirmation:
    """Judicial confirmation of one case: the window to apply in, the application, the ruling."""

    effective_on: date | None
    window: Deadline | None
    application_date: date | None
    ruling_number: str | None
    ruling_date: date | None
    # Why the application came after the window (民事诉讼法 §205), when it did.
    late_reason: str | None = None

    @property
    def late(self) -> bool:
        """Applied after the window: the case panel shows it as late."""
        applied, window = self.application_date, self.window
        return applied is not None and window is not None and applied > window.end


def case_confirmation(database: Database, case_id: int) -> CaseConfirmation:
    """The case's confirmation window (民事诉讼法 §205: 30 days from the agreement taking effect,
    counted on the work calendar) and what has been recorded of the application and the ruling."""
    from mediator.services.calendar import load_work_calendar

    with database.session() as session:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise NotFoundError(_("案件不存在（编号 {id}），可能已被删除。").format(id=case_id))
        recorded = session.scalar(
            select(col(AgreementRow.effective_on)).where(col(AgreementRow.case_id) == case_id)
        )
        calendar = load_work_calendar(session)
        row = session.scalar(
            select(JudicialConfirmationRow).where(col(JudicialConfirmationRow.case_id) == case_id)
        )
    # One rule for the start (domain.deadlines): the recorded effective date, else the signing date.
    window = confirmation_window_of(recorded, case.signed_on, calendar)
    return CaseConfirmation(
        effective_on=agreement_effective_on(recorded, case.signed_on),
        window=window,
        application_date=row.application_date if row else case.confirmation_applied_on,
        ruling_number=row.ruling_number if row else None,
        ruling_date=row.ruling_date if row else case.confirmed_on,
        late_reason=row.late_reason if row else None,
    )
