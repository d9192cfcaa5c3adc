"""``gridmgr grid …``: importing, generating and validating the area hierarchy."""

from __future__ import annotations

import argparse

from ..errors import EXIT_FINDINGS, EXIT_OK, GridmgrError
from ..findings import Report, write_json
from ..levels import LEVELS
from .common import LEVEL_ZH, date_arg, drive, json_arg, print_json, print_report


def cmd_grid_import(args: argparse.Namespace) -> int:
    from ..files.columns import GRID_FIELDS, parse_map
    from ..grid.importer import import_grid
    from ..project import open_project

    mapping = parse_map(args.map, GRID_FIELDS)
    try:
        with open_project(args.project, readonly=args.dry_run) as store:
            report = drive(import_grid(
                store, args.file, level=args.level, system=args.system, layer=args.layer,
                encoding=args.encoding, crs=args.crs, mapping=mapping, dry_run=args.dry_run,
                supersede=args.supersede, valid_from=args.valid_from), args)
    except GridmgrError as exc:
        if args.report:  # a report is promised: say why there is nothing in it
            Report(info={"file": args.file, "error": str(exc)}).write(args.report)
        raise
    info = report.info
    level = info.get("level", args.level)
    if info.get("level_detected"):
        print(f"层级：未指定 --level，按编码长度识别为{LEVEL_ZH[level]}（不对请用 --level 指明）")
    enc = info.get("encoding")
    if enc:
        how = {"detected": "没有 .cpg，按内容自动识别；不对请用 --encoding 指定",
               "cpg": "来自 .cpg 文件", "option": "按 --encoding 指定"}
        print(f"编码：{enc}（{how.get(info.get('encoding_source'), '')}）")
    print(f"坐标系：{info.get('crs')} → 项目坐标系；列：" +
          "，".join(f"{k}←{v}" for k, v in info.get("columns", {}).items()))
    if info.get("preview"):
        print("预览：" + "；".join(info["preview"]))
    print_report(report)
    _print_derived(report)
    _print_moved(report)
    verb = "可导入" if args.dry_run else "已导入"
    print(f"{verb} {report.accepted} 个{LEVEL_ZH[level]}，拒收 {len(report.refused)}，"
          f"警告 {len(report.warnings)}" + ("（试运行，未写入）" if args.dry_run else ""))
    if args.report:
        report.write(args.report)
        print(f"报告：{args.report}")
    return EXIT_FINDINGS if report.refused else EXIT_OK


def _print_derived(report: Report, limit: int = 200) -> None:
    from ..grid.derive import describe

    derived = report.info.get("derived") or []
    for line in describe(derived[:limit]):
        print(line)
    if len(derived) > limit:
        print(f"……共派生 {len(derived)} 个区域，完整清单见 --report")


def _print_moved(report: Report) -> None:
    moved = report.info.get("enterprises_moved") or []
    for m in moved[:20]:
        print(f"企业 {m['name']}：网格 {m['from'] or '无'} → {m['to'] or '无'}")
    count = report.info.get("enterprises_moved_count", len(moved))
    if count:
        print(f"网格变化后，{count} 个企业所在网格随之更新")


def cmd_grid_generate(args: argparse.Namespace) -> int:
    from ..grid.generate import generate_grid
    from ..project import open_project

    with open_project(args.project, readonly=args.dry_run) as store:
        report = drive(generate_grid(
            store, size=args.size, within=args.within, system=args.system,
            supersede=args.supersede, dry_run=args.dry_run, sliver_ratio=args.sliver_ratio),
            args)
    print_report(report)
    _print_moved(report)
    if report.refused:
        print("未生成：见上面的错误，项目未改变")
    else:
        verb = "可生成" if args.dry_run else "已生成"
        print(f"{verb} {report.accepted} 个单元网格（边长 {args.size:g} 米，"
              f"在 {report.info['parents']} 个{LEVEL_ZH[args.within]}内，"
              f"计算坐标系 {report.info['metric_crs']}）")
    if args.report:
        report.write(args.report)
    return EXIT_FINDINGS if report.refused else EXIT_OK


