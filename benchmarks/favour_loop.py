"""Three months of inspectors working the FAVOUR_RISK list, through the real case store.

Each month of one generated county: generate → load → link → rules → favour risk (with the
decisions so far, from `cases.outcomes.load_outcomes`) → `cases.store.write_run` → inspectors
review a random 60–80% of the month's open FAVOUR_RISK cases with `cases.workflow.assign` and
`decide`: confirmed (payment stopped) where the household was planted as favour-based, cleared
with a reason otherwise. A household whose payment was stopped leaves next month's roll, as it
would; the generator itself keeps planted households until the end of the cycle.

Beside the learning pipeline the same month is scored with learning switched off
(`min_labels_per_class` out of reach, same decisions otherwise): the unsupervised baseline.

Ranking figures count only the work still to do: households with no rule case this month
(those are visited through that case) and not decided in an earlier month.
  k            planted households still undecided on the roll this month
  recall@k     planted among the k highest scores / k   (= precision@k at this k)
  list         the FAVOUR_RISK list (capped, ended at a clear drop, else its sharpest past the floor), decided households left out
  recall@list  planted on the list / k;  precision@list  planted on the list / list length
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from cases import db as case_db
from cases.ids import case_id
from cases.outcomes import load_outcomes
from cases.schema import Case, User
from cases.store import start_run, write_run
from cases.workflow import assign, confirm_with_due_process, decide
from checks.ingest import load_dataset
from hecha.policy import Policy
from matching.resolve import resolve
from models.favour import FavourResult, ModelStore, score_households
from models.favour.features import FEATURE_NAMES
from models.favour.model import AnomalyScorer
from models.favour.ties import ESTABLISHED_COLUMNS
from models.rules import run_rules
from sample import Villages, generate_county

COUNTY = "429006"
MONTHS = ("2026-10", "2026-11", "2026-12")
INSPECTOR = "zhang"
SUPERVISOR = "wang"  # county reviewer: stopping a payment takes notice, hearing and her approval


@dataclass(frozen=True)
class CountySpec:
    seed: int
    households: int
    clans: float = 0.0  # share of rural villages that are single-clan
    splits: float = 0.15  # share of rural hukou with a grown son split off at the same address
    no_split_dates: bool = False  # drop the registry's 立户日期 (contract-only export)


def _month(root: Path, period: str, spec: CountySpec, policy: Policy, stopped: set[str]) -> tuple:
    villages = Villages(clans=spec.clans, splits=spec.splits, staggered_favour=True)
    folder = generate_county(root, COUNTY, period, spec.households, spec.seed, villages=villages)
    ds = load_dataset(folder, COUNTY, period)
    roll = ds.frames["roll"]
    ds.frames["roll"] = roll[~roll["household_id"].isin(stopped)].reset_index(drop=True)  # payment stopped
    if spec.no_split_dates:
        reg = ds.frames["household_registry"]
        ds.frames["household_registry"] = reg.drop(columns=[c for c in ESTABLISHED_COLUMNS if c in reg])
    index = resolve(ds, policy.linkage)
    rules = run_rules(ds, index, policy).findings
    planted = set(pd.read_csv(folder / "_truth" / "favour.csv", dtype=str)["household_id"])
    return ds, index, rules, planted


def _no_learning(policy: Policy) -> Policy:
    return policy.model_copy(update={"favour": policy.favour.model_copy(update={"min_labels_per_class": 10**9})})


def ranking_figures(res: FavourResult, planted: set[str], decided: set[str]) -> dict[str, Any]:
    """recall@k, recall@list and precision@list over the households still to be worked."""
    s = res.scores
    pool = s[~s["rule_case"] & ~s.index.isin(list(decided))]["score"].sort_values(ascending=False, kind="stable")
    todo = planted & set(pool.index)
    k = len(todo)
    listed = set(res.findings["household_id"]) - decided
    hit_k = len(set(pool.index[:k]) & todo)
    hit_l = len(listed & todo)
    return {
        "k": k,
        "recall@k": hit_k / k if k else float("nan"),
        "list": len(listed),
        "recall@list": hit_l / k if k else float("nan"),
        "precision@list": hit_l / len(listed) if listed else float("nan"),
        "hits@k": hit_k,
        "hits@list": hit_l,
    }


def review(
    engine: Engine, period: str, listed: list[str], planted: set[str], rng: np.random.Generator
) -> dict[str, int]:
    """Inspectors decide a random 60–80% of this month's open FAVOUR_RISK cases."""
    rate = float(rng.uniform(0.6, 0.8))
    with case_db.session_scope(engine) as session:
        open_cases = []
        for h in listed:
            case = session.get(Case, case_id(COUNTY, "FAVOUR_RISK", f"h:{h}"))
            if case is not None and case.status in ("open", "in_review"):
                open_cases.append((h, case))
        n = round(rate * len(open_cases))
        picked = [open_cases[i] for i in sorted(rng.choice(len(open_cases), size=n, replace=False))] if n else []
        out = {"open": len(open_cases), "reviewed": n, "confirmed": 0, "cleared": 0}
        if session.get(User, SUPERVISOR) is None:
            session.add(User(username=SUPERVISOR, password_hash="-", role="supervisor", towns=[], active=True))
        notified_on = dt.date.fromisoformat(f"{period}-01")
        for h, case in picked:
            case = assign(session, case.case_id, case.version, "admin", INSPECTOR)
            if h in planted:
                amount = float(case.est_monthly_overpayment or 300.0)
                confirm_with_due_process(
                    session,
                    case.case_id,
                    INSPECTOR,
                    SUPERVISOR,
                    "stop_payment",
                    notified_on=notified_on,
                    response="户主到场陈述，未能说明",
                    monthly_amount_stopped=max(amount, 1.0),
                    today=max(notified_on, dt.date.today()),
                )
                out["confirmed"] += 1
            else:
                decide(
                    session,
                    case.case_id,
                    case.version,
                    INSPECTOR,
                    "cleared",
                    reason="入户核查：家庭困难属实，非人情保",
                )
                out["cleared"] += 1
    return out


