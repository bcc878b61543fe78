"""Contact attempts: one case at a time (the case panel, ``mediator contact log CASE_NO``) or many
cases at once (``mediator contact log A B C``, a call-back round), all or nothing.

Entry points take a ``Database`` and run in one transaction of their own: ``record_contact_attempt``,
``log_contacts`` (by 案号), ``unreachable_rule_setting``, ``set_unreachable_rule``. The case
table's 批量处理 composes ``log_contact`` in ``services.cases.bulk``. ``log_contact`` and
``unreachable_rule`` are steps for services that compose them in their own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.clock import china_day
from mediator.domain.contacts import (
    ContactChannel,
    ContactOutcome,
    UnreachableRule,
    parse_channel,
    parse_outcome,
)
from mediator.domain.validators import canonical_case_number
from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, TransitionError, UserError, ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import CaseState, get_case, transition_case
from mediator.store.database import Database
from mediator.store.tables import CaseRow, ContactAttemptRow, MediatorRow, SettingRow

log = logging.getLogger("mediator.contacts")

ATTEMPTS_SETTING = "contact_unreachable_attempts"
DAYS_SETTING = "contact_unreachable_days"
NOTE_LIMIT = 500


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    text = " ".join(str(note).split())
    if len(text) > NOTE_LIMIT:
        raise ValidationError(_("内容过长（最多{limit}个字）。").format(limit=NOTE_LIMIT), field="note")
    return text or None


def log_contact(
    session: Session,
    case_id: int,
    *,
    channel: ContactChannel | str,
    outcome: ContactOutcome | str,
    at: datetime,
    note: str | None,
    actor: str,
    mediator_id: int | None = None,
) -> ContactAttemptRow:
    """Step: record one attempt to reach the investor and how it went, in the caller's transaction.

    ``channel`` and ``outcome`` as typed: the key (phone, no_answer) or the label (电话, 未接听)."""
    case = get_case(session, case_id)
    channel = parse_channel(channel)
    outcome = parse_outcome(outcome)
    if at.tzinfo is None:
        raise ValidationError(_("联系时间缺少时区。"), field="at", value=at)
    if mediator_id is not None and session.get(MediatorRow, mediator_id) is None:
        raise NotFoundError(_("调解员不存在（编号 {id}）。").format(id=mediator_id))
    attempt = ContactAttemptRow(
        case_id=case_id,
        at=at.astimezone(UTC),
        channel=channel.value,
        outcome=outcome.value,
        note=_note(note),
        mediator_id=mediator_id if mediator_id is not None else case.mediator_id,
    )
    session.add(attempt)
    # The note may hold what the investor said; the audit names channel and outcome only.
    audit(
        session,
        actor=actor,
        action="contact",
        case_id=case_id,
        batch_id=case.batch_id,
        detail=f"{channel.value}: {outcome.value}",
    )
    session.flush()
    _advance_when_reached(session, case, outcome, at, actor)
    return attempt


def _advance_when_reached(
    session: Session, case: CaseRow, outcome: ContactOutcome, at: datetime, actor: str
) -> None:
    """An answered call on a case still 已委派 makes it 已联系, dated the day of the call. A call
    dated before the referral (or the case in another status) leaves the status as it is: the
    attempt is recorded all the same."""
    if not outcome.reached or case.status != CaseStatus.REFERRED.value:
        return
    assert case.id is not None
    try:
        transition_case(
            session, case.id, CaseStatus.CONTACTED, actor=actor, on=china_day(at), note=outcome.label
        )
    except TransitionError:  # refused before anything is written
        log.info("case %s: contact dated outside the referral's steps, status kept", case.id)


def record_contact_attempt(
    database: Database,
    case_id: int,
    *,
    channel: ContactChannel | str,
    outcome: ContactOutcome | str,
    at: datetime,
    note: str | None,
    actor: str,
    mediator_id: int | None = None,
) -> CaseState:
    """Record one attempt to reach the investor (phone, SMS...) and how it went."""
    with database.transaction() as session:
        log_contact(
            session,
            case_id,
            channel=channel,
            outcome=outcome,
            at=at,
            note=note,
            actor=actor,
            mediator_id=mediator_id,
        )
        return CaseState.of(get_case(session, case_id))


@dataclass(frozen=True)
class ContactLog:
    """What ``log_contacts`` recorded: the same attempt on each of ``case_numbers``."""

    case_numbers: list[str]
    channel: ContactChannel
    outcome: ContactOutcome
    at: datetime
    now_contacted: int = 0  # cases an answered call moved from 已委派 to 已联系

    def summary(self) -> str:
        """What `mediator contact log` prints and the GUI's status bar says."""
        if len(self.case_numbers) == 1:
            text = _("已记录{case}的联系：{channel}，{outcome}。").format(
                case=self.case_numbers[0], channel=self.channel.label, outcome=self.outcome.label
            )
        else:
            text = _("已为 {count} 件案件记录联系：{channel}，{outcome}。").format(
                count=len(self.case_numbers), channel=self.channel.label, outcome=self.outcome.label
            )
        if self.now_contacted:
            text += _("{count} 件转为“已联系”。").format(count=self.now_contacted)
        return text


