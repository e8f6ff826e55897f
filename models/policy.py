"""The county policy: every number a rule, a check or a model uses.

Defaults ship in `default_policy.yaml` next to this file; a county's policy file
overrides any part of it (deep merge), so a county only writes what differs.
Standards (amounts) are *not* policy: they come from the `standards` source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_POLICY_FILE = Path(__file__).with_name("default_policy.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChecksPolicy(_Section):
    """Quality gates run before anything else (checks/)."""

    max_quarantined_share: float = 0.05  # stop the run if more of a required source is quarantined
    min_id_valid_share: float = 0.90  # stop if fewer roll identity numbers are valid or upgradable
    max_failed_expectations: int = 0  # blocking expectations that may fail before the run stops


class LinkagePolicy(_Section):
    """Record linkage (matching/): accept a link at or above its pair's threshold."""

    default_threshold: float = 0.90
    thresholds: dict[str, float] = Field(default_factory=dict)  # "roll~deaths": 0.95
    weak_link_below: float = 0.97  # links under this are "weak fuzzy" in evidence


class RulesPolicy(_Section):
    """Rule findings (models/rules). Section owned by the findings engine."""

    model_config = ConfigDict(extra="allow", frozen=True)


class FavourPolicy(_Section):
    """The favour-risk model (models/favour). Section owned by the risk model."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Policy(_Section):
    checks: ChecksPolicy = ChecksPolicy()
    linkage: LinkagePolicy = LinkagePolicy()
    rules: RulesPolicy = RulesPolicy()
    favour: FavourPolicy = FavourPolicy()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_policy(path: Path | str | None = None) -> Policy:
    """The default policy, overridden in part by a county's YAML file if given."""
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8")) or {}
    if path is not None:
        override = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        data = _merge(data, override)
    return Policy.model_validate(data)
