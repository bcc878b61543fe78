"""GUI speed on 100,000 cases (or a million): first screen of the case table, filter keystrokes,
cold start; on SQLite, or on PostgreSQL with ``--pg``.

    python tests/benchmarks/bench_gui.py [--cases 100000] [--db PATH] [--pg URL]

Prints ``first_screen: X ms`` (limit 300), ``filter_keystroke: Y ms`` (limit 100; the slowest of
the typical keystrokes below: from setting the filter text until the visible rows are fetched and
the status bar's count of the matches, up to ``MATCH_COUNT_LIMIT``, has landed; the 150 ms typing
debounce excluded. The window counts in a worker while the page is read, so this is the later of
the two, not their sum) and ``cold_start: Z s`` (limit 1.5; median of three ``mediator --db URL``
runs from process start to the main window's first paint). Each keystroke's line also shows the
page alone, the count alone (``count_cases`` on its own, after the page) and their sum (what a
keystroke cost when the count ran after the page), and the exact (unlimited) count.

``--pg URL`` (a server where the role may create databases, e.g.
postgresql+psycopg://mediator:mediator@127.0.0.1:5432/postgres) runs the same on a database
``mediator_bench_<cases>`` made there (kept for the next run; ``--fresh`` makes it again).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# Typical keystrokes: a surname, full names, a name that matches nothing, 案号 digits as they are
# typed (3, 31, 310, 3100), a whole 案号 and its start, the last 4 and 6 digits of a phone or ID.
NEEDLES = (
    "张",
    "张伟",
    "王芳娜",
    "不存在的人",
    "3",
    "31",
    "310",
    "3100",
    "苏01",
    "（2025",
    "（2025）苏01民初3100号",
    "5678",
    "345678",
)
VISIBLE_ROWS = 40


def build_database(url: str, cases: int) -> str:
    from mediator.store.database import open_database
    from tests.fixtures.synthetic import insert_synthetic_cases

    database = open_database(url)
    with database.session() as session:
        from sqlalchemy import func, select

        from mediator.store.tables import CaseRow

        present = session.scalar(select(func.count()).select_from(CaseRow)) or 0
    if present:
        database.dispose()
        return url
    started = time.perf_counter()
    with database.transaction() as session:
        insert_synthetic_cases(session, cases)
    database.dispose()
    print(f"# generated {cases:,} cases in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    open_database(url).dispose()  # what the app does when it next opens: index the new cases
    print(f"# search index caught up in {time.perf_counter() - started:.1f} s")
    return url


def postgres_database(admin_url: str, cases: int, fresh: bool) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"mediator_bench_{cases}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if exists and fresh:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or fresh:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    url = build_database(url, cases)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
    engine.dispose()
    return url


def fetch_visible(model: object) -> None:
    rows = min(VISIBLE_ROWS, model.rowCount())  # type: ignore[attr-defined]
    columns = model.columnCount()  # type: ignore[attr-defined]
    for row in range(rows):
        for column in range(columns):
            model.data(model.index(row, column))  # type: ignore[attr-defined]


def wait_for_counts(window: object) -> None:
    """Run the event loop until the window's count of the matches (a worker) has landed."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    loader = window.counts_loader  # type: ignore[attr-defined]
    QApplication.processEvents()  # a count asked for by a zero timer (once the rows show) starts
    loop = QEventLoop()
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)
    loader.loaded.connect(loop.quit)
    timeout.start(30_000)
    while loader.busy and timeout.isActive():
        loop.exec()
    loader.loaded.disconnect(loop.quit)
    if loader.busy:
        raise SystemExit("the status bar's count did not land within 30 s")


Timings = dict[str, tuple[float, float, float, float, int]]


