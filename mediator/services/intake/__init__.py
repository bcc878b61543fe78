"""Referral intake: the court's lists (委派调解案件清单) read, checked field by field and written all
or nothing.

``import_referrals`` imports lists (``importer``), ``preview_file`` shows a list's first rows and
detected columns (``preview``), and ``format_problem_table`` / ``write_errors_workbook`` present the
problems found (``problems``); the results are ``ImportResult``, ``FileReport`` and ``RowError``
(``report``). Inside: ``reader`` opens files, ``layout`` finds the header and columns, ``checks``
holds one checker per field, ``row_checks`` composes them per file, ``duplicates`` compares the rows
of one run, ``writer`` matches them against the database and inserts them, ``rows`` is the row type
they pass along.
"""
