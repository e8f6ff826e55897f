"""`hecha` command line: generate, run, backfill, export, demo, report, serve, users, policy, db, schedule.

Imports are lazy so that `hecha --help` is instant and the offline runtime settings are in
place before Prefect or Great Expectations are imported. Arguments are validated
(flows/validate.py) before Prefect starts; every error is one line (flows/errors.py), with
the traceback only under `--debug`.
"""

from __future__ import annotations

import argparse
import atexit
import getpass
import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flows import validate
from flows.errors import SettingsError, one_line
from hecha.exceptions import HechaError
from hecha.privacy import install_log_scrubber, scrub_traceback
from hecha.settings import bureau_timezone, configure_offline_runtime, default_db_url, home

DEMO_COUNTY = "429006"
DEMO_PERIOD = "2026-10"
PREFECT_COMMANDS = {"run", "run-many", "backfill", "demo", "schedule"}


def _generate(args: argparse.Namespace) -> int:
    from sample import generate_county

    folder = generate_county(
        Path(args.out), args.county, args.period, households=args.households, seed=args.seed, noise=args.noise
    )
    print(f"样例县数据已生成 sample county written: {folder}")
    return 0


def _check_run(args: argparse.Namespace) -> None:
    validate.county(args.county)
    validate.period(args.period)
    validate.database(args.db)
    validate.policy(args.policy)
    validate.month_folder(args.input, args.county, args.period)


def _run(args: argparse.Namespace) -> int:
    from flows.monthly import monthly_reconciliation
    from flows.naming import tagged
    from flows.progress import stage_bar
    from flows.summary import format_summary

    with tagged(args.county, args.period), stage_bar(f"{args.county} {args.period}"):
        summary = monthly_reconciliation(
            str(args.input), args.county, args.period, args.db, str(args.policy) if args.policy else None
        )
    print(format_summary(summary))
    print(f"\n运行目录 run folder: {summary['output_dir']}")
    return 0


def _check_run_many(args: argparse.Namespace) -> None:
    validate.period(args.period)
    db = validate.database(args.db)
    validate.policy(args.policy)
    for code in validate.counties(args.counties):
        validate.month_folder(args.input, code, args.period)
    address, _ = validate.dask_options(args.dask_address, args.dask_workers)
    if address is not None:  # reach the scheduler now: an unreachable or unfit cluster costs seconds, not a run
        from flows.cluster import check_cluster
        from hecha.settings import prefect_api_url

        check_cluster(address, db, prefect_api_url())


def _run_many(args: argparse.Namespace) -> int:
    """Every county runs whatever the others do; the table at the end says how each ended (exit 1 if any failed)."""
    from flows import cluster
    from flows.monthly import reconcile_counties
    from flows.progress import STAGES, stage_bar
    from flows.province import CountiesFailedError, format_outcomes
    from flows.summary import format_summary

    counties = validate.counties(args.counties)
    address, workers = validate.dask_options(args.dask_address, args.dask_workers)
    runner = cluster.task_runner(address, workers)
    # Absolute paths and a resolved store: worker processes may start elsewhere, with another environment.
    params = (str(Path(args.input).resolve()), counties, args.period, validate.database(args.db),
              str(Path(args.policy).resolve()) if args.policy else None, str(home() / "runs"))  # fmt: skip
    try:
        if runner is None:  # Prefect's thread pool here: the stage hooks advance one bar for all counties
            with stage_bar(f"{len(counties)} 个县 counties {args.period}", total=STAGES * len(counties)):
                outcomes = reconcile_counties(*params)
        else:  # on Dask: each county is logged as it ends
            with cluster.api_for_workers():
                outcomes = reconcile_counties.with_options(task_runner=runner)(*params)
    except CountiesFailedError as failed:
        outcomes = failed.outcomes
    for outcome in outcomes.values():
        if outcome.summary is not None:
            print(format_summary(outcome.summary), end="\n\n")
    print(format_outcomes(outcomes))
    return 1 if any(o.state == "failed" for o in outcomes.values()) else 0


def _check_backfill(args: argparse.Namespace) -> None:
    validate.county(args.county)
    validate.database(args.db)
    validate.policy(args.policy)
    for month in validate.period_range(args.period_from, args.period_to):
        validate.month_folder(args.input, args.county, month)


