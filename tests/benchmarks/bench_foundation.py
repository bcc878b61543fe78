"""Benchmark: loading the demo year and computing the headline figures at 100,000 cases.

Targets (foundation issue): ``mediator demo`` loads in under 3 s; ``compute_stats`` aggregates in
SQL, so the dashboard figures stay quick with 100,000 cases.

    python tests/benchmarks/bench_foundation.py [--cases 100000] [--pg URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mediator.demo.first_year import load_demo
from mediator.services.reporting.stats import compute_stats
from mediator.store.database import open_database
from tests.fixtures.synthetic import insert_synthetic_cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg", help="also measure on this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    urls = []
    with tempfile.TemporaryDirectory() as folder:
        urls.append(("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}"))
        if args.pg:
            urls.append(("postgresql", args.pg))
        for label, url in urls:
            db = open_database(url)
            try:
                started = time.perf_counter()
                with db.transaction() as session:
                    load_demo(session, reset=True)
                print(f"demo load ({label}): {time.perf_counter() - started:.2f} s")
                with db.transaction() as session:
                    insert_synthetic_cases(session, args.cases - 645, seed=7)
                times = []
                for _ in range(5):
                    started = time.perf_counter()
                    with db.session() as session:
                        stats = compute_stats(session)
                    times.append(time.perf_counter() - started)
                print(f"stats at {stats.cases} cases ({label}): {statistics.median(times) * 1000:.0f} ms")
            finally:
                db.dispose()


if __name__ == "__main__":
    main()
