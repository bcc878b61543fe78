"""Benchmark: every demo case's agreement as a PDF, 2 processes, database reads included.

Target (issue 4): 645 agreements in under 5 s with 2 jobs on a 2-core machine. For comparison the
script also times a bare reportlab render of the same text (plain paragraphs, no footer, QR code
or signature fields) on one core.

    python tests/benchmarks/bench_agreements.py [--jobs 2]
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
from mediator.store.database import open_database
from mediator.store.tables import CaseRow

_BARE_SCRIPT = """
import json, sys, time
from io import BytesIO
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate

font_path, repeats = sys.argv[1], int(sys.argv[2])
texts = json.load(sys.stdin)
pdfmetrics.registerFont(TTFont("Bare", font_path))
style = ParagraphStyle("bare", fontName="Bare", fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24)
pages = 0

def render():
    global pages
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, initialFontName="Bare")
    document.build([Paragraph(text, style) for text in texts])
    pages = document.page

render()
started = time.perf_counter()
for _ in range(repeats):
    render()
print((time.perf_counter() - started) / repeats / pages * 1000)
"""


def bare_render_ms_per_page(texts: list[str], repeats: int = 30) -> float:
    """Plain reportlab, defaults untouched, same font and text, in a fresh process: ms per page."""
    result = subprocess.run(
        [sys.executable, "-c", _BARE_SCRIPT, str(pdf_layout.FONT_PATH), str(repeats)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'bench.db'}")
        with database.transaction() as session:
            load_demo(session)
            # Every demo case gets an agreed amount so that all 645 have an agreement to render.
            session.execute(
                update(CaseRow)
                .where(CaseRow.agreed_amount.is_(None))  # type: ignore[union-attr]
                .values(agreed_amount=CaseRow.claimed_amount)
            )
            case_ids = list(session.scalars(select(CaseRow.id)))
        started = time.perf_counter()
        cpu_before = os.times()
        run = agreement_pdf.generate_agreements(
            database, case_ids=case_ids, out_dir=Path(folder) / "out", jobs=args.jobs
        )
        elapsed = time.perf_counter() - started
        cpu_after = os.times()  # the pool's workers have been joined: their CPU time is in children_*
        cpu = sum(
            getattr(cpu_after, f) - getattr(cpu_before, f)
            for f in ("user", "system", "children_user", "children_system")
        )
        with database.session() as session:
            sample = load_case_documents(session, case_ids=case_ids[:1], save=False)[0].data
        template = agreement_pdf.load_template(agreement_pdf.TEMPLATE)
        values, flags = agreement_pdf.template_values(sample)
        texts = [block.text for block in template.blocks(values, flags) if block.text]
        bare = bare_render_ms_per_page(texts)
        database.dispose()
    per_agreement_ms = elapsed / run.count * 1000 * args.jobs  # core-milliseconds per agreement
    print(f"agreements: {run.count}")
    print(f"jobs: {args.jobs}")
    print(f"time: {elapsed:.2f} s")
    print(f"pdfs_per_second: {run.count / elapsed:.1f}")
    # CPU seconds of parent and workers: on a machine shared with other jobs, the wall time above
    # includes waiting for a core; this does not.
    print(f"cpu_time: {cpu:.2f} s")
    print(f"bare_render_ms_per_page: {bare:.1f} ms")
    print(f"ratio_to_bare: {per_agreement_ms / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
