"""Referral intake: the court's lists read, checked field by field and written all or nothing."""
