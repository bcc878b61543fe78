"""The batch list (term days in red, stacked status bars) and the dashboard on the demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mediator.domain.money import format_money
from mediator.domain.workflow import CaseStatus
from mediator.gui.batch_list import BAR_COLUMN, DAYS_COLUMN
from mediator.gui.main_window import CASES_TAB, DASHBOARD_TAB, MainWindow
from mediator.gui.style import STATUS_COLOURS, WARNING_RED
from mediator.services.reporting.stats import load_stats
from mediator.store.database import Database


def test_term_days_left_red_at_three_days_or_fewer(main_window: MainWindow) -> None:
    model = main_window.batch_model
    texts = {}
    for row in range(model.rowCount()):
        batch = model.batch(row)
        index = model.index(row, DAYS_COLUMN)
        texts[batch.label] = model.data(index)
        brush = model.data(index, Qt.ItemDataRole.ForegroundRole)
        urgent = batch.in_mediation > 0 and batch.days_left <= 3
        assert (brush is not None and brush.color() == WARNING_RED) == urgent, batch.label
    # On 2025-06-10 the 13th batch (referred 2025-05-13, term to 06-12) has 2 days left.
    assert texts["第13批"] == "2天"
    assert texts["第1批"] == "已结束"
    assert model.data(model.index(1, DAYS_COLUMN), Qt.ItemDataRole.ToolTipRole).startswith(
        "调解期限至2025-06-12"
    )


def test_status_bar_is_painted_in_status_colours(qtbot: QtBot, main_window: MainWindow) -> None:
    view = main_window.form.batchTable
    main_window.form.tabs.setCurrentIndex(0)
    qtbot.waitExposed(view)
    last = main_window.batch_model.rowCount() - 1  # the 1st batch: mostly paid
    rect = view.visualRect(main_window.batch_model.index(last, BAR_COLUMN))
    image = view.viewport().grab(rect).toImage()
    colours = {image.pixelColor(x, image.height() // 2).name() for x in range(image.width())}
    assert STATUS_COLOURS[CaseStatus.PAID].name() in colours
    assert STATUS_COLOURS[CaseStatus.RETURNED_TO_COURT].name() in colours


def test_double_click_on_a_batch_shows_its_cases(main_window: MainWindow) -> None:
    model = main_window.batch_model
    main_window._open_batch(model.index(0, 0))
    assert main_window.form.tabs.currentIndex() == CASES_TAB
    assert main_window.case_model.case_filter.batch_id == model.batch(0).id
    assert main_window.case_model.rowCount() == model.batch(0).total


def test_dashboard_shows_the_published_figures_and_charts(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    main_window.form.tabs.setCurrentIndex(DASHBOARD_TAB)
    dashboard = main_window.dashboard
    assert dashboard is not None
    # The figures are read in a worker: the window stays responsive, they show when they land.
    with qtbot.waitSignal(dashboard.loader.loaded, timeout=10_000):
        pass
    stats = load_stats(demo_database)
    f = dashboard.form
    assert f.batchesValue.text() == "14"
    assert f.companiesValue.text() == "4"
    assert f.investorsValue.text() == "645"
    assert f.recoveredValue.text() == format_money(stats.paid_total)
    assert stats.paid_total > 45_000_000
    assert [f.statusTree.topLevelItem(i).text(1) for i in range(f.statusTree.topLevelItemCount())] == [
        str(stats.by_status[s]) for s in CaseStatus
    ]
    month_series = dashboard.month_chart.chart().series()[0]
    month_values = [month_series.barSets()[0].at(i) for i in range(month_series.barSets()[0].count())]
    assert len(month_values) == len(dashboard.data.recovered_by_month) >= 10
    assert sum(month_values) > 4000  # 万元: over ¥45 million recovered in the demo year
    company_set = dashboard.company_chart.chart().series()[0].barSets()[0]
    assert company_set.count() == 4
    # Deadlines due within 7 days of 2025-06-10: the 13th batch's term.
    rows = [
        [f.dueTree.topLevelItem(i).text(c) for c in range(6)] for i in range(f.dueTree.topLevelItemCount())
    ]
    assert rows[0][:2] == ["委派调解期限", "第13批"]
    assert rows[0][4:] == ["2025-06-12", "2天"]
