"""generate_county: a synthetic county-month in the contract format, with its truth.

The world is rebuilt each October (`calendar.anchor_of`); any month of the cycle is the
same people one month on, with planted cases persisting until their fix month.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hecha.contract import PERSON_COLUMNS, SOURCES
from sample import calendar as cal
from sample.assets import clean_assets
from sample.noise import add_noise
from sample.plants import plant_all
from sample.population import Villages
from sample.snapshot import Snapshot, build_snapshot
from sample.world import World, build_world, cell, rng_for
from sample.write import PLAN, write_source

log = logging.getLogger(__name__)
MIN_HOUSEHOLDS = 400  # below this there are not enough distinct households for every planted case


def build_county(
    county: str, period: str, households: int, seed: int, villages: Villages | None = None
) -> tuple[World, Snapshot]:
    """The clean world of the period's cycle and the period's clean snapshot (no noise).

    `villages` makes villages as they are (single-clan, ordinary 分户, favour enrolled through the cycle).
    """
    if households < MIN_HOUSEHOLDS:
        raise ValueError(
            f"样例县至少 {MIN_HOUSEHOLDS} 户 (at least {MIN_HOUSEHOLDS} households): every case needs its own"
        )
    world = build_world(county, cal.anchor_of(period), households, seed, villages)
    plant_all(world, rng_for(seed, 10))
    clean_assets(world, rng_for(seed, 11))
    return world, build_snapshot(world, period)


def generate_county(
    root: Path,
    county: str = "429006",
    period: str = "2026-10",
    households: int = 400,
    seed: int = 7,
    *,
    noise: float = 1.0,
    villages: Villages | None = None,
) -> Path:
    """Write every source and `_truth/` into root/<county>/<period>/ and return that folder."""
    began = time.perf_counter()
    world, snap = build_county(county, period, households, seed, villages)
    folder = Path(root) / county / period
    folder.mkdir(parents=True, exist_ok=True)
    protected = set(snap.decoys["pid"].astype(int).tolist())
    month = cal.month_index(period)
    records, rows_of = [], {}
    for i, source in enumerate(SOURCES):
        frame = snap.frames[source].reset_index(drop=True)
        gbk = PLAN[source][1] == "gbk"
        noisy = add_noise(source, frame, rng_for(seed, 40, i, month), noise, gbk, protected)
        for old in folder.glob(source + ".*"):
            old.unlink()
        write_source(folder, source, noisy, rng_for(seed, 50, i, month))
        if source in PERSON_COLUMNS:
            ids = world.people["id"].reindex(frame["_pid"].astype(int)).to_numpy()
            if "_key" in frame:  # a 重号 holder is nobody in world.people: their own number
                ids = np.where(frame["_key"].fillna("").astype(str) != "", frame["_key"], ids)
            records.append(pd.DataFrame({"source": source, "row": frame.index + 2, "person_key": ids}))
        rows_of[source] = frame
    _write_truth(folder / "_truth", snap, records, rows_of, world)
    log.info("generated %s %s: %d people in %.1fs", county, period, len(world.people), time.perf_counter() - began)
    return folder


def _decoy_rows(snap: Snapshot, rows_of: dict[str, pd.DataFrame], world: World) -> pd.DataFrame:
    """Resolve each decoy to its file row (tagged row, or the person's first row)."""
    out = []
    for d in snap.decoys.itertuples():
        kind, source = str(d.kind), str(d.source)
        frame = rows_of[source]
        hit = (
            frame.index[frame["_decoy"] == d.tag]
            if (frame["_decoy"] == d.tag).any()
            else frame.index[frame["_pid"] == d.pid]
        )
        if source == "roll":
            wanted = {
                "death_in_period": "elderly_allowance",
                "elderly_exact_min_age": "elderly_allowance",
                "care_level_2": "disability_care",
                "family_one_account": "elderly_allowance",
            }.get(kind)
            if wanted:
                hit = frame.index[(frame["_pid"] == d.pid) & (frame["program"] == wanted)]
        if len(hit) == 0:
            continue
        out.append(
            {
                "kind": d.kind,
                "source": d.source,
                "row": int(hit[0]) + 2,
                "household_id": d.household_id,
                "id_number": cell(world.people, d.pid, "id"),
                "must_not": d.must_not,
            }
        )
    return pd.DataFrame(out, columns=["kind", "source", "row", "household_id", "id_number", "must_not"])


def _write_truth(
    folder: Path, snap: Snapshot, records: list[pd.DataFrame], rows_of: dict[str, pd.DataFrame], world: World
) -> None:
    folder.mkdir(exist_ok=True)
    pd.concat(records, ignore_index=True).to_csv(folder / "records.csv", index=False, encoding="utf-8")
    snap.truth.to_csv(folder / "findings.csv", index=False, encoding="utf-8")
    _decoy_rows(snap, rows_of, world).to_csv(folder / "decoys.csv", index=False, encoding="utf-8")
    snap.favour.to_csv(folder / "favour.csv", index=False, encoding="utf-8")
    reg = rows_of["household_registry"]
    rep = reg[reg["_repeat"] != ""]
    number = reg.loc[rep.index, "id_number"]
    repeated = reg[reg["id_number"].isin(number)]
    kind = repeated["id_number"].map(rep.groupby("id_number")["_repeat"].first())
    pd.DataFrame(
        {
            "kind": kind.to_numpy(),
            "id_number": repeated["id_number"].to_numpy(),
            "row": repeated.index.to_numpy() + 2,
            "hukou_id": repeated["hukou_id"].to_numpy(),
            "person_key": np.where(
                repeated["_key"] != "",
                repeated["_key"],
                world.people["id"].reindex(repeated["_pid"].astype(int)).to_numpy(),
            ),
        }
    ).to_csv(folder / "registry_repeats.csv", index=False, encoding="utf-8")