def _backfill(args: argparse.Namespace) -> int:
    from flows.backfill import backfill
    from flows.periods import months
    from flows.progress import STAGES, stage_bar
    from flows.summary import format_summary

    n = len(months(args.period_from, args.period_to))
    with stage_bar(f"补跑 backfill {args.county} {args.period_from}..{args.period_to}", total=STAGES * n):
        results = backfill(str(args.input), args.county, args.period_from, args.period_to, args.db, args.policy)
    for summary in results.values():
        print(format_summary(summary), end="\n\n")
    print(f"已按顺序补跑 {len(results)} 个月 backfilled {len(results)} months in order: " + ", ".join(results))
    return 0


def _export(args: argparse.Namespace) -> int:
    from cases.db import make_engine
    from cases.export import export_cases, export_cases_xlsx

    engine = make_engine(args.db)
    out = Path(args.out)
    n = export_cases(engine, args.county, args.period, out)
    xlsx = out.with_suffix(".xlsx")
    export_cases_xlsx(engine, args.county, args.period, xlsx)  # identity numbers as text cells for Excel
    print(f"已导出 {n} 条案件 exported {n} cases: {out}（Excel 用 for Excel: {xlsx}）")
    return 0


def _check_db(args: argparse.Namespace) -> None:
    validate.database(args.db)


def _check_county_period(args: argparse.Namespace) -> None:
    validate.county(args.county)
    validate.period(args.period)
    validate.database(args.db)


def _check_campaign(args: argparse.Namespace) -> None:
    validate.county(args.county)
    validate.period_range(args.period_from, args.period_to)
    validate.database(args.db)


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
    from flows.naming import tagged
    from flows.progress import stage_bar

    with tagged(DEMO_COUNTY, DEMO_PERIOD), stage_bar(f"{DEMO_COUNTY} {DEMO_PERIOD}"):
        summary = monthly_reconciliation(
            str(root / "incoming"), DEMO_COUNTY, DEMO_PERIOD, db_url, None, str(root / "runs")
        )
    print("3/3 完成 done\n")
    print(format_summary(summary))
    outputs = summary.get("outputs", {})
    print("\n结果位置 where everything is:")
    print(f"  输入数据 input:        {root / 'incoming' / DEMO_COUNTY / DEMO_PERIOD}")
    print(f"  案件库 case store:     {db_url}")
    print(f"  运行目录 run folder:   {summary['output_dir']}")
    from flows.summary import pad

    for key, path in outputs.items():
        print(f"  {pad(key, 22)} {path}")
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


def _password(args: argparse.Namespace) -> str:
    """From `--password-stdin` (one line), else a prompt typed twice; `--password` still works but is not advised."""
    if args.password is not None:
        return str(args.password)
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise SettingsError("标准输入没有密码 / no password on standard input")
        return line
    if not sys.stdin.isatty():
        raise SettingsError("请用 --password-stdin 从标准输入提供密码 / give the password with --password-stdin")
    first = getpass.getpass("密码 password: ")
    if first != getpass.getpass("再输入一次 again: "):
        raise SettingsError("两次输入的密码不一致 / the passwords differ")
    return first


def _users(args: argparse.Namespace) -> int:
    from cases import users
    from cases.db import make_engine, upgrade

    engine = make_engine(args.db)
    upgrade(engine)
    if args.action == "add":
        towns = [t for t in (args.towns or "").split(",") if t]
        users.add_user(
            engine,
            args.username,
            _password(args),
            args.role,
            towns,
            args.id_number,
            full_name=args.full_name,
            village_code=args.village,
        )
        print(f"已添加用户 user added: {args.username} ({args.role})")
    elif args.action == "change-role":
        towns_given = None if args.towns is None else [t for t in args.towns.split(",") if t]
        users.change_role(engine, args.username, args.role, towns_given)
        print(f"已更改角色 role changed: {args.username} → {args.role}（该账号已全部退出登录 sessions ended）")
    elif args.action == "list":
        for row in users.list_users(engine):
            print(json.dumps(row, ensure_ascii=False, default=str))
    elif args.action == "disable":
        users.disable_user(engine, args.username)
        print(f"已停用 disabled: {args.username}")
    else:
        users.reset_password(engine, args.username, _password(args))
        print(f"已重置密码 password reset: {args.username}")
    return 0


