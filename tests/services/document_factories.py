"""Small factory for the document tests: a company, a batch and a few agreed cases inserted directly,
so these tests do not depend on the demo data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from mediator.domain.validators import make_resident_id, make_uscc
from mediator.store.database import Database
from mediator.store.tables import (
    BatchRow,
    CaseRow,
    InstallmentRow,
    InvestorRow,
    ListedCompanyRow,
    MediatorRow,
)

RARE_NAMES = ("张䶮", "李堃", "王喆", "陈赟", "刘翀", "赵彧")
COMPANY_NAME = "金陵智造科技股份有限公司"


@dataclass
class DocumentFixture:
    batch_id: int
    batch_number: int
    company_id: int
    case_ids: list[int] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    agreed: list[Decimal] = field(default_factory=list)


def make_batch(
    database: Database,
    *,
    names: tuple[str, ...] = RARE_NAMES,
    batch_number: int = 15,
    agreed: tuple[str | None, ...] | None = None,
    installments_for_first: bool = True,
    company_uscc: bool = True,
    status: str = "agreed",
) -> DocumentFixture:
    """A batch of ``len(names)`` agreed cases; the first one pays in two installments."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        company = ListedCompanyRow(
            name=COMPANY_NAME,
            stock_code="600999",
            exchange="SSE",
            uscc=make_uscc("91320100MA1XY1234") if company_uscc else None,
            legal_representative="周明远",
            address="南京市江宁区秣陵街道将军大道100号",
            counsel="江苏金石律师事务所 钱律师",
            payment_method="银行转账",
        )
        mediator = MediatorRow(name="孙调解", phone="13900001111")
        session.add_all([company, mediator])  # two setup rows, not a bulk insert
        session.flush()
        batch = BatchRow(
            number=batch_number,
            court="南京市中级人民法院",
            referral_date=date(2025, 3, 3),
            company_id=company.id,
            created_at=now,
        )
        session.add(batch)
        session.flush()
        fixture = DocumentFixture(batch.id, batch_number, company.id)  # type: ignore[arg-type]
        amounts = agreed or tuple(f"{12345 + i * 1000}.6{i}" for i in range(len(names)))
        for index, name in enumerate(names):
            id_number = make_resident_id("320102", date(1980 + index, 3, 12), 11 + index * 2)
            phone = f"1381234{index:04d}"
            investor = InvestorRow(
                name=name,
                id_number=id_number,
                phone=phone,
                address=f"南京市鼓楼区中山路{index + 1}号",
                securities_account=f"A12345678{index}",
            )
            session.add(investor)
            session.flush()
            amount = amounts[index]
            case = CaseRow(
                case_number=f"（2025）苏01民初{3100 + index}号",
                batch_id=batch.id,  # type: ignore[arg-type]
                investor_id=investor.id,  # type: ignore[arg-type]
                company_id=company.id,  # type: ignore[arg-type]
                mediator_id=mediator.id,
                claimed_amount=Decimal("30105000.00") if index == 0 else Decimal("50000.00") + index,
                agreed_amount=Decimal(amount) if amount is not None else None,
                status=status if amount is not None else "mediating",
                referred_on=date(2025, 3, 3),
                contacted_on=date(2025, 3, 5),
                mediating_on=date(2025, 3, 6),
                agreed_on=date(2025, 3, 20) if amount is not None else None,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            if index == 0 and installments_for_first and amount is not None:
                first = (Decimal(amount) / 2).quantize(Decimal("0.01"))
                session.add(
                    InstallmentRow(case_id=case.id, sequence=1, due_date=date(2025, 6, 30), amount=first)
                )
                session.add(
                    InstallmentRow(
                        case_id=case.id,
                        sequence=2,
                        due_date=date(2025, 9, 30),
                        amount=Decimal(amount) - first,
                    )
                )
            fixture.case_ids.append(case.id)  # type: ignore[arg-type]
            fixture.case_numbers.append(case.case_number)
            fixture.names.append(name)
            fixture.id_numbers.append(id_number)
            fixture.phones.append(phone)
            fixture.agreed.append(Decimal(amount) if amount is not None else Decimal(0))
    return fixture
