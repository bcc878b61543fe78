"""Every change leaves its event in the audit chain, written in the change's own transaction: a walk
through the write entry points on a fresh database, each followed by a look at the chain, and
`audit verify` intact at the end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mediator.domain.clock import china_today
from mediator.errors import UserError
from mediator.services.audit import chain
from mediator.services.audit.history import ACTION_LABELS
from mediator.services.calendar import remove_calendar_override, set_calendar_override
from mediator.services.cases.bulk import assign_mediator, move_cases
from mediator.services.cases.changes import change_status, extend_mediation_term, update_case_fields
from mediator.services.cases.closeout import close_batch
from mediator.services.cases.corrections import correct_step_date
from mediator.services.cases.receipt import record_receipt
from mediator.services.cases.settlement import complete_payment
from mediator.services.contacts.attempts import log_contacts, set_unreachable_rule
from mediator.services.contacts.sms import export_sms_list
from mediator.services.documents.agreement import generate_agreements
from mediator.services.documents.confirmation import record_confirmation
from mediator.services.documents.court_report import write_court_report
from mediator.services.documents.kinds import DocumentRequest, kind
from mediator.services.documents.reissue import reissue_agreement
from mediator.services.documents.return_letter import write_return_letter
from mediator.services.documents.signing import import_signed, write_sign_package
from mediator.services.parties.companies import set_company
from mediator.services.parties.mediators import add_mediator, set_mediator_active
from mediator.services.payments.imports import import_payments
from mediator.services.payments.ledger import add_payment, set_installments
from mediator.services.payments.offers import import_offers
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow
from tests.fixtures.document_factories import COMPANY_NAME, make_batch
from tests.fixtures.payment_lists import write_csv
from tests.fixtures.signing_helpers import make_ca, sign_all

ACTOR = "周"
TODAY = china_today()
NAMES = ("张䶮", "李堃", "王喆")


def _actions(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(AuditEventRow.action).order_by(AuditEventRow.seq)))


def _count(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def test_every_write_entry_point_leaves_a_chained_event(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=NAMES, case_type="民诉前调", status="mediating")
    first, second, third = fixture.case_numbers
    out = tmp_path / "out"
    pki = make_ca(tmp_path)
    signed_folder = tmp_path / "signed"
    signed_folder.mkdir()

    def sign_first() -> object:
        package = write_sign_package(database, 15, tmp_path / "package2", jobs=1, actor=ACTOR)
        entry = next(e for e in package.entries if e.case == first)
        signed = sign_all(
            (tmp_path / "package2" / entry.file).read_bytes(),
            pki,
            {
                "investor": NAMES[0],
                "company": COMPANY_NAME,
                "mediator": "钱调解",
                "organisation": "江苏省证券业协会",
            },
        )
        (signed_folder / "a.pdf").write_bytes(signed)
        return import_signed(database, signed_folder, trust_roots=pki.ca_pem, actor=ACTOR)

    def pay_by_list() -> object:
        path = tmp_path / "payments.csv"
        write_csv(
            path, ["案号", "付款金额", "付款日期", "流水号"], [[first, "100.00", TODAY.isoformat(), "LS001"]]
        )
        result = import_payments(database, path, actor=ACTOR)
        assert result.written, result.errors
        return result

    def offers_by_list() -> object:
        path = write_csv(tmp_path / "offers.csv", ["案号", "和解金额"], [[second, "8,000.00"]])
        result = import_offers(database, path, actor=ACTOR)
        assert result.written, result.errors
        return result

    steps: list[tuple[str, Callable[[], object]]] = [
        (
            "company set",
            lambda: set_company(database, COMPANY_NAME, actor=ACTOR, counsel="江苏金石律师事务所 孙律师"),
        ),
        ("mediator add", lambda: add_mediator(database, "钱调解", phone="13900002222", actor=ACTOR)),
        ("cases assign", lambda: assign_mediator(database, "钱调解", actor=ACTOR, batch=15)),
        ("batch receipt", lambda: record_receipt(database, 15, date(2025, 3, 4), actor=ACTOR)),
        ("extend-term", lambda: extend_mediation_term(database, 15, 10, "投资者在外地", actor=ACTOR)),
        (
            "calendar set",
            lambda: set_calendar_override(database, date(2025, 10, 11), True, "调休", actor=ACTOR),
        ),
        ("calendar unset", lambda: remove_calendar_override(database, date(2025, 10, 11), actor=ACTOR)),
        ("mediator deactivate", lambda: set_mediator_active(database, "孙调解", active=False, actor=ACTOR)),
        ("contact rule", lambda: set_unreachable_rule(database, attempts=4, days=20, actor=ACTOR)),
        ("contact log", lambda: log_contacts(database, [third], outcome="未接听", actor=ACTOR)),
        ("contact sms-list", lambda: export_sms_list(database, 15, tmp_path / "sms.xlsx", actor=ACTOR)),
        (
            "case edit",
            lambda: update_case_fields(
                database, fixture.case_ids[0], {"investor_address": "南京市玄武区北京东路2号"}, actor=ACTOR
            ),
        ),
        ("offers import", offers_by_list),
        ("cases move", lambda: move_cases(database, "agreed", actor=ACTOR, batch=15)),
        ("agreements", lambda: generate_agreements(database, batch=15, out_dir=out, jobs=1, actor=ACTOR)),
        (
            "agreements --reissue",
            lambda: reissue_agreement(database, first, reason="地址更正", out_dir=out, actor=ACTOR),
        ),
        ("sign-package", lambda: write_sign_package(database, 15, tmp_path / "package", jobs=1, actor=ACTOR)),
        ("signed-import", sign_first),
        (
            "confirmation",
            lambda: kind("confirmation").run(database, DocumentRequest(batch=15, out=out, actor=ACTOR)),
        ),
        (
            "confirmation-record",
            lambda: record_confirmation(database, first, applied=TODAY, actor=ACTOR),
        ),
        (
            "correct-date",
            lambda: correct_step_date(
                database,
                first,
                step="agreed",
                on=TODAY - timedelta(days=1),
                reason="录入有误",
                actor=ACTOR,
            ),
        ),
        (
            "confirmation-record --ruling",
            lambda: record_confirmation(
                database,
                first,
                ruling="（2025）苏01民特101号",
                ruling_date=TODAY,
                actor=ACTOR,
            ),
        ),
        (
            "installments",
            lambda: set_installments(
                database, fixture.case_ids[0], [(TODAY + timedelta(days=30), fixture.agreed[0])], actor=ACTOR
            ),
        ),
        ("payments add", lambda: add_payment(database, first, "50.00", TODAY, actor=ACTOR)),
        ("payments import", pay_by_list),
        (
            "payments complete",
            lambda: complete_payment(
                database, fixture.case_ids[0], actor=ACTOR, waiver="公司已书面说明余款由他人代付"
            ),
        ),
        (
            "cases move --failure-reason",
            lambda: move_cases(
                database,
                "failed",
                actor=ACTOR,
                batch=15,
                case_numbers=[second, third],
                failure_reason="unreachable",
            ),
        ),
        ("return letter", lambda: write_return_letter(database, 15, out, actor=ACTOR)),
        ("report", lambda: write_court_report(database, 15, tmp_path / "report.xlsx", actor=ACTOR)),
        ("batch close", lambda: close_batch(database, 15, on=TODAY, actor=ACTOR)),
    ]
    silent: list[str] = []
    for name, step in steps:
        before = _count(database)
        step()
        if _count(database) <= before:
            silent.append(name)
    assert silent == []
    report = chain.verify(database)
    assert report.intact and report.events == _count(database)
    # Every action recorded has its label in the history.
    assert set(_actions(database)) <= set(ACTION_LABELS)


def test_a_change_status_event_is_chained(database: Database) -> None:
    fixture = make_batch(database, names=NAMES[:1])
    change_status(database, fixture.case_ids[0], "failed", actor=ACTOR, failure_reason="withdrawn")
    assert _actions(database)[-1:] == ["transition"]
    assert chain.verify(database).broken is None


def test_a_refused_change_leaves_no_event(database: Database) -> None:
    fixture = make_batch(database, names=NAMES[:1])
    before = _count(database)
    with pytest.raises(UserError, match="司法确认后才能登记履行款项"):
        add_payment(database, fixture.case_numbers[0], "0.01", date(2025, 6, 1), actor=ACTOR)
    assert _count(database) == before