def _policy(args: argparse.Namespace) -> int:
    import yaml

    policy = validate.policy(args.policy)
    print(yaml.safe_dump(policy.model_dump(mode="json"), allow_unicode=True, sort_keys=False))
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


def _check_schedule(args: argparse.Namespace) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from hecha.settings import prefect_api_url

    validate.counties(args.counties)
    validate.database(args.db)
    validate.policy(args.policy)
    if not Path(args.input).is_dir():
        raise SettingsError(f"--input 目录不存在：{args.input} / input folder does not exist")
    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"--timezone 未知时区：{args.timezone!r} / unknown time zone") from None
    fields = args.cron.split()
    if len(fields) != 5:
        raise SettingsError(f"--cron 应为5段 cron 表达式，如 '0 6 2 * *'：{args.cron!r} / --cron needs 5 fields")
    if prefect_api_url() is None:
        raise SettingsError(
            "定时部署需要 Prefect 服务器：请先设置 PREFECT_API_URL / a deployment needs a Prefect server: "
            "set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)"
        )


def _schedule(args: argparse.Namespace) -> int:
    from flows.schedule import DEPLOYMENT, register_monthly

    policy = str(Path(args.policy).resolve()) if args.policy else None
    deployment = register_monthly(
        str(Path(args.input).resolve()), validate.counties(args.counties), args.cron, args.timezone, args.db, policy,
        work_pool=args.pool,
    )  # fmt: skip
    print(f"已注册定时部署 deployment registered: hecha-monthly-scheduled/{DEPLOYMENT} ({deployment})")
    print(f"  计划 schedule: {args.cron}  时区 time zone: {args.timezone}  县 counties: {args.counties}")
    print(f"  运行它的进程 run it with a worker (a system service): prefect worker start --pool {args.pool}")
    return 0


def _option(parser: argparse.ArgumentParser, *flags: str, help: str, example: str, **kw: Any) -> None:
    """Every option says what it is and shows an example value."""
    parser.add_argument(*flags, help=f"{help}（例 e.g. {example}）", **kw)


def _db(parser: argparse.ArgumentParser) -> None:
    _option(
        parser, "--db", default=None, example="sqlite:///var/hecha.db 或 postgresql+psycopg://hecha@db/hecha",
        help=f"案件库 case store URL（默认 default: HECHA_DB 或 {default_db_url()}）",
    )  # fmt: skip


