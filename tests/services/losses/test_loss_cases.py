"""Loss results stored with their cases and offered as the proposed agreed amount: the company's
ratio, a typed amount never replaced silently, signed cases untouched, all or nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from mediator.domain.losses.calculation import LossBreakdown, LossParameters
from mediator.errors import NotFoundError, UserError
from mediator.services.losses.batch import run_losses
from mediator.services.losses.cases import (
    CaseLoss,
    Outcome,
    calculate_case_loss,
    case_loss_context,
    save_loss_results,
    stored_loss,
)
from mediator.services.losses.files import LossInputProblems
from mediator.services.parties.companies import list_companies, set_company
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, CaseRow
from tests.domain.losses import worked_example as ex
from tests.services.losses.case_factory import COMPANY, LI_CASE, ZHANG_CASE, make_loss_cases
from tests.services.losses.files_factory import write_market_csv, write_trades_xlsx

PARAMETERS = LossParameters(ex.IMPLEMENTED_ON, ex.DISCLOSED_ON)
# 李四: 1000 @ 12.00 held → (12 − 8) × 1000 = 4000.00; stock −33.33 %, index −2 % → 6.00 %, 240.00;
# net 3760.00; commission 1.128 → 1.13; stamp duty 1.88; total 3763.01.
LI_TOTAL = Decimal("3763.01")
ZHANG_TOTAL = Decimal("12914.69")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_market_csv(tmp_path / "行情.csv"), write_trades_xlsx(tmp_path / "交割单.xlsx")


def _agreed(database: Database, case_id: int) -> Decimal | None:
    with database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        return case.agreed_amount


def _results(files: tuple[Path, Path], ratio: str | None = None) -> list[LossBreakdown]:
    p = PARAMETERS if ratio is None else replace(PARAMETERS, ratio=Decimal(ratio))
    return list(run_losses(*files, p).results)


def test_saving_keeps_the_result_and_leaves_the_amounts(
    any_database: Database, files: tuple[Path, Path]
) -> None:
    database = any_database
    cases = make_loss_cases(database)
    saved = save_loss_results(database, _results(files), actor="孙调解", company=COMPANY, sources={"x": "y"})
    assert [(c.case_number, c.outcome) for c in saved.cases] == [
        (ZHANG_CASE, Outcome.SAVED),
        (LI_CASE, Outcome.SAVED),
    ]
    stored = stored_loss(database, cases.zhang)
    assert stored is not None
    assert (stored.method, stored.base_price, stored.total) == ("mwa", "8.0000", ZHANG_TOTAL)
    assert (stored.investment_loss, stored.risk_deduction_pct) == (Decimal("13750.00"), "6.15")
    assert stored.computed_by == "孙调解" and stored.parameters["commission_rate"] == "0.0003"
    assert "12,914.69" in stored.summary()
    assert _agreed(database, cases.zhang) is None
    with database.session() as session:
        actions = [e.action for e in session.exec(select(AuditEventRow))]
    assert actions.count("loss") == 2


def test_applying_sets_the_amount_but_keeps_one_the_mediator_typed(
    any_database: Database, files: tuple[Path, Path]
) -> None:
    database = any_database
    cases = make_loss_cases(database, li_agreed="3000.00")
    saved = save_loss_results(database, _results(files, "0.4"), actor="孙调解", company=COMPANY, apply=True)
    assert [c.outcome for c in saved.cases] == [Outcome.APPLIED, Outcome.KEPT]
    assert _agreed(database, cases.zhang) == Decimal("5165.88")  # 12914.69 × 0.4
    assert _agreed(database, cases.li) == Decimal("3000.00")  # typed: kept
    assert "--replace-agreed" in saved.summary()
    # Asked explicitly, the typed amount is replaced.
    again = save_loss_results(
        database, _results(files, "0.4"), actor="孙调解", company=COMPANY, apply=True, replace_agreed=True
    )
    assert [c.outcome for c in again.cases] == [Outcome.UNCHANGED, Outcome.APPLIED]
    assert _agreed(database, cases.li) == Decimal("1505.20")  # 3763.01 × 0.4 = 1505.204


def test_an_amount_the_calculator_set_follows_a_new_calculation(
    database: Database, files: tuple[Path, Path]
) -> None:
    cases = make_loss_cases(database)
    save_loss_results(database, _results(files, "0.4"), actor="a", company=COMPANY, apply=True)
    again = save_loss_results(database, _results(files, "0.5"), actor="a", company=COMPANY, apply=True)
    assert again.cases[0].outcome is Outcome.APPLIED
    assert _agreed(database, cases.zhang) == Decimal("6457.35")  # 12914.69 × 0.5 = 6457.345


def test_the_company_ratio_scales_the_proposal(database: Database, files: tuple[Path, Path]) -> None:
    cases = make_loss_cases(database)
    set_company(database, COMPANY, actor="a", settlement_ratio=Decimal("0.40"))
    assert list_companies(database)[0].settlement_ratio == "0.4"
    context = case_loss_context(database, cases.zhang)
    assert context.settlement_ratio == Decimal("0.4")
    assert (context.implemented_on, context.disclosed_on) == (ex.IMPLEMENTED_ON, ex.DISCLOSED_ON)
    assert context.id_number == "110***********002X"
    save_loss_results(database, _results(files), actor="a", company=COMPANY, apply=True)
    assert _agreed(database, cases.zhang) == Decimal("5165.88")
    with pytest.raises(UserError, match="调解比例"):
        set_company(database, COMPANY, actor="a", settlement_ratio=Decimal("1.5"))
    set_company(database, COMPANY, actor="a", settlement_ratio="")
    assert list_companies(database)[0].settlement_ratio is None


def test_signed_cases_are_untouched_and_proposals_never_exceed_the_claim(
    database: Database, files: tuple[Path, Path]
) -> None:
    cases = make_loss_cases(database, zhang_status="signed", zhang_agreed="8000.00")
    saved = save_loss_results(database, _results(files), actor="a", company=COMPANY, apply=True)
    assert saved.cases[0].outcome is Outcome.LOCKED
    assert _agreed(database, cases.zhang) == Decimal("8000.00")
    capped = make_loss_cases_capped(database, files)
    assert capped.proposed == Decimal("3000.00") and capped.capped


def make_loss_cases_capped(database: Database, files: tuple[Path, Path]) -> CaseLoss:
    with database.transaction() as session:
        li = session.exec(select(CaseRow).where(CaseRow.case_number == LI_CASE)).one()
        li.claimed_amount = Decimal("3000.00")
    saved = save_loss_results(database, _results(files), actor="a", company=COMPANY, apply=True)
    return saved.cases[1]


def test_a_dry_run_writes_nothing(database: Database, files: tuple[Path, Path]) -> None:
    cases = make_loss_cases(database, li_agreed="3000.00")
    plan = save_loss_results(database, _results(files), actor="a", company=COMPANY, apply=True, dry_run=True)
    assert plan.dry_run and [c.outcome for c in plan.kept] == [Outcome.KEPT]
    assert stored_loss(database, cases.zhang) is None
    assert _agreed(database, cases.zhang) is None


def test_unmatched_and_ambiguous_investors(database: Database, files: tuple[Path, Path]) -> None:
    make_loss_cases(database)
    results = _results(files)
    stranger = replace(results[1], investor="王五", id_number="110105194912310010")
    saved = save_loss_results(database, [results[0], stranger], actor="a", company=COMPANY)
    assert [c.case_number for c in saved.cases] == [ZHANG_CASE]
    assert saved.unmatched == ("王五（110***********0010）",)
    assert "王五" in saved.summary()
    twin = replace(results[1], investor="张三", id_number=results[0].id_number)
    with database.transaction() as session:
        li = session.exec(select(CaseRow).where(CaseRow.case_number == LI_CASE)).one()
        zhang = session.exec(select(CaseRow).where(CaseRow.case_number == ZHANG_CASE)).one()
        li.investor_id = zhang.investor_id
    with pytest.raises(UserError, match="多件案件"):
        save_loss_results(database, [twin], actor="a", company=COMPANY)
    with pytest.raises(NotFoundError):
        save_loss_results(database, results, actor="a", company="没有这家公司")


def test_one_case_from_the_whole_trades_file(database: Database, files: tuple[Path, Path]) -> None:
    cases = make_loss_cases(database)
    result = calculate_case_loss(database, cases.li, *files, PARAMETERS)
    assert (result.investor, result.total) == ("李四", LI_TOTAL)
    saved = save_loss_results(database, [result], actor="a", case_id=cases.li, apply=True)
    assert saved.cases[0].outcome is Outcome.APPLIED
    assert _agreed(database, cases.li) == LI_TOTAL  # no ratio anywhere: the whole loss
    with pytest.raises(UserError, match="不符"):
        save_loss_results(database, [result], actor="a", case_id=cases.zhang)


def test_a_case_whose_investor_is_not_in_the_trades_file(database: Database, tmp_path: Path) -> None:
    cases = make_loss_cases(database)
    market = write_market_csv(tmp_path / "m.csv")
    trades = write_trades_xlsx(
        tmp_path / "t.xlsx", [["王五", "110105194912310010", "2024-01-10", "买入", 100, 12]]
    )
    with pytest.raises(LossInputProblems) as caught:
        calculate_case_loss(database, cases.li, market, trades, PARAMETERS)
    assert "没有该投资者" in caught.value.problems[0].message


def test_saving_counts_the_cases_and_a_cancel_writes_nothing(
    database: Database, files: tuple[Path, Path]
) -> None:
    from mediator.errors import Cancelled
    from mediator.services.progress import Progress

    cases = make_loss_cases(database)
    progress = Progress()
    save_loss_results(database, _results(files), actor="a", company=COMPANY, progress=progress)
    assert (progress.snapshot().done, progress.snapshot().total) == (2, 2)
    cancelled = Progress()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        save_loss_results(
            database, _results(files, "0.5"), actor="a", company=COMPANY, apply=True, progress=cancelled
        )
    assert _agreed(database, cases.zhang) is None
    stored = stored_loss(database, cases.zhang)
    assert stored is not None and stored.ratio is None  # the first save's, untouched
