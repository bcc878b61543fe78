"""`mediator payments complete`: 履行完毕 with the final payment, or the reason the rest is waived."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from mediator.domain.clock import china_today
from mediator.domain.workflow import CaseStatus
from mediator.services.payments.ledger import record_payment
from mediator.store.database import open_database
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.services.cases.test_changes import _make_case

TODAY = china_today()


def _partly_paid(tmp_path: Path) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    database = open_database(url)
    try:
        with database.transaction() as session:
            case = _make_case(session, CaseStatus.CONFIRMED)
            case_id, number = case.id, case.case_number
        assert case_id is not None
        record_payment(database, case_id, "40000", TODAY - timedelta(days=5), actor="吴彧")
    finally:
        database.dispose()
    return url, number


def test_complete_refuses_without_the_final_payment_or_a_reason(tmp_path: Path) -> None:
    url, number = _partly_paid(tmp_path)
    assert_one_line_error(run("--db", url, "payments", "complete", number), EXIT_INPUT, "60,000.00")
    half = run("--db", url, "payments", "complete", number, "--amount", "50000", "--on", str(TODAY))
    assert_one_line_error(half, EXIT_INPUT, "10,000.00", "免于支付")
    assert_one_line_error(
        run("--db", url, "payments", "complete", number, "--amount", "60000"), EXIT_INPUT, "--on"
    )
    # Nothing was booked by the refusals.
    status = json.loads(run("--db", url, "payments", "status", "--json").stdout)
    assert "40000.00" in json.dumps(status)


def test_complete_with_a_final_payment_and_a_waived_rest(tmp_path: Path) -> None:
    url, number = _partly_paid(tmp_path)
    done = run(
        "--db", url, "payments", "complete", number, "--amount", "50,000", "--on", str(TODAY),
        "--waiver", "投资者同意放弃余款", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "case_no": number,
        "final_amount": "50000.00",
        "paid_on": TODAY.isoformat(),
        "waived": "10000.00",
        "paid": "90000.00",
        "status": "paid",
    }
