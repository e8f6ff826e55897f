"""`hecha` command line: generate, run, export, demo, report, serve, users, policy, db.

Imports are lazy so that `hecha --help` is instant and the offline runtime
settings are in place before Prefect or Great Expectations are imported.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from hecha.exceptions import HechaError
from hecha.privacy import install_log_scrubber, scrub_error, scrub_text, scrub_traceback
from hecha.settings import configure_offline_runtime, default_db_url, home

DEMO_COUNTY = "429006"
DEMO_PERIOD = "2026-10"


def _generate(args: argparse.Namespace) -> int:
    from sample import generate_county

    folder = generate_county(
        Path(args.out), args.county, args.period, households=args.households, seed=args.seed, noise=args.noise
    )
    print(f"样例县数据已生成 sample county written: {folder}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from flows.monthly import monthly_reconciliation
    from flows.summary import format_summary

    summary = monthly_reconciliation(
        str(args.input), args.county, args.period, args.db, str(args.policy) if args.policy else None
    )
    print(format_summary(summary))
    print(f"\n运行目录 run folder: {summary['output_dir']}")
    return 0


def _run_many(args: argparse.Namespace) -> int:
    from flows.monthly import reconcile_counties
    from flows.summary import format_summary

    results = reconcile_counties(str(args.input), args.counties.split(","), args.period, args.db, args.policy)
    for summary in results.values():
        print(format_summary(summary), end="\n\n")
    return 0


def _export(args: argparse.Namespace) -> int:
    from cases.db import make_engine
    from cases.export import export_cases

    n = export_cases(make_engine(args.db), args.county, args.period, Path(args.out))
    print(f"已导出 {n} 条案件 exported {n} cases: {args.out}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    """Sample county → monthly run on SQLite (no server) → cases export → monthly report."""
    from flows.monthly import monthly_reconciliation
    from flows.summary import format_summary
    from sample import generate_county

    root = Path(args.dir).resolve()
    db_url = f"sqlite:///{root / 'hecha.db'}"
    print(f"1/3 生成样例县 generating the sample county ({args.households} 户) …", flush=True)
    generate_county(root / "incoming", DEMO_COUNTY, DEMO_PERIOD, households=args.households, seed=args.seed)
    print("2/3 运行月度核查 running the monthly reconciliation (Prefect, no server to start) …", flush=True)
    summary = monthly_reconciliation(str(root / "incoming"), DEMO_COUNTY, DEMO_PERIOD, db_url, None, str(root / "runs"))
    print("3/3 完成 done\n")
    print(format_summary(summary))
    outputs = summary.get("outputs", {})
    print("\n结果位置 where everything is:")
    print(f"  输入数据 input:        {root / 'incoming' / DEMO_COUNTY / DEMO_PERIOD}")
    print(f"  案件库 case store:     {db_url}")
    print(f"  运行目录 run folder:   {summary['output_dir']}")
    for key, path in outputs.items():
        print(f"  {key:<22} {path}")
    print(f"\n核查工作台 workspace:  hecha serve --db {db_url}  （先用 hecha users add 建账号）")
    return 0


def _report(args: argparse.Namespace) -> int:
    from cases.db import make_engine

    engine = make_engine(args.db)
    if args.kind == "monthly":
        from reports.monthly import write_monthly_report

        paths = write_monthly_report(engine, args.county, args.period, Path(args.out))
    else:
        from reports.campaign import write_campaign_report

        towns = args.towns.split(",") if args.towns else None
        paths = write_campaign_report(
            engine, args.name, args.county, args.period_from, args.period_to, Path(args.out), towns=towns
        )
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from cases.web.app import serve

    print(f"核查工作台 workspace: http://{args.host}:{args.port}/", flush=True)
    serve(args.db, host=args.host, port=args.port)
    return 0


def _users(args: argparse.Namespace) -> int:
    from cases import users
    from cases.db import make_engine, upgrade

    engine = make_engine(args.db)
    upgrade(engine)
    if args.action == "add":
        towns = [t for t in (args.towns or "").split(",") if t]
        users.add_user(engine, args.username, args.password, args.role, towns, args.id_number)
        print(f"已添加用户 user added: {args.username} ({args.role})")
    elif args.action == "list":
        for row in users.list_users(engine):
            print(json.dumps(row, ensure_ascii=False, default=str))
    elif args.action == "disable":
        users.disable_user(engine, args.username)
        print(f"已停用 disabled: {args.username}")
    else:
        users.reset_password(engine, args.username, args.password)
        print(f"已重置密码 password reset: {args.username}")
    return 0


def _policy(args: argparse.Namespace) -> int:
    import yaml

    from hecha.policy import load_policy

    print(yaml.safe_dump(load_policy(args.policy).model_dump(mode="json"), allow_unicode=True, sort_keys=False))
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from cases.db import make_engine, upgrade

    if args.action == "check":
        from flows.lifecycle import check_store

        print("\n".join(check_store(make_engine(args.db))))
        return 0
    upgrade(make_engine(args.db))
    print("数据库已升级到最新版本 database migrated to head")
    return 0


def _schedule(args: argparse.Namespace) -> int:
    from flows.schedule import serve_monthly

    serve_monthly(str(args.input), args.counties.split(","), args.cron, args.timezone, args.db, args.policy)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hecha", description="核查 hecha: 社会救助月度比对核查 monthly reconciliation")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = f"数据库 URL (默认 HECHA_DB 或 {default_db_url()})"

    g = sub.add_parser("generate", help="生成样例县数据 generate a synthetic county")
    g.add_argument("--out", required=True)
    g.add_argument("--county", default=DEMO_COUNTY)
    g.add_argument("--period", default=DEMO_PERIOD)
    g.add_argument("--households", type=int, default=2000)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--noise", type=float, default=1.0)
    g.set_defaults(func=_generate)

    r = sub.add_parser("run", help="运行一个县一个月的核查 run one county-month")
    r.add_argument("--input", required=True, help="ROOT containing ROOT/CODE/YYYY-MM/")
    r.add_argument("--county", required=True)
    r.add_argument("--period", required=True)
    r.add_argument("--db", default=None, help=db_help)
    r.add_argument("--policy", default=None, help="县级政策文件 YAML (覆盖默认值)")
    r.set_defaults(func=_run)

    m = sub.add_parser("run-many", help="多个县并行核查 several counties of one month")
    m.add_argument("--input", required=True)
    m.add_argument("--counties", required=True, help="CODE,CODE,...")
    m.add_argument("--period", required=True)
    m.add_argument("--db", default=None)
    m.add_argument("--policy", default=None)
    m.set_defaults(func=_run_many)

    e = sub.add_parser("export", help="导出案件 cases.csv (contract §3)")
    e.add_argument("--county", required=True)
    e.add_argument("--period", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--db", default=None, help=db_help)
    e.set_defaults(func=_export)

    d = sub.add_parser("demo", help="样例县演示：生成、核查、导出、报告 the quick start")
    d.add_argument("--dir", default=str(home() / "demo"))
    d.add_argument("--households", type=int, default=2000)
    d.add_argument("--seed", type=int, default=7)
    d.set_defaults(func=_demo)

    rep = sub.add_parser("report", help="月度报告 / 专项治理报告")
    rsub = rep.add_subparsers(dest="kind", required=True)
    rm = rsub.add_parser("monthly")
    rm.add_argument("--county", required=True)
    rm.add_argument("--period", required=True)
    rm.add_argument("--out", required=True)
    rm.add_argument("--db", default=None)
    rc = rsub.add_parser("campaign")
    rc.add_argument("--name", required=True)
    rc.add_argument("--county", required=True)
    rc.add_argument("--from", dest="period_from", required=True)
    rc.add_argument("--to", dest="period_to", required=True)
    rc.add_argument("--out", required=True)
    rc.add_argument("--towns", default=None, help="9-digit town codes, comma-separated")
    rc.add_argument("--db", default=None)
    rep.set_defaults(func=_report)

    s = sub.add_parser("serve", help="启动核查工作台 start the inspector workspace")
    s.add_argument("--db", default=None)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=_serve)

    u = sub.add_parser("users", help="账号管理 accounts")
    usub = u.add_subparsers(dest="action", required=True)
    ua = usub.add_parser("add")
    ua.add_argument("--username", required=True)
    ua.add_argument("--password", required=True)
    ua.add_argument("--role", required=True, choices=["admin", "inspector", "auditor"])
    ua.add_argument("--towns", default="", help="9-digit town codes, comma-separated (inspectors)")
    ua.add_argument("--id-number", default=None, help="本人身份证号（用于回避）")
    usub.add_parser("list")
    ud = usub.add_parser("disable")
    ud.add_argument("--username", required=True)
    ur = usub.add_parser("reset-password")
    ur.add_argument("--username", required=True)
    ur.add_argument("--password", required=True)
    for sp in (ua, ud, ur, usub.choices["list"]):
        sp.add_argument("--db", default=None)
    u.set_defaults(func=_users)

    pol = sub.add_parser("policy", help="显示生效的政策参数 show the effective policy")
    pol.add_argument("--policy", default=None)
    pol.set_defaults(func=_policy)

    dbp = sub.add_parser("db", help="数据库迁移与检查 migrate the case store, or check it for dead runs")
    dbp.add_argument("action", choices=["upgrade", "check"])
    dbp.add_argument("--db", default=None)
    dbp.set_defaults(func=_db_upgrade)

    sch = sub.add_parser("schedule", help="生产部署：每月定时运行 serve a monthly cron deployment")
    sch.add_argument("--input", required=True)
    sch.add_argument("--counties", required=True)
    sch.add_argument("--cron", default="0 6 2 * *", help="默认每月2日6点运行上月数据")
    sch.add_argument("--timezone", default="Asia/Shanghai")
    sch.add_argument("--db", default=None)
    sch.add_argument("--policy", default=None)
    sch.set_defaults(func=_schedule)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    configure_offline_runtime()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_scrubber()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HechaError as exc:
        print(f"错误 error: {scrub_text(str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:  # unexpected: the traceback helps, but never with a person's numbers in it
        print(scrub_traceback(exc), file=sys.stderr)
        print(f"错误 error: {scrub_error(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
