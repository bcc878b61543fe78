"""Benchmark: every demo case's agreement as a PDF, 2 processes, database reads included, against
a bare floor.

The floor is what reportlab alone costs for the same amount of work: one plain two-page PDF per
case (the agreement's own paragraphs, half on each page; no footer, QR code, signature fields,
fingerprint or database), in the same shipped font subset-embedded by reportlab as usual, written
to files by the same number of processes. Both are timed as whole runs (pool start-up and font
registration included). The floor runs in a fresh interpreter; by default its reportlab gets the
app's process-wide settings (``layout.register_font``: stream compression level, no ASCII85, the
font-table cache) so that the ratio measures the documents' own work, not those settings;
``--floor-reportlab defaults`` leaves reportlab as installed (a slower floor).

Target (issue 8): ``ratio_to_floor`` at most 1.5 with 2 jobs on a 2-core machine.

    python tests/benchmarks/bench_agreements.py [--jobs 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, update

from mediator.demo.first_year import load_demo
from mediator.services.documents import agreement as agreement_pdf
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.data import load_case_documents
from mediator.store.database import Database, open_database
from mediator.store.tables import CaseRow

# Run as ``python -c``: a fresh process, reportlab as installed. argv: font, jobs, texts.json, out dir.
_FLOOR_SCRIPT = """
import json, os, sys, time
from concurrent.futures import ProcessPoolExecutor

font_path, jobs, texts_file, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
tuned = sys.argv[5] == "tuned"
with open(texts_file, encoding="utf-8") as fh:
    documents = json.load(fh)


def start():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if tuned:
        # The app's process-wide reportlab settings (stream compression, font table cache), so
        # that the ratio measures the documents' own work rather than those settings.
        from mediator.services.documents.layout import register_font

        register_font()
    pdfmetrics.registerFont(TTFont("Floor", font_path))


def render(task):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    index, texts = task
    style = ParagraphStyle("floor", fontName="Floor", fontSize=12, leading=21, wordWrap="CJK")
    path = os.path.join(out_dir, f"{index}.pdf")
    document = SimpleDocTemplate(path, initialFontName="Floor")
    half = len(texts) // 2  # two pages: half of the agreement's paragraphs on each
    story = [Paragraph(text, style) for text in texts[:half]] + [PageBreak()]
    document.build(story + [Paragraph(text, style) for text in texts[half:]])
    return document.page


started = time.perf_counter()
cpu_before = os.times()
with ProcessPoolExecutor(max_workers=jobs, initializer=start) as pool:
    pages = list(pool.map(render, enumerate(documents), chunksize=8))
elapsed = time.perf_counter() - started
cpu_after = os.times()
fields = ("user", "system", "children_user", "children_system")
cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in fields)
print(json.dumps({"seconds": elapsed, "cpu": cpu, "pages": pages}))
"""


def floor_run(texts: list[list[str]], jobs: int, folder: Path, reportlab: str) -> dict[str, object]:
    """The bare floor in a fresh interpreter: seconds, CPU seconds and each file's page count."""
    texts_file = folder / "floor.json"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    out = folder / "floor"
    out.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _FLOOR_SCRIPT,
            str(pdf_layout.FONT_PATH),
            str(jobs),
            str(texts_file),
            str(out),
            reportlab,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, object] = json.loads(result.stdout)
    return data


def prepared_database(folder: Path) -> tuple[Database, list[int]]:
    """The demo year with every case agreed (all 645 have an agreement to render)."""
    database = open_database(f"sqlite:///{folder / 'bench.db'}")
    with database.transaction() as session:
        load_demo(session)
        session.execute(
            update(CaseRow)
            .where(CaseRow.agreed_amount.is_(None))  # type: ignore[union-attr]
            .values(agreed_amount=CaseRow.claimed_amount)
        )
        case_ids = list(session.scalars(select(CaseRow.id)))
    return database, case_ids


def agreement_texts(database: Database, case_ids: list[int]) -> list[list[str]]:
    """Each case's agreement paragraphs as the template fills them (the floor prints these)."""
    with database.session() as session:
        documents = load_case_documents(session, case_ids=case_ids, save=False)
    template = agreement_pdf.load_template(agreement_pdf.TEMPLATE)
    texts = []
    for document in documents:
        values, flags = agreement_pdf.template_values(document.data)
        texts.append([block.text for block in template.blocks(values, flags) if block.text])
    return texts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="best of N runs of each")
    parser.add_argument(
        "--floor-reportlab",
        choices=["tuned", "defaults"],
        default="tuned",
        help="the floor's reportlab: with the app's process-wide settings (default) or as installed",
    )
    args = parser.parse_args()
    times: list[float] = []
    cpus: list[float] = []
    floors: list[float] = []
    floor_cpus: list[float] = []
    count = 0
    floor_pages: list[int] = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        database, case_ids = prepared_database(folder)
        for round_number in range(args.rounds):
            out = folder / f"out{round_number}"
            started = time.perf_counter()
            cpu_before = os.times()
            run = agreement_pdf.generate_agreements(
                database, case_ids=case_ids, out_dir=out, jobs=args.jobs, reprint_signed=True
            )
            times.append(time.perf_counter() - started)
            cpu_after = os.times()  # the pool's workers have been joined: their CPU time is in children_*
            cpus.append(
                sum(
                    getattr(cpu_after, f) - getattr(cpu_before, f)
                    for f in ("user", "system", "children_user", "children_system")
                )
            )
            count = run.count
            texts = agreement_texts(database, case_ids)
            round_folder = folder / f"floor{round_number}"
            round_folder.mkdir()
            floor = floor_run(texts, args.jobs, round_folder, args.floor_reportlab)
            floors.append(float(floor["seconds"]))  # type: ignore[arg-type]
            floor_cpus.append(float(floor["cpu"]))  # type: ignore[arg-type]
            floor_pages = list(floor["pages"])  # type: ignore[call-overload]
        database.dispose()
    elapsed, floor_seconds = min(times), min(floors)
    print(f"agreements: {count}")
    print(f"jobs: {args.jobs}")
    print(f"time: {elapsed:.2f} s")
    print(f"pdfs_per_second: {count / elapsed:.1f}")
    # CPU seconds of parent and workers: on a machine shared with other jobs, the wall time
    # includes waiting for a core; this does not.
    print(f"cpu_time: {min(cpus):.2f} s")
    print(f"floor_reportlab: {args.floor_reportlab}")
    print(f"floor_files: {len(floor_pages)}")
    print(f"floor_pages_per_file: {min(floor_pages)}-{max(floor_pages)}")
    print(f"floor_time: {floor_seconds:.2f} s")
    print(f"floor_cpu_time: {min(floor_cpus):.2f} s")
    print(f"ratio_to_floor: {elapsed / floor_seconds:.2f}")
    print(f"cpu_ratio_to_floor: {min(cpus) / min(floor_cpus):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
