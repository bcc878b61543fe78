"""How far the contact round got: reach rates per batch and per mediator (a case counts as reached
once any attempt was answered: 已接通, 拒绝调解 or 同意调解), and the cases proposed for failure with
the reason 无法联系 (no answer after N call-backs over M days: the team's rule, see ``attempts``).

Proposals are listed, never applied: the mediator marks the case 调解不成 themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.clock import china_day, stored_moment
from mediator.domain.contacts import REACHED_OUTCOMES, ContactOutcome, UnreachableRule
from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.i18n import _
from mediator.services.cases.changes import find_batch
from mediator.services.contacts.attempts import unreachable_rule
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, ContactAttemptRow, InvestorRow, MediatorRow

_REACHED_VALUES = tuple(outcome.value for outcome in REACHED_OUTCOMES)
# Cases that may still be proposed for failure: not reached and still before an agreement.
_PROPOSABLE = (CaseStatus.REFERRED.value, CaseStatus.CONTACTED.value, CaseStatus.MEDIATING.value)


@dataclass(frozen=True)
class ReachRate:
    """Of ``cases``, how many were tried (any attempt, the SMS notice included) and reached."""

    label: str  # 第15批, or the mediator's name (未分配 for cases without one)
    cases: int
    attempted: int
    reached: int

    @property
    def rate(self) -> Decimal:
        """Reached / cases in percent, one decimal, half up (0 for no cases)."""
        if not self.cases:
            return Decimal("0.0")
        return (Decimal(self.reached * 100) / Decimal(self.cases)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "cases": self.cases,
            "attempted": self.attempted,
            "reached": self.reached,
            "rate": str(self.rate),
        }


@dataclass(frozen=True)
class ReachReport:
    """Reach rates per batch and per mediator (of one batch, or of every batch)."""

    by_batch: list[ReachRate]
    by_mediator: list[ReachRate]

    def summary(self) -> str:
        """What `mediator contact reach` prints."""
        lines = [_("按批次：")]
        lines += [_line(rate) for rate in self.by_batch] or [_("（没有案件）")]
        lines.append(_("按调解员："))
        lines += [_line(rate) for rate in self.by_mediator] or [_("（没有案件）")]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "by_batch": [rate.as_json() for rate in self.by_batch],
            "by_mediator": [rate.as_json() for rate in self.by_mediator],
        }


def _line(rate: ReachRate) -> str:
    return _("{label}：{cases} 件，已联系 {attempted} 件，已接通 {reached} 件，接通率 {rate}%").format(
        label=rate.label, cases=rate.cases, attempted=rate.attempted, reached=rate.reached, rate=rate.rate
    )


def _case_sets(session: Session, batch_id: int | None) -> tuple[set[int], set[int]]:
    """The cases with any attempt, and those with an answered one."""
    query = select(col(ContactAttemptRow.case_id), col(ContactAttemptRow.outcome)).distinct()
    if batch_id is not None:
        query = query.join(CaseRow, col(CaseRow.id) == col(ContactAttemptRow.case_id)).where(
            col(CaseRow.batch_id) == batch_id
        )
    attempted: set[int] = set()
    reached: set[int] = set()
    for case_id, outcome in session.connection().execute(query):
        attempted.add(case_id)
        if outcome in _REACHED_VALUES:
            reached.add(case_id)
    return attempted, reached


def reach_rates(session: Session, *, batch_id: int | None = None) -> ReachReport:
    """Step: the reach rates of one batch's cases (or of all cases) per batch and per mediator."""
    attempted, reached = _case_sets(session, batch_id)
    query = (
        select(col(CaseRow.id), col(BatchRow.number), col(MediatorRow.name))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
    )
    if batch_id is not None:
        query = query.where(col(CaseRow.batch_id) == batch_id)
    batches: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    mediators: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case_id, number, mediator in session.connection().execute(query):
        for counts in (batches[number], mediators[mediator or ""]):
            counts[0] += 1
            counts[1] += case_id in attempted
            counts[2] += case_id in reached
    by_batch = [
        ReachRate(_("第{number}批").format(number=number), *batches[number])
        for number in sorted(batches, reverse=True)
    ]
    by_mediator = [
        ReachRate(name or _("未分配"), *mediators[name])
        for name in sorted(mediators, key=lambda n: (not n, n))
    ]
    return ReachReport(by_batch, by_mediator)


