"""The case table's queries: filters (name, 案号, ID/phone tails, status, company, mediator, batch),
database sorting, paging without gaps or repeats, counts, masking, and the detail read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, select, update

from mediator.domain.clock import china_today
from mediator.domain.workflow import STEP_DATE_FIELD, CaseStatus
from mediator.errors import NotFoundError
from mediator.services.cases.lists import (
    MIN_TAIL_DIGITS,
    CaseFilter,
    SortKey,
    case_detail,
    case_ids,
    case_rows,
    count_cases,
    filter_choices,
)
from mediator.services.payments.recovered import OWING
from mediator.store import search
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InstallmentRow, InvestorRow
from tests.fixtures.synthetic import insert_synthetic_cases


@pytest.fixture
def cases(any_database: Database) -> Iterator[Database]:
    with any_database.transaction() as session:
        insert_synthetic_cases(session, 450, batch_size=150, seed=3)
        # Two investors the tests look for by name, ID tail and phone tail.
        first, second = session.scalars(select(CaseRow).order_by(CaseRow.id).limit(2)).all()
        session.execute(
            update(InvestorRow)
            .where(InvestorRow.id == first.investor_id)
            .values(name="欧阳䶮", id_number="32010219900307123X", phone="13912345678")
        )
        session.execute(
            update(InvestorRow).where(InvestorRow.id == second.investor_id).values(name="阿依古丽·买买提")
        )
        session.execute(
            update(CaseRow).where(CaseRow.id == first.id).values(case_number="（2025）苏01民初3100号")
        )
    yield any_database


def all_ids(
    db: Database, flt: CaseFilter, sort: SortKey = SortKey.CASE_NUMBER, descending: bool = False
) -> list[int]:
    ids: list[int] = []
    while True:
        page = case_ids(db, flt, sort, descending, offset=len(ids), limit=100)
        ids.extend(page)
        if len(page) < 100:
            return ids


def names_of(db: Database, ids: list[int]) -> list[str]:
    rows = case_rows(db, ids)
    return [rows[i].investor_name for i in ids]


def test_paging_covers_every_case_once_in_case_number_order(cases: Database) -> None:
    ids = all_ids(cases, CaseFilter())
    assert len(ids) == len(set(ids)) == 450
    rows = case_rows(cases, ids)
    assert count_cases(cases, CaseFilter()) == 450
    numbers = [rows[i].case_number for i in ids]
    assert numbers == sorted(numbers)


@pytest.mark.parametrize(
    ("text", "expected_name"),
    [
        ("欧阳䶮", "欧阳䶮"),
        ("䶮", "欧阳䶮"),
        ("买买提", "阿依古丽·买买提"),
        ("123X", "欧阳䶮"),  # last characters of the ID number, X as typed
        ("123x", "欧阳䶮"),
        ("5678", "欧阳䶮"),  # last digits of the phone
        ("(2025)苏01民初3100号", "欧阳䶮"),  # half-width brackets find the canonical 案号
        ("民初3100号", "欧阳䶮"),
    ],
)
def test_text_filter_finds_by_name_case_number_and_number_tails(
    cases: Database, text: str, expected_name: str
) -> None:
    ids = all_ids(cases, CaseFilter(text=text))
    assert expected_name in names_of(cases, ids)
    assert count_cases(cases, CaseFilter(text=text)) == len(ids)


def test_text_filter_is_not_fooled_by_like_wildcards(cases: Database) -> None:
    assert all_ids(cases, CaseFilter(text="%")) == []
    assert all_ids(cases, CaseFilter(text="_")) == []


def test_middle_digits_of_an_id_do_not_match_as_a_tail(cases: Database) -> None:
    # "1990" is inside 32010219900307123X but not at its end.
    assert "欧阳䶮" not in names_of(cases, all_ids(cases, CaseFilter(text="19900307")))


def test_status_company_mediator_and_batch_filters_combine(cases: Database) -> None:
    choices = filter_choices(cases)
    with cases.session() as session:
        batch = choices.batches[1]
        company_id = session.scalar(select(BatchRow.company_id).where(BatchRow.id == batch.id))
        company = next(c for c in choices.companies if c.id == company_id)
        mediator = choices.mediators[0]
        expected = set(
            session.scalars(
                select(CaseRow.id).where(
                    CaseRow.status == "paid",
                    CaseRow.company_id == company.id,
                    CaseRow.mediator_id == mediator.id,
                    CaseRow.batch_id == batch.id,
                )
            )
        )
    assert batch.label == "第2批"
    flt = CaseFilter(
        status=CaseStatus.PAID, company_id=company.id, mediator_id=mediator.id, batch_id=batch.id
    )
    ids = all_ids(cases, flt)
    assert set(ids) == expected and expected
    assert {r.status for r in case_rows(cases, ids).values()} == {CaseStatus.PAID}


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_happens_in_the_database(cases: Database, descending: bool) -> None:
    ids = all_ids(cases, CaseFilter(), SortKey.CLAIMED, descending)
    rows = case_rows(cases, ids)
    amounts = [rows[i].claimed_amount for i in ids]
    assert amounts == sorted(amounts, reverse=descending)
    assert all(isinstance(a, Decimal) for a in amounts)


def test_status_sorts_in_workflow_order_not_alphabetically(cases: Database) -> None:
    ids = all_ids(cases, CaseFilter(), SortKey.STATUS)
    rows = case_rows(cases, ids)
    order = list(CaseStatus)
    ranks = [order.index(rows[i].status) for i in ids]
    assert ranks == sorted(ranks)


def test_personal_data_masked_unless_asked(cases: Database) -> None:
    ids = all_ids(cases, CaseFilter(text="欧阳䶮"))
    masked = case_rows(cases, ids)[ids[0]]
    shown = case_rows(cases, ids, show_personal_data=True)[ids[0]]
    assert (masked.id_number, masked.phone) == ("320***********123X", "139****5678")
    assert (shown.id_number, shown.phone) == ("32010219900307123X", "13912345678")


def test_overdue_installments_counted_per_row(cases: Database) -> None:
    """The 逾期 column: installments past their day and not fully paid, on a case that owes."""
    today = china_today()
    with cases.transaction() as session:
        first, second = session.scalars(select(CaseRow).order_by(CaseRow.id).limit(2)).all()
        session.execute(
            update(CaseRow).where(CaseRow.id == first.id).values(status=CaseStatus.PARTIALLY_PAID.value)
        )
        session.execute(update(CaseRow).where(CaseRow.id == second.id).values(status=CaseStatus.PAID.value))
        past, future = today - timedelta(days=1), today + timedelta(days=1)
        for case_id in (first.id, second.id):
            session.execute(delete(InstallmentRow).where(InstallmentRow.case_id == case_id))
            for sequence, (due, paid) in enumerate(
                [
                    (past, None),
                    (past, Decimal("50.00")),
                    (past, Decimal("100.00")),
                    (future, None),
                    (today, None),
                ]
            ):
                session.add(
                    InstallmentRow(
                        case_id=case_id,
                        sequence=sequence + 1,
                        due_date=due,
                        amount=Decimal("100.00"),
                        paid_amount=paid,
                    )
                )
    with cases.session() as session:
        lines = session.execute(
            select(
                InstallmentRow.case_id,
                InstallmentRow.due_date,
                InstallmentRow.amount,
                InstallmentRow.paid_amount,
                CaseRow.status,
            ).join(CaseRow, CaseRow.id == InstallmentRow.case_id)
        ).all()
    expected: dict[int, int] = {}
    for case_id, due, amount, paid, status in lines:
        if due < today and (paid or 0) < amount and status in OWING:
            expected[case_id] = expected.get(case_id, 0) + 1
    ids = all_ids(cases, CaseFilter())
    rows = case_rows(cases, ids)
    assert {i: r.overdue for i, r in rows.items() if r.overdue} == expected
    assert (rows[first.id].overdue, rows[second.id].overdue) == (2, 0)  # a paid case owes nothing


def test_case_detail_reads_the_case_and_masks(cases: Database) -> None:
    from datetime import UTC, datetime

    from mediator.services.contacts.attempts import record_contact_attempt

    case_id = all_ids(cases, CaseFilter(text="欧阳䶮"))[0]
    with cases.transaction() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        later_steps = {field: None for field in STEP_DATE_FIELD.values() if field != "referred_on"}
        session.execute(update(CaseRow).where(CaseRow.id == case_id).values(status="referred", **later_steps))
    record_contact_attempt(
        cases,
        case_id,
        channel="phone",
        outcome="reached",
        at=datetime.now(UTC),
        note="约定面谈",
        actor="周",
    )
    detail = case_detail(cases, case_id)  # the answered call made the case 已联系
    full = case_detail(cases, case_id, show_personal_data=True)
    with pytest.raises(NotFoundError):
        case_detail(cases, 10**9)
    assert detail.case_number == "（2025）苏01民初3100号"
    assert detail.status is CaseStatus.CONTACTED
    assert detail.id_number == "320***********123X" and full.id_number == "32010219900307123X"
    assert [c.note for c in detail.contacts] == ["约定面谈"]
    assert [h.action for h in detail.history] == ["transition", "contact"]  # newest first


# --- the search index (store/search.py) finds exactly what a scan of every case finds ---------

_NEEDLES = (
    "张", "王", "伟", "张伟", "欧阳", "阳䶮", "买买提", "古丽·买", "不存在的人",
    "3", "31", "310", "3100", "100", "5678", "12345678", "123X", "123x", "1234", "（2025）苏01民初3100号",
    "(2025)苏01", "（2024", "苏01", "民初31", "3100号", "2024", "02", "号",
)  # fmt: skip


def _scan(db: Database, needle: str) -> set[int]:
    """What the filter must find, by the rules written out in Python over every case."""
    text = " ".join(needle.replace("(", "（").replace(")", "）").split())
    with db.session() as session:
        rows = session.execute(
            select(
                CaseRow.id, CaseRow.case_number, InvestorRow.name, InvestorRow.id_number, InvestorRow.phone
            ).join(InvestorRow, InvestorRow.id == CaseRow.investor_id)
        ).all()
    found = set()
    tail = text.upper() if re.fullmatch(r"[0-9]+[Xx]?", text) and len(text) >= MIN_TAIL_DIGITS else None
    is_name = not re.search(r"[0-9（）]", text)
    for case_id, number, name, id_number, phone in rows:
        if (
            text in number
            or (is_name and text in name)
            or (tail and (id_number.endswith(tail) or (tail.isdigit() and (phone or "").endswith(tail))))
        ):
            found.add(case_id)
    return found


def _check_every_needle(db: Database) -> None:
    for needle in _NEEDLES:
        expected = _scan(db, needle)
        flt = CaseFilter(text=needle)
        assert set(all_ids(db, flt)) == expected, needle
        assert count_cases(db, flt) == len(expected), needle
        assert count_cases(db, flt, limit=5) == min(5, len(expected)), needle


def test_search_index_finds_what_a_scan_finds(cases: Database) -> None:
    _check_every_needle(cases)  # the fixture's cases came after the index: scanned
    with cases.engine.begin() as connection:
        assert search.catch_up(connection) == 451
        assert search.lag(connection)[1] == 0
    _check_every_needle(cases)  # now through the index


def test_search_index_after_insert_edit_and_delete(cases: Database) -> None:
    with cases.transaction() as session:
        # Added after the index was brought up to date: found by scanning what it lacks.
        insert_synthetic_cases(session, 120, batch_size=60, seed=4)
        first, second, third = session.scalars(select(CaseRow).order_by(CaseRow.id).limit(3)).all()
        session.execute(update(InvestorRow).where(InvestorRow.id == second.investor_id).values(name="张伟明"))
        session.execute(
            update(InvestorRow).where(InvestorRow.id == third.investor_id).values(phone="13800005678")
        )
        # Renumbered: its new digits are not in the index until the next catch-up.
        session.execute(
            update(CaseRow).where(CaseRow.id == third.id).values(case_number="（2025）苏01民初12345678号")
        )
        session.execute(delete(CaseRow).where(CaseRow.id == first.id))
    with cases.engine.connect() as connection:
        assert search.lag(connection)[1] > 0
    _check_every_needle(cases)
    with cases.engine.begin() as connection:
        assert search.catch_up(connection) > 0
        assert search.lag(connection)[1] == 0
    _check_every_needle(cases)
    # The last case deleted and its id given again (SQLite reuses the largest rowid).
    with cases.transaction() as session:
        last = session.scalars(select(CaseRow).order_by(CaseRow.id.desc()).limit(1)).one()
        values = {c.name: getattr(last, c.name) for c in CaseRow.__table__.columns}  # type: ignore[attr-defined]
        session.execute(delete(CaseRow).where(CaseRow.id == last.id))
        session.execute(insert(CaseRow).values({**values, "case_number": "（2025）苏01民初987654号"}))
    _check_every_needle(cases)
    assert all_ids(cases, CaseFilter(text="987654")) == [last.id]
