"""The case history in the user's words: old → new values, no raw codes, no personal numbers."""

from __future__ import annotations

from decimal import Decimal

from mediator.domain.workflow import CaseStatus
from mediator.i18n import set_language
from mediator.services.audit.history import describe_event
from mediator.services.cases.changes import update_case_fields
from mediator.services.cases.lists import case_detail
from mediator.store.database import Database
from mediator.store.tables import MediatorRow
from tests.services.cases.test_changes import _make_case


def test_an_edit_shows_old_and_new_values_with_numbers_masked(database: Database) -> None:
    with database.transaction() as session:
        case = _make_case(session, CaseStatus.MEDIATING, agreed_amount=Decimal("80000.00"))
        session.add(MediatorRow(name="陈晓燕"))
        session.flush()
        case_id = case.id
        assert case_id is not None
    wu, chen = 1, 2
    update_case_fields(
        database,
        case_id,
        {"agreed_amount": "75000", "investor_phone": "13912345678", "mediator_id": wu},
        actor="吴彧",
    )
    update_case_fields(database, case_id, {"mediator_id": chen}, actor="吴彧")
    history = case_detail(database, case_id).history
    assert history[0].text == "修改：调解员：吴彧 → 陈晓燕"
    text = history[1].text
    assert "调解金额：80,000.00 → 75,000.00" in text
    assert "调解员：（空） → 吴彧" in text
    assert "手机号：138****5678 → 139****5678" in text
    assert "13912345678" not in (history[1].detail or "")


def test_events_of_earlier_versions_read_in_the_users_words() -> None:
    assert describe_event("contact", "phone: reached") == "联系：电话 · 已接通"
    assert describe_event("transition", "referred → contacted") == "状态变更：已委派 → 已联系"
    assert (
        describe_event("transition", "mediating → failed (unreachable)：多次电话未接通")
        == "状态变更：调解中 → 调解不成（无法联系）：多次电话未接通"
    )
    assert describe_event("edit", "修改字段：agreed_amount, investor_phone") == (
        "修改：调解金额、手机号（修改前后的值未记录）"
    )


def test_history_follows_the_interface_language() -> None:
    from mediator.services.audit.history import change_detail

    set_language("en")
    try:
        assert describe_event("contact", "phone: reached") == "Contact: Phone · Answered"
        assert describe_event("transition", "referred → contacted") == "Status change: Referred → Contacted"
        edit = describe_event("edit", change_detail([("agreed_amount", Decimal("1000"), Decimal("1200"))]))
        assert edit == "Edit: Agreed: 1,000.00 → 1,200.00"
    finally:
        set_language("zh_CN")
