"""Data checks in a reader's words: `unique(program,id_number)` → 「救助类别+身份证号码」不重复.

The run summary keeps the checks' own keys and raw observed values (what Great Expectations
returned); a leader reads what was checked and how many rows failed, never a key or a dict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hecha.contract import SOURCES

_KEY = re.compile(r"^(?P<kind>[a-z_]+)(?:\((?P<args>[^)]*)\))?$")
# check kind -> wording; {cols} are the contract's Chinese column names joined by "+".
KINDS: dict[str, str] = {
    "has_rows": "文件有数据行",
    "column_exists": "含「{cols}」列",
    "id_valid_share": "「{cols}」有效比例达标",
    "date_not_after_period": "「{cols}」不晚于本期",
    "amount_range": "「{cols}」在合理范围内",
    "amount_positive": "「{cols}」大于零",
    "vocabulary": "「{cols}」取值在规定范围内",
    "code_format": "「{cols}」格式正确",
    "unique": "「{cols}」不重复",
    "period_matches": "「{cols}」与本期一致",
    "quarantined_share": "隔离行比例未超限",
    "registry_repeats": "户籍中同一身份证号未重复登记",
}


def _column_zh(source: str, column: str) -> str:
    spec = SOURCES.get(source)
    if spec is None:
        return column
    try:
        return spec.column(column).zh
    except (KeyError, ValueError):
        return column


def check_zh(source: str, key: str) -> str:
    """The Chinese description of one check key; an unknown kind is named as a data check, not shown raw."""
    match = _KEY.match(key.strip())
    if not match or match["kind"] not in KINDS:
        return "其他数据检查"
    cols = "+".join(_column_zh(source, c.strip()) for c in (match["args"] or "").split(",") if c.strip())
    return KINDS[match["kind"]].format(cols=cols)


def observed_zh(observed: object) -> str:
    """Great Expectations' result dict as a sentence: 共 607 行，不符合 14 行（2.3%）."""
    if isinstance(observed, Mapping):
        total = observed.get("element_count")
        bad = observed.get("unexpected_count")
        share = observed.get("unexpected_percent")
        if bad is not None:
            text = f"不符合 {int(bad):,} 行"
            if total is not None:
                text = f"共 {int(total):,} 行，" + text
            if share is not None:
                text += f"（{float(share):.1f}%）"
            return text
        value = observed.get("observed_value")
        return "" if value is None else observed_zh(value)
    if isinstance(observed, float):
        return f"{observed:.1%}" if 0 <= observed <= 1 else f"{observed:,.2f}"
    if isinstance(observed, list | tuple):
        return "、".join(observed_zh(v) for v in observed[:5]) + ("等" if len(observed) > 5 else "")
    return "" if observed is None else str(observed)
