"""The demo: the fusion court's first year with invented people, for looking around. It lives in a
database of its own, marked as the demo's (demo/marker.py), never in the work database."""

from mediator.demo.first_year import DemoResult, load_demo, load_demo_into
from mediator.demo.marker import DatabaseState, database_state, demo_database_url, is_demo, is_empty

__all__ = [
    "DatabaseState",
    "DemoResult",
    "database_state",
    "demo_database_url",
    "is_demo",
    "is_empty",
    "load_demo",
    "load_demo_into",
]
