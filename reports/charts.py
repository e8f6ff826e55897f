"""Charts as PNG bytes (matplotlib, Agg), embedded in HTML and PDF as base64.

Long Chinese labels (towns, rule names) go on horizontal bars; a month without a run is a
gap marked 未运行, never a zero.
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from reports.fonts import cjk_family

COLOURS = {"错保": "#c0392b", "漏保": "#2e86c1", "人情保/关系保": "#d68910"}
SERIES = ["#2e5e8c", "#c0392b", "#7f8c8d", "#d68910", "#27ae60"]
NO_RUN = "未运行"


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _style() -> Any:  # rc_context's parameter type lists every key literally
    return {"font.family": [cjk_family()], "axes.unicode_minus": False, "font.size": 9}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _month(label: object) -> str:
    """`2026-10` → 10月 (the year once, on the first tick or where it changes)."""
    text = str(label)
    return f"{int(text[5:7])}月" if len(text) == 7 and text[4] == "-" else text


def _month_ticks(index: pd.Index) -> list[str]:
    ticks, year = [], ""
    for label in index.astype(str):
        tick = _month(label)
        if label[:4] != year:
            year = label[:4]
            tick = f"{year}年\n{tick}"
        ticks.append(tick)
    return ticks


def barh(labels: list[str], values: list[float], title: str, xlabel: str, value_format: str = "{:,.0f}") -> bytes:
    """Horizontal bars, largest at the top: long Chinese labels stay readable."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.8, 0.32 * max(len(labels), 3) + 0.9))
        ax.barh(labels[::-1], values[::-1], color="#2e5e8c", height=0.6)
        top = max([v for v in values if not _missing(v)], default=0) or 1
        for y, v in enumerate(values[::-1]):
            ax.text(v + top * 0.01, y, value_format.format(v), va="center", fontsize=8)
        ax.set_xlim(0, top * 1.15)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def grouped_barh(frame: pd.DataFrame, title: str, xlabel: str) -> bytes:
    """One group of horizontal bars per row (town), one bar per column (flagged, confirmed, cleared)."""
    n, k = len(frame), len(frame.columns)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.8, max(0.27 * n + 1.0, 2.2)))
        height = 0.8 / k
        for j, column in enumerate(frame.columns):
            ys = [n - 1 - i + (k / 2 - j - 0.5) * height for i in range(n)]
            ax.barh(ys, frame[column].astype(float), height=height, label=column, color=SERIES[j % len(SERIES)])
        ax.set_yticks(range(n))
        ax.set_yticklabels(list(frame.index.astype(str))[::-1])
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.legend(frameon=False, loc="lower right", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def stacked(frame: pd.DataFrame, title: str, xlabel: str) -> bytes:
    """Horizontal stacked bars of categories (columns) per group (index), e.g. towns × 错保/漏保/人情保."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.8, 0.3 * max(len(frame), 3) + 1.0))
        labels = list(frame.index.astype(str))[::-1]
        left = pd.Series(0.0, index=labels)
        for column in frame.columns:
            values = frame[column].astype(float).to_numpy()[::-1]
            ax.barh(labels, values, left=left.to_numpy(), label=column, color=COLOURS.get(column), height=0.6)
            left = left + values
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.legend(frameon=False, loc="lower right", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def _mark_gaps(ax: Any, index: pd.Index, frame: pd.DataFrame, ran: set[str] | None) -> None:
    """Shade months without a run (未运行); a month that ran but has no value yet says 暂无 instead."""
    for x, label in enumerate(index.astype(str)):
        empty = bool(frame.loc[label].isna().all())
        if ran is not None and label not in ran and empty:
            ax.axvspan(x - 0.4, x + 0.4, color="#eeeeee", zorder=0)
            ax.text(x, 0.5, NO_RUN, transform=ax.get_xaxis_transform(), ha="center", va="center", color="#777")
        elif empty:
            ax.text(x, 0.5, "暂无", transform=ax.get_xaxis_transform(), ha="center", va="center", color="#777")


def lines(frame: pd.DataFrame, title: str, ylabel: str, ran: set[str] | None = None) -> bytes:
    """One line per column over the months; a month without a run breaks the line and is shaded."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.8, 2.8))
        xs = list(range(len(frame)))
        for j, column in enumerate(frame.columns):
            ax.plot(xs, frame[column].astype(float), marker="o", label=column, color=SERIES[j % len(SERIES)])
        _mark_gaps(ax, frame.index, frame, ran)
        ax.set_xticks(xs)
        ax.set_xticklabels(_month_ticks(frame.index))
        ax.set_xlim(-0.6, len(xs) - 0.4)
        ax.set_ylim(0, max(float(frame.max().max()) if frame.notna().any().any() else 0, 1) * 1.15)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def month_bars(
    frame: pd.DataFrame, title: str, ylabel: str, ran: set[str] | None = None, percent: bool = False
) -> bytes:
    """Side-by-side bars per month (one per column); a month without a run is shaded, not drawn as 0."""
    n, k = len(frame), len(frame.columns)
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(6.8, 2.8))
        width = 0.8 / k
        for j, column in enumerate(frame.columns):
            values = frame[column].astype(float) * (100 if percent else 1)
            xs = [i + (j - (k - 1) / 2) * width for i in range(n)]
            ax.bar(xs, values, width=width, label=column, color=SERIES[j % len(SERIES)])
            for x, v in zip(xs, values, strict=True):
                if not math.isnan(v):
                    ax.text(x, v, f"{v:.0f}%" if percent else f"{v:,.0f}", ha="center", va="bottom", fontsize=7)
        _mark_gaps(ax, frame.index, frame, ran)
        ax.set_xticks(range(n))
        ax.set_xticklabels(_month_ticks(frame.index))
        ax.set_xlim(-0.6, n - 0.4)
        top = float(frame.max().max()) * (100 if percent else 1) if frame.notna().any().any() else 0.0
        ax.set_ylim(0, 110 if percent else max(top, 1) * 1.2)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if k > 1:
            ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def outcomes_charts(
    money: pd.DataFrame, timely: pd.DataFrame, deadline_days: int, ran: set[str]
) -> list[tuple[str, bytes]]:
    """Money stopped and recovered over the months, and the share decided within the deadline."""
    share_title = f"按期核查率（{deadline_days}天内作出结论）"
    return [
        (
            "逐月停发与追回金额",
            month_bars(money.set_index("月份")[["停发（元/月）", "追回（元）"]], "逐月停发与追回金额", "元", ran),
        ),
        (share_title, month_bars(timely.set_index("月份")[["按期核查率"]], share_title, "%", ran, percent=True)),
    ]
