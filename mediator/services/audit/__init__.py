"""Audit: who did what and when, written in one place."""
