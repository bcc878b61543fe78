"""Reaching the investors: contact channels, outcomes and their labels (the one home for them), which
outcomes count as reaching the investor, and when an unreachable case is proposed for failure.

The contact round of a batch (the 12386 hotline's practice): an SMS notice to every investor, then
phone call-backs until each is reached. An investor not reached after ``attempts`` call-backs over
at least ``days`` days is proposed, never forced, for failure with the reason 无法联系.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mediator.errors import ValidationError
from mediator.i18n import N_, _


class ContactChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    WECHAT = "wechat"
    VISIT = "visit"
    MAIL = "mail"

    @property
    def label(self) -> str:
        return _(CHANNEL_LABELS[self])


class ContactOutcome(StrEnum):
    REACHED = "reached"  # 已接通
    NO_ANSWER = "no_answer"  # 未接听
    WRONG_NUMBER = "wrong_number"  # 号码错误
    REFUSED = "refused"  # 拒绝调解
    AGREED = "agreed"  # 同意调解
    MESSAGE_LEFT = "message_left"  # 已留言
    SENT = "sent"  # the batch's SMS notice went out (not an answer)

    @property
    def label(self) -> str:
        return _(OUTCOME_LABELS[self])

    @property
    def reached(self) -> bool:
        """Whether the investor was reached (answered, whatever they said)."""
        return self in REACHED_OUTCOMES


CHANNEL_LABELS: dict[ContactChannel, str] = {
    ContactChannel.PHONE: N_("电话"),
    ContactChannel.SMS: N_("短信"),
    ContactChannel.WECHAT: N_("微信"),
    ContactChannel.VISIT: N_("面谈"),
    ContactChannel.MAIL: N_("邮寄"),
}

OUTCOME_LABELS: dict[ContactOutcome, str] = {
    ContactOutcome.REACHED: N_("已接通"),
    ContactOutcome.NO_ANSWER: N_("未接听"),
    ContactOutcome.WRONG_NUMBER: N_("号码错误"),
    ContactOutcome.REFUSED: N_("拒绝调解"),
    ContactOutcome.AGREED: N_("同意调解"),
    ContactOutcome.MESSAGE_LEFT: N_("已留言"),
    ContactOutcome.SENT: N_("短信已发送"),
}

# An answer, whatever its content: the investor knows of the mediation.
REACHED_OUTCOMES: frozenset[ContactOutcome] = frozenset(
    {ContactOutcome.REACHED, ContactOutcome.REFUSED, ContactOutcome.AGREED}
)
# What a mediator records by hand, in the order the contact dialog offers them ("sent" is written
# by the SMS round only).
LOGGED_OUTCOMES: tuple[ContactOutcome, ...] = (
    ContactOutcome.REACHED,
    ContactOutcome.NO_ANSWER,
    ContactOutcome.WRONG_NUMBER,
    ContactOutcome.REFUSED,
    ContactOutcome.AGREED,
    ContactOutcome.MESSAGE_LEFT,
)

# Defaults of the team settings (contact_unreachable_attempts / contact_unreachable_days).
DEFAULT_UNREACHABLE_ATTEMPTS = 3
DEFAULT_UNREACHABLE_DAYS = 7


def _key(text: str) -> str:
    return "".join(str(text).split()).lower().replace("-", "_")


def parse_outcome(text: str | ContactOutcome) -> ContactOutcome:
    """An outcome as typed: the English key (no_answer) or its label, in Chinese (未接听) or in the
    interface language."""
    if isinstance(text, ContactOutcome):
        return text
    key = _key(text)
    for outcome in ContactOutcome:
        if key in (outcome.value, _key(OUTCOME_LABELS[outcome]), _key(outcome.label)):
            return outcome
    choices = "、".join(f"{_(OUTCOME_LABELS[o])}（{o.value}）" for o in LOGGED_OUTCOMES)
    raise ValidationError(
        _("未知的联系结果：{value}（可选：{choices}）。").format(value=text, choices=choices),
        field="outcome",
        value=text,
    )


def parse_channel(text: str | ContactChannel) -> ContactChannel:
    """A channel as typed: the English key (phone) or its label (电话)."""
    if isinstance(text, ContactChannel):
        return text
    key = _key(text)
    for channel in ContactChannel:
        if key in (channel.value, _key(CHANNEL_LABELS[channel]), _key(channel.label)):
            return channel
    choices = "、".join(f"{_(CHANNEL_LABELS[c])}（{c.value}）" for c in ContactChannel)
    raise ValidationError(
        _("未知的联系方式：{value}（可选：{choices}）。").format(value=text, choices=choices),
        field="channel",
        value=text,
    )


@dataclass(frozen=True)
class UnreachableRule:
    """No reach after ``attempts`` call-backs over at least ``days`` days: propose failure (无法联系)."""

    attempts: int = DEFAULT_UNREACHABLE_ATTEMPTS
    days: int = DEFAULT_UNREACHABLE_DAYS

    def __post_init__(self) -> None:
        if not 1 <= self.attempts <= 100:
            raise ValidationError(
                _("联系次数应在1到100之间：{value}。").format(value=self.attempts), field="attempts"
            )
        if not 0 <= self.days <= 365:
            raise ValidationError(_("天数应在0到365之间：{value}。").format(value=self.days), field="days")

    def proposes_failure(self, attempts: Iterable[tuple[date, ContactOutcome]], today: date) -> bool:
        """Whether a case with these attempts (day, outcome) is to be proposed for failure: nobody
        answered, at least ``attempts`` call-backs (the SMS notice is not one), the first of them
        ``days`` days ago or more."""
        tries: list[date] = []
        for day, outcome in attempts:
            if outcome.reached:
                return False
            if outcome is not ContactOutcome.SENT:
                tries.append(day)
        return len(tries) >= self.attempts and (today - min(tries)).days >= self.days
