"""Large synthetic case sets for benchmarks and tests (not the demo data: see services/demo.py).

Everything goes in with bulk inserts of plain dicts in one transaction (the project's rule for
bulk work); 100,000 cases take a few seconds on SQLite.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from mediator.domain.validators import make_resident_id, make_uscc
from mediator.domain.workflow import STEP_DATE_FIELD, CaseStatus
from mediator.store.tables import (
    BatchRow,
    CaseRow,
    InstallmentRow,
    InvestorRow,
    ListedCompanyRow,
    MediatorRow,
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英堃喆赟䶮龑珺婧彧昇翀"
# Statuses with how often they occur, so filters and charts have something to show.
_STATUS_WEIGHTS: tuple[tuple[CaseStatus, int], ...] = (
    (CaseStatus.REFERRED, 12),
    (CaseStatus.CONTACTED, 10),
    (CaseStatus.MEDIATING, 12),
    (CaseStatus.AGREED, 8),
    (CaseStatus.SIGNED, 6),
    (CaseStatus.CONFIRMATION_APPLIED, 5),
    (CaseStatus.CONFIRMED, 5),
    (CaseStatus.PARTIALLY_PAID, 6),
    (CaseStatus.PAID, 26),
    (CaseStatus.FAILED, 5),
    (CaseStatus.RETURNED_TO_COURT, 5),
)
_LINE = list(STEP_DATE_FIELD)


@dataclass(frozen=True)
class SyntheticResult:
    batches: int
    cases: int


def _status_path(status: CaseStatus) -> list[CaseStatus]:
    """The statuses a case passed through to reach ``status`` (for its step dates)."""
    if status is CaseStatus.FAILED:
        return [CaseStatus.REFERRED, CaseStatus.CONTACTED, CaseStatus.FAILED]
    if status is CaseStatus.RETURNED_TO_COURT:
        return [CaseStatus.REFERRED, CaseStatus.CONTACTED, CaseStatus.FAILED, CaseStatus.RETURNED_TO_COURT]
    main = _LINE[: _LINE.index(CaseStatus.PAID) + 1]
    path = main[: main.index(status) + 1]
    if status is CaseStatus.PAID:
        path.remove(CaseStatus.PARTIALLY_PAID)
    return path


def insert_synthetic_cases(
    session: Session,
    count: int,
    *,
    seed: int = 0,
    batch_size: int = 500,
    first_referral: date = date(2024, 5, 20),
    companies: int = 4,
) -> SyntheticResult:
    """Insert ``count`` cases spread over batches of ``batch_size``, with mediators and payments."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start_batch = (session.scalar(select(BatchRow.number).order_by(BatchRow.number.desc())) or 0) + 1  # type: ignore[attr-defined]
    start_investor = session.scalar(select(InvestorRow.id).order_by(InvestorRow.id.desc())) or 0  # type: ignore[union-attr]
    start_case = session.scalar(select(CaseRow.id).order_by(CaseRow.id.desc())) or 0  # type: ignore[union-attr]

    company_ids: list[int] = []
    for i in range(companies):
        name = f"合成测试股份有限公司{seed}-{i + 1}"
        cid = session.scalar(select(ListedCompanyRow.id).where(ListedCompanyRow.name == name))  # type: ignore[arg-type]
        if cid is None:
            prefix = f"913201{seed % 100:02d}{i:02d}{rng.randrange(10**7):07d}"
            cid = session.execute(
                insert(ListedCompanyRow).values(
                    name=name,
                    stock_code=f"60{seed % 10}{i:03d}",
                    exchange="SSE",
                    uscc=make_uscc(prefix[:17]),
                )
            ).inserted_primary_key[0]
        company_ids.append(int(cid))
    mediator_ids: list[int] = []
    for name in ("周调解", "吴调解", "郑调解"):
        mid = session.scalar(select(MediatorRow.id).where(MediatorRow.name == name))  # type: ignore[arg-type]
        if mid is None:
            mid = session.execute(insert(MediatorRow).values(name=name, active=True)).inserted_primary_key[0]
        mediator_ids.append(int(mid))

    batches = max(1, -(-count // batch_size))
    batch_rows: list[dict[str, Any]] = []
    for b in range(batches):
        batch_rows.append(
            {
                "number": start_batch + b,
                "court": "南京市中级人民法院",
                "referral_date": first_referral + timedelta(days=7 * b % 360),
                "company_id": company_ids[b % len(company_ids)],
                "term_days": 30,
                "extension_days": 0,
                "created_at": now,
            }
        )
    session.execute(insert(BatchRow), batch_rows)
    batch_ids = dict(
        session.execute(
            select(BatchRow.number, BatchRow.id).where(BatchRow.number >= start_batch)  # type: ignore[arg-type]
        ).all()
    )

    statuses = [s for s, _w in _STATUS_WEIGHTS]
    weights = [w for _s, w in _STATUS_WEIGHTS]
    investors: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    installments: list[dict[str, Any]] = []
    for n in range(count):
        investor_id = start_investor + n + 1
        case_id = start_case + n + 1
        b = n // batch_size
        batch = batch_rows[b]
        investors.append(
            {
                "id": investor_id,
                "name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2)))),
                "id_type": "resident_id",
                # seed and running number make the number unique; the sequence keeps it valid.
                "id_number": _unique_id(investor_id, seed),
                "phone": f"13{rng.randrange(10)}{investor_id + seed * 10_000_000:08d}"[-11:],
                "securities_account": f"A{investor_id:09d}",
            }
        )
        status = rng.choices(statuses, weights)[0]
        referred = batch["referral_date"]
        claimed = Decimal(rng.randrange(5_000_00, 2_000_000_00)) / 100
        row: dict[str, Any] = {
            "id": case_id,
            "case_number": f"（{referred.year}）苏01民初{seed * 1_000_000 + case_id}号",
            "batch_id": batch_ids[batch["number"]],
            "investor_id": investor_id,
            "company_id": batch["company_id"],
            "mediator_id": mediator_ids[n % len(mediator_ids)],
            "claimed_amount": claimed,
            "agreed_amount": None,
            "status": status.value,
            "updated_at": now,
            "version": 1,
        }
        for field in STEP_DATE_FIELD.values():
            row[field] = None
        day = referred
        for step in _status_path(status):
            row[STEP_DATE_FIELD[step]] = day
            day += timedelta(days=rng.randrange(1, 12))
        if status is CaseStatus.FAILED or status is CaseStatus.RETURNED_TO_COURT:
            row["failure_reason"] = "investor_declined"
        if _LINE.index(status) >= _LINE.index(CaseStatus.AGREED) and status not in (
            CaseStatus.FAILED,
            CaseStatus.RETURNED_TO_COURT,
        ):
            agreed = (claimed * Decimal(rng.randrange(35, 70)) / 100).quantize(Decimal("0.01"))
            row["agreed_amount"] = agreed
            if status in (CaseStatus.PAID, CaseStatus.PARTIALLY_PAID):
                paid_on = row["paid_on"] or row["partially_paid_on"]
                paid = agreed if status is CaseStatus.PAID else (agreed / 2).quantize(Decimal("0.01"))
                installments.append(
                    {
                        "case_id": case_id,
                        "sequence": 1,
                        "due_date": paid_on,
                        "amount": agreed,
                        "paid_on": paid_on,
                        "paid_amount": paid,
                    }
                )
        cases.append(row)
    for chunk in range(0, count, 20_000):
        session.execute(insert(InvestorRow), investors[chunk : chunk + 20_000])
        session.execute(insert(CaseRow), cases[chunk : chunk + 20_000])
    for chunk in range(0, len(installments), 20_000):
        session.execute(insert(InstallmentRow), installments[chunk : chunk + 20_000])
    return SyntheticResult(batches=batches, cases=count)


def _unique_id(investor_id: int, seed: int) -> str:
    # A valid resident ID unique per (investor_id, seed): the running number picks the sequence
    # (last three digits), the region code and the birth day.
    serial = investor_id + seed * 1_000_003
    region = f"{320100 + (serial // 1000) % 900:06d}"
    day = date(1960, 1, 1) + timedelta(days=serial // 900_000)
    return make_resident_id(region, day, serial % 1000)
