"""The document commands end to end: agreements, sign-package, signed-import, signing-status,
confirmation, confirmation-record and report, as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from mediator.domain.clock import china_today
from mediator.store.database import open_database
from tests.fixtures.document_factories import make_batch
from tests.fixtures.signing_helpers import make_ca, sign_all


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediator.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "MEDIATOR_USER": "测试员"},
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_signing_round_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    fixture = make_batch(database, names=("张䶮", "李堃"), case_type="民诉前调")  # ends in 司法确认
    database.dispose()

    agreements = run(
        "--db", url, "agreements", "--batch", "第15批", "--out", str(tmp_path / "a"), "--jobs", "2"
    )
    assert agreements.returncode == 0, agreements.stderr
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [f"{n}.pdf" for n in fixture.case_numbers]

    package = run("--db", url, "sign-package", "--batch", "15", "--out", str(tmp_path / "p"))
    assert package.returncode == 0, package.stderr
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text(encoding="utf-8"))
    assert [d["case"] for d in manifest["documents"]] == fixture.case_numbers

    pki = make_ca(tmp_path)
    back = tmp_path / "back"
    back.mkdir()
    signed = sign_all(
        (tmp_path / "p" / manifest["documents"][0]["file"]).read_bytes(),
        pki,
        {
            "investor": "张䶮",
            "company": "金陵智造科技股份有限公司",
            "mediator": "孙调解",
            "organisation": "江苏省证券业协会",
        },
    )
    (back / "signed.pdf").write_bytes(signed)
    imported = run("--db", url, "signed-import", str(back), "--trust-roots", str(pki.ca_pem), "--json")
    assert imported.returncode == 0, imported.stderr
    result = json.loads(imported.stdout)
    assert (result["accepted"], result["rejected"]) == (1, 0)
    assert result["documents"][0]["case_number"] == fixture.case_numbers[0]

    again = run("--db", url, "signed-import", str(back), "--trust-roots", str(pki.ca_pem), "--strict")
    assert again.returncode == 0 and "此前已登记" in again.stdout, again.stdout + again.stderr
    untrusted = run("--db", url, "signed-import", str(back), "--strict")
    assert untrusted.returncode == 1  # a rejected file: reported on stdout, no traceback anywhere
    assert "拒收" in untrusted.stdout and "不在受信任的根证书之下" in untrusted.stdout
    assert untrusted.stderr == ""

    status = run("--db", url, "signing-status", "--batch", "15", "--json")
    data = json.loads(status.stdout)
    assert (data["signed"], data["awaiting_signature"]) == (1, 1)
    assert data["turnaround_median_hours"] is not None and data["turnaround_max_hours"] >= 0

    # Signed today: the application is dated today (a day still to come is refused).
    today = china_today().isoformat()
    applied = run("--db", url, "confirmation-record", "--case", fixture.case_numbers[0], "--applied", today)
    assert applied.returncode == 0, applied.stderr
    assert "已申请司法确认" in applied.stdout and "申请司法确认的期限" in applied.stdout

    report = run(
        "--db",
        url,
        "report",
        "--batch",
        "15",
        "--out",
        str(tmp_path / "r.xlsx"),
        "--pdf",
        str(tmp_path / "r.pdf"),
    )
    assert report.returncode == 0, report.stderr
    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows(values_only=True))
    assert rows[4][0] == fixture.case_numbers[0] and rows[4][5] == "已申请司法确认"
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    make_batch(database, names=("王喆",), company_uscc=False)
    database.dispose()

    missing = one_line_error(run("--db", url, "agreements", "--batch", "15", "--out", str(tmp_path / "a")), 2)
    assert "（2025）苏01民初3100号" in missing and "统一社会信用代码" in missing
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())

    unknown = one_line_error(
        run("--db", url, "agreements", "--batch", "第99批", "--out", str(tmp_path / "a")), 2
    )
    assert "第99批" in unknown

    blocker = tmp_path / "file"
    blocker.write_text("x")
    folder = one_line_error(run("--db", url, "report", "--batch", "15", "--out", str(blocker / "r.xlsx")), 3)
    assert str(blocker) in folder

    empty = tmp_path / "empty"
    empty.mkdir()
    assert "没有PDF文件" in one_line_error(run("--db", url, "signed-import", str(empty)), 2)

    ruling = one_line_error(
        run(
            "--db", url, "confirmation-record", "--case", "（2025）苏01民初3100号", "--applied", "2025-13-01"
        ),
        2,
    )
    assert "--applied" in ruling


def test_agreement_refusals_and_reissue_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    fixture = make_batch(database, names=("张䶮", "李堃"), case_type="民诉前调")
    from mediator.store.tables import CaseRow

    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[1])
        assert case is not None
        case.mediator_id = None
    database.dispose()
    out = str(tmp_path / "a")

    refused = one_line_error(run("--db", url, "agreements", "--batch", "15", "--out", out), 2)
    assert "1件案件资料不全" in refused and "（2025）苏01民诉前调3101号缺承办调解员" in refused
    assert not (tmp_path / "a").exists() or list((tmp_path / "a").glob("*.pdf")) == []
    assert "--reissue" in one_line_error(run("--db", url, "agreements", "--out", out), 2)

    no_reason = run("--db", url, "agreements", "--reissue", fixture.case_numbers[0], "--out", out)
    assert "须说明理由" in one_line_error(no_reason, 2)
    never_issued = run(
        "--db", url, "agreements", "--reissue", fixture.case_numbers[0], "--reason", "更正", "--out", out
    )
    assert "尚未出具调解协议书" in one_line_error(never_issued, 2)
    court = run("--db", url, "court-request", "--batch", "15", "--out", str(tmp_path / "c"))
    assert "没有已签署的立案后委托调解" in one_line_error(court, 2)
