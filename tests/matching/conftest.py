"""Fixtures live in match_fixtures.py (a unique module name, so test folders do not collide)."""

from match_fixtures import *  # noqa: F403
