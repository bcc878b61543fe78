"""Reporting: the fusion court's published figures and the dashboard."""
