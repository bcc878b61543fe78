"""A court list naming a company the database has never seen, completed from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from mediator.domain.validators import make_uscc
from mediator.store.database import open_database
from mediator.store.tables import InvestorRow
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.fixtures.messy_lists import make_investors, write_xlsx

COMPANY = "紫金山新材料股份有限公司"
USCC = make_uscc("91320100MA1PJT88B")


def test_an_unknown_company_is_completed_then_its_agreements_are_drawn_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    # Style 1 carries a 调解金额 column: the cases arrive agreed, ready for their agreements.
    investors = make_investors(6, seed=3, agreed=True)
    court_list = write_xlsx(tmp_path / "第30批.xlsx", investors, company=COMPANY, batch=30, style=1)
    imported = run("--db", url, "import", str(court_list))
    assert imported.returncode == 0, imported.stderr

    refused = run("--db", url, "agreements", "--batch", "30", "--out", str(tmp_path / "out"))
    assert refused.returncode == EXIT_INPUT and "统一社会信用代码" in refused.stderr

    listed = run("--db", url, "company", "list", "--json")
    [company] = json.loads(listed.stdout)
    assert company["name"] == COMPANY and len(company["missing"]) == 3
    for key in ("uscc", "legal_representative", "address", "stock_code", "stock_name"):
        assert key in company

    bad = run("--db", url, "company", "set", COMPANY, "--uscc", USCC[:-1] + "#", "--address", "南京")
    assert_one_line_error(bad, EXIT_INPUT)
    assert json.loads(run("--db", url, "company", "list", "--json").stdout)[0]["address"] is None

    done = run(
        "--db", url, "company", "set", COMPANY, "--uscc", USCC, "--legal-rep", "赵紫金",
        "--address", "南京市栖霞区紫金山路8号", "--stock-code", "603999", "--stock-name", "紫金新材",
        "--implemented-on", "2022-04-28", "--disclosed-on", "2023-10-20",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(run("--db", url, "company", "list", "--json").stdout)[0]["missing"] == []

    assert run("--db", url, "mediator", "add", "周明", "--phone", "13905180000").returncode == 0
    mediators = json.loads(run("--db", url, "mediator", "list", "--json").stdout)
    assert mediators == [{"name": "周明", "phone": "13905180000", "active": True, "cases": 0}]

    # The company is complete; the investors' addresses and the mediator are still missing, and
    # the refusal names each case and what it lacks (one line, exit 2).
    incomplete = run("--db", url, "agreements", "--batch", "30", "--out", str(tmp_path / "out"))
    assert_one_line_error(incomplete, EXIT_INPUT, "6件案件资料不全", "缺投资者住址", "承办调解员")
    assert "统一社会信用代码" not in incomplete.stderr

    assigned = run("--db", url, "cases", "assign", "--batch", "30", "--mediator", "周明")
    assert assigned.returncode == 0, assigned.stderr
    database = open_database(url)
    with database.transaction() as session:  # what the case panel's investor fields would enter
        for investor in session.scalars(select(InvestorRow)):
            investor.address = investor.address or "南京市鼓楼区中山北路1号"
            investor.phone = investor.phone or "13905181234"
    database.dispose()

    made = run("--db", url, "agreements", "--batch", "30", "--out", str(tmp_path / "out"))
    assert made.returncode == 0, made.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 6


def test_dates_in_the_wrong_order_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    result = run(
        "--db",
        url,
        "company",
        "set",
        COMPANY,
        "--implemented-on",
        "2023-10-20",
        "--disclosed-on",
        "2022-01-01",
    )
    assert_one_line_error(result, EXIT_INPUT, "揭露日")
    assert json.loads(run("--db", url, "company", "list", "--json").stdout) == []


def test_an_empty_date_clears_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    dates = ("--implemented-on", "2021-04-28", "--disclosed-on", "2023-10-20")
    assert run("--db", url, "company", "set", COMPANY, *dates).returncode == 0
    assert run("--db", url, "company", "set", COMPANY, "--implemented-on", "").returncode == 0
    [company] = json.loads(run("--db", url, "company", "list", "--json").stdout)
    assert (company["implemented_on"], company["disclosed_on"]) == (None, "2023-10-20")
