"""Does a file belong to this county-month? (data contract v2 §1, "Scope").

A run is one county and one period. A roll row of another county or period, or a payment
that is not positive, is quarantined with its reason: one bad row never stops the county.
But a `--county` that matches none of the roll, or a standards file of another county, means
the wrong folder or the wrong code: that is an error before any further work, because every
case would be filed under the wrong county.
"""

from __future__ import annotations

import pandas as pd

from hecha.contract import Source
from hecha.exceptions import HechaError

SCOPE_COLUMNS = ["row", "column", "value", "reason"]


def check_county(source: Source, frame: pd.DataFrame, county: str, file_name: str) -> None:
    """HechaError when the roll's region codes or the standards' county codes are all of another county."""
    if source.name not in ("roll", "standards") or frame.empty or "region_code" not in frame:
        return
    codes = frame["region_code"].dropna().astype(str).str[:6]
    if codes.empty or (codes == county).any():
        return
    seen = "、".join(f"{code}（{n} 行）" for code, n in codes.value_counts().head(3).items())
    what = "名册" if source.name == "roll" else "保障标准"
    raise HechaError(
        f"县级代码 {county} 与数据不符：{file_name}（{what}）中的行政区划代码属于 {seen}，"
        f"没有一行属于 {county}；请检查 --county 或输入目录 / county {county} matches none of "
        f"{file_name}: its region codes belong to {', '.join(codes.value_counts().head(3).index)}"
    )


def scope_rows(source: Source, frame: pd.DataFrame, county: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of this county-month, and the others as quarantine lines (SCOPE_COLUMNS)."""
    if frame.empty or source.name not in ("roll", "standards"):
        return frame, pd.DataFrame(columns=SCOPE_COLUMNS)
    reasons = pd.Series("", index=frame.index, dtype="object")
    columns = pd.Series("", index=frame.index, dtype="object")
    values = pd.Series("", index=frame.index, dtype="object")

    def mark(mask: pd.Series, column: str, zh: str, en: str) -> None:
        new = mask & (reasons == "")
        reasons[new] = f"{zh} / {en}"
        columns[new] = column
        values[new] = frame.loc[new, column].astype(str)

    region = frame["region_code"].astype("string")
    if source.name == "roll":
        mark(
            frame["period"].notna() & (frame["period"] != period),
            "period",
            f"发放年月不是本次核查期间 {period}",
            f"a row of another period than {period}",
        )
        mark(
            region.notna() & ~region.str.startswith(county).fillna(False).astype(bool),
            "region_code",
            f"行政区划代码不属于本县 {county}",
            f"a row of another county than {county}",
        )
        amount = pd.to_numeric(frame["amount"], errors="coerce")
        mark(amount.notna() & (amount <= 0), "amount", "发放金额应大于 0 元", "the amount must be more than 0 yuan")
    else:
        mark(
            region.notna() & (region != county),
            "region_code",
            f"其他县的保障标准（本县 {county}）",
            f"a standard of another county than {county}",
        )
        amount = pd.to_numeric(frame["monthly_amount"], errors="coerce")
        mark(
            amount.notna() & (amount <= 0), "monthly_amount", "月标准应大于 0 元", "a standard must be more than 0 yuan"
        )
    bad = reasons != ""
    lines = pd.DataFrame(
        {"row": frame.loc[bad, "_row"], "column": columns[bad], "value": values[bad], "reason": reasons[bad]}
    )
    return frame[~bad].reset_index(drop=True), lines.reset_index(drop=True)
