"""Hypothesis keeps no example database in the working tree (the tests are fast and repeatable)."""

from hypothesis import settings

settings.register_profile("mediator", database=None)
settings.load_profile("mediator")
