"""The headline figures, computed in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.services.reporting.stats import load_stats
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InstallmentRow, InvestorRow, ListedCompanyRow

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def _fill(db: Database) -> None:
    with db.transaction() as session:
        session.execute(insert(ListedCompanyRow), [{"name": "甲公司"}, {"name": "乙公司"}])
        session.execute(
            insert(BatchRow),
            [
                {"number": n, "referral_date": date(2025, 1, n), "company_id": 1, "created_at": NOW}
                for n in (1, 2)
            ],
        )
        session.execute(
            insert(InvestorRow), [{"name": f"投资者{n}", "id_number": f"ID{n}"} for n in range(1, 5)]
        )
        cases: list[dict[str, Any]] = [
            # status, claimed, agreed
            ("paid", "100000000.01", "50000000.00"),
            ("partially_paid", "3000.50", "1500.25"),
            ("mediating", "0.99", None),
            # A failed case keeps the amount once discussed; it is not part of the agreed total.
            ("failed", "77.00", "40.00"),
        ]
        session.execute(
            insert(CaseRow),
            [
                {
                    "case_number": f"（2025）苏01民初{n}号",
                    "batch_id": 1,
                    "investor_id": n,
                    "company_id": 1,
                    "claimed_amount": Decimal(claimed),
                    "agreed_amount": None if agreed is None else Decimal(agreed),
                    "status": status,
                    "referred_on": date(2025, 1, 1),
                    "updated_at": NOW,
                }
                for n, (status, claimed, agreed) in enumerate(cases, start=1)
            ],
        )
        session.execute(
            insert(InstallmentRow),
            [
                {"case_id": 1, "sequence": 1, "due_date": date(2025, 2, 1), "amount": Decimal("50000000.00"),
                 "paid_amount": Decimal("50000000.00"), "paid_on": date(2025, 2, 1)},
                {"case_id": 2, "sequence": 1, "due_date": date(2025, 2, 1), "amount": Decimal("1000.00"),
                 "paid_amount": Decimal("1000.00"), "paid_on": date(2025, 2, 1)},
                {"case_id": 2, "sequence": 2, "due_date": date(2025, 3, 1), "amount": Decimal("500.25")},
            ],
        )  # fmt: skip


def test_figures_are_exact(any_database: Database) -> None:
    _fill(any_database)
    stats = load_stats(any_database)
    assert (stats.batches, stats.companies, stats.investors, stats.cases) == (2, 2, 4, 4)
    assert stats.claimed_total == Decimal("100003078.50")
    assert stats.agreed_total == Decimal("50001500.25")
    assert stats.paid_total == Decimal("50001000.00")
    assert stats.by_status[CaseStatus.PAID] == 1
    assert stats.by_status[CaseStatus.SIGNED] == 0


def test_json_has_exactly_the_published_keys(database: Database) -> None:
    _fill(database)
    data = load_stats(database).as_json()
    assert list(data) == [
        "batches",
        "companies",
        "investors",
        "cases",
        "claimed_total",
        "agreed_total",
        "paid_total",
        "by_status",
    ]
    assert data["claimed_total"] == "100003078.50"
    assert data["paid_total"] == "50001000.00"
    # Every status, in workflow order, zeros included.
    assert list(data["by_status"]) == [s.value for s in STATUS_ORDER]
    assert data["by_status"]["failed"] == 1 and data["by_status"]["referred"] == 0


def test_an_empty_database_counts_zero(any_database: Database) -> None:
    data = load_stats(any_database).as_json()
    assert data["cases"] == 0 and data["claimed_total"] == "0.00" and data["paid_total"] == "0.00"
    assert sum(data["by_status"].values()) == 0


def test_text_table_is_readable(database: Database) -> None:
    _fill(database)
    text = load_stats(database).as_text()
    assert "100,003,078.50" in text
    assert "履行完毕" in text and "调解中" in text
    lines = {line.split()[0]: line.split()[-1] for line in text.splitlines() if line.strip()}
    assert lines["案件"] == "4"
    assert lines["已签署"] == "0"