def load_reach_rates(database: Database, *, batch: str | int | None = None) -> ReachReport:
    """Reach rates per batch and per mediator, of one batch (as the user names it) or of all."""
    with database.session() as session:
        batch_id = find_batch(session, batch).id if batch is not None else None
        return reach_rates(session, batch_id=batch_id)


@dataclass(frozen=True)
class FailureProposal:
    """A case nobody answered for: proposed for 调解不成 with the reason 无法联系."""

    case_id: int
    case_number: str
    batch_number: int
    investor: str
    attempts: int
    first_attempt: date
    last_attempt: date
    reason: FailureReason = FailureReason.UNREACHABLE

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_number,
            "batch": self.batch_number,
            "investor": self.investor,
            "attempts": self.attempts,
            "first_attempt": self.first_attempt.isoformat(),
            "last_attempt": self.last_attempt.isoformat(),
            "reason": self.reason.value,
        }


@dataclass(frozen=True)
class FailureProposals:
    """The cases the team's rule proposes for failure (listed, not applied)."""

    rule: UnreachableRule
    proposals: list[FailureProposal]

    def summary(self) -> str:
        """What `mediator contact unreachable` prints."""
        head = _("规则：{attempts} 次回访未接通、历时 {days} 天以上。").format(
            attempts=self.rule.attempts, days=self.rule.days
        )
        if not self.proposals:
            return head + "\n" + _("没有建议以“无法联系”终止调解的案件。")
        lines = [
            head,
            _("建议以“无法联系”终止调解的案件 {count} 件（请逐件确认后标记调解不成）：").format(
                count=len(self.proposals)
            ),
        ]
        for p in self.proposals:
            lines.append(
                _("{case}  {name}  第{batch}批  回访{attempts}次（{first} 至 {last}）").format(
                    case=p.case_number,
                    name=p.investor,
                    batch=p.batch_number,
                    attempts=p.attempts,
                    first=p.first_attempt.isoformat(),
                    last=p.last_attempt.isoformat(),
                )
            )
        return "\n".join(lines)


def _local_day(moment: datetime) -> date:
    return china_day(stored_moment(moment))


def failure_proposals(
    session: Session, *, today: date, rule: UnreachableRule, batch_id: int | None = None
) -> list[FailureProposal]:
    """Step: the cases still in mediation that ``rule`` proposes for failure (无法联系)."""
    query = (
        select(
            col(CaseRow.id),
            col(CaseRow.case_number),
            col(BatchRow.number),
            col(InvestorRow.name),
            col(ContactAttemptRow.at),
            col(ContactAttemptRow.outcome),
        )
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .join(ContactAttemptRow, col(ContactAttemptRow.case_id) == col(CaseRow.id))
        .where(col(CaseRow.status).in_(_PROPOSABLE))
        .order_by(col(CaseRow.case_number), col(ContactAttemptRow.at))
    )
    if batch_id is not None:
        query = query.where(col(CaseRow.batch_id) == batch_id)
    cases: dict[int, tuple[str, int, str]] = {}
    attempts: dict[int, list[tuple[date, ContactOutcome]]] = defaultdict(list)
    for case_id, number, batch, investor, at, outcome in session.connection().execute(query):
        assert case_id is not None  # a primary key
        cases[case_id] = (number, batch, investor)
        try:
            parsed = ContactOutcome(outcome)
        except ValueError:  # an outcome written by a newer version: not an answer we know of
            parsed = ContactOutcome.NO_ANSWER
        attempts[case_id].append((_local_day(at), parsed))
    proposals = []
    for case_id, tries in attempts.items():
        if not rule.proposes_failure(tries, today):
            continue
        calls = [day for day, outcome in tries if outcome is not ContactOutcome.SENT]
        number, batch, investor = cases[case_id]
        proposals.append(
            FailureProposal(case_id, number, batch, investor, len(calls), min(calls), max(calls))
        )
    return sorted(proposals, key=lambda p: (p.batch_number, p.case_number))


def load_failure_proposals(
    database: Database,
    *,
    today: date,
    batch: str | int | None = None,
    rule: UnreachableRule | None = None,
) -> FailureProposals:
    """The cases proposed for failure with the reason 无法联系, by the team's rule unless ``rule``."""
    with database.session() as session:
        batch_id = find_batch(session, batch).id if batch is not None else None
        rule = rule or unreachable_rule(session)
        return FailureProposals(rule, failure_proposals(session, today=today, rule=rule, batch_id=batch_id))
