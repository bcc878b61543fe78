"""Contacts: reaching the investors of a batch.

- ``attempts``: one contact attempt (time, channel, outcome, note) or the same for many cases at
  once, all or nothing; the team's rule for proposing an unreachable case for failure.
- ``sms``: the batch's SMS notice list (editable template ``resources/templates/sms_notice.toml``),
  exported for the association's SMS gateway and recorded as a "sent" contact on each case.
- ``imports``: call-back results from a file (案号, 结果, 时间, 备注), all or nothing, problems by
  file, row and column.
- ``reach``: reach rates per batch and per mediator, and the cases proposed for failure (无法联系).

Outcome and channel labels live in ``mediator.domain.contacts``.
"""
