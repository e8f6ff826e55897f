"""Rule-test setup.

pytest puts `tests/` on sys.path, where `tests/models/rules` looks like a
namespace package `models.rules` and hides the real one. Put the project root
first and forget any namespace stand-in, so `models.rules` is the package under
test. (A `pythonpath = ["."]` in pytest's settings would make this unnecessary.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[3])
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)
for _name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]
