"""Resumable runs: stage results persisted under the run folder, keyed by what they depend on.

A stage's cache key is the county-month's input files (their content, not their dates), the
code of the stages (hecha, checks, matching, models) and the effective policy. Re-running a
month whose run failed at rules finds linkage under the same key and skips it; change one
input byte, one line of stage code or one policy value and every key changes. Stages with
side effects (checks writes the run folder, favour saves models, cases and outputs write the
store and files) are never cached. Nor is load: on a 1M-person county storing its result
(a 272 MB record: pickle, base64, JSON) cost about 4 s of every run, failed or not, and
reading the files again on the rare resume costs about 8 s.
"""

from __future__ import annotations

import base64
import hashlib
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from prefect.cache_policies import CachePolicy
from prefect.context import TaskRunContext
from prefect.serializers import Serializer

from hecha.policy import load_policy

CODE_PACKAGES = ("hecha", "checks", "matching", "models")
_ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of every stage module and the default policy: a code change is a new key."""
    digest = hashlib.sha256()
    for package in CODE_PACKAGES:
        for path in sorted((_ROOT / package).rglob("*")):
            if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def inputs_hash(folder: Path) -> str:
    """The content of every file of the county-month folder (names and bytes, not dates)."""
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    fingerprint = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _hash_files(Path(folder), fingerprint)


@lru_cache(maxsize=32)
def _hash_files(folder: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> str:
    """Hashed once per set of (path, size, mtime): three cached stages read the files once."""
    digest = hashlib.sha256()
    for name, _, _ in fingerprint:
        path = Path(name)
        digest.update(path.relative_to(folder).as_posix().encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def policy_hash(policy_path: str | Path | None) -> str:
    """The effective policy (defaults + county file), so an edit to the county file is a new key."""
    return hashlib.sha256(load_policy(policy_path).model_dump_json().encode()).hexdigest()[:16]


def month_key(input_root: str, county: str, period: str, policy_path: str | None) -> str:
    """One county-month's key: inputs + code + policy."""
    folder = Path(input_root) / county / period
    return f"{county}-{period}-{inputs_hash(folder)}-{code_version()}-{policy_hash(policy_path)}"


@dataclass
class MonthInputs(CachePolicy):
    """Cache key of a stage: its name + the month's inputs, code and policy (never the big frames it is given)."""

    stage: str = ""

    def compute_key(
        self, task_ctx: TaskRunContext, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        try:
            key = month_key(
                flow_parameters["input_root"],
                flow_parameters["county"],
                flow_parameters["period"],
                flow_parameters.get("policy_path"),
            )
        except KeyError:  # called outside the monthly flow: no key, no cache
            return None
        return f"{self.stage}-{key}"


def stage_results_dir(run_folder: Path) -> Path:
    """Where a county-month's stage results live: beside its runs, so the next run finds them."""
    return Path(run_folder).parent / "stage-results"


class StagePickle(Serializer):  # not Serializer[Any]: that would register a second, keyless class
    """Stage results as plain pickle (protocol 5), base64-encoded in one pass.

    Prefect's default pickle serializer goes through cloudpickle and `base64.encodebytes`,
    which breaks the text every 76 bytes: on a 1M-person county the load and linkage results
    were 380 MB of pickle, and that cost about 6 s of every run (measured), failed or not. Stage results
    are plain objects of importable classes (Dataset, PersonIndex, RuleResult), which the
    standard pickle handles; the record stays Prefect's own JSON, so Prefect reads it back.
    """

    type: Literal["hecha-pickle"] = "hecha-pickle"

    def dumps(self, obj: Any) -> bytes:
        return base64.b64encode(pickle.dumps(obj, protocol=5))

    def loads(self, blob: bytes) -> Any:
        return pickle.loads(base64.b64decode(blob))  # our own run folder's results
