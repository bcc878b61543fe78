"""Benchmark: importing a 100,000-row referral list against a bare python-calamine read of it.

Run from the repository root:  python tests/benchmarks/bench_import.py [--rows 100000] [--keep DIR]

Makes a .xlsx as the clerks type it (``tests/fixtures/messy_lists``, style 3: title rows, an address
column, 案号 with half-width or full-width brackets and digits, amounts as ￥8000, 12,345.67元,
full-width digits or numbers, lowercase x at the end of ID numbers, phones with spaces or +86, blank
rows, a 合计 row) with xlsxwriter in constant-memory mode, then times two whole processes, best of
``--repeat``: ``python -c "<python-calamine reads the whole sheet into Python rows (to_python())>"``
and ``mediator --db sqlite:///<tmp>/bench.db import FILE`` on a database already created (so the
schema migration is not counted). Prints ``figure: value unit`` lines: calamine_read, import (best
and median), ratio (target ≤ 2.0), import_cpu (the CLI and its writer process together) and
peak_memory of the import (the CLI process plus its writer process, as proportional set sizes:
the writer is forked from the CLI and shares its pages; target < 400 MB; sampled in one more,
untimed run) and peak_resident_sum (their resident sizes added, shared pages counted twice). The
machine's load average is printed first: other work on a 2-core machine slows both sides.
With ``--keep DIR`` the generated list is kept and reused by the next run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixtures.messy_lists import make_investors, write_xlsx  # noqa: E402

READ_SCRIPT = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()\n"
)


def _tree_kib(pid: int, proportional: bool) -> int:
    """Memory of ``pid`` and its children (Linux /proc), in KiB: the sum of their proportional set
    sizes (a page both share counts half in each: the writer is forked from the reader) or of their
    resident sizes (shared pages counted twice); 0 when unreadable."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    name, field = ("smaps_rollup", "Pss:") if proportional else ("status", "VmRSS:")
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/{name}").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def run(command: list[str], *, proportional: bool = False) -> tuple[float, int, int, float]:
    """Wall time (s), peak memory (MB), exit code and CPU time (s, the child and the processes it
    waited for) of one child process.

    Peak memory is the larger of the child's ru_maxrss and the sum over the child and its own
    children (the import may start a writer process: both count), sampled every 20 ms: resident
    sizes, or with ``proportional`` proportional set sizes. Reading those walks every page of the
    processes (7 ms per read of a 300 MB process, a third of a core at this rate): only an untimed
    run samples them.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_kib(child.pid, proportional))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stderr is not None
    errors = child.stderr.read()  # until the child closes it (it exits)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code:
        sys.stderr.write(errors.decode("utf-8", "replace"))
    # ru_maxrss is in KiB on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, max(usage.ru_maxrss, peak) // 1024, code, cpu


def _fresh_database(folder: Path, mediator: list[str]) -> str:
    """An empty database made by the CLI (so the schema migration is not timed)."""
    for leftover in folder.glob("bench.db*"):
        leftover.unlink()
    url = f"sqlite:///{folder / 'bench.db'}"
    subprocess.run([*mediator, "--db", url, "stats"], check=True, capture_output=True)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="best of N runs of each process")
    parser.add_argument("--keep", type=Path, help="keep the generated file and database here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"referrals-style3-{args.rows}.xlsx"
    print(f"load_average: {os.getloadavg()[0]:.2f}")
    if not path.is_file():
        started = time.perf_counter()
        investors = make_investors(args.rows, seed=11, first_case=100_000)
        write_xlsx(path, investors, style=3, constant_memory=True)
        print(f"generate: {time.perf_counter() - started:.2f} s ({path.stat().st_size // 1024} KiB)")
    mediator = [sys.executable, "-m", "mediator.cli"]
    read_times, import_times, cpu_times, resident = [], [], [], 0
    for _round in range(args.repeat):
        url = _fresh_database(folder, mediator)
        seconds, _mb, code, _cpu = run([sys.executable, "-c", READ_SCRIPT, str(path)])
        read_times.append(seconds)
        seconds, mb, code, cpu = run([*mediator, "--db", url, "import", str(path)])
        if code != 0:
            print(f"import failed with exit code {code}")
            return 1
        import_times.append(seconds)
        cpu_times.append(cpu)
        resident = max(resident, mb)
    _seconds, memory, _code, _cpu = run(
        [*mediator, "--db", _fresh_database(folder, mediator), "import", str(path)], proportional=True
    )
    read, imported = min(read_times), min(import_times)
    print(f"rows: {args.rows}")
    print(f"calamine_read: {read:.2f} s")
    print(f"import: {imported:.2f} s")
    print(f"import_median: {statistics.median(import_times):.2f} s")
    print(f"import_cpu: {min(cpu_times):.2f} s")
    print(f"ratio: {imported / read:.2f}")
    print(f"ratio_median: {statistics.median(import_times) / statistics.median(read_times):.2f}")
    print(f"peak_memory: {memory} MB")
    print(f"peak_resident_sum: {resident} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
