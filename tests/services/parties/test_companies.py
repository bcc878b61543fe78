"""The listed-company and mediator registries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from mediator.domain.validators import make_uscc
from mediator.errors import NotFoundError, ValidationError
from mediator.services.parties.companies import list_companies, set_company
from mediator.services.parties.mediators import add_mediator, list_mediators, set_mediator_active
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow

USCC = make_uscc("91320100MA1XYW12A")
NAME = "金陵智造科技股份有限公司"


def test_a_new_company_is_completed_step_by_step(any_database: Database) -> None:
    saved = set_company(any_database, NAME, actor="tester", stock_code="600001")
    assert saved.created and saved.company.missing == [
        "上市公司统一社会信用代码",
        "上市公司法定代表人",
        "上市公司住所",
    ]
    assert "还需补全" in saved.summary()
    saved = set_company(
        any_database,
        NAME,
        actor="tester",
        uscc=USCC,
        legal_representative="王建国",
        address="南京市玄武区中山路1号",
        implemented_on=date(2021, 4, 28),
        disclosed_on=date(2023, 4, 28),
    )
    assert not saved.created and saved.company.missing == []
    assert sorted(saved.changed) == [
        "address",
        "disclosed_on",
        "implemented_on",
        "legal_representative",
        "uscc",
    ]
    [company] = list_companies(any_database)
    assert (company.stock_code, company.exchange, company.uscc) == ("600001", "SSE", USCC)
    assert company.as_json()["disclosed_on"] == "2023-04-28"


def test_a_date_typed_wrong_can_be_cleared(any_database: Database) -> None:
    set_company(
        any_database, NAME, actor="tester", implemented_on=date(2021, 4, 28), disclosed_on=date(2023, 4, 28)
    )
    # The implementation day was not known after all: "" clears it, None leaves the other.
    saved = set_company(any_database, NAME, actor="tester", implemented_on="")
    assert saved.changed == ["implemented_on"]
    [company] = list_companies(any_database)
    assert (company.implemented_on, company.disclosed_on) == (None, date(2023, 4, 28))
    # With the implementation day gone, a disclosure day is no longer compared with it.
    set_company(any_database, NAME, actor="tester", disclosed_on=date(2020, 1, 6))
    [company] = list_companies(any_database)
    assert company.disclosed_on == date(2020, 1, 6)


def test_a_bad_value_changes_nothing(any_database: Database) -> None:
    set_company(any_database, NAME, actor="tester", address="南京市玄武区中山路1号")
    with pytest.raises(ValidationError):
        set_company(any_database, NAME, actor="tester", address="南京市鼓楼区", uscc="91320100MA1XYW12A0")
    [company] = list_companies(any_database)
    assert company.address == "南京市玄武区中山路1号"


def test_changes_are_audited_with_old_and_new_values(any_database: Database) -> None:
    from mediator.services.audit.history import describe_event

    set_company(any_database, NAME, actor="tester", uscc=USCC)
    set_company(any_database, NAME, actor="tester", uscc=USCC)  # no change, no event
    set_company(any_database, NAME, actor="tester", address="南京市鼓楼区中山北路1号")
    set_company(any_database, NAME, actor="tester", address="南京市鼓楼区中山北路2号")
    with any_database.session() as session:
        events = session.exec(
            select(AuditEventRow).where(AuditEventRow.action == "company").order_by(col(AuditEventRow.id))
        ).all()
    lines = [describe_event(e.action, e.detail) for e in events]
    assert len(lines) == 3
    assert lines[0] == f"上市公司资料：{NAME}　新建　统一社会信用代码：（空） → {USCC}"
    assert lines[2] == f"上市公司资料：{NAME}　住所：南京市鼓楼区中山北路1号 → 南京市鼓楼区中山北路2号"


def test_mediators_are_registered_and_retired(any_database: Database) -> None:
    assert add_mediator(any_database, "李 调解", phone="13912345678", actor="tester").created
    add_mediator(any_database, "陈静", phone=None, actor="tester")
    set_mediator_active(any_database, "陈静", active=False, actor="tester")
    # Name order follows the database's collation: compare as a set.
    assert {(m.name, m.phone, m.active) for m in list_mediators(any_database)} == {
        ("李 调解", "13912345678", True),
        ("陈静", None, False),
    }
    assert [m.name for m in list_mediators(any_database, active_only=True)] == ["李 调解"]
    with pytest.raises(NotFoundError):
        set_mediator_active(any_database, "无此人", active=True, actor="tester")
