"""Charts as PNG bytes (matplotlib, Agg), embedded in HTML and PDF as base64."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from reports.fonts import cjk_family

COLOURS = {"错保": "#c0392b", "漏保": "#2e86c1", "人情保/关系保": "#d68910"}


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _style() -> Any:  # rc_context's parameter type lists every key literally
    return {"font.family": [cjk_family()], "axes.unicode_minus": False, "font.size": 9}


def barh(labels: list[str], values: list[float], title: str, xlabel: str) -> bytes:
    """Horizontal bars: long Chinese labels (finding names, villages) stay readable."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(labels), 3) + 0.8))
        ax.barh(labels[::-1], values[::-1], color="#2e86c1")
        for y, v in enumerate(values[::-1]):
            ax.text(v, y, f" {v:,.0f}", va="center")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def stacked(frame: pd.DataFrame, title: str, ylabel: str) -> bytes:
    """Stacked bars of categories (columns) per group (index), e.g. towns × 错保/漏保/人情保."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        bottom = pd.Series(0.0, index=frame.index)
        for column in frame.columns:
            ax.bar(frame.index.astype(str), frame[column], bottom=bottom, label=column, color=COLOURS.get(column))
            bottom = bottom + frame[column]
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def lines(frame: pd.DataFrame, title: str, ylabel: str) -> bytes:
    """One line per column over the index (months)."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(7, 3.0))
        for column in frame.columns:
            ax.plot(frame.index.astype(str), frame[column], marker="o", label=column)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)
