"""Which households make the list, and which villages need a visit first.

The list is capped (a share of roll households) and floored (a minimum score) so
that every entry can actually be verified in a month; a long list gets skimmed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hecha.policy import FavourPolicy

VILLAGE_COLUMNS = [
    "region_code",
    "town",
    "village",
    "households",
    "flagged",
    "mean_risk",
    "coverage_village",
    "coverage_town",
    "coverage_ratio",
]


def select_flagged(
    score: pd.Series,
    policy: FavourPolicy,
    already: set[str] | frozenset[str] = frozenset(),
    floor_by: pd.Series | None = None,
    first: pd.Series | None = None,
) -> pd.Series:
    """True for the households that stand out: highest scores, capped, floored, ending at a clear or the sharpest drop.

    - `already`: households that have a rule case this month (错保, or a cadre-kin 关系保 rule)
      are reviewed through that case; a second favour case for the same visit wastes a place.
    - The cap (max_flag_share of households) is what inspectors can verify in a month and
      min_score the floor below which nothing is listed.
    - With `list_break`, the list ends at the deepest clear drop before min_flag_share of
      households (`clear_break`: one that a county with nobody standing apart would show by
      chance with probability below `break_p`); with none, where the scores drop most sharply
      past min_flag_share. The households above a drop stand apart from the county, the
      ones below look like the rest. A list padded with households that look ordinary teaches
      inspectors to skim it.
    - `floor_by` is the unsupervised risk when a supervised probability ranks. The floor and the
      list's length are then read from it, and `score` only chooses which households fill the
      places: "unusual enough to list" and "how many stand apart" are facts about the county, the
      same whichever model orders the list. A probability learned from a few months' decisions
      has a sharp drop right after the kinds of favour confirmed so far, and a list cut there
      would never show inspectors the other kinds, so they could never be learned.
    - `first` (True/False per household): households listed first whatever their score (a handler
      enrolling their own hukou, 经办未回避). They count towards the floor and the cap; the scored
      households after them still end at their own sharpest drop.
    """
    return flagged_list(score, policy, already, floor_by, first)[0]


def flagged_list(
    score: pd.Series,
    policy: FavourPolicy,
    already: set[str] | frozenset[str] = frozenset(),
    floor_by: pd.Series | None = None,
    first: pd.Series | None = None,
) -> tuple[pd.Series, str]:
    """`select_flagged`, and how the list ended (a key of LIST_ENDS), for the run summary and report."""
    cap = math.floor(policy.max_flag_share * len(score))
    by = score if floor_by is None else floor_by.reindex(score.index)
    head = np.zeros(len(score), dtype=bool) if first is None else first.reindex(score.index).eq(True).to_numpy()
    open_ = ~score.index.isin(list(already))
    lead = score.index[open_ & head][:cap]
    keep = open_ & ~head & (by >= policy.min_score).to_numpy()
    ranked = score[keep].sort_values(ascending=False, kind="stable")
    by_ranked = ranked if floor_by is None else by[keep].sort_values(ascending=False, kind="stable")
    n, how = _list_length(by_ranked.to_numpy(), policy, cap, len(score), taken=len(lead))
    return pd.Series(score.index.isin(lead.append(ranked.index[:n])), index=score.index), how


def _list_length(
    values: np.ndarray, policy: FavourPolicy, cap: int, households: int, taken: int = 0
) -> tuple[int, str]:
    """Places for scored households (up to a clear drop, else the sharpest, in scores highest first), and why.

    The floor and the cap hold for the whole list, of which `taken` places are already given.
    """
    n = min(cap - taken, len(values))
    floor = min(n, max(0, max(1, math.ceil(policy.min_flag_share * households)) - taken))
    full = "cap" if n == cap - taken else "all_eligible"
    if not policy.list_break:
        return n, full
    # A clear drop ends the list only before the floor: past it the sharpest drop ends the list anyway.
    clear = clear_break(values[: n + 1], policy.break_p, limit=floor) if policy.break_p > 0 else None
    if clear is not None:
        return clear, "clear_drop"
    if n <= floor:
        return n, full
    values = values[: n + 1]
    nxt = np.append(values[1:], min(policy.min_score, values[-1]))[:n]  # the score just below each place
    sharpest = int(np.argmax(values[:n] - nxt)) + 1  # the list would end after this place
    return (sharpest, "sharpest_drop") if sharpest > floor else (floor, "floor")


LIST_ENDS = {  # how the list ended -> a sentence for the report ({n}: households listed)
    "clear_drop": "名单 {n} 户，在风险分显著落差处截止（全县若无突出家庭，偶然出现如此落差的概率低于 {p}），"
    "其后家庭与全县常态无异。",
    "sharpest_drop": "风险分无显著落差：名单 {n} 户，列满最低比例（{floor}）后在风险分落差最大处截止。",
    "floor": "风险分无显著落差：名单按最低比例（{floor}）列出 {n} 户。",
    "all_eligible": "名单 {n} 户：风险分达到最低分的家庭全部列出。",
    "cap": "名单 {n} 户，已达上限（{cap}）。",
}


def list_end_note(how: str, n: int, policy: FavourPolicy, first: int = 0) -> str:
    """Why the list has its length, in Chinese: a leader comparing months sees why it grew or shrank."""
    share = {"floor": f"名册家庭的 {policy.min_flag_share:.1%}", "cap": f"名册家庭的 {policy.max_flag_share:.0%}"}
    if n == 0:
        return "本月没有家庭达到人情保风险最低分，名单为空。"
    note = LIST_ENDS[how].format(n=n, p=f"{policy.break_p:.0%}", **share)
    return note + (f"其中经办未回避 {first} 户不论风险分排在最前。" if first else "")


def clear_break(values: np.ndarray, p: float, min_below: int = 30, limit: int | None = None) -> int | None:
    """Places above the deepest clear drop in sorted scores (highest first), or None if no drop is clear.

    Why a test and not a fixed length: below the households that stand apart, a county's top
    scores are the upper tail of one distribution, and for an exponential-like tail the normalised
    spacings i·(x_i − x_{i+1}) are independent with one mean (Rényi's representation). A drop is
    clear when its normalised spacing is more than ln(m / p) times the mean of those below it (m
    candidate drops): a tail with nobody standing apart reaches that by chance with probability
    about p. At least `min_below` places below a drop estimate the tail. The clearest drop is
    taken, then the scores below it are tested again (ranked afresh from the drop), so that a few
    extreme households do not hide the next group. Tied scores are handled by `tail_spacings`.

    `limit`: only drops within the first `limit` places may end the list (the threshold still
    counts every drop tested, which is conservative). A chance drop deep in a long window is as
    likely as one near the top, and ending the list there would lengthen it many times over.
    """
    spacing, drops = tail_spacings(values)
    places = len(spacing)
    candidates = drops[drops < places - min_below]
    allowed = candidates[candidates < (places if limit is None else limit)]
    if not len(allowed):
        return None
    below = np.cumsum(spacing[::-1])[::-1]  # below[b]: sum of spacing[b:]
    mean_below = below[allowed + 1] / (places - 1 - allowed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.nan_to_num(spacing[allowed] / mean_below, nan=0.0, posinf=np.inf)
    best = int(np.argmax(ratio))
    if ratio[best] < math.log(len(candidates) / p):
        return None
    at = int(allowed[best]) + 1
    return at + (clear_break(values[at:], p, min_below, None if limit is None else limit - at) or 0)


def tail_spacings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised spacing per place of sorted scores (highest first), and the places a drop follows.

    Scores are often tied (households with the same features score the same), and a tie puts
    the spacing of several places into one drop: a run of tied places k = a…b followed by a drop g
    gives each of its places g / (1/a + … + 1/b), which is i·g for a single place and has the same
    mean β under a smooth tail. Places after the last drop (a tie that runs to the end) are left out.
    """
    gaps = values[:-1] - values[1:]
    drops = np.flatnonzero(gaps > 0)  # place b (0-based, rank b + 1) is followed by a drop
    if not len(drops):
        return np.empty(0), drops
    harmonic = np.cumsum(1.0 / np.arange(1, len(gaps) + 1))
    starts = np.r_[0, drops[:-1] + 1]
    run = harmonic[drops] - np.where(starts > 0, harmonic[np.maximum(starts - 1, 0)], 0.0)
    return np.repeat(gaps[drops] / run, drops - starts + 1), drops


def village_ranking(ctx: pd.DataFrame, score: pd.Series, flagged: pd.Series) -> pd.DataFrame:
    """Villages by mean favour risk, with coverage against their town (高覆盖村 first among equals)."""
    frame = ctx[["region_code", "town", "village", "coverage_village", "coverage_town"]].assign(
        score=score, flagged=flagged.astype(int)
    )
    v = frame.groupby("region_code", dropna=False).agg(
        town=("town", "first"),
        village=("village", "first"),
        households=("score", "size"),
        flagged=("flagged", "sum"),
        mean_risk=("score", "mean"),
        coverage_village=("coverage_village", "first"),
        coverage_town=("coverage_town", "first"),
    )
    v["coverage_ratio"] = v["coverage_village"] / v["coverage_town"]
    v = v.reset_index().sort_values(["mean_risk", "flagged"], ascending=False, kind="stable")
    return v[VILLAGE_COLUMNS].round({"mean_risk": 4, "coverage_village": 4, "coverage_town": 4, "coverage_ratio": 3})
