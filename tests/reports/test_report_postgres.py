"""The reports read the same figures from PostgreSQL as from SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixtures import COUNTY, OCT, SEP, build_store
from report_truth import month_obs

from cases.db import make_engine, upgrade
from reports.campaign import build_campaign
from reports.monthly import build_monthly


def test_monthly_and_campaign_figures_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """Headline figures of both reports equal the case store's counts on PostgreSQL too."""
    engine = make_engine(pg_url)
    upgrade(engine)
    build_store(engine, tmp_path)
    try:
        monthly = build_monthly(engine, COUNTY, OCT)
        obs = month_obs(engine, COUNTY, OCT)
        assert monthly.metric("findings") == len(obs)
        assert monthly.metric("monthly_overpayment") == pytest.approx(sum(o.monthly for o in obs))
        campaign = build_campaign(engine, "专项治理", COUNTY, SEP, OCT)
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'same.db'}")
        upgrade(sqlite_engine)
        build_store(sqlite_engine, tmp_path)
        on_sqlite = build_campaign(sqlite_engine, "专项治理", COUNTY, SEP, OCT)
        assert [(m.key, m.value) for m in campaign.metrics] == [(m.key, m.value) for m in on_sqlite.metrics]
        sqlite_engine.dispose()
    finally:
        engine.dispose()
