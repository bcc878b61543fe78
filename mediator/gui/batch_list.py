"""The batch list: 第N批, company, referral date, days left in the mediation term (red at 3 days or
fewer, 已超期 once past), the e-signing turnaround (median / longest) and the batch's cases by status
as a small stacked bar."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QPainter
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from mediator.domain.workflow import STATUS_ORDER
from mediator.gui.jobs import Refresher
from mediator.gui.style import STATUS_COLOURS, WARNING_RED
from mediator.i18n import N_, _
from mediator.services.cases.batches import BatchSummary, format_span, list_batches
from mediator.store.database import Database

Index = QModelIndex | QPersistentModelIndex

# Days left at or under which the term is shown in red.
URGENT_DAYS = 3

COLUMN_TITLES = (
    N_("批次"),
    N_("上市公司"),
    N_("委派日期"),
    N_("调解期限剩余"),
    N_("案件数"),
    N_("签署用时（中位/最长）"),
    N_("案件状态"),
)
DAYS_COLUMN = 3
COUNT_COLUMN = 4
SIGNING_COLUMN = 5
BAR_COLUMN = 6
BatchRole = Qt.ItemDataRole.UserRole + 1


def days_left_text(batch: BatchSummary) -> str:
    if batch.closed_on is not None:
        return _("已结案（{day}）").format(day=batch.closed_on.isoformat())
    if batch.in_mediation == 0:
        return _("已结束")
    if batch.days_left < 0:
        return _("已超期{days}天").format(days=-batch.days_left)
    if batch.days_left == 0:
        return _("今天到期")
    return _("{days}天").format(days=batch.days_left)


def turnaround_text(batch: BatchSummary) -> str:
    """E.g. "5小时20分 / 2天3小时"; empty before any case of the batch came back signed."""
    if batch.turnaround is None:
        return ""
    median, longest = batch.turnaround
    return f"{format_span(median)} / {format_span(longest)}"


class BatchListModel(QAbstractTableModel):
    """All batches (a few hundred at most: loaded whole, off the GUI thread)."""

    def __init__(self, database: Database, today: date, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._today = today
        self._batches: list[BatchSummary] = []
        # ``loader.loaded`` is emitted after the rows are in the model.
        self.loader: Refresher[list[BatchSummary]] = Refresher(
            self,
            lambda: list_batches(database, today=self._today),
            self._set_batches,
            title=_("读取批次列表"),
        )

    def reload(self, today: date | None = None) -> None:
        """Read the batches again in a worker; the model resets when they land."""
        if today is not None:
            self._today = today
        self.loader.request()

    def _set_batches(self, batches: list[BatchSummary]) -> None:
        self.beginResetModel()
        self._batches = batches
        self.endResetModel()

    def batch(self, row: int) -> BatchSummary | None:
        return self._batches[row] if 0 <= row < len(self._batches) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._batches)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMN_TITLES[section]) if 0 <= section < len(COLUMN_TITLES) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._batches):
            return None
        batch = self._batches[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                batch.label,
                batch.company,
                batch.referral_date.isoformat(),
                days_left_text(batch),
                str(batch.total),
                turnaround_text(batch),
                None,  # painted by StatusBarDelegate
            )[column]
        urgent = batch.in_mediation > 0 and batch.days_left <= URGENT_DAYS
        if role == Qt.ItemDataRole.ForegroundRole and column == DAYS_COLUMN and urgent:
            return QBrush(WARNING_RED)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == BAR_COLUMN:
                return "\n".join(f"{s.label}：{n}" for s, n in batch.by_status.items())
            if column == DAYS_COLUMN:
                tip = _("调解期限至{end}；仍在调解中的案件{count}件").format(
                    end=batch.term.end.isoformat(), count=batch.in_mediation
                )
                if not batch.term.calendar_known:
                    tip += "\n" + _("节假日日历尚未收录该年份，截止日期仅按周末推算。")
                return tip
            if column == SIGNING_COLUMN:
                if batch.turnaround is None:
                    return _("尚无签署完成的案件（从生成签署包到最后一方签署的用时）")
                median, longest = batch.turnaround
                return _("从生成签署包到各案最后一方签署：中位数 {median}，最长 {longest}").format(
                    median=format_span(median), longest=format_span(longest)
                )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            DAYS_COLUMN,
            COUNT_COLUMN,
            SIGNING_COLUMN,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == BatchRole:
            return batch
        return None


class StatusBarDelegate(QStyledItemDelegate):
    """Paints a batch's cases by status as one horizontal bar of coloured segments."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        batch: BatchSummary | None = index.data(BatchRole)
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            # Background and selection highlight as the style draws them.
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        if batch is None or batch.total == 0:
            return
        rect = option.rect.adjusted(4, 5, -4, -5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        x = rect.left()
        remaining = rect.width()
        total = batch.total
        statuses = [s for s in STATUS_ORDER if batch.by_status.get(s)]
        for i, status in enumerate(statuses):
            count = batch.by_status[status]
            width = remaining if i == len(statuses) - 1 else round(rect.width() * count / total)
            width = min(width, remaining)
            if width > 0:
                painter.fillRect(QRect(x, rect.top(), width, rect.height()), STATUS_COLOURS[status])
            x += width
            remaining -= width
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(180, 22)


def install_batch_view(view: QWidget, model: BatchListModel) -> StatusBarDelegate:
    """Attach the model and the bar delegate to the form's table view."""
    view.setModel(model)  # type: ignore[attr-defined]
    delegate = StatusBarDelegate(view)
    view.setItemDelegateForColumn(BAR_COLUMN, delegate)  # type: ignore[attr-defined]
    return delegate


def status_legend() -> QLabel:
    """A one-line key to the bar colours: ■ 已委派 ■ 已联系 …"""
    parts = [
        f'<span style="color:{STATUS_COLOURS[status].name()}">■</span>&nbsp;{status.label}'
        for status in STATUS_ORDER
    ]
    label = QLabel("&nbsp;&nbsp;".join(parts))
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label
