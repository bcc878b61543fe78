"""Use cases shared by the CLI and the GUI, one package per capability.

- ``intake``: court referral lists in (reader, per-field checks, writer, problem report).
- ``documents``: agreements, signing, judicial-confirmation papers, the report to the court.
- ``cases``: status changes, edits, case and batch lists.
- ``reporting``: the published figures and the dashboard.
- ``audit``: the audit trail.

Loose modules serve every package: ``progress`` (progress and cancel), ``calendar`` (the work
calendar), ``xlsx_cells`` (spreadsheet cells written safely).
"""
