"""Issue 10's "done when" from the command line: a batch imported without amounts is contacted, moved
to 调解中, given the company's offers with installments, agreed, signed, confirmed and paid in part
and in full, then closed — every step a real `mediator` process checked by its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

from mediator.domain.clock import china_today
from mediator.domain.validators import make_uscc
from tests.fixtures.messy_lists import make_investors, with_changes, write_xlsx
from tests.fixtures.payment_lists import write_csv as write_payment_csv
from tests.fixtures.payment_lists import write_xlsx as write_offers_xlsx
from tests.fixtures.signing_helpers import make_ca, sign_all

COMPANY = "栖霞山精密仪器股份有限公司"
USCC = make_uscc("91320100MA1QXY12C")
MEDIATOR = "孙调解"
ORGANISATION = "江苏省证券业协会"
EXIT_FILE_ERRORS, EXIT_INPUT = 1, 2


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediator.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        env={**os.environ, "MEDIATOR_USER": "测试员"},
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    text = result.stderr + result.stdout
    for needle in needles:
        assert needle in text, text
    return text


def _court_list(tmp_path: Path) -> list[str]:
    """Three investors, 民诉前调 (pre-filing, ending in judicial confirmation), no amounts agreed,
    each with an address and a mobile number; typed messily by the generator."""
    investors = [
        with_changes(
            e,
            case_number=f"（2025）苏01民诉前调{123 + i}号",
            phone=f"1390000{1001 + i:04d}",
            address=f"江苏省南京市栖霞区仙林大道{10 + i}号",
            agent=None,
            claimed_amount=Decimal("20000.00") + i * 1000,
        )
        for i, e in enumerate(make_investors(3, seed=23))
    ]
    path = write_xlsx(tmp_path / "第15批.xlsx", investors, style=3, company=COMPANY)
    return [str(path), *(e.case_number for e in investors), *(e.name for e in investors)]


def test_a_batch_goes_from_contact_to_payment_and_close_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    db = ("--db", url)
    today = china_today()  # Nanjing's day, as the app's
    listing, *rest = _court_list(tmp_path)
    numbers, names = rest[:3], rest[3:]

    # The company and the mediator, registered with every particular the agreement prints.
    ok(
        run(
            *db, "company", "set", COMPANY, "--uscc", USCC, "--legal-rep", "周法人",
            "--address", "南京市栖霞区仙林大道100号", "--stock-code", "688123", "--stock-name", "栖霞精仪",
            "--phone", "025-85550000",
        )
    )  # fmt: skip
    ok(run(*db, "mediator", "add", MEDIATOR, "--phone", "13900002222"))

    # The court's list, without any amount agreed.
    imported = json.loads(ok(run(*db, "import", listing, "--json")))
    assert (imported["imported"], imported["errors"]) == (3, []), imported
    ok(run(*db, "cases", "assign", "--batch", "15", "--mediator", MEDIATOR))

    # The SMS round: a list for the gateway, recorded as sent.
    sms = tmp_path / "短信.xlsx"
    out = ok(run(*db, "contact", "sms-list", "--batch", "第15批", "--out", str(sms), "--date", "2025-03-10"))
    assert "3 条" in out
    rows = CalamineWorkbook.from_path(str(sms)).get_sheet_by_index(0).to_python()
    assert len(rows) == 4 and all("13900001" in "".join(map(str, row)) for row in rows[1:])

    # Call-backs: one unknown 案号 and nothing is recorded; then every investor agrees.
    refused(
        run(*db, "contact", "log", numbers[0], "（2025）苏01民诉前调999号", "--outcome", "同意调解"),
        EXIT_INPUT,
        "（2025）苏01民诉前调999号",
    )
    assert "已接通" in ok(run(*db, "contact", "log", numbers[0], "--outcome", "已接通", "--note", "约面谈"))
    assert "3 件" in ok(run(*db, "contact", "log", *numbers, "--outcome", "同意调解"))
    reach = json.loads(ok(run(*db, "contact", "reach", "--batch", "15", "--json")))
    assert reach["by_batch"][0]["rate"] == "100.0"

    ok(run(*db, "cases", "move", "--batch", "15", "--to", "调解中"))

    # The company's offers: an unknown 案号 refuses the whole list, then the real list with a plan.
    first, second = today + timedelta(days=3), today + timedelta(days=40)
    headers = ["案号", "调解金额", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"]
    offers_rows: list[list[object]] = [
        [numbers[0].replace("（", "(").replace("）", ")"), "１０，０００元", first.isoformat(), "￥4,000",
         f"{second.year}年{second.month}月{second.day}日", "6000.00"],
        [numbers[1], "9000", None, None, None, None],
        [numbers[2], "8,000.00元", first, "8000", None, None],
    ]  # fmt: skip
    bad = write_offers_xlsx(
        tmp_path / "报价-错.xlsx", headers, [*offers_rows, ["（2025）苏01民诉前调999号", "100"]]
    )
    problems = refused(run(*db, "offers", "import", str(bad)), EXIT_FILE_ERRORS, "未写入任何数据")
    assert any(line.split()[:3] == ["报价-错.xlsx", "5", "案号"] for line in problems.splitlines()), problems
    offers = write_offers_xlsx(tmp_path / "报价.xlsx", headers, offers_rows, title="调解报价")
    result = json.loads(ok(run(*db, "offers", "import", str(offers), "--json")))
    assert [c["agreed_amount"] for c in result["cases"]] == ["10000.00", "9000.00", "8000.00"]

    # Agreed, agreements printed with the plan, signed by the four parties, imported.
    ok(run(*db, "cases", "move", "--batch", "15", "--to", "已达成"))
    agreements = tmp_path / "agreements"
    ok(run(*db, "agreements", "--batch", "15", "--out", str(agreements)))
    package = tmp_path / "package"
    ok(run(*db, "sign-package", "--batch", "15", "--out", str(package)))
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    pki = make_ca(tmp_path)
    back = tmp_path / "back"
    back.mkdir()
    for document, name in zip(manifest["documents"], names, strict=True):
        signed = sign_all(
            (package / document["file"]).read_bytes(),
            pki,
            {"investor": name, "company": COMPANY, "mediator": MEDIATOR, "organisation": ORGANISATION},
        )
        (back / document["file"]).write_bytes(signed)
    signed_import = json.loads(
        ok(run(*db, "signed-import", str(back), "--trust-roots", str(pki.ca_pem), "--json"))
    )
    assert (signed_import["accepted"], signed_import["rejected"]) == (3, 0)

    # The JC papers for the signed cases of this pre-filing batch: one application each.
    papers = tmp_path / "papers"
    ok(run(*db, "confirmation", "--batch", "15", "--out", str(papers)))
    applications = sorted(papers.glob("*.pdf"))
    assert len(applications) == 3, applications
    text = subprocess.run(
        ["pdftotext", "-layout", str(applications[0]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "司法确认" in text and COMPANY in text

    # Judicial confirmation: applied and ruled.
    ok(run(*db, "confirmation-record", "--batch", "15", "--applied", today.isoformat()))
    for i, number in enumerate(numbers):
        ruled = run(
            *db, "confirmation-record", "--case", number, "--ruling", f"（2025）苏01民特{88 + i}号",
            "--ruling-date", today.isoformat(),
        )  # fmt: skip
        ok(ruled)

    # Payments: a part by hand, the refusals, then the rest from the bank's list.
    on = today.isoformat()
    partial = json.loads(
        ok(run(*db, "payments", "add", numbers[0], "--amount", "4000", "--on", on, "--ref", "B1", "--json"))
    )
    assert (partial["outstanding"], partial["status"]) == ("6000.00", "partially_paid"), partial
    refused(
        run(*db, "payments", "add", numbers[0], "--amount", "1", "--on", today.isoformat(), "--ref", "B1"),
        EXIT_INPUT,
        "B1",
    )
    refused(
        run(*db, "payments", "add", numbers[0], "--amount", "6000.01", "--on", today.isoformat()), EXIT_INPUT
    )
    due = json.loads(ok(run(*db, "due", "--days", "60", "--json")))
    installments = [(e["case_no"], e["days_left"]) for e in due if e["kind"] == "installment"]
    # The first installment of the first case is paid; a day on a rest day moves to the next working day.
    assert [number for number, _days in installments] == [numbers[2], numbers[0]], due
    assert 3 <= installments[0][1] <= 10 and 40 <= installments[1][1] <= 47, due

    payments_headers = ["案号", "付款金额", "付款日期", "流水号"]
    bank_rows = [
        [numbers[0], "6,000.00元", today.isoformat(), "B2"],
        [numbers[1], "９０００", today.isoformat(), "B3"],
        [numbers[2], "8000", today.isoformat(), "B4"],
    ]
    too_much = write_payment_csv(
        tmp_path / "流水-错.csv", payments_headers, [*bank_rows[:2], [numbers[2], "8000.01", today, "B4"]]
    )
    problems = refused(run(*db, "payments", "import", str(too_much)), EXIT_FILE_ERRORS, "未登记任何付款")
    assert any(line.split()[:2] == ["流水-错.csv", "4"] for line in problems.splitlines()), problems
    # The list refused, nothing booked: the batch cannot close yet.
    refused(run(*db, "batch", "close", "15"), EXIT_INPUT, "3 件")
    bank = write_payment_csv(tmp_path / "流水.csv", payments_headers, bank_rows)
    ok(run(*db, "payments", "import", str(bank)))

    status = json.loads(ok(run(*db, "payments", "status", "--json")))
    assert json.dumps(status, ensure_ascii=False).count("27000.00") >= 1, status
    stats = json.loads(ok(run(*db, "stats", "--json")))
    assert stats["by_status"]["paid"] == 3 and stats["paid_total"] == "27000.00", stats
    assert [e for e in json.loads(ok(run(*db, "due", "--json"))) if e["case_no"] in numbers] == []

    # The report to the court: every case with its agreement, ruling and what was paid.
    report = tmp_path / "回报.xlsx"
    ok(run(*db, "report", "--batch", "15", "--out", str(report), "--pdf", str(tmp_path / "回报.pdf")))
    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    cells = " ".join(str(cell) for row in sheet for cell in row)
    assert all(number in cells for number in numbers) and "民特" in cells, cells[:500]
    assert (tmp_path / "回报.pdf").stat().st_size > 0

    closed = ok(run(*db, "batch", "close", "15", "--on", today.isoformat()))
    assert "第15批" in closed
    refused(run(*db, "batch", "close", "15"), EXIT_INPUT)
