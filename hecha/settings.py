"""Settings, resolved in one place: every command, the flow and the workspace ask here.

The environment (HECHA_HOME, HECHA_DB, HECHA_SECRET_KEY, HECHA_ID_SALT, HECHA_COOKIE_SECURE,
HECHA_REPORT_ISSUER, HECHA_REPORT_MARKING, HECHA_RESPONSE_DEADLINE_DAYS, HECHA_TIMEZONE, PREFECT_API_URL)
is read only by this module, so `HECHA_HOME=/x hecha run …` and a later `hecha export` or
`hecha serve` without `--db` find the same store from any working folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFAULT_ID_SALT = "hecha-case-people-v1"


def home() -> Path:
    """Where runs, the default database and Prefect's state live (HECHA_HOME, default ./var)."""
    return Path(os.environ.get("HECHA_HOME", "var")).expanduser().resolve()


def default_db_url() -> str:
    """The case store when no `--db` is given: env HECHA_DB, else SQLite at HECHA_HOME/hecha.db."""
    return os.environ.get("HECHA_DB") or f"sqlite:///{home() / 'hecha.db'}"


def db_url(url: str | None = None) -> str:
    """`url` when given (a `--db` option), else the default store."""
    return url or default_db_url()


def secret_key() -> str | None:
    """Signs the workspace's session cookies; None means a random key per start."""
    return os.environ.get("HECHA_SECRET_KEY") or None


def cookie_secure() -> bool:
    """Send session cookies over HTTPS only (set HECHA_COOKIE_SECURE=1 behind TLS)."""
    return os.environ.get("HECHA_COOKIE_SECURE", "") == "1"


def id_salt() -> str:
    """Salt of identity-number hashes in the case store; must stay the same for the life of a database."""
    return os.environ.get("HECHA_ID_SALT") or DEFAULT_ID_SALT


def report_issuer() -> str | None:
    """The issuing unit printed on reports (HECHA_REPORT_ISSUER); None means "<county name>民政局"."""
    return os.environ.get("HECHA_REPORT_ISSUER") or None


def report_marking() -> str:
    """The handling mark at the head of every report page (HECHA_REPORT_MARKING); reports name people."""
    return os.environ.get("HECHA_REPORT_MARKING") or "内部资料 注意保密"


def response_deadline_days() -> int:
    """Days within which a case should be decided (HECHA_RESPONSE_DEADLINE_DAYS, default 10).

    Until the review policy carries its own deadline, reports measure timeliness against this.
    """
    raw = os.environ.get("HECHA_RESPONSE_DEADLINE_DAYS", "").strip()
    if not raw:
        return 10
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"HECHA_RESPONSE_DEADLINE_DAYS 应为正整数：{raw!r} / must be a positive integer")
    return int(raw)


def prefect_api_url() -> str | None:
    """The Prefect server this process reports to (PREFECT_API_URL); None means Prefect's ephemeral mode."""
    return os.environ.get("PREFECT_API_URL") or None


def configure_offline_runtime() -> None:
    """Prefect and GX never reach for the network: set before importing them.

    Telemetry is off in every mode. Without PREFECT_API_URL, Prefect starts a temporary local
    API per process, so its logs go nowhere useful and its UI is not served: those two are
    quieted then. With a server, logs and the UI are left to it, so a failed run shows its log.
    """
    defaults = {
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_HOME": str(home() / "prefect"),
    }
    if prefect_api_url() is None:
        defaults |= {"PREFECT_LOGGING_TO_API_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    # Prefect creates only the last level of its home; a fresh checkout has no var/ yet.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


def bureau_timezone() -> str:
    """The bureau's time zone, which decides which month "last month" is (HECHA_TIMEZONE, default Asia/Shanghai)."""
    return os.environ.get("HECHA_TIMEZONE") or "Asia/Shanghai"


class RunSettings(BaseModel):
    """One county-month: where its files are, where results go, which store and policy."""

    model_config = ConfigDict(frozen=True)

    input_root: Path
    county: str
    period: str
    db_url: str | None = None
    policy_path: Path | None = None
    output_root: Path | None = None

    @field_validator("county")
    @classmethod
    def _county(cls, value: str) -> str:
        if not re.fullmatch(r"\d{6}", value):
            raise ValueError(f"县级行政区划代码应为6位数字：{value!r} / county code must be 6 digits")
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if not _PERIOD.match(value):
            raise ValueError(f"期间格式应为 YYYY-MM：{value!r} / period must be YYYY-MM")
        return value

    @property
    def folder(self) -> Path:
        return self.input_root / self.county / self.period

    @property
    def db(self) -> str:
        return db_url(self.db_url)

    def run_dir(self, run_id: str) -> Path:
        root = self.output_root or home() / "runs"
        return root / self.county / self.period / run_id

    @property
    def model_dir(self) -> Path:
        """Risk models and feature snapshots of one county persist across months (they learn from outcomes)."""
        root = self.output_root or home() / "runs"
        return root / self.county / "models"