def _cases_by_number(session: Session, case_numbers: Sequence[str]) -> list[CaseRow]:
    """The cases named by 案号 as typed (either bracket kind), in the order given; every unknown
    one is named in a single refusal."""
    wanted: list[str] = []
    for text in case_numbers:
        number = canonical_case_number(text)
        if number not in wanted:
            wanted.append(number)
    rows = {
        row.case_number: row
        for row in session.scalars(select(CaseRow).where(col(CaseRow.case_number).in_(wanted)))
    }
    unknown = [number for number in wanted if number not in rows]
    if unknown:
        raise NotFoundError(_("没有这些案号的案件：{cases}。").format(cases="、".join(unknown)))
    return [rows[number] for number in wanted]


def _checked(
    channel: ContactChannel | str, outcome: ContactOutcome | str
) -> tuple[ContactChannel, ContactOutcome]:
    parsed_channel, parsed_outcome = parse_channel(channel), parse_outcome(outcome)
    if parsed_outcome is ContactOutcome.SENT:
        raise UserError(_("“短信已发送”由短信通知名单自动记录（mediator contact sms-list）。"))
    return parsed_channel, parsed_outcome


def _log_all(
    session: Session,
    cases: Sequence[CaseRow],
    channel: ContactChannel,
    outcome: ContactOutcome,
    at: datetime,
    note: str | None,
    actor: str,
) -> ContactLog:
    advanced = 0
    for case in cases:
        assert case.id is not None
        before = case.status
        log_contact(session, case.id, channel=channel, outcome=outcome, at=at, note=note, actor=actor)
        advanced += get_case(session, case.id).status != before
    log.info("contact round: %d attempts recorded (%s)", len(cases), outcome.value)
    return ContactLog([c.case_number for c in cases], channel, outcome, at, advanced)


def log_contacts(
    database: Database,
    case_numbers: Sequence[str],
    *,
    outcome: ContactOutcome | str,
    channel: ContactChannel | str = ContactChannel.PHONE,
    at: datetime | None = None,
    note: str | None = None,
    actor: str,
) -> ContactLog:
    """Record the same attempt on each case named by 案号, in one transaction: one unknown 案号 or
    one bad value and nothing is recorded."""
    if not case_numbers:
        raise UserError(_("请给出至少一个案号。"))
    parsed_channel, parsed_outcome = _checked(channel, outcome)
    with database.transaction() as session:
        cases = _cases_by_number(session, case_numbers)
        return _log_all(session, cases, parsed_channel, parsed_outcome, at or datetime.now(UTC), note, actor)


# --- the team's rule for unreachable cases ------------------------------------------------------


def _int_setting(session: Session, key: str, default: int) -> int:
    row = session.get(SettingRow, key)
    if row is None:
        return default
    try:
        return int(row.value.strip())
    except ValueError:
        log.warning("setting %s is not a whole number; default %d used", key, default)
        return default


def unreachable_rule(session: Session) -> UnreachableRule:
    """Step: the team's rule (settings ``contact_unreachable_attempts`` / ``contact_unreachable_days``,
    default 3 attempts over 7 days)."""
    default = UnreachableRule()
    return UnreachableRule(
        attempts=_int_setting(session, ATTEMPTS_SETTING, default.attempts),
        days=_int_setting(session, DAYS_SETTING, default.days),
    )


def unreachable_rule_setting(database: Database) -> UnreachableRule:
    """The team's rule for proposing an unreachable case for failure."""
    with database.session() as session:
        return unreachable_rule(session)


def set_unreachable_rule(database: Database, *, attempts: int, days: int, actor: str) -> UnreachableRule:
    """Store the team's rule (checked: 1–100 attempts, 0–365 days)."""
    rule = UnreachableRule(attempts=attempts, days=days)
    with database.transaction() as session:
        for key, value in ((ATTEMPTS_SETTING, rule.attempts), (DAYS_SETTING, rule.days)):
            row = session.get(SettingRow, key)
            if row is None:
                session.add(SettingRow(key=key, value=str(value)))
            else:
                row.value = str(value)
        audit(
            session,
            actor=actor,
            action="setting",
            detail=f"{ATTEMPTS_SETTING}={rule.attempts}, {DAYS_SETTING}={rule.days}",
        )
    return rule
