"""Offers, installment plans and payments: what the listed company agrees to pay and what it paid.

``ledger`` holds the payment plan of a case (``set_installments``, ``case_plan``) and the money
received (``record_payment`` by case id for the window, ``add_payment`` by 案号 for the command
line): each payment is kept with its reference in the ledger and fills the installments in order,
under a lock on the case (``lock_case``) so that two people booking at once never lose a sum.
``offers`` imports the company's offers list (agreed amounts and plans), ``imports`` a company's or
bank's payment list, both all or nothing; ``files`` is the spreadsheet reading they share with the
referral intake. ``recovered`` gives the totals recovered per batch and per company and the overdue
installments.
"""
