"""GUI speed on 100,000 cases: first screen of the case table, one filter keystroke, cold start.

    python tests/benchmarks/bench_gui.py [--cases 100000] [--db PATH]

Prints ``first_screen: X ms`` (limit 300), ``filter_keystroke: Y ms`` (limit 50; the slowest of
several typical keystrokes: from setting the filter text to the model reset done and the visible
rows fetched, the 150 ms typing debounce excluded) and ``cold_start: Z s`` (limit 1.5; median of
three ``mediator --db URL`` runs from process start to the main window's first paint).
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

# Typical keystrokes: a surname, a full name, a 案号 fragment, last digits of a phone/ID, a miss.
NEEDLES = ("张", "张伟", "3100", "5678", "（2024）", "不存在的人")
VISIBLE_ROWS = 40


def build_database(path: Path, cases: int) -> str:
    from mediator.store.database import open_database
    from tests.fixtures.synthetic import insert_synthetic_cases

    url = f"sqlite:///{path}"
    if path.exists():
        return url
    database = open_database(url)
    started = time.perf_counter()
    with database.transaction() as session:
        insert_synthetic_cases(session, cases)
    database.dispose()
    print(f"# generated {cases:,} cases in {time.perf_counter() - started:.1f} s")
    return url


def fetch_visible(model: object) -> None:
    rows = min(VISIBLE_ROWS, model.rowCount())  # type: ignore[attr-defined]
    columns = model.columnCount()  # type: ignore[attr-defined]
    for row in range(rows):
        for column in range(columns):
            model.data(model.index(row, column))  # type: ignore[attr-defined]


def bench_in_process(url: str) -> tuple[float, float, dict[str, float]]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QTableView

    from mediator.gui.case_table import CaseTableModel
    from mediator.gui.main_window import CASES_TAB, MainWindow
    from mediator.services.cases.lists import CaseFilter
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
        per_needle: dict[str, float] = {}
        for needle in NEEDLES:
            times = []
            for _ in range(3):
                window.form.filterEdit.setText("")
                window._debouncer.flush()
                app.processEvents()
                started = time.perf_counter()
                window.form.filterEdit.setText(needle)
                window._debouncer.flush()  # what the 150 ms timer does after the last keystroke
                fetch_visible(window.case_model)
                times.append((time.perf_counter() - started) * 1000)
                app.processEvents()  # the deferred count and the repaint, not timed
            per_needle[needle] = statistics.median(times)
        window.close()
    database.dispose()
    return first_screen, max(per_needle.values()), per_needle


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        url = build_database(path, args.cases)
        first_screen, keystroke, per_needle = bench_in_process(url)
        for needle, ms in per_needle.items():
            print(f"# filter {needle!r}: {ms:.1f} ms")
        cold_wall, cold_reported = bench_cold_start(url)
        print(f"# cold start as the app measured it (process start to first paint): {cold_reported:.3f} s")
        print(f"first_screen: {first_screen:.1f} ms")
        print(f"filter_keystroke: {keystroke:.1f} ms")
        print(f"cold_start: {cold_wall:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