def cmd_grid_validate(args: argparse.Namespace) -> int:
    from ..grid.validate import validate_grid
    from ..project import open_project

    with open_project(args.project, readonly=True) as store:
        report = drive(validate_grid(store, system=args.system, tolerance_m2=args.tolerance),
                        args)
    notices = len(report.notices)
    problems = len(report.findings) - notices
    doc = {**report.info, "errors": len(report.refused), "warnings": len(report.warnings),
           "findings": [f.to_dict() for f in report.findings]}
    if args.report:
        write_json(doc, args.report)
    if args.json:
        print_json(doc)
        return EXIT_FINDINGS if problems else EXIT_OK
    print_report(report, limit=args.limit)
    tol = report.info["tolerance_m2"]
    how = "按 --tolerance" if report.info.get("tolerance_source") == "option" else "测量精度默认值"
    print(f"面积容差：{tol:g} 平方米（{how}）；小于它的重叠、缝隙、越界记为提示，不算错误")
    print(f"检查了 {report.info['checked']} 个区域：" +
          (f"发现 {len(report.refused)} 个错误、{len(report.warnings) - notices} 个警告"
           if problems else "没有发现问题") + (f"，{notices} 条提示" if notices else ""))
    if args.report and args.report != "-":
        print(f"报告：{args.report}")
    return EXIT_FINDINGS if problems else EXIT_OK


def cmd_grid_repair(args: argparse.Namespace) -> int:
    from ..grid.repair import repair_grid
    from ..project import open_project

    with open_project(args.project, readonly=args.dry_run) as store:
        report = drive(repair_grid(store, system=args.system, dry_run=args.dry_run), args)
    print_report(report, limit=args.limit)
    _print_moved(report)
    verb = "可修复" if args.dry_run else "已修复"
    print(f"{verb} {report.accepted} 个无效几何" + (f"，{len(report.refused)} 个无法自动修复"
                                                    if report.refused else "") +
          ("（试运行，未写入）" if args.dry_run else ""))
    if args.report:
        report.write(args.report)
        print(f"报告：{args.report}")
    return EXIT_FINDINGS if report.refused else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    grid = sub.add_parser("grid", help="区域层级：导入、生成、检查").add_subparsers(
        dest="grid_command", required=True, metavar="SUBCOMMAND")
    s = grid.add_parser("import", help="从 Shapefile/GeoPackage/GeoJSON/KML 导入区域")
    s.add_argument("project")
    s.add_argument("file")
    s.add_argument("--level", choices=list(LEVELS),
                   help="区域层级；不指定时按编码长度识别（14/15 位为单元网格，12 位社区，9 位街道）")
    s.add_argument("--system", default="urban", help="网格体系：urban（城管）或 env（环保）")
    s.add_argument("--layer", help="文件中的图层名（多图层文件必填）")
    s.add_argument("--encoding", help="属性编码，如 GBK、GB18030、UTF-8（默认自动识别）")
    s.add_argument("--crs", help="文件坐标系（文件没有 .prj 时必填），如 EPSG:4547")
    s.add_argument("--map", action="append", metavar="源列=字段",
                   help="列对应，字段为 code、name、parent；可重复")
    s.add_argument("--report", help="把报告写成 JSON 文件")
    s.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    s.add_argument("--supersede", action="store_true",
                   help="文件中的编码已存在时，旧区域设为失效（保留历史）后导入新的")
    s.add_argument("--valid-from", type=date_arg, help="生效日期 YYYY-MM-DD（默认今天）")
    s.set_defaults(func=cmd_grid_import)

    s = grid.add_parser("generate", help="按边长生成单元网格（渔网裁切到社区）")
    s.add_argument("project")
    s.add_argument("--size", type=float, required=True, help="网格边长（米），如 100")
    s.add_argument("--within", default="community", choices=["community", "street"])
    s.add_argument("--system", default="urban")
    s.add_argument("--sliver-ratio", type=float, default=0.3,
                   help="小于 该比例×边长² 的碎片并入相邻网格（默认 0.3）")
    s.add_argument("--supersede", action="store_true", help="已有单元网格时设为失效后重新生成")
    s.add_argument("--dry-run", action="store_true")
    s.add_argument("--report")
    s.set_defaults(func=cmd_grid_generate)

    s = grid.add_parser("validate", help="检查网格：无效几何、重叠、缝隙、越界、编码")
    s.add_argument("project")
    s.add_argument("--system", help="只检查一个网格体系")
    s.add_argument("--tolerance", type=float, default=None,
                   help="面积容差（平方米，默认 1，即 1:500–1:2000 测量的精度）；小于它的重叠、缝隙、"
                        "越界记为提示")
    s.add_argument("--limit", type=int, default=50, help="终端最多显示的条数")
    s.add_argument("--report", help="把报告写成 JSON 文件（- 为标准输出）")
    json_arg(s)
    s.set_defaults(func=cmd_grid_validate)

    s = grid.add_parser("repair", help="修复导入时保留的无效几何（make_valid），附报告")
    s.add_argument("project")
    s.add_argument("--system", help="只修复一个网格体系")
    s.add_argument("--dry-run", action="store_true", help="只列出会修复什么，不写入")
    s.add_argument("--limit", type=int, default=50, help="终端最多显示的条数")
    s.add_argument("--report")
    s.set_defaults(func=cmd_grid_repair)
