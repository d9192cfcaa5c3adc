"""``gridmgr stats``: the indicators (网格化考核) by area, officer or category, and the monthly and
quarterly reports as XLSX.  Definitions: :mod:`gridmgr.indicators`."""

from __future__ import annotations

import argparse

from ..errors import EXIT_OK, UsageError
from .common import date_arg, drive, emit

# the groupings of gridmgr.indicators.GROUPINGS (pandas is imported only when stats runs)
GROUPINGS = ("street", "community", "cell", "officer", "category", "major")


def cmd_stats(args: argparse.Namespace) -> int:
    from ..indicators import compute as ind
    from ..indicators import reports
    from ..project import open_project

    as_of = ind.parse_as_of(args.as_of)
    if args.report:
        if not args.period:
            raise UsageError("--report 需要 --period（如 2026-03 或 2026Q1）")
        if not args.out or not args.out.lower().endswith(".xlsx"):
            raise UsageError("--report 需要 --out 报表.xlsx")
    if args.period and (args.date_from or args.date_to):
        raise UsageError("--period 与 --from/--to 只能用一种")
    if args.period and not args.report:
        period = ind.Period.parse(args.period)
    if args.format == "xlsx" and not args.out and not args.report:
        raise UsageError("xlsx 需要 --out 文件名")
    if args.save_denominator and not args.denominator:
        raise UsageError("--save-denominator 需要同时给出 --denominator")
    writes = args.save_weights or args.save_denominator
    with open_project(args.project, readonly=not writes) as store:
        weights = ind.resolve_weights(store.meta(), args.weights)
        denominator = ind.resolve_denominator(store.meta(), args.denominator)
        if args.save_denominator:
            with store.atomic():
                store.set_meta("close_rate_denominator", denominator)
                store.audit("stats denominator", {"close_rate_denominator": denominator})
            print(f"已保存结案率分母：{ind.denominator_text(denominator)}")
        if args.save_weights:
            if not args.weights:
                raise UsageError("--save-weights 需要同时给出 --weights")
            with store.atomic():
                store.set_meta("score_weights", ind.weights_text_plain(weights))
                store.audit("stats weights", {"score_weights": weights})
            print(f"已保存综合得分权重：{ind.weights_text(weights)}")
        if args.report:
            path = drive(reports.write_report(store, args.report, args.period, args.out,
                                           as_of=as_of, weights=weights, system=args.system,
                                           denominator=denominator),
                          args)
            print(f"已写入 {path}（计算时点 {as_of.isoformat(sep=' ')}）")
            return EXIT_OK
        if not args.period:
            period = ind.Period.between(args.date_from, args.date_to)
        (table,) = drive(ind.project_tables(store, [args.by], as_of=as_of, period=period,
                                             weights=weights, system=args.system,
                                             denominator=denominator), args)
        project = store.meta().get("name", "")
    if args.format == "table":
        emit(reports.to_text(table, project), args.out)
    elif args.format == "json":
        emit(reports.to_json(table), args.out)
    elif args.format == "csv":
        emit(reports.to_csv(table), args.out, bom=True)
    else:
        reports.write_xlsx([(ind.GROUPING_ZH[table.by], table)], args.out, project=project,
                       notes=reports.definitions(table.denominator))
        print(f"已写入 {args.out}（计算时点 {as_of.isoformat(sep=' ')}）")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``gridmgr stats`` to the command line."""

    s = sub.add_parser(
        "stats", help="网格化考核指标：立案数、应结案数、结案率、按期结案率、处置率…；月报/季报",
        description="按街道、社区、单元网格、处置人员或案件类别统计考核指标。每个比率都附分子、"
                    "分母；计算时点（--as-of）之后的办理记录不计入。")
    s.add_argument("project")
    s.add_argument("--by", default="street", choices=list(GROUPINGS),
                   help="分组：street 街道（默认）、community 社区、cell 单元网格、officer 处置人员、"
                        "category 案件小类、major 案件大类")
    s.add_argument("--from", dest="date_from", type=date_arg, help="立案时间起（含），YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", type=date_arg, help="立案时间止（含），YYYY-MM-DD")
    s.add_argument("--period", help="统计月份 2026-03 或季度 2026Q1（代替 --from/--to）")
    s.add_argument("--as-of", help="计算时点，如 2026-04-01T09:00:00（只给日期＝当天 23:59:59；"
                                   "默认现在，北京时间）")
    s.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    s.add_argument("--out", help="输出文件（默认打印到终端；xlsx 和 --report 必填）")
    s.add_argument("--weights", help="综合得分权重，如 结案率=30,按期结案率=40,处置率=20,返工率=10"
                                     "（默认取项目设置 score_weights）")
    s.add_argument("--save-weights", action="store_true", help="把 --weights 存为项目设置")
    s.add_argument("--denominator", help="结案率、按期结案率的分母：due 应结案数（默认）、registered "
                                         "立案数（不含作废）、received 受理数（全部受理）；默认取项目"
                                         "设置 close_rate_denominator")
    s.add_argument("--save-denominator", action="store_true",
                   help="把 --denominator 存为项目设置")
    s.add_argument("--report", choices=["monthly", "quarterly"],
                   help="生成月报或季报 XLSX（每种分组一张表），需 --period 和 --out")
    s.add_argument("--system", default="urban", help="区域名称取自哪个网格体系（默认 urban）")
    s.set_defaults(func=cmd_stats)
