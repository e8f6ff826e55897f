"""Finding a CJK font, because matplotlib's default DejaVu has no Chinese glyphs (tofu boxes)."""

from __future__ import annotations

import functools
import logging

from matplotlib import font_manager

log = logging.getLogger(__name__)

# Preferred families, best first; Debian's fonts-noto-cjk provides the first (and Noto Serif CJK SC).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Noto Serif CJK SC",
)


@functools.cache
def cjk_family() -> str:
    """The first installed CJK family; raises with the install hint when there is none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    # The font list is cached per user; a font installed after the cache was built is missed.
    font_manager.fontManager = font_manager.FontManager()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise RuntimeError(
        "未找到中文字体，请运行 scripts/install_report_deps.sh（fonts-noto-cjk）/ "
        "no CJK font found: run scripts/install_report_deps.sh"
    )


SERIF_FAMILIES = ("Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "AR PL UMing CN")


@functools.cache
def serif_family() -> str:
    """The body font of official documents (宋体-like serif); the sans family where no CJK serif is installed."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in SERIF_FAMILIES if family in installed), cjk_family())
