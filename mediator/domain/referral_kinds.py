"""Which kind of referral a case is, read off its case number (案号): the one home for that rule.

- **Pre-filing commissioned mediation (委派调解)**: the court has not filed the suit; the case
  carries a 民诉前调 number, e.g. （2025）苏01民诉前调3100号. The parties are not yet 原告/被告;
  a successful mediation ends in the parties' joint application for judicial confirmation
  (民事诉讼法 §205–§206; 法释〔2011〕5号), ruled on under a 民特 number.
- **Entrusted mediation of a filed case (委托调解)**: the suit is filed, the case carries a 民初
  number. The parties are 原告/被告; a successful mediation ends in a 民事调解书 issued by the court
  (民事诉讼法 §100) or in the plaintiff's withdrawal (民事诉讼法 §148), not in judicial
  confirmation (特邀调解规定, 法释〔2016〕14号, §19–§20).

Pure: no database, no files, no Qt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mediator.domain.validators import case_number_kind
from mediator.errors import ValidationError
from mediator.i18n import N_, _


class ReferralKind(enum.Enum):
    """How the court referred the case, and so how a successful mediation ends."""

    PRE_FILING = "pre_filing"  # 委派调解, 民诉前调 → 司法确认
    FILED = "filed"  # 委托调解, 民初 → 民事调解书 or 撤诉

    @property
    def label(self) -> str:
        return _(_LABELS[self])

    @property
    def ends_in_confirmation(self) -> bool:
        """Whether a successful mediation ends in the parties' application for 司法确认."""
        return self is ReferralKind.PRE_FILING


_LABELS = {ReferralKind.PRE_FILING: N_("诉前委派调解"), ReferralKind.FILED: N_("立案后委托调解")}

# The type characters (案件类型代字) of each kind. 诉前调 numbers appear as 民诉前调 (the SPC's 2016
# case-type code) and, at some courts, 诉前调 / 民诉前 alone.
_PRE_FILING_TYPES = ("民诉前调", "诉前调", "民诉前")
_FILED_TYPES = ("民初",)


@dataclass(frozen=True)
class PartyRoles:
    """What the agreement calls each party besides 甲方 and 乙方 (where a role is needed)."""

    investor: str
    company: str


_ROLES = {
    # Before filing nobody has sued: the parties are applicants (and jointly apply for 司法确认).
    ReferralKind.PRE_FILING: PartyRoles(investor=N_("申请人"), company=N_("被申请人")),
    ReferralKind.FILED: PartyRoles(investor=N_("原告"), company=N_("被告")),
}


def referral_kind(case_number: str) -> ReferralKind:
    """The referral kind of a case number; ``ValidationError`` for a number of neither kind."""
    kind = case_number_kind(case_number)
    if kind in _PRE_FILING_TYPES:
        return ReferralKind.PRE_FILING
    if kind in _FILED_TYPES:
        return ReferralKind.FILED
    raise ValidationError(
        _("案号{value}既不是诉前调解（民诉前调）也不是一审立案（民初）案号，无法判断调解方式。").format(
            value=case_number
        ),
        field="case_number",
        value=case_number,
    )


def confirmation_refusal(case_number: str) -> str | None:
    """Why a case may not take the judicial-confirmation path (its application, the application
    date, the ruling), or None when it may: only a pre-filing referral (民诉前调) ends in 司法确认
    (民事诉讼法 §205; 特邀调解规定 §19–§20). A filed case (民初) goes to ``court-request``."""
    try:
        kind = referral_kind(case_number)
    except ValidationError:
        return _("案件{case}的案号不是诉前调解（民诉前调）案号，无法确定结案方式，不能登记司法确认。").format(
            case=case_number
        )
    if kind.ends_in_confirmation:
        return None
    return _(
        "案件{case}是立案后委托调解（民初）案件，以民事调解书或撤诉结案，不申请司法确认；"
        "请用 mediator court-request（文书“民事调解书申请书”）。"
    ).format(case=case_number)


def party_roles(kind: ReferralKind) -> PartyRoles:
    """The parties' roles in the agreement's wording (translated)."""
    roles = _ROLES[kind]
    return PartyRoles(investor=_(roles.investor), company=_(roles.company))
