"""Two processes booking payments on one case at the same time lose nothing (issue 11).

Each process adds 50 payments of ¥1.00 to the same case; without the case lock the paid total rose
by 63.00 on SQLite and 65.00 on PostgreSQL. With it all 100 are recorded and the total is exact.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from mediator.services.payments.ledger import case_plan
from mediator.store.database import Database
from tests.fixtures.document_factories import make_batch

_WORKER = """
import sys, time
from datetime import date
from mediator.services.payments.ledger import add_payment
from mediator.store.database import open_database

import pathlib
url, folder, tag = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
db = open_database(url)
# A barrier: both workers loaded and connected, then both start at once (a slow machine may take
# seconds to start one Python; a fixed start time let one finish before the other began).
(folder / tag).touch()
while len(list(folder.iterdir())) < 2:
    time.sleep(0.005)
began = time.time()
for n in range(50):
    add_payment(db, "（2025）苏01民初3100号", "1.00", date(2025, 5, 2), actor=tag, reference=f"{tag}-{n}")
print(began, time.time())
db.dispose()
"""


def test_two_processes_adding_fifty_payments_each_lose_nothing(
    any_database: Database, tmp_path: Path
) -> None:
    from mediator.store.tables import InstallmentRow, PaymentRow

    fixture = make_batch(
        any_database, names=("张䶮",), agreed=("1000.00",), status="confirmed", installments_for_first=False
    )
    url = any_database.engine.url.render_as_string(hide_password=False)
    barrier = tmp_path / "ready"
    barrier.mkdir()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, str(barrier), tag],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("甲", "乙")
    ]
    spans = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        began, ended = (float(value) for value in out.split())
        spans.append((began, ended))
    plan = case_plan(any_database, fixture.case_ids[0])
    assert plan.paid_total == Decimal("100.00")
    assert len(plan.payments) == 100 and {p.reference for p in plan.payments} >= {"甲-49", "乙-49"}
    with any_database.session() as session:
        assert session.scalar(select(func.count()).select_from(InstallmentRow)) == 1  # one lump-sum line
        assert session.scalar(select(func.sum(PaymentRow.amount))) == Decimal("100.00")
    # The two writers really ran at the same time (each began before the other had ended). On
    # SQLite the one waiting for the write lock may only get it late, so their payments need not
    # interleave in the ledger; PostgreSQL's row lock queues them fairly.
    (first_began, first_ended), (second_began, second_ended) = spans
    assert first_began < second_ended and second_began < first_ended, spans