def _sub(sub: Any, name: str, help: str, examples: list[str]) -> argparse.ArgumentParser:
    epilog = "例 examples:\n" + "\n".join(f"  {e}" for e in examples)
    return sub.add_parser(
        name, help=help, description=help, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def _input(parser: argparse.ArgumentParser) -> None:
    _option(
        parser, "--input", required=True, example="incoming", help="输入根目录，内含 ROOT/县代码/YYYY-MM/ input root"
    )


def _county(parser: argparse.ArgumentParser, required: bool = True, default: str | None = None) -> None:
    _option(parser, "--county", required=required, default=default, example="429006",
            help="6位县级行政区划代码 county code")  # fmt: skip


def _period(parser: argparse.ArgumentParser, required: bool = True, default: str | None = None) -> None:
    _option(parser, "--period", required=required, default=default, example="2026-10",
            help="核查月份 YYYY-MM month")  # fmt: skip


def _policy_option(parser: argparse.ArgumentParser) -> None:
    _option(
        parser,
        "--policy",
        default=None,
        example="county.yaml",
        help="县级政策文件 YAML，覆盖默认值 county policy overrides",
    )


def _password_options(parser: argparse.ArgumentParser) -> None:
    _option(parser, "--password-stdin", action="store_true", example="echo \"$PW\" | hecha users add … --password-stdin",
            help="从标准输入读一行作为密码 read the password from stdin；不给则提示输入 otherwise prompted")  # fmt: skip
    _option(parser, "--password", default=None, example="'…'",
            help="不推荐：会留在 shell 历史和 ps 中 not advised: visible in shell history and ps")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hecha",
        description="核查 hecha: 社会救助月度比对核查 monthly reconciliation",
        epilog="每个命令的例子见 examples for each command: hecha <命令 command> --help",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="出错时显示完整的 traceback show the traceback on errors（例 e.g. hecha --debug run …）",
    )
    sub = p.add_subparsers(dest="command", required=True)

    g = _sub(sub, "generate", "生成样例县数据 generate a synthetic county",
             ["hecha generate --out incoming --county 429006 --period 2026-10 --households 2000 --seed 7"])  # fmt: skip
    _option(g, "--out", required=True, example="incoming", help="输出根目录 output root")
    _county(g, required=False, default=DEMO_COUNTY)
    _period(g, required=False, default=DEMO_PERIOD)
    _option(g, "--households", type=int, default=2000, example="2000", help="户数，至少 400 households")
    _option(g, "--seed", type=int, default=7, example="7", help="随机种子 random seed")
    _option(g, "--noise", type=float, default=1.0, example="1.0", help="数据噪声倍数 noise multiplier")
    g.set_defaults(func=_generate)

    r = _sub(sub, "run", "运行一个县一个月的核查 run one county-month",
             ["hecha run --input incoming --county 429006 --period 2026-10",
              "hecha run --input /data/incoming --county 429006 --period 2026-10 --db postgresql+psycopg://hecha@db/hecha --policy county.yaml"])  # fmt: skip
    _input(r)
    _county(r)
    _period(r)
    _db(r)
    _policy_option(r)
    r.set_defaults(func=_run, check=_check_run)

    m = _sub(sub, "run-many", "多个县并行核查 several counties of one month",
             ["hecha run-many --input incoming --counties 429006,429005 --period 2026-10",
              "hecha run-many --input /data/incoming --counties 429006,429005,429004 --period 2026-10 "
              "--db postgresql+psycopg://hecha@db/hecha --dask-address tcp://10.0.0.5:8786",
              "hecha run-many --input incoming --counties 429006,429005 --period 2026-10 --dask-workers 2"])  # fmt: skip
    _input(m)
    _option(m, "--counties", required=True, example="429006,429005", help="县代码，逗号分隔 county codes")
    _period(m)
    _db(m)
    _policy_option(m)
    _option(m, "--dask-address", default=None, example="tcp://10.0.0.5:8786",
            help="在已有的 Dask 集群上运行（调度器地址）run on an existing Dask cluster: its scheduler")  # fmt: skip
    _option(m, "--dask-workers", default=None, example="4",
            help="在本机启动 N 个 Dask worker 进程运行 start a local Dask cluster of N worker processes")  # fmt: skip
    m.set_defaults(func=_run_many, check=_check_run_many)

    b = _sub(sub, "backfill", "按月份顺序补跑过去的月份 run past months in order",
             ["hecha backfill --input incoming --county 429006 --from 2026-01 --to 2026-10"])  # fmt: skip
    _input(b)
    _county(b)
    _option(b, "--from", dest="period_from", required=True, example="2026-01", help="第一个月 first month")
    _option(b, "--to", dest="period_to", required=True, example="2026-10", help="最后一个月（含）last month, included")
    _db(b)
    _policy_option(b)
    b.set_defaults(func=_backfill, check=_check_backfill)

    e = _sub(sub, "export", "导出案件 cases.csv (contract §3)",
             ["hecha export --county 429006 --period 2026-10 --out cases.csv"])  # fmt: skip
    _county(e)
    _period(e)
    _option(e, "--out", required=True, example="cases.csv", help="输出文件 output CSV")
    _db(e)
    e.set_defaults(func=_export, check=_check_county_period)

    d = _sub(
        sub,
        "demo",
        "样例县演示：生成、核查、导出、报告 the quick start",
        ["hecha demo", "hecha demo --dir /tmp/demo --households 400"],
    )
    _option(d, "--dir", default=str(home() / "demo"), example="var/demo", help="演示目录 demo folder")
    _option(d, "--households", type=int, default=2000, example="2000", help="样例县户数 households")
    _option(d, "--seed", type=int, default=7, example="7", help="随机种子 random seed")
    d.set_defaults(func=_demo)

    rep = _sub(sub, "report", "月度报告 / 专项治理报告 monthly or campaign report",
               ["hecha report monthly --county 429006 --period 2026-10 --out report/"])  # fmt: skip
    rsub = rep.add_subparsers(dest="kind", required=True)
    rm = _sub(rsub, "monthly", "月度报告 monthly report (HTML, PDF, XLSX)",
              ["hecha report monthly --county 429006 --period 2026-10 --out report/"])  # fmt: skip
    _county(rm)
    _period(rm)
    _option(rm, "--out", required=True, example="report/", help="输出目录 output folder")
    _db(rm)
    rm.set_defaults(check=_check_county_period)
    rc = _sub(rsub, "campaign", "专项治理报告 campaign report",
              ["hecha report campaign --name 2026年农村低保专项治理 --county 429006 --from 2026-07 --to 2026-10 --out campaign/"])  # fmt: skip
    _option(rc, "--name", required=True, example="2026年农村低保专项治理", help="专项名称 campaign name")
    _county(rc)
    _option(rc, "--from", dest="period_from", required=True, example="2026-07", help="起始月 first month")
    _option(rc, "--to", dest="period_to", required=True, example="2026-10", help="截止月 last month")
    _option(rc, "--out", required=True, example="campaign/", help="输出目录 output folder")
    _option(rc, "--towns", default=None, example="429006001,429006003", help="9位乡镇代码，逗号分隔 town codes")
    _db(rc)
    rc.set_defaults(check=_check_campaign)
    rep.set_defaults(func=_report)

    s = _sub(sub, "serve", "启动核查工作台 start the inspector workspace",
             ["hecha serve --db sqlite:///var/demo/hecha.db --port 8000"])  # fmt: skip
    _db(s)
    _option(s, "--host", default="127.0.0.1", example="127.0.0.1", help="监听地址 listen address")
    _option(s, "--port", type=int, default=8000, example="8000", help="端口 port")
    s.set_defaults(func=_serve, check=_check_db)

    u = _sub(sub, "users", "账号管理 accounts",
             ["hecha users add --username zhang --role inspector --towns 429006003   # 提示输入密码 prompts",
              "echo \"$PW\" | hecha users add --username admin --role admin --password-stdin"])  # fmt: skip
    usub = u.add_subparsers(dest="action", required=True)
    ua = _sub(usub, "add", "添加账号 add an account",
              ["hecha users add --username zhang --role inspector --towns 429006003"])  # fmt: skip
    _option(ua, "--username", required=True, example="zhang", help="用户名 user name")
    _password_options(ua)
    _option(ua, "--role", required=True, choices=["admin", "supervisor", "inspector", "auditor"], example="inspector",
            help="角色 role: admin | supervisor（县级审批）| inspector | auditor")  # fmt: skip
    _option(
        ua, "--towns", default="", example="429006003", help="9位乡镇代码，逗号分隔（核查员）town codes of an inspector"
    )
    _option(
        ua,
        "--id-number",
        default=None,
        example="420105…",
        help="本人身份证号（用于回避；核查员和审批人必填）own identity number, for recusal (required for inspectors and supervisors)",
    )
    _option(
        ua,
        "--full-name",
        default=None,
        example="张伟",
        help="姓名（用于告知书联系人）full name, printed on notice letters",
    )
    _option(
        ua,
        "--village",
        default=None,
        example="429006003201",
        help="本人所在村社区代码（用于回避）own village code, for recusal",
    )
    ul = _sub(usub, "list", "列出账号 list accounts", ["hecha users list"])
    ud = _sub(usub, "disable", "停用账号 disable an account", ["hecha users disable --username zhang"])
    _option(ud, "--username", required=True, example="zhang", help="用户名 user name")
    ur = _sub(usub, "reset-password", "重置密码 reset a password", ["hecha users reset-password --username zhang"])
    _option(ur, "--username", required=True, example="zhang", help="用户名 user name")
    _password_options(ur)
    uc = _sub(usub, "change-role", "更改角色 change an account's role (ends its sessions)",
              ["hecha users change-role --username zhang --role supervisor"])  # fmt: skip
    _option(uc, "--username", required=True, example="zhang", help="用户名 user name")
    _option(uc, "--role", required=True, choices=["admin", "supervisor", "inspector", "auditor"], example="supervisor",
            help="新角色 new role")  # fmt: skip
    _option(uc, "--towns", default=None, example="429006003", help="9位乡镇代码，逗号分隔 town codes (inspectors)")
    for sp in (ua, ud, ur, ul, uc):
        _db(sp)
        sp.set_defaults(check=_check_db)
    u.set_defaults(func=_users)

    pol = _sub(sub, "policy", "显示生效的政策参数 show the effective policy", ["hecha policy --policy county.yaml"])
    _policy_option(pol)
    pol.set_defaults(func=_policy)

    dbp = _sub(
        sub,
        "db",
        "数据库迁移与检查 migrate the case store, or check it for dead runs",
        ["hecha db upgrade --db postgresql+psycopg://hecha@db/hecha", "hecha db check"],
    )
    _option(
        dbp,
        "action",
        choices=["upgrade", "check"],
        example="check",
        help="upgrade：迁移到最新版本 migrate to head；check：把进程已不在的运行标为 abandoned mark dead runs abandoned",
    )
    _db(dbp)
    dbp.set_defaults(func=_db_upgrade, check=_check_db)

    sch = _sub(sub, "schedule", "生产部署：注册每月定时运行的部署 register the monthly deployment",
               ["export PREFECT_API_URL=http://127.0.0.1:4200/api",
                "hecha schedule --input /data/incoming --counties 429006,429005 --cron '0 6 2 * *' --timezone Asia/Shanghai",
                "prefect worker start --pool hecha   # 作为系统服务长期运行 keep running as a system service"])  # fmt: skip
    _input(sch)
    _option(sch, "--counties", required=True, example="429006,429005", help="县代码，逗号分隔 county codes")
    _option(sch, "--cron", default="0 6 2 * *", example="'0 6 2 * *'（每月2日6点 06:00 on the 2nd）",
            help="cron 计划：每次运行核查上个月 when to run; each run reconciles the month before")  # fmt: skip
    _option(
        sch,
        "--timezone",
        default=bureau_timezone(),
        example="Asia/Shanghai",
        help="民政局所在时区 the bureau's time zone（默认 default: HECHA_TIMEZONE 或 Asia/Shanghai）",
    )
    _option(sch, "--pool", default="hecha", example="hecha", help="Prefect 工作池（process 类型）work pool")
    _db(sch)
    _policy_option(sch)
    sch.set_defaults(func=_schedule, check=_check_schedule)
    return p


