"""Cases for the investors of the worked example's trades file: 张三 and 李四 in 第15批 of a
company whose record carries the example's 实施日 and 揭露日."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow
from tests.domain.losses import worked_example as ex
from tests.services.losses.files_factory import ID_LI, ID_ZHANG

COMPANY = "紫金山新材料股份有限公司"
ZHANG_CASE = "（2025）苏01民初5001号"
LI_CASE = "（2025）苏01民初5002号"


@dataclass(frozen=True)
class LossCases:
    zhang: int
    li: int


def make_loss_cases(
    database: Database,
    *,
    li_agreed: str | None = None,
    zhang_status: str = "mediating",
    zhang_claimed: str = "30000.00",
    zhang_agreed: str | None = None,
    ratio: str | None = None,
) -> LossCases:
    now = datetime.now(UTC)
    with database.transaction() as session:
        company = ListedCompanyRow(
            name=COMPANY,
            implemented_on=ex.IMPLEMENTED_ON,
            disclosed_on=ex.DISCLOSED_ON,
            settlement_ratio=ratio,
        )
        session.add(company)
        session.flush()
        batch = BatchRow(number=15, referral_date=date(2025, 3, 3), company_id=company.id, created_at=now)
        session.add(batch)
        session.flush()
        ids = []
        for name, id_number, number, claimed, agreed, status in (
            ("张三", ID_ZHANG, ZHANG_CASE, zhang_claimed, zhang_agreed, zhang_status),
            ("李四", ID_LI, LI_CASE, "10000.00", li_agreed, "agreed" if li_agreed else "mediating"),
        ):
            investor = InvestorRow(name=name, id_number=id_number)
            session.add(investor)
            session.flush()
            case = CaseRow(
                case_number=number,
                batch_id=batch.id,  # type: ignore[arg-type]
                investor_id=investor.id,  # type: ignore[arg-type]
                company_id=company.id,  # type: ignore[arg-type]
                claimed_amount=Decimal(claimed),
                agreed_amount=None if agreed is None else Decimal(agreed),
                status=status,
                referred_on=date(2025, 3, 3),
                agreed_on=date(2025, 3, 20) if agreed else None,
                signed_on=date(2025, 3, 25) if status == "signed" else None,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            assert case.id is not None
            ids.append(case.id)
    return LossCases(*ids)
