"""The case filter's text box finds cases by their listed company too (name, short name, code)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from mediator.domain.validators import make_resident_id
from mediator.services.cases.lists import CaseFilter, case_ids, count_cases
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def _cases(database: Database) -> dict[str, list[int]]:
    """Two companies with two cases each; the investors' names share nothing with the companies."""
    made: dict[str, list[int]] = {}
    with database.transaction() as session:
        for number, (name, short, code) in enumerate(
            (
                ("江苏华辰智能科技股份有限公司", "华辰智能", "603917"),
                ("苏州恒泰新材料股份有限公司", "恒泰新材", "002786"),
            ),
            start=1,
        ):
            company = ListedCompanyRow(name=name, stock_name=short, stock_code=code)
            session.add(company)
            session.flush()
            batch = BatchRow(
                number=number, referral_date=date(2025, 3, 3), company_id=company.id, created_at=NOW
            )
            session.add(batch)
            session.flush()
            for k in range(2):
                serial = number * 10 + k
                investor = InvestorRow(
                    name=f"王{'一二三四'[k + 2 * (number - 1)]}",
                    id_number=make_resident_id("320106", date(1980, 1, 1), 100 + 2 * serial),
                )
                session.add(investor)
                session.flush()
                case = CaseRow(
                    case_number=f"（2025）苏01民初{3100 + serial}号",
                    batch_id=batch.id,
                    investor_id=investor.id,
                    company_id=company.id,
                    claimed_amount=Decimal("1000.00"),
                    referred_on=date(2025, 3, 3),
                    updated_at=NOW,
                )
                session.add(case)
                session.flush()
                assert case.id is not None
                made.setdefault(name, []).append(case.id)
    return made


def test_company_name_short_name_and_code_find_its_cases(any_database: Database) -> None:
    database = any_database
    made = _cases(database)
    huachen = sorted(made["江苏华辰智能科技股份有限公司"])
    for typed in ("华辰", "华辰智能", "603917", "江苏华辰智能科技"):
        assert sorted(case_ids(database, CaseFilter(text=typed))) == huachen, typed
        assert count_cases(database, CaseFilter(text=typed)) == 2
    assert count_cases(database, CaseFilter(text="恒泰")) == 2
    # An investor's name still matches on its own; a name matching neither finds nothing.
    assert count_cases(database, CaseFilter(text="王一")) == 1
    assert count_cases(database, CaseFilter(text="不存在的公司")) == 0
