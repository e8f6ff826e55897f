"""Does the list flag households with minority names more often than others?

Minority-looking names (a separator · • . ・, or a long transliterated name) are
used ONLY here, to watch the model's output; they are never a feature. A ratio
far from 1 is reported for a person to look at, not corrected silently.
"""

from __future__ import annotations

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
    note = "" if enough else f"少数民族姓名户不足 {MIN_GROUP} 户或无人列入，比值仅供参考 (group too small to judge)"
    if warn:
        note = f"少数民族姓名户被列入比例为其他户的 {ratio:.2f} 倍，请人工复核名单 (flag-rate ratio {ratio:.2f})"
    return {
        "group": "minority_name",
        "households": {"minority_name": n_min, "other": n_oth},
        "flagged": {"minority_name": f_min, "other": f_oth},
        "flag_rate": {"minority_name": rate_min, "other": rate_oth},
        "ratio": ratio,
        "warn": bool(warn),
        "note_zh": note,
    }
