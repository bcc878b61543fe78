"""The demo: the fusion court's first year with invented people, for looking around."""
