"""The dashboard: the fusion court's published figures, live from the database; recovered money per
month and per company (QtCharts, imported only when the dashboard is first shown: it costs ~100 ms
at start-up otherwise); deadlines due in the next days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QGroupBox, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from mediator.domain.clock import china_today
from mediator.domain.money import format_money
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.gui.jobs import Refresher
from mediator.gui.payments import fill_recovered, recovered_box
from mediator.gui.style import STATUS_COLOURS, WARNING_RED
from mediator.gui.ui_dashboard import Ui_Dashboard
from mediator.i18n import _
from mediator.services.reporting.dashboard import Dashboard, load_dashboard
from mediator.store.database import Database

_WAN = Decimal(10_000)


def _wan(amount: Decimal) -> float:
    # Chart bars only, in whole 万元: the figures themselves are shown from the Decimal values.
    return float(round(amount / _WAN))


def _reach_box(splitter: QSplitter) -> QTreeWidget:
    """The 接通率 box beside the due deadlines (built here: the .ui form predates it)."""
    box = QGroupBox(_("接通率"), splitter)
    box.setObjectName("reachBox")
    layout = QVBoxLayout(box)
    tree = QTreeWidget(box)
    tree.setObjectName("reachTree")
    tree.setHeaderLabels([_("批次 / 调解员"), _("案件"), _("已联系"), _("已接通"), _("接通率")])
    for column, width in enumerate((90, 44, 52, 52, 56)):
        tree.setColumnWidth(column, width)
    layout.addWidget(tree)
    splitter.addWidget(box)
    return tree


def _swatch(status: CaseStatus) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(STATUS_COLOURS[status])
    return QIcon(pixmap)


class DashboardView(QWidget):
    """Figures, charts and due deadlines; ``refresh()`` reads everything again, off the GUI thread
    (``loader.loaded`` says when it is shown)."""

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = china_today,
        due_within_days: int = 7,
    ) -> None:
        super().__init__(parent)
        self.form = Ui_Dashboard()
        self.form.setupUi(self)
        self._database = database
        self._today = today
        self._due_within_days = due_within_days
        self.data: Dashboard | None = None
        self.month_chart: Any = None
        self.company_chart: Any = None
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        f = self.form
        self._values = (
            f.batchesValue,
            f.companiesValue,
            f.investorsValue,
            f.casesValue,
            f.claimedValue,
            f.agreedValue,
            f.recoveredValue,
        )
        for label in self._values:
            label.setFont(big)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f.dueBox.setTitle(_("已超期及未来{days}天到期").format(days=due_within_days))
        for column, width in enumerate((130, 70, 220, 60, 100)):
            f.dueTree.setColumnWidth(column, width)
        self.reach_tree = _reach_box(f.lowerSplitter)
        self.recovered_tree = recovered_box(f.lowerSplitter)
        f.chartsSplitter.setStretchFactor(0, 3)
        f.chartsSplitter.setStretchFactor(1, 2)
        self.loader: Refresher[Dashboard] = Refresher(
            self,
            lambda: load_dashboard(database, today=self._today(), within_days=self._due_within_days),
            self.show_data,
            title=_("读取统计数据"),
            error_parent=lambda: self,
        )

    def refresh(self) -> None:
        """Read the figures again in a worker; they are shown when they land."""
        self.loader.request()

    def show_data(self, data: Dashboard) -> None:
        self.data = data
        s = data.stats
        values = (
            f"{s.batches:,}",
            f"{s.companies:,}",
            f"{s.investors:,}",
            f"{s.cases:,}",
            format_money(s.claimed_total),
            format_money(s.agreed_total),
            format_money(s.paid_total),
        )
        for label, text in zip(self._values, values, strict=True):
            label.setText(text)
        self._fill_status(data)
        self._fill_due(data)
        self._fill_reach(data)
        fill_recovered(self.recovered_tree, data.recovered)
        self._draw_charts(data)

    def _fill_status(self, data: Dashboard) -> None:
        tree = self.form.statusTree
        tree.clear()
        for status in STATUS_ORDER:
            item = QTreeWidgetItem([status.label, f"{data.stats.by_status.get(status, 0):,}"])
            item.setIcon(0, _swatch(status))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tree.addTopLevelItem(item)
        tree.resizeColumnToContents(0)

    def _fill_due(self, data: Dashboard) -> None:
        tree = self.form.dueTree
        tree.clear()
        if not data.due:
            tree.addTopLevelItem(
                QTreeWidgetItem(
                    [_("没有超期的期限，未来{days}天也没有到期的").format(days=self._due_within_days)]
                )
            )
            return
        # Overdue first (the service sorts by last day), the whole line in red.
        for item in data.due:
            if item.overdue:
                days = _("已超期{days}天").format(days=-item.days_left)
            elif item.days_left == 0:
                days = _("今天")
            else:
                days = _("{days}天").format(days=item.days_left)
            if not item.calendar_known:
                days += " " + _("（日历未收录该年）")
            row = QTreeWidgetItem(
                [
                    item.kind.label,
                    _("第{number}批").format(number=item.batch_number),
                    item.company,
                    str(item.cases),
                    item.end.isoformat(),
                    days,
                ]
            )
            if item.overdue:
                for column in range(row.columnCount()):
                    row.setForeground(column, QBrush(WARNING_RED))
                row.setToolTip(5, _("期限已过，案件仍未办结"))
            elif item.days_left <= 3:
                row.setForeground(5, QBrush(WARNING_RED))
            tree.addTopLevelItem(row)

    def _fill_reach(self, data: Dashboard) -> None:
        """接通率: per batch (newest first) and per mediator; the contact round's progress."""
        tree = self.reach_tree
        tree.clear()
        if data.reach is None:
            return
        for title, rates in ((_("按批次"), data.reach.by_batch), (_("按调解员"), data.reach.by_mediator)):
            group = QTreeWidgetItem([title])
            for rate in rates:
                line = QTreeWidgetItem(
                    [
                        rate.label,
                        f"{rate.cases:,}",
                        f"{rate.attempted:,}",
                        f"{rate.reached:,}",
                        f"{rate.rate}%",
                    ]
                )
                for column in range(1, 5):
                    line.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                group.addChild(line)
            tree.addTopLevelItem(group)
            group.setExpanded(True)

    def _draw_charts(self, data: Dashboard) -> None:
        from PySide6.QtCharts import (
            QBarCategoryAxis,
            QBarSeries,
            QBarSet,
            QChart,
            QChartView,
            QHorizontalBarSeries,
            QValueAxis,
        )

        f = self.form
        colour = STATUS_COLOURS[CaseStatus.PAID]

        month_chart = QChart()
        month_chart.legend().hide()
        month_chart.setTitle(_("已挽回金额（万元）"))
        month_set = QBarSet(_("挽回金额"))
        month_set.setColor(colour)
        labels: list[str] = []
        for point in data.recovered_by_month:
            month_set.append(_wan(point.amount))
            labels.append(f"{point.month:%Y-%m}")
        month_series = QBarSeries()
        month_series.append(month_set)
        month_chart.addSeries(month_series)
        month_axis = QBarCategoryAxis()
        month_axis.append(labels or [""])
        month_axis.setLabelsAngle(-60)
        month_chart.addAxis(month_axis, Qt.AlignmentFlag.AlignBottom)
        month_series.attachAxis(month_axis)
        month_values = QValueAxis()
        month_values.setLabelFormat("%.0f")
        month_values.setRange(0, max([_wan(p.amount) for p in data.recovered_by_month] or [1]) * 1.1)
        month_values.applyNiceNumbers()
        month_chart.addAxis(month_values, Qt.AlignmentFlag.AlignLeft)
        month_series.attachAxis(month_values)

        company_chart = QChart()
        company_chart.legend().hide()
        company_chart.setTitle(_("各上市公司已挽回金额（万元）"))
        company_set = QBarSet(_("挽回金额"))
        company_set.setColor(colour.darker(115))
        names: list[str] = []
        # Largest on top: a horizontal bar series draws its first category at the bottom.
        for item in reversed(data.recovered_by_company):
            company_set.append(_wan(item.amount))
            names.append(item.company)
        company_series = QHorizontalBarSeries()
        company_series.append(company_set)
        company_series.setLabelsVisible(True)
        company_series.setLabelsFormat("@value")
        company_set.setLabelColor(Qt.GlobalColor.white)
        company_chart.addSeries(company_series)
        names_axis = QBarCategoryAxis()
        names_axis.append(names or [""])
        company_chart.addAxis(names_axis, Qt.AlignmentFlag.AlignLeft)
        company_series.attachAxis(names_axis)
        amount_axis = QValueAxis()
        amount_axis.setLabelFormat("%.0f")
        amount_axis.setRange(0, max([_wan(c.amount) for c in data.recovered_by_company] or [1]) * 1.15)
        amount_axis.applyNiceNumbers()
        company_chart.addAxis(amount_axis, Qt.AlignmentFlag.AlignBottom)
        company_series.attachAxis(amount_axis)

        for chart in (month_chart, company_chart):
            chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            chart.setBackgroundRoundness(0)
            chart.setTitleFont(self.font())
        for layout, chart, attribute in (
            (f.monthLayout, month_chart, "month_chart"),
            (f.companyLayout, company_chart, "company_chart"),
        ):
            old = getattr(self, attribute)
            if old is not None:
                layout.removeWidget(old)
                old.deleteLater()
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(260)
            layout.addWidget(view)
            setattr(self, attribute, view)
