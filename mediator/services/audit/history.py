"""The history of a case (and of the registries) in the user's words, old → new.

Writers record an edit as ``change_detail([(field, old, new), ...])``: a small JSON object with the
field keys and the values as text (ID and phone numbers masked, never in clear: the audit trail
holds no personal numbers). ``describe_event`` turns any event into one line in the interface
language when it is shown, so an English interface reads English history; events written by
earlier versions (``referred → contacted``, ``phone: reached``, ``修改字段：agreed_amount``) are
read the same way.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from mediator.domain import contacts
from mediator.domain.money import format_money
from mediator.domain.privacy import mask_id_number, mask_phone
from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.i18n import N_, _

# What happened, by the action key the writers use (msgids).
ACTION_LABELS: dict[str, str] = {
    "transition": N_("状态变更"),
    "edit": N_("修改"),
    "contact": N_("联系"),
    "payment": N_("付款"),
    "installments": N_("付款计划"),
    "show_personal_data": N_("查看个人信息"),
    "import": N_("导入"),
    "extend_term": N_("延长调解期限"),
    "company": N_("上市公司资料"),
    "mediator": N_("调解员资料"),
    "signing_package": N_("签署包"),
    "sms_list": N_("短信通知名单"),
    "calendar": N_("节假日日历"),
    "setting": N_("设置"),
    "restore": N_("恢复备份"),
    "loss": N_("损失测算"),
    "correct_date": N_("更正日期"),
    "agreements": N_("生成调解协议书"),
    "agreement_reissued": N_("重新出具调解协议书"),
    "batch_received": N_("签收委派"),
    "close_batch": N_("批次结案"),
    "offer": N_("调解报价"),
    "confirmation_applications": N_("司法确认申请书"),
    "court_requests": N_("民事调解书或撤诉申请书"),
    "return_letter": N_("退回函"),
    "court_report": N_("法院反馈表"),
}

# The fields an edit names, as the user knows them (msgids).
FIELD_LABELS: dict[str, str] = {
    "agreed_amount": N_("调解金额"),
    "claimed_amount": N_("诉请金额"),
    "mediator_id": N_("调解员"),
    "mediator": N_("调解员"),
    "investor_name": N_("投资者姓名"),
    "investor_id_number": N_("身份证号"),
    "investor_phone": N_("手机号"),
    "investor_address": N_("地址"),
    "investor_agent": N_("代理人"),
    "uscc": N_("统一社会信用代码"),
    "legal_representative": N_("法定代表人"),
    "address": N_("住所"),
    "stock_code": N_("股票代码"),
    "exchange": N_("交易所"),
    "stock_name": N_("股票简称"),
    "phone": N_("联系电话"),
    "counsel": N_("委托代理人"),
    "decision": N_("行政处罚决定"),
    "implemented_on": N_("实施日"),
    "disclosed_on": N_("揭露日"),
    "payment_method": N_("付款方式"),
    "active": N_("在岗"),
    "name": N_("名称"),
}
MONEY_FIELDS = frozenset({"agreed_amount", "claimed_amount"})
# Personal numbers: kept masked in the trail whatever the caller passes.
_MASKED: dict[str, Any] = {"investor_id_number": mask_id_number, "investor_phone": mask_phone}


def _text(field: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if field in _MASKED:
        return str(_MASKED[field](str(value)))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def change_detail(
    changes: Sequence[tuple[str, object, object]], *, subject: str | None = None, created: bool = False
) -> str:
    """The ``detail`` of an edit: each changed field with its old and new value, as text.

    ``subject`` names what was edited when the event has no case (a company, a mediator);
    ``created`` says the record is new.
    """
    rows = [[field, _text(field, old), _text(field, new)] for field, old, new in changes]
    data: dict[str, Any] = {"changes": rows}
    if subject:
        data["subject"] = subject
    if created:
        data["created"] = True
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _shown(field: str, value: str | None) -> str:
    if value is None:
        return _("（空）")
    if field in MONEY_FIELDS:
        try:
            return format_money(Decimal(value))
        except ArithmeticError:
            return value
    if field == "active":
        return _("在岗") if value == "1" else _("停用")
    return value


def _field(field: str) -> str:
    return _(FIELD_LABELS[field]) if field in FIELD_LABELS else field


def _changes_text(data: dict[str, Any]) -> str:
    parts = [
        _("{field}：{old} → {new}").format(
            field=_field(field), old=_shown(field, old), new=_shown(field, new)
        )
        for field, old, new in data.get("changes", [])
    ]
    text = "；".join(parts)
    if data.get("created"):
        text = _("新建") + ("　" + text if text else "")
    subject = data.get("subject")
    return f"{subject}　{text}" if subject and text else (subject or text)


def _status_name(code: str) -> str:
    code, _space, reason = code.strip().partition(" (")
    try:
        name = CaseStatus(code).label
    except ValueError:
        name = code
    if reason:
        reason = reason.rstrip(")")
        try:
            name += f"（{FailureReason(reason).label}）"
        except ValueError:
            name += f"（{reason}）"
    return name


def _transition_text(detail: str) -> str:
    """``referred → contacted`` as ``已委派 → 已联系``; a note after ``：`` stays as typed."""
    head, sep, rest = detail.partition("：")
    parts = head.split(" → ")
    if len(parts) == 2:
        head = " → ".join(_status_name(part) for part in parts)
    return head + (sep + rest if sep else "")


def _contact_text(detail: str) -> str:
    """``phone: reached`` as ``电话 · 已接通``."""
    channel, sep, outcome = detail.partition(": ")
    if not sep:
        return detail
    with contextlib.suppress(ValueError):
        channel = contacts.ContactChannel(channel).label
    with contextlib.suppress(ValueError):
        outcome = contacts.ContactOutcome(outcome).label
    return f"{channel} · {outcome}"


def _legacy_edit_text(detail: str) -> str:
    """``修改字段：agreed_amount, investor_phone`` (no values were kept then) as field labels."""
    for prefix in ("修改字段：", "Fields changed: "):
        if detail.startswith(prefix):
            names = [name.strip() for name in detail[len(prefix) :].replace("、", ",").split(",")]
            return _("{fields}（修改前后的值未记录）").format(fields="、".join(_field(n) for n in names if n))
    return detail


def _structured(detail: str) -> dict[str, Any] | None:
    if not detail.startswith("{"):
        return None
    try:
        data = json.loads(detail)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "changes" in data else None


def describe_detail(action: str, detail: str | None) -> str:
    """The event's detail in the user's words (without the action's label)."""
    if not detail:
        return ""
    data = _structured(detail)
    if data is not None:
        return _changes_text(data)
    if action == "transition":
        return _transition_text(detail)
    if action == "contact":
        return _contact_text(detail)
    if action in ("edit", "company"):
        head, sep, rest = detail.partition("：")
        if action == "company" and sep and not rest.startswith("修改字段"):
            return detail
        return (
            (head + "　" + _legacy_edit_text(rest))
            if action == "company" and sep
            else _legacy_edit_text(detail)
        )
    return detail


def describe_event(action: str, detail: str | None) -> str:
    """One line of history: what happened and how, e.g. ``修改：调解金额：80,000.00 → 75,000.00``."""
    label = _(ACTION_LABELS[action]) if action in ACTION_LABELS else action
    text = describe_detail(action, detail)
    return _("{action}：{detail}").format(action=label, detail=text) if text else label
