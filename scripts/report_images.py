"""Page images of the monthly and campaign reports from the demo county (docs/report-*.png).

Runs the demo county (429006) for 2026-07, 2026-08 and 2026-10 (no run in September, so the
campaign shows a gap), records a round of inspector decisions after each run through the real
review workflow (dated a few days after the run, as an inspector would work), writes both
reports and rasterises their first pages with pdftoppm. `make report-images` calls it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from hecha.settings import configure_offline_runtime

configure_offline_runtime()  # before Prefect is imported: offline, quiet, its own home

from sqlalchemy import select, update  # noqa: E402

from cases.db import make_engine, session_scope  # noqa: E402
from cases.schema import Case, CaseEvent, CaseObservation, User  # noqa: E402
from cases.workflow import approve, decide, propose, record_notice, record_response  # noqa: E402
from flows.monthly import monthly_reconciliation  # noqa: E402
from reports.campaign import write_campaign_report  # noqa: E402
from reports.monthly import write_monthly_report  # noqa: E402
from sample import generate_county  # noqa: E402

COUNTY = "429006"
PERIODS = ("2026-07", "2026-08", "2026-10")
DOCS = Path(__file__).resolve().parent.parent / "docs"


def _after(period: str, day: int) -> dt.datetime:
    year, month = (int(p) for p in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.datetime(year, month, day, 10, 0)


SUPERVISOR = "demo-supervisor"


def review_round(engine: object, period: str) -> None:
    """Decide some of the month's new cases, deterministically, as inspectors would over the next weeks."""
    with session_scope(engine) as session:  # type: ignore[arg-type]
        if session.get(User, SUPERVISOR) is None:
            session.add(User(username=SUPERVISOR, password_hash="-", role="supervisor", towns=[], active=True))
        new = session.scalars(
            select(Case).where(Case.county == COUNTY, Case.first_period == period).order_by(Case.case_id)
        ).all()
        session.execute(update(Case).where(Case.first_period == period).values(created_at=_after(period, 2)))
        plans = [(c.case_id, c.category, float(c.est_monthly_overpayment or 0)) for c in new]
    for i, (case_id, category, monthly) in enumerate(plans):
        if i % 4 == 3:
            continue  # a quarter stays open
        with session_scope(engine) as session:  # type: ignore[arg-type]
            case = session.get_one(Case, case_id)
            case = record_notice(session, case_id, case.version, "demo-inspector", _after(period, 3).date(), "visit")
            if i % 5 == 1:
                decide(session, case_id, case.version, "demo-inspector", "cleared", reason="入户核实，情况属实无误")
            elif category == "missed":
                decide(
                    session, case_id, case.version, "demo-inspector", "included", amount_paid=round(monthly or 300.0)
                )
            else:
                stop = max(round(monthly), 100)  # stopping a payment: the household is heard, a supervisor approves
                case = record_response(session, case_id, case.version, "demo-inspector", "户主陈述：情况属实")
                case = propose(
                    session,
                    case_id,
                    case.version,
                    "demo-inspector",
                    "stop_payment",
                    monthly_amount_stopped=stop,
                    amount_to_recover=stop * 3,
                )
                approve(session, case_id, case.version, SUPERVISOR)
                if i % 3 == 0:
                    case = session.get_one(Case, case_id)
                    decide(session, case_id, case.version, "demo-inspector", "rectified", amount_recovered=stop * 2)
        with session_scope(engine) as session:  # type: ignore[arg-type]
            day = 4 + (i % 6) * 3  # most within ten days of the flag, some later
            session.execute(
                update(CaseEvent)
                .where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(("notified", "decision")))
                .values(at=_after(period, min(day, 27)))
            )


def first_page_png(pdf: Path, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p*.png"))
        for n, page in enumerate(pages, start=1):
            shutil.copy(page, out.with_name(f"{out.stem}-page{n}.png"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path("var/report-images"))
    parser.add_argument("--households", type=int, default=2000)
    args = parser.parse_args()
    root = args.dir.resolve()
    if root.exists():
        shutil.rmtree(root)
    db_url = f"sqlite:///{root / 'hecha.db'}"
    for period in PERIODS:
        generate_county(root / "incoming", COUNTY, period, households=args.households, seed=7)
        monthly_reconciliation(str(root / "incoming"), COUNTY, period, db_url, None, str(root / "runs"))
        review_round(make_engine(db_url), period)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(CaseObservation.case_id).limit(1)).first() is not None
    monthly = write_monthly_report(engine, COUNTY, "2026-10", root / "report")
    campaign = write_campaign_report(
        engine,
        "2026年农村低保专项治理",
        COUNTY,
        "2026-07",
        "2026-10",
        root / "report",
        as_of=dt.datetime(2026, 11, 20),
    )
    DOCS.mkdir(exist_ok=True)
    first_page_png(monthly["pdf"], DOCS / "report-monthly.png")
    first_page_png(campaign["pdf"], DOCS / "report-campaign.png")
    for path in sorted(DOCS.glob("report-*.png")):
        print(path)  # noqa: T201 -- a script: it reports the files it wrote


if __name__ == "__main__":
    main()