def firing(X: pd.DataFrame, planted: set[str], reason_min_z: float) -> pd.DataFrame:
    """Per feature, among never-planted roll households: share where it is > 0, and share where it
    stands out enough to be given as a reason (robust z ≥ reason_min_z, as the list's reasons use)."""
    feats = X[FEATURE_NAMES]
    z = pd.DataFrame(AnomalyScorer(n_estimators=10, random_state=0).fit(feats.to_numpy()).z_scores(feats.to_numpy()))
    z.index, z.columns = feats.index, FEATURE_NAMES
    never = ~feats.index.isin(list(planted))
    return pd.DataFrame({"> 0": (feats[never] > 0).mean(), "reason": (z[never] >= reason_min_z).mean()})


def simulate(spec: CountySpec, policy: Policy, work: Path | None = None) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Run the three months for one county; rows per (month, model) and month-1 feature firing rates."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(work or tmp)
        engine = case_db.make_engine(f"sqlite:///{root / 'cases.db'}")
        case_db.upgrade(engine)
        rng = np.random.default_rng([spec.seed, 17])
        rows: list[dict[str, Any]] = []
        stopped: set[str] = set()
        fires = pd.DataFrame()
        for m, period in enumerate(MONTHS, start=1):
            t0 = time.perf_counter()
            ds, index, rules, planted = _month(root / "data", period, spec, policy, stopped)
            outcomes = load_outcomes(engine, COUNTY)
            decided = set(outcomes.loc[outcomes["finding"] == "FAVOUR_RISK", "household_id"].astype(str))
            learn = score_households(ds, index, rules, policy, outcomes, ModelStore(root / "models"))
            base = score_households(ds, index, rules, _no_learning(policy), outcomes, ModelStore(root / "m0"))
            if m == 1:
                fires = firing(learn.scores, planted, policy.favour.reason_min_z)
            for name, res in (("unsupervised", base), ("learning", learn)):
                rows.append(
                    {
                        "seed": spec.seed,
                        "clans": spec.clans,
                        "month": m,
                        "model": name,
                        "kind": res.model_info["kind"],
                        "labels(conf/clr/rn)": f"{res.model_info['n_confirmed']}/{res.model_info['n_cleared']}/"
                        f"{res.model_info.get('n_reliable_negatives', 0)}",
                        **ranking_figures(res, planted, decided),
                        "fairness_ratio": res.fairness.get("ratio"),
                        "fairness_ci95": _interval(res.fairness.get("ratio_ci95")),
                    }
                )
            run_id = f"{COUNTY}-{period}-sim"
            start_run(engine, run_id, COUNTY, period, {})
            findings = pd.concat([rules, learn.findings], ignore_index=True)
            write_run(engine, run_id, COUNTY, period, findings, {"county": COUNTY, "period": period}, None)
            listed = [h for h in learn.findings["household_id"].astype(str) if h not in decided]
            did = review(engine, period, listed, planted, rng)
            for r in rows[-2:]:
                r |= {"reviewed": did["reviewed"], "seconds": round(time.perf_counter() - t0, 1)}
            stopped |= {h for h in listed if h in planted} & set(
                load_outcomes(engine, COUNTY).query("decision == 'confirmed'")["household_id"].astype(str)
            )
        engine.dispose()
    return rows, fires


def _interval(ci: object) -> str:
    return f"{ci[0]:.2f}–{ci[1]:.2f}" if isinstance(ci, (list, tuple)) else ""
