"""The dashboard's deadlines: overdue ones stay listed, in red, above those due soon."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from mediator.gui.style import WARNING_RED
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow
from tests.fixtures.synthetic import insert_synthetic_cases


def test_overdue_terms_are_listed_first_in_red(qtbot: QtBot, database: Database) -> None:
    from mediator.gui.dashboard import DashboardView

    with database.transaction() as session:
        insert_synthetic_cases(session, 20, batch_size=10, first_referral=date(2024, 9, 2))
        batches = session.scalars(select(BatchRow).order_by(BatchRow.number)).all()
        batches[1].referral_date = date(2024, 10, 8)
        session.execute(update(CaseRow).values(status="mediating", agreed_amount=None))
    view = DashboardView(database, today=lambda: date(2024, 11, 1))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loader.loaded, timeout=10_000):
        view.refresh()
    tree = view.form.dueTree
    rows = [[tree.topLevelItem(i).text(c) for c in range(6)] for i in range(tree.topLevelItemCount())]
    assert [row[1:2] + row[4:] for row in rows] == [
        ["第1批", "2024-10-08", "已超期24天"],
        ["第2批", "2024-11-07", "6天"],
    ]
    overdue, soon = tree.topLevelItem(0), tree.topLevelItem(1)
    assert all(overdue.foreground(c).color() == WARNING_RED for c in range(6))
    assert soon.foreground(1).color() != WARNING_RED
    assert view.form.dueBox.title() == "已超期及未来7天到期"
