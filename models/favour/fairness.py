"""Does the list flag households with minority names more often than others?

Minority-looking names (a separator · • . ・, or a long transliterated name) are
used ONLY here, to watch the model's output; they are never a feature. A ratio
far from 1 is reported for a person to look at, not corrected silently.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import pandas as pd

_SEPARATOR = re.compile(r"[·•.・‧∙⋅]")
LONG_NAME = 5  # Han names are 2–4 characters; transliterated names are usually longer
MIN_GROUP = 30  # below this many minority-name households a ratio is noise, so no warning


def is_minority_name(name: object) -> bool:
    if not isinstance(name, str):
        return False
    text = "".join(unicodedata.normalize("NFKC", name).split())
    return bool(_SEPARATOR.search(text)) or len(text) >= LONG_NAME


Z95 = 1.959964  # two-sided 95%


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion k/n: honest for small groups and rates near 0."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def ratio_interval(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float] | None:
    """95% interval of the ratio of two flag rates, k1/n1 over k2/n2 (MOVER-R from Wilson limits).

    A minority-name group is often 10–30 households with 0–2 flagged: the point ratio then swings
    between 0 and 3 with one household, and only the interval says so. Built from each rate's
    Wilson interval (Donner & Zou's method), it stays sensible at 0 flagged: lower bound 0.
    None when the other group has no flag (the ratio is unbounded).
    """
    w1, w2 = wilson(k1, n1, z), wilson(k2, n2, z)
    if w1 is None or w2 is None or k2 == 0:
        return None
    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = w1, w2
    lo = (p1 * p2 - math.sqrt(max(0.0, (p1 * p2) ** 2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2)))) / (
        u2 * (2 * p2 - u2)
    )
    hi = (p1 * p2 + math.sqrt(max(0.0, (p1 * p2) ** 2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2)))) / (
        l2 * (2 * p2 - l2)
    )
    return (max(0.0, lo), hi)


def fairness_report(head_names: pd.Series, flagged: pd.Series, warn_ratio: float) -> dict[str, Any]:
    """Flag rates of minority-name vs other households (by the head's name) and their ratio."""
    minority = head_names.map(is_minority_name).astype(bool)
    flagged = flagged.reindex(head_names.index).fillna(False).astype(bool)
    n_min, n_oth = int(minority.sum()), int((~minority).sum())
    f_min, f_oth = int(flagged[minority].sum()), int(flagged[~minority].sum())
    rate_min = f_min / n_min if n_min else None
    rate_oth = f_oth / n_oth if n_oth else None
    ratio = None
    if rate_min is not None and rate_oth:
        ratio = rate_min / rate_oth
    elif rate_min == 0 and rate_oth == 0:
        ratio = 1.0
    enough = n_min >= MIN_GROUP and f_min + f_oth > 0
    warn = enough and ratio is not None and (ratio > warn_ratio or ratio < 1 / warn_ratio)
    ci = ratio_interval(f_min, n_min, f_oth, n_oth)
    note = "" if enough else f"少数民族姓名户不足 {MIN_GROUP} 户或无人列入，比值仅供参考 (group too small to judge)"
    if ci is not None:
        note = (note + "；" if note else "") + f"比值95%置信区间 {ci[0]:.2f}–{ci[1]:.2f}"
    if warn:
        note = f"少数民族姓名户被列入比例为其他户的 {ratio:.2f} 倍，请人工复核名单 (flag-rate ratio {ratio:.2f})"
        if ci is not None:
            note += f"；95%置信区间 {ci[0]:.2f}–{ci[1]:.2f}"
    return {
        "group": "minority_name",
        "households": {"minority_name": n_min, "other": n_oth},
        "flagged": {"minority_name": f_min, "other": f_oth},
        "flag_rate": {"minority_name": rate_min, "other": rate_oth},
        "ratio": ratio,
        "ratio_ci95": ci,
        "flag_rate_ci95": {"minority_name": wilson(f_min, n_min), "other": wilson(f_oth, n_oth)},
        "warn": bool(warn),
        "note_zh": note,
    }
