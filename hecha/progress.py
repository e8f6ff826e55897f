"""How a long stage reports its steps: `progress(label, done, total)`.

Stages stay free of any terminal or Prefect code; they call the function they were given
(the CLI passes one that moves a bar; tests and workers pass nothing).
"""

from __future__ import annotations

from collections.abc import Callable

Step = Callable[[str, int, int], None]


def no_progress(label: str, done: int, total: int) -> None:
    """The default: say nothing."""
