"""The demo package exposes its entry points; the generator module stays importable by its name."""

from __future__ import annotations

import mediator.demo
from mediator.demo import first_year, marker


def test_the_package_exports_the_entry_points_of_first_year() -> None:
    assert mediator.demo.load_demo is first_year.load_demo
    assert mediator.demo.is_empty is marker.is_empty
    assert mediator.demo.load_demo_into is first_year.load_demo_into
    # The marker that keeps demo rows out of a work database is part of the package's face too.
    assert mediator.demo.is_demo is marker.is_demo
    assert set(mediator.demo.__all__) == {
        "DatabaseState",
        "DemoResult",
        "database_state",
        "demo_database_url",
        "is_demo",
        "is_empty",
        "load_demo",
        "load_demo_into",
    }
