"""The demo: the fusion court's first year with invented people, for looking around."""

from mediator.demo.first_year import DemoResult, is_empty, load_demo, load_demo_into

__all__ = ["DemoResult", "is_empty", "load_demo", "load_demo_into"]
