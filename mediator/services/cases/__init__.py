"""Cases: status changes and edits, contacts and payments on a case, case and batch lists."""
