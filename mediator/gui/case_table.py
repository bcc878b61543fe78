"""The case table: a lazy model over services.case_list (after Anki's browser DataModel).

The model holds the ids of the rows fetched so far (pages of ``PAGE_SIZE``, more when the view
scrolls to the end: canFetchMore/fetchMore) and a cache of row data loaded in chunks for the rows
the view actually paints. Sorting and filtering happen in the database; a change resets the model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush

from mediator.domain.money import format_money
from mediator.gui.jobs import interactive_read
from mediator.gui.style import STATUS_TEXT_COLOURS, WARNING_RED
from mediator.i18n import N_, _
from mediator.services.cases.lists import (
    PAGE_SIZE,
    CaseFilter,
    CaseListRow,
    SortKey,
    case_ids,
    case_rows,
    count_cases,
)
from mediator.store.database import Database

log = logging.getLogger("mediator.gui.cases")

Index = QModelIndex | QPersistentModelIndex
# Rows whose data is loaded together on a cache miss (one query per chunk).
ROW_CHUNK = 100
# Delay between the last keystroke in the filter box and the query.
FILTER_DELAY_MS = 150


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # msgid
    sort: SortKey | None
    text: Callable[[CaseListRow], str]
    align_right: bool = False


def _money(value: Any) -> str:
    return "" if value is None else format_money(value)


COLUMNS: tuple[Column, ...] = (
    Column("case_number", N_("案号"), SortKey.CASE_NUMBER, lambda r: r.case_number),
    Column("investor", N_("投资者"), SortKey.INVESTOR, lambda r: r.investor_name),
    Column("id_number", N_("公民身份号码"), None, lambda r: r.id_number),
    Column("phone", N_("手机号码"), None, lambda r: r.phone),
    Column("batch", N_("批次"), SortKey.BATCH, lambda r: _("第{number}批").format(number=r.batch_number)),
    Column("company", N_("上市公司"), SortKey.COMPANY, lambda r: r.company),
    Column("claimed", N_("诉请金额"), SortKey.CLAIMED, lambda r: _money(r.claimed_amount), True),
    Column("agreed", N_("调解金额"), SortKey.AGREED, lambda r: _money(r.agreed_amount), True),
    Column("status", N_("状态"), SortKey.STATUS, lambda r: r.status.label),
    Column("overdue", N_("逾期"), None, lambda r: _("逾期{n}期").format(n=r.overdue) if r.overdue else ""),
    Column("mediator", N_("调解员"), SortKey.MEDIATOR, lambda r: r.mediator or ""),
    Column("referred_on", N_("委派日期"), SortKey.REFERRED_ON, lambda r: r.referred_on.isoformat()),
)
COLUMN_INDEX = {column.key: i for i, column in enumerate(COLUMNS)}

# A paint asks data() for every role of every visible cell (~2,000 calls for 40 rows): the answers
# that never change are made once, as plain ints (the roles Qt passes are ints).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_USER = int(Qt.ItemDataRole.UserRole)
_ANSWERED = frozenset({_DISPLAY, _ALIGNMENT, _FOREGROUND, _USER})
_ALIGNED = tuple(
    int(
        (Qt.AlignmentFlag.AlignRight if column.align_right else Qt.AlignmentFlag.AlignLeft)
        | Qt.AlignmentFlag.AlignVCenter
    )
    for column in COLUMNS
)
_STATUS_COLUMN = COLUMN_INDEX["status"]
_OVERDUE_COLUMN = COLUMN_INDEX["overdue"]
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_OVERDUE_BRUSH = QBrush(WARNING_RED)
_STATUS_BRUSHES = {status: QBrush(colour) for status, colour in STATUS_TEXT_COLOURS.items()}


class CaseTableModel(QAbstractTableModel):
    """Ids of matching cases, fetched page by page; row data cached by id."""

    # Emitted as a reset starts, the new filter in force, before its first page is read: the
    # window starts counting the matches then (in a worker, beside the page query).
    reloading = Signal()
    # Emitted after a reset with the filter in force.
    filter_applied = Signal()

    def __init__(
        self, database: Database, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._page_size = page_size
        self._filter = CaseFilter()
        self._sort = SortKey.CASE_NUMBER
        self._descending = False
        self._show_personal_data = False
        self._ids: list[int] = []
        self._exhausted = True
        self._cache: dict[int, CaseListRow] = {}
        # Each cached row's cells as shown, made on its first paint (by case id, like the cache).
        self._texts: dict[int, tuple[str, ...]] = {}

    # --- state -----------------------------------------------------------------------------------

    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    @property
    def show_personal_data(self) -> bool:
        return self._show_personal_data

    def set_filter(self, flt: CaseFilter) -> None:
        if flt != self._filter:
            # The user waits for this page: the background reads running now (the reminders, the
            # batch list, the last filter's count) stop and start again after the typing.
            interactive_read()
        if flt != self._filter or not self._ids:
            self._filter = flt
            self.reload()

    def set_show_personal_data(self, show: bool) -> None:
        """Switch masking; the caller records the choice in the audit log."""
        if show == self._show_personal_data:
            return
        self._show_personal_data = show
        self._cache.clear()
        self._texts.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def reload(self) -> None:
        """Run the query again from the first page (after a filter/sort change or an import)."""
        self.reloading.emit()
        self.beginResetModel()
        self._ids = []
        self._cache.clear()
        self._texts.clear()
        self._exhausted = False
        self._fetch_page()
        self.endResetModel()
        self.filter_applied.emit()

    def refresh_case(self, case_id: int) -> None:
        """Drop one case's cached data (after an edit) so its row is read again; it keeps its place."""
        self._cache.pop(case_id, None)
        self._texts.pop(case_id, None)
        try:
            row = self._ids.index(case_id)
        except ValueError:
            return
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        try:
            return self._ids.index(case_id)
        except ValueError:
            return None

    def count_matching(self) -> int:
        """All cases matching the filter (one COUNT query: at a million rows the window runs it in
        a worker as the page is read, see MainWindow.update_counts)."""
        return count_cases(self._database, self._filter)

    # --- fetching --------------------------------------------------------------------------------

    def _next_page(self) -> tuple[list[int], bool]:
        """The ids after those already held, and whether more follow."""
        page = case_ids(
            self._database,
            self._filter,
            self._sort,
            self._descending,
            offset=len(self._ids),
            limit=self._page_size + 1,  # one more tells whether another page exists
        )
        return page[: self._page_size], len(page) > self._page_size

    def _fetch_page(self) -> list[int]:
        page, more = self._next_page()
        self._exhausted = not more
        self._ids.extend(page)
        return page

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page, more = self._next_page()
        if page:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._ids.extend(page)
            self.endInsertRows()
        self._exhausted = not more

    def _row(self, row: int) -> CaseListRow | None:
        case_id = self._ids[row]
        cached = self._cache.get(case_id)
        if cached is not None:
            return cached
        start = row - row % ROW_CHUNK
        chunk = [i for i in self._ids[start : start + ROW_CHUNK] if i not in self._cache]
        self._cache.update(case_rows(self._database, chunk, show_personal_data=self._show_personal_data))
        return self._cache.get(case_id)

    # --- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def _row_texts(self, row: int) -> tuple[str, ...] | None:
        case_id = self._ids[row]
        texts = self._texts.get(case_id)
        if texts is None:
            data = self._row(row)
            if data is None:
                return None
            texts = self._texts[case_id] = tuple(column.text(data) for column in COLUMNS)
        return texts

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED:
            return None  # most of a paint's calls: font, background, decoration, check state...
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._ids):
            return None
        if role == _DISPLAY:
            texts = self._row_texts(row)
            return texts[index.column()] if texts is not None else _("（已删除）")
        if role == _ALIGNMENT:
            return _ALIGNED[index.column()]
        if role == _FOREGROUND:
            column = index.column()
            if column == _OVERDUE_COLUMN:
                return _OVERDUE_BRUSH
            if column == _STATUS_COLUMN:
                data = self._row(row)
                return _STATUS_BRUSHES.get(data.status) if data is not None else None
            return None
        if role == _USER:
            return self._ids[row]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(COLUMNS):
            return _(COLUMNS[section].title)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort
        if key is None:
            return  # ID and phone are not sortable (they would sort masked values)
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._sort, self._descending) or not self._ids:
            interactive_read()
            self._sort, self._descending = key, descending
            self.reload()


class FilterDebouncer(QObject):
    """Applies the text filter ``FILTER_DELAY_MS`` after the last keystroke."""

    def __init__(self, apply: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._apply = apply
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(apply)

    def poke(self) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Apply now if a change is pending (Enter pressed, or a test)."""
        if self._timer.isActive():
            self._timer.stop()
            self._apply()


def with_text(flt: CaseFilter, text: str) -> CaseFilter:
    return replace(flt, text=text)
