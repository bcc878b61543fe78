"""The case workflow: every status, every allowed step, in one place.

referred → contacted → mediating → agreed → signed → confirmation_applied → confirmed
→ partially_paid → paid; any status before signed may fail (with a reason) and a failed case
is returned to the court (退回法院) to be tried.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import NoReturn

from mediator.errors import TransitionError
from mediator.i18n import N_, _


class CaseStatus(StrEnum):
    REFERRED = "referred"
    CONTACTED = "contacted"
    MEDIATING = "mediating"
    AGREED = "agreed"
    SIGNED = "signed"
    CONFIRMATION_APPLIED = "confirmation_applied"
    CONFIRMED = "confirmed"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    FAILED = "failed"
    RETURNED_TO_COURT = "returned_to_court"

    @property
    def label(self) -> str:
        return _(STATUS_LABELS[self])


class FailureReason(StrEnum):
    UNREACHABLE = "unreachable"
    INVESTOR_DECLINED = "investor_declined"
    COMPANY_DECLINED = "company_declined"
    WITHDRAWN = "withdrawn"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(FAILURE_REASON_LABELS[self])


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.REFERRED: N_("已委派"),
    CaseStatus.CONTACTED: N_("已联系"),
    CaseStatus.MEDIATING: N_("调解中"),
    CaseStatus.AGREED: N_("已达成"),
    CaseStatus.SIGNED: N_("已签署"),
    CaseStatus.CONFIRMATION_APPLIED: N_("已申请司法确认"),
    CaseStatus.CONFIRMED: N_("已司法确认"),
    CaseStatus.PARTIALLY_PAID: N_("部分履行"),
    CaseStatus.PAID: N_("履行完毕"),
    CaseStatus.FAILED: N_("调解不成"),
    CaseStatus.RETURNED_TO_COURT: N_("已退回法院"),
}

FAILURE_REASON_LABELS: dict[FailureReason, str] = {
    FailureReason.UNREACHABLE: N_("无法联系"),
    FailureReason.INVESTOR_DECLINED: N_("投资者不同意"),
    FailureReason.COMPANY_DECLINED: N_("上市公司不同意"),
    FailureReason.WITHDRAWN: N_("撤回"),
    FailureReason.OTHER: N_("其他"),
}

# The order a case normally moves in; reports and charts list statuses in this order.
STATUS_ORDER: tuple[CaseStatus, ...] = tuple(CaseStatus)

_MAIN_LINE: tuple[CaseStatus, ...] = (
    CaseStatus.REFERRED,
    CaseStatus.CONTACTED,
    CaseStatus.MEDIATING,
    CaseStatus.AGREED,
    CaseStatus.SIGNED,
    CaseStatus.CONFIRMATION_APPLIED,
    CaseStatus.CONFIRMED,
    CaseStatus.PARTIALLY_PAID,
    CaseStatus.PAID,
)

# Before signing nothing binds the parties yet, so mediation may still fail.
CAN_FAIL: frozenset[CaseStatus] = frozenset(
    {CaseStatus.REFERRED, CaseStatus.CONTACTED, CaseStatus.MEDIATING, CaseStatus.AGREED}
)

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {status: frozenset() for status in CaseStatus}
for _here, _next in pairwise(_MAIN_LINE):
    TRANSITIONS[_here] = TRANSITIONS[_here] | {_next}
for _here in CAN_FAIL:
    TRANSITIONS[_here] = TRANSITIONS[_here] | {CaseStatus.FAILED}
# A confirmed agreement paid in one sum skips partially_paid.
TRANSITIONS[CaseStatus.CONFIRMED] |= {CaseStatus.PAID}
TRANSITIONS[CaseStatus.FAILED] = frozenset({CaseStatus.RETURNED_TO_COURT})
del _here, _next

TERMINAL: frozenset[CaseStatus] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# Which case date column records the day a case entered each status.
STEP_DATE_FIELD: dict[CaseStatus, str] = {
    CaseStatus.REFERRED: "referred_on",
    CaseStatus.CONTACTED: "contacted_on",
    CaseStatus.MEDIATING: "mediating_on",
    CaseStatus.AGREED: "agreed_on",
    CaseStatus.SIGNED: "signed_on",
    CaseStatus.CONFIRMATION_APPLIED: "confirmation_applied_on",
    CaseStatus.CONFIRMED: "confirmed_on",
    CaseStatus.PARTIALLY_PAID: "partially_paid_on",
    CaseStatus.PAID: "paid_on",
    CaseStatus.FAILED: "failed_on",
    CaseStatus.RETURNED_TO_COURT: "returned_on",
}


def allowed_transitions(status: CaseStatus | str) -> list[CaseStatus]:
    """The statuses a case may move to next, in workflow order (the GUI shows one button each)."""
    targets = TRANSITIONS[CaseStatus(status)]
    return [s for s in STATUS_ORDER if s in targets]


def check_transition(
    current: CaseStatus | str,
    target: CaseStatus | str,
    *,
    failure_reason: FailureReason | str | None = None,
    agreed_amount_set: bool = True,
) -> None:
    """Raise ``TransitionError`` with a sentence a mediator understands if the step is not allowed."""
    current, target = CaseStatus(current), CaseStatus(target)
    if target not in TRANSITIONS[current]:
        if current in TERMINAL:
            message = _("案件已处于“{current}”状态，不能再变更为“{target}”。")
        elif target is CaseStatus.FAILED:
            message = _("案件已签署调解协议（当前“{current}”），不能再标记为“{target}”。")
        else:
            allowed = "、".join(f"“{s.label}”" for s in allowed_transitions(current))
            message = _("案件当前为“{current}”，不能直接变更为“{target}”；可以变更为：{allowed}。")
            _raise(message.format(current=current.label, target=target.label, allowed=allowed))
        _raise(message.format(current=current.label, target=target.label))
    if target is CaseStatus.FAILED:
        if failure_reason is None:
            _raise(_("标记“调解不成”时必须选择原因。"))
        try:
            FailureReason(failure_reason)
        except ValueError:
            _raise(_("未知的调解不成原因：{reason}。").format(reason=failure_reason))
    if target is CaseStatus.AGREED and not agreed_amount_set:
        _raise(_("请先填写调解金额，再将案件标记为“已达成”。"))


def parse_status(text: CaseStatus | str) -> CaseStatus:
    """A status as the user typed it: the Chinese label the app shows (已联系), its English label,
    or the key of ``stats --json`` (contacted). ``TransitionError`` lists the valid ones."""
    if isinstance(text, CaseStatus):
        return text
    cleaned = "".join(str(text).split())
    for status in CaseStatus:
        if cleaned.lower() in (status.value, STATUS_LABELS[status], status.label.lower()):
            return status
    choices = "、".join(f"{s.label}（{s.value}）" for s in STATUS_ORDER)
    _raise(_("未知的案件状态：{status}；可用：{choices}。").format(status=text, choices=choices))


def parse_failure_reason(text: FailureReason | str) -> FailureReason:
    """A failure reason as typed: its label (无法联系) or key (unreachable)."""
    if isinstance(text, FailureReason):
        return text
    cleaned = "".join(str(text).split())
    for reason in FailureReason:
        if cleaned.lower() in (reason.value, FAILURE_REASON_LABELS[reason], reason.label.lower()):
            return reason
    choices = "、".join(f"{r.label}（{r.value}）" for r in FailureReason)
    _raise(_("未知的调解不成原因：{reason}；可用：{choices}。").format(reason=text, choices=choices))


def check_step_date(on: date, *, previous: date | None, today: date) -> None:
    """A step's date must be a day that has come (not after ``today``) and not before the case's
    previous step: ``TransitionError`` in the user's words otherwise."""
    if on > today:
        _raise(
            _("日期{on}晚于今天（{today}），不能登记尚未发生的步骤。").format(
                on=on.isoformat(), today=today.isoformat()
            )
        )
    if previous is not None and on < previous:
        _raise(
            _("日期{on}早于案件上一步的日期{previous}，请核对。").format(
                on=on.isoformat(), previous=previous.isoformat()
            )
        )


def _raise(message: str) -> NoReturn:
    raise TransitionError(message)
