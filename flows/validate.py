"""Arguments and settings checked before Prefect starts: a mistake costs a second, not a run.

Each check raises `SettingsError` with one clear line (Chinese, English beside it) naming the
argument, the file or the policy key; nothing here imports Prefect or touches the store.
"""

from __future__ import annotations

import re
from pathlib import Path

from flows.errors import SettingsError
from flows.periods import months
from hecha.policy import Policy, load_policy
from hecha.settings import db_url

_COUNTY = re.compile(r"^\d{6}$")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# A Dask scheduler: tcp:// or tls://, a host name, IPv4 or [IPv6] address, and a port.
_DASK_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$")


def county(value: str) -> str:
    if not _COUNTY.match(value):
        raise SettingsError(
            f"--county 应为6位县级行政区划代码，如 429006：{value!r} / --county must be a 6-digit county code"
        )
    return value


def counties(value: str) -> list[str]:
    return [county(c.strip()) for c in value.split(",") if c.strip()] or [county("")]


def period(value: str, option: str = "--period") -> str:
    if not _PERIOD.match(value):
        raise SettingsError(f"{option} 应为 YYYY-MM 格式，如 2026-10：{value!r} / {option} must be YYYY-MM")
    return value


def period_range(first: str, last: str) -> list[str]:
    period(first, "--from")
    period(last, "--to")
    if first > last:
        raise SettingsError(f"--from {first} 晚于 --to {last} / --from is after --to")
    return months(first, last)


def database(url: str | None) -> str:
    """A URL SQLAlchemy can use with an installed driver (`postgres://` is not one)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    resolved = db_url(url)
    try:
        parsed = make_url(resolved)
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        hint = "postgresql+psycopg://user@host/db 或 sqlite:///path/hecha.db"
        shown = re.sub(r"//[^@/]*@", "//…@", resolved)  # never echo a password
        raise SettingsError(
            f"--db 数据库地址无法使用：{shown}（应为 {hint}）/ unusable database URL ({type(exc).__name__})"
        ) from None
    except ImportError as exc:
        raise SettingsError(f"--db 缺少数据库驱动 {exc.name} / database driver not installed: {exc.name}") from None
    return resolved


def policy(path: str | Path | None) -> Policy:
    """The effective policy; a missing file, bad YAML or a wrong value is one PolicyError line naming it."""
    return load_policy(path)


def month_folder(input_root: str | Path, code: str, month: str) -> Path:
    """ROOT/<county>/<YYYY-MM> must exist; say which counties or months the root does have."""
    root = Path(input_root)
    if not root.is_dir():
        raise SettingsError(f"--input 目录不存在：{root} / input folder does not exist: {root}")
    county_dir = root / code
    if not county_dir.is_dir():
        found = sorted(p.name for p in root.iterdir() if p.is_dir() and _COUNTY.match(p.name))
        have = "、".join(found) if found else "无 none"
        raise SettingsError(
            f"{root} 下没有县 {code} 的数据（已有：{have}）/ no folder for county {code} in {root} (found: {have})"
        )
    folder = county_dir / month
    if not folder.is_dir():
        found = sorted(p.name for p in county_dir.iterdir() if p.is_dir() and _PERIOD.match(p.name))
        have = "、".join(found) if found else "无 none"
        raise SettingsError(
            f"县 {code} 没有 {month} 的数据（已有：{have}）/ no folder {month} for county {code} (found: {have})"
        )
    return folder


def dask_address(value: str) -> str:
    """`tcp://HOST:PORT` of a running `dask scheduler` (tls:// too); checked for form here, reached later."""
    found = _DASK_ADDRESS.match(value.strip())
    if not found or not 0 < int(found.group(4)) < 65536:
        raise SettingsError(
            f"--dask-address 应为 Dask 调度器地址 tcp://主机:端口，如 tcp://10.0.0.5:8786：{value!r} / "
            "--dask-address must be a Dask scheduler address tcp://HOST:PORT"
        )
    return value.strip()


def dask_workers(value: str | None) -> int | None:
    """How many local worker processes: a whole number from 1."""
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise SettingsError(f"--dask-workers 应为正整数，如 4：{value!r} / --dask-workers must be a whole number ≥ 1")
    return int(value)


def dask_options(address: str | None, workers: str | None) -> tuple[str | None, int | None]:
    """An existing cluster or a local one, never both."""
    if address is not None and workers is not None:
        raise SettingsError(
            "--dask-address 与 --dask-workers 只能选一个（已有集群，或在本机启动）/ "
            "give either --dask-address (an existing cluster) or --dask-workers (a local one), not both"
        )
    return (dask_address(address) if address is not None else None), dask_workers(workers)
