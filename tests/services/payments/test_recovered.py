"""Recovered totals per batch and per company, and the overdue installments they count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mediator.services.payments.ledger import record_payment, set_installments
from mediator.services.payments.recovered import recovered_totals
from mediator.store.database import Database
from tests.fixtures.document_factories import COMPANY_NAME, make_batch


def test_recovered_per_batch_and_company_with_the_overdue_part(any_database: Database) -> None:
    fixture = make_batch(
        any_database,
        names=("张䶮", "李堃"),
        agreed=("1000.00", "500.00"),
        status="confirmed",
        installments_for_first=False,
    )
    first, second = fixture.case_ids
    set_installments(
        any_database, first, [(date(2025, 5, 1), "400"), (date(2025, 6, 1), "600")], actor="吴彧"
    )
    record_payment(any_database, first, "300", date(2025, 5, 2), actor="吴彧")
    record_payment(any_database, second, "500", date(2025, 5, 2), actor="吴彧")
    recovered = recovered_totals(any_database, today=date(2025, 5, 15))
    (batch,) = recovered.by_batch
    assert batch.label == "第15批" and batch.agreed == Decimal("1500.00") and batch.paid == Decimal("800.00")
    assert batch.outstanding == Decimal("700.00") and batch.rate == Decimal("53.3")
    assert batch.overdue_cases == 1 and batch.overdue_amount == Decimal("100.00")
    (company,) = recovered.by_company
    assert company.label == COMPANY_NAME and company.paid == Decimal("800.00")
    later = recovered_totals(any_database, today=date(2025, 7, 1))
    assert later.overdue_amount == Decimal("700.00") and "逾期未付1件" in later.summary()
    assert later.as_json()["by_batch"][0]["overdue_amount"] == "700.00"
