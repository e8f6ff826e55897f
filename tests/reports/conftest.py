"""Fixtures live in report_fixtures.py (a unique module name, so test folders do not collide)."""

from report_fixtures import *  # noqa: F403