def bench_in_process(url: str) -> tuple[float, float, Timings]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QTableView

    from mediator.gui.case_table import CaseTableModel
    from mediator.gui.main_window import CASES_TAB, MainWindow
    from mediator.services.cases.lists import MATCH_COUNT_LIMIT, CaseFilter, count_cases
    from mediator.store.database import open_database

    app = QApplication.instance() or QApplication(sys.argv)
    database = open_database(url)

    # First screen: model + view, first page of ids, the visible rows' data, painted.
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        model = CaseTableModel(database)
        view = QTableView()
        view.resize(1200, 800)
        view.setModel(model)
        model.set_filter(CaseFilter())
        view.show()
        app.processEvents()  # paints, which pulls the visible rows' data
        fetch_visible(model)
        samples.append((time.perf_counter() - started) * 1000)
        view.close()
        view.deleteLater()
        app.processEvents()
    first_screen = statistics.median(samples)

    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(database, settings)
        window.form.tabs.setCurrentIndex(CASES_TAB)
        window.show()
        app.processEvents()
        per_needle: Timings = {}
        for needle in NEEDLES:
            keystrokes, pages, counts, exact = [], [], [], []
            for _ in range(3):
                window.form.filterEdit.setText("")
                window._debouncer.flush()
                wait_for_counts(window)
                app.processEvents()
                started = time.perf_counter()
                window.form.filterEdit.setText(needle)
                window._debouncer.flush()  # what the 150 ms timer does after the last keystroke
                fetch_visible(window.case_model)
                pages.append((time.perf_counter() - started) * 1000)
                wait_for_counts(window)  # and the repaint, as the event loop runs meanwhile
                keystrokes.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                count_cases(database, CaseFilter(text=needle), limit=MATCH_COUNT_LIMIT)
                counts.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                matching = count_cases(database, CaseFilter(text=needle))
                exact.append((time.perf_counter() - started) * 1000)
                app.processEvents()
            per_needle[needle] = (
                statistics.median(keystrokes),
                statistics.median(pages),
                statistics.median(counts),
                statistics.median(exact),
                matching,
            )
        window.close()
    database.dispose()
    keystroke = max(landed for landed, _page, _count, _exact, _n in per_needle.values())
    return first_screen, keystroke, per_needle


def bench_cold_start(url: str, runs: int = 3) -> tuple[float, float]:
    env = dict(os.environ, MEDIATOR_EXIT_AFTER_SHOWN="1", QT_QPA_PLATFORM="offscreen")
    wall, reported = [], []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "mediator.cli", "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        line = process.stdout.readline() if process.stdout else ""
        seen = time.perf_counter() - started
        process.wait(timeout=60)
        if not line.startswith("shown_after:"):
            raise SystemExit(f"the app did not report its first paint: {line!r} {process.stderr.read()!r}")
        wall.append(seen)
        reported.append(float(line.split()[1]))
    return statistics.median(wall), statistics.median(reported)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse this SQLite file (generated when missing)")
    parser.add_argument("--pg", metavar="URL", help="run on PostgreSQL: a server URL (see above)")
    parser.add_argument("--fresh", action="store_true", help="with --pg: make the database again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.pg:
            url = postgres_database(args.pg, args.cases, args.fresh)
        else:
            url = build_database(f"sqlite:///{args.db or Path(folder) / 'bench.db'}", args.cases)
        first_screen, keystroke, per_needle = bench_in_process(url)
        for needle, (landed, page, count, exact, matching) in per_needle.items():
            print(
                f"# filter {needle!r}: {landed:.1f} ms (page {page:.1f}, count alone {count:.1f}, "
                f"one after the other {page + count:.1f}; exact count {matching:,} in {exact:.1f} ms)"
            )
        cold_wall, cold_reported = bench_cold_start(url)
        print(f"# cold start as the app measured it (process start to first paint): {cold_reported:.3f} s")
        print(f"first_screen: {first_screen:.1f} ms")
        print(f"filter_keystroke: {keystroke:.1f} ms")
        print(f"cold_start: {cold_wall:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