def _prepare_prefect(debug: bool) -> None:
    """Boot Prefect's temporary API on a thread while the stages' libraries import, then wait for it."""
    from flows.warmup import start_temporary_api, wait_for_temporary_api

    start_temporary_api()
    import flows.monthly  # noqa: F401 - pandas, scikit-learn, GX, WeasyPrint: the other half of start-up

    wait_for_temporary_api()
    if not debug:
        from flows.errors import quiet_tracebacks

        quiet_tracebacks()


def main(argv: Sequence[str] | None = None) -> int:
    configure_offline_runtime()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_scrubber()
    args = build_parser().parse_args(argv)
    try:
        check = getattr(args, "check", None)
        if check is not None:
            check(args)  # before Prefect starts: a typo costs a second, not a run
        if args.command in PREFECT_COMMANDS:
            _prepare_prefect(args.debug)
        return int(args.func(args))
    except (Exception, KeyboardInterrupt) as exc:
        if args.debug:  # the whole traceback, but never with a person's numbers in it
            print(scrub_traceback(exc), file=sys.stderr)
            raise
        print(f"错误 error: {one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, HechaError) else 1


def entry() -> None:
    """The `hecha` command: `main`, then an exit that skips freeing the county's frames object by object.

    After a run the heap holds a whole county; the interpreter's teardown spent about 2 s
    freeing it. Exit handlers still run (Prefect's last events, the temporary server's stop),
    logs and the terminal are flushed, and every store write was committed before `main` returned.
    """
    code = main()
    if sys.gettrace() or sys.getprofile():
        sys.exit(code)  # a profiler or coverage writes its results after the program ends
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)  # somebody's thread must finish first: the ordinary exit waits for it
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
