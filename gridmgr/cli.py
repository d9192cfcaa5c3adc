"""The ``gridmgr`` command line.  Every command calls the same functions the desktop calls.

Exit codes (see :mod:`gridmgr.errors`): 0 done/clean, 1 a check found problems or an import
refused rows, 2 bad command line, 3 unusable input file, 4 unusable project file, 130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__, messages
from .cli_cases import register as register_cases
from .cli_fieldpack import register as register_fieldpack
from .cli_print import register as register_print
from .cli_stats import register as register_stats
from .errors import (
    EXIT_BUG,
    EXIT_CANCELLED,
    EXIT_FINDINGS,
    EXIT_OK,
    GridmgrError,
    UsageError,
)
from .findings import Finding, Report
from .levels import LEVEL_TABLES, LEVELS
from .progress import Progress, Task, run

LEVEL_ZH = messages.LEVEL_ZH


class ProgressPrinter:
    """Progress on stderr: one updating line on a terminal, sparse lines in a log."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.last_time = 0.0

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        pct = f"{100 * p.fraction:5.1f}%" if p.total else "     "
        if self.tty:
            bar = "#" * int(20 * p.fraction)
            sys.stderr.write(f"\r[{bar:<20}] {pct} {p.message[:60]:<60}")
            sys.stderr.flush()
        else:
            decile = int(10 * p.fraction)
            if decile != self.last_decile or time.monotonic() - self.last_time > 10:
                print(f"… {pct} {p.message}", file=sys.stderr)
                self.last_decile, self.last_time = decile, time.monotonic()

    def done(self) -> None:
        if self.tty and not self.quiet:
            sys.stderr.write("\r" + " " * 90 + "\r")


def _drive(task: Task[Any], args: argparse.Namespace) -> Any:
    printer = ProgressPrinter(getattr(args, "quiet", False))
    try:
        return run(task, printer)
    finally:
        printer.done()


def _print_findings(findings: list[Finding], limit: int, per_reason: int = 5) -> None:
    """Print findings, but no more than ``per_reason`` of one kind: a file whose 900 rows all got
    the same warning should not hide the one row that was refused."""
    by_reason: dict[str, list[Finding]] = {}
    for f in findings:
        by_reason.setdefault(f.reason, []).append(f)
    shown = 0
    for reason, group in by_reason.items():
        for f in group[:per_reason]:
            if shown >= limit:
                break
            print(f.line())
            shown += 1
        if len(group) > per_reason:
            print(f"  … 同类（{reason}）另有 {len(group) - per_reason} 条，见 --report")


def _print_report(report: Report, limit: int = 50) -> None:
    _print_findings(report.refused, limit)
    _print_findings(report.warnings, limit)
    if len(report.findings) > 2 * limit:
        print(f"… 共 {len(report.findings)} 条，完整列表见 --report")


# --------------------------------------------------------------------------- commands

def cmd_init(args: argparse.Namespace) -> int:
    from .project import init_project, summary

    with init_project(args.project, name=args.name, admin_code=args.admin_code, crs=args.crs,
                      code_scheme=args.code_scheme, overwrite=args.force) as store:
        s = summary(store)
    print(f"已创建项目 {s['name']}（区划代码 {s['admin_code']}，坐标系 {s['crs']}，"
          f"编码规则 {s['code_scheme']}）：{s['path']}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from .project import open_project, summary

    with open_project(args.project, readonly=True) as store:
        s = summary(store)
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"项目：{s['name']}（{s['admin_code']}）  文件：{s['path']}")
    print(f"坐标系：{s['crs']}  编码规则：{s['code_scheme']}  结构版本：{s['schema_version']}")
    for lvl in LEVELS:
        print(f"  {LEVEL_ZH[lvl]:<6} {LEVEL_TABLES[lvl]:<12} {s['areas'][lvl]:>8}")
    print(f"企业 {s['enterprises']}，人员 {s['officers']}，"
          f"在任责任 {s['responsibilities_current']} 条")
    return EXIT_OK


def cmd_grid_import(args: argparse.Namespace) -> int:
    from .columns import GRID_FIELDS, parse_map
    from .grid_import import import_grid
    from .project import open_project

    mapping = parse_map(args.map, GRID_FIELDS)
    try:
        with open_project(args.project, readonly=args.dry_run) as store:
            report = _drive(import_grid(
                store, args.file, level=args.level, system=args.system, layer=args.layer,
                encoding=args.encoding, crs=args.crs, mapping=mapping, dry_run=args.dry_run,
                supersede=args.supersede, valid_from=args.valid_from), args)
    except GridmgrError as exc:
        if args.report:  # a report is promised: say why there is nothing in it
            Report(info={"file": args.file, "error": str(exc)}).write(args.report)
        raise
    info = report.info
    enc = info.get("encoding")
    if enc:
        how = {"detected": "没有 .cpg，按内容自动识别；不对请用 --encoding 指定",
               "cpg": "来自 .cpg 文件", "option": "按 --encoding 指定"}
        print(f"编码：{enc}（{how.get(info.get('encoding_source'), '')}）")
    print(f"坐标系：{info.get('crs')} → 项目坐标系；列：" +
          "，".join(f"{k}←{v}" for k, v in info.get("columns", {}).items()))
    if info.get("preview"):
        print("预览：" + "；".join(info["preview"]))
    _print_report(report)
    _print_moved(report)
    verb = "可导入" if args.dry_run else "已导入"
    print(f"{verb} {report.accepted} 个{LEVEL_ZH[args.level]}，拒收 {len(report.refused)}，"
          f"警告 {len(report.warnings)}" + ("（试运行，未写入）" if args.dry_run else ""))
    if args.report:
        report.write(args.report)
        print(f"报告：{args.report}")
    return EXIT_FINDINGS if report.refused else EXIT_OK


def _print_moved(report: Report) -> None:
    moved = report.info.get("enterprises_moved") or []
    for m in moved[:20]:
        print(f"企业 {m['name']}：网格 {m['from'] or '无'} → {m['to'] or '无'}")
    count = report.info.get("enterprises_moved_count", len(moved))
    if count:
        print(f"网格变化后，{count} 个企业所在网格随之更新")


def cmd_grid_generate(args: argparse.Namespace) -> int:
    from .grid_generate import generate_grid
    from .project import open_project

    with open_project(args.project, readonly=args.dry_run) as store:
        report = _drive(generate_grid(
            store, size=args.size, within=args.within, system=args.system,
            supersede=args.supersede, dry_run=args.dry_run, sliver_ratio=args.sliver_ratio),
            args)
    _print_report(report)
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
    from .grid_validate import validate_grid
    from .project import open_project

    with open_project(args.project, readonly=True) as store:
        report = _drive(validate_grid(store, system=args.system, tolerance_m2=args.tolerance),
                        args)
    _print_report(report, limit=args.limit)
    n = len(report.findings)
    print(f"检查了 {report.info['checked']} 个区域：" +
          (f"发现 {len(report.refused)} 个错误、{len(report.warnings)} 个警告" if n else "没有发现问题"))
    if args.report:
        Path(args.report).write_text(json.dumps({
            **report.info, "errors": len(report.refused), "warnings": len(report.warnings),
            "findings": [f.to_dict() for f in report.findings]}, ensure_ascii=False, indent=2),
            encoding="utf-8")
        print(f"报告：{args.report}")
    return EXIT_FINDINGS if n else EXIT_OK


def _import_summary(report: Report, args: argparse.Namespace, what: str) -> int:
    info = report.info
    if info.get("encoding"):
        how = {"bom": "文件带 BOM", "detected": "按内容自动识别", "option": "按 --encoding 指定"}
        print(f"编码：{info['encoding']}（{how.get(info.get('encoding_source'), '')}）")
    print("列：" + "，".join(f"{k}←{v}" for k, v in info.get("columns", {}).items()))
    _print_report(report)
    verb = "可导入" if args.dry_run else "已导入"
    print(f"{verb} {report.accepted} 个{what}：新增 {info.get('inserted', 0)}，更新 "
          f"{info.get('updated', 0)}，未变 {info.get('unchanged', 0)}；拒收 {len(report.refused)}，"
          f"警告 {len(report.warnings)}" + ("（试运行，未写入）" if args.dry_run else ""))
    for change in info.get("changes", [])[:10]:
        header = info.get("columns", {})
        fields = "，".join(f"{header.get(k, k)}：{v[0] or '（空）'} → {v[1]}"
                          for k, v in change["changes"].items() if k != "location")
        moved = "；位置已改" if "location" in change["changes"] else ""
        print(f"  第 {change['row']} 行 {change['name']}：{fields}{moved}")
    if info.get("not_in_file"):
        names = "、".join(o["name"] for o in info.get("not_in_file_sample", [])[:5])
        print(f"项目中有 {info['not_in_file']} 个{what}不在这个文件里（保留未动）：{names}"
              + ("…" if info["not_in_file"] > 5 else ""))
    if args.report:
        report.write(args.report)
        print(f"报告：{args.report}")
    return EXIT_FINDINGS if report.refused else EXIT_OK


def _run_import(args: argparse.Namespace, task_for: Any, what: str) -> int:
    try:
        with open_project_for(args) as store:
            report = _drive(task_for(store), args)
    except GridmgrError as exc:
        if args.report:
            Report(info={"file": args.file, "error": str(exc)}).write(args.report)
        raise
    return _import_summary(report, args, what)


def open_project_for(args: argparse.Namespace) -> Any:
    from .project import open_project

    return open_project(args.project, readonly=getattr(args, "dry_run", False))


def cmd_enterprises_import(args: argparse.Namespace) -> int:
    from .columns import ENTERPRISE_FIELDS, parse_map
    from .enterprises import import_enterprises

    mapping = parse_map(args.map, ENTERPRISE_FIELDS)
    return _run_import(args, lambda store: import_enterprises(
        store, args.file, coords=args.coords, sheet=args.sheet, encoding=args.encoding,
        mapping=mapping, dry_run=args.dry_run, allow_shift=args.allow_shift), "企业")


def cmd_enterprises_assign_cells(args: argparse.Namespace) -> int:
    from .cell_assignment import reassign_enterprises
    from .project import open_project

    with open_project(args.project) as store, store.atomic():
        moved = reassign_enterprises(store)
        store.audit("enterprises assign-cells", {"moved": len(moved)})
    for m in moved[:50]:
        print(f"{m['name']}（{m['credit_code']}）：{m['from'] or '无'} → {m['to'] or '无'}")
    print(f"重新归入网格：{len(moved)} 个企业所在网格有变化")
    return EXIT_OK


def cmd_officers_import(args: argparse.Namespace) -> int:
    from .columns import OFFICER_FIELDS, parse_map
    from .officers import import_officers

    mapping = parse_map(args.map, OFFICER_FIELDS)
    return _run_import(args, lambda store: import_officers(
        store, args.file, sheet=args.sheet, encoding=args.encoding, mapping=mapping,
        dry_run=args.dry_run), "人员")


def cmd_assign(args: argparse.Namespace) -> int:
    from .project import open_project
    from .responsibility import assign, assign_from_file

    with open_project(args.project) as store:
        if args.file:
            report = assign_from_file(store, args.file, system=args.system)
            _print_report(report)
            print(f"已分配 {report.accepted} 条，未能分配 {len(report.refused)} 条")
            return EXIT_FINDINGS if report.refused else EXIT_OK
        if not args.officer or not args.role:
            raise UsageError("请给出 --officer 和 --role（或用 --file 批量分配）")
        cells = [c.strip() for c in (args.cells or "").split(",") if c.strip()]
        done = assign(store, staff_no=args.officer, role=args.role, cells=cells,
                      area=args.area, from_date=args.from_date, system=args.system,
                      note=args.note)
    for c in done["closed"]:
        print(f"{c['area']}：原 {c['staff_no']} 的责任自 {done['from']} 结束")
    print(f"{args.officer} 自 {done['from']} 起任 {args.role}：新增 {done['opened']} 个区域"
          + (f"，{len(done['unchanged'])} 个区域原本就是" if done["unchanged"] else ""))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .project import open_project
    from .responsibility import check

    with open_project(args.project, readonly=True) as store:
        report = check(store, system=args.system)
    _print_report(report, limit=args.limit)
    n = len(report.findings)
    print(f"检查了 {report.info['cells']} 个单元网格的责任落实：" +
          (f"{len(report.refused)} 个问题、{len(report.warnings)} 个提醒" if n else "没有发现问题"))
    if args.report:
        report.write(args.report)
    return EXIT_FINDINGS if n else EXIT_OK


WORKLOAD_ZH = {"staff_no": "工号", "name": "姓名", "role": "角色", "unit": "所属单位",
               **{f"{slot}_{k}": f"{title}{what}"
                  for slot, title in (("primary", "负责"), ("supervisor", "监管"),
                                      ("collector", "采集"))
                  for k, what in (("cells", "网格数"), ("area_km2", "面积(平方公里)"),
                                  ("enterprises", "企业数"),
                                  ("key_enterprises", "重点企业数"))}}


def cmd_workload(args: argparse.Namespace) -> int:
    from .project import open_project
    from .responsibility import workload

    with open_project(args.project, readonly=True) as store:
        table = workload(store, system=args.system)
    table = table.sort_values(["primary_cells", "supervisor_cells"], ascending=False)
    shown = table.rename(columns=WORKLOAD_ZH)
    if args.format == "table":
        print(shown.to_string(index=False))
    elif args.format == "json":
        text = table.to_json(orient="records", force_ascii=False, indent=2)
        _emit(text, args.out)
    elif args.format == "csv":
        _emit(shown.to_csv(index=False), args.out, bom=True)
    else:
        if not args.out:
            raise UsageError("xlsx 需要 --out 文件名")
        shown.to_excel(args.out, index=False, sheet_name="工作量")
        print(f"已写入 {args.out}")
    return EXIT_OK


def _emit(text: str, out: str | None, bom: bool = False) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if bom else "utf-8")
        print(f"已写入 {out}")
    else:
        print(text)


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_layer
    from .project import open_project

    with open_project(args.project, readonly=True) as store:
        n = _drive(export_layer(store, args.layer, args.out, fmt=args.format, crs=args.crs,
                                system=args.system, as_of=args.as_of), args)
    print(f"已导出 {n} 个要素到 {args.out}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    path = _drive(build_demo(Path(args.out), cell_size=args.cell_size, force=args.force), args)
    print(f"演示项目已建好：{path.resolve()}")
    if args.gui and _has_display():
        return _launch_gui(path)
    if args.gui:
        print("没有图形显示（DISPLAY 未设置），不打开桌面窗口。")
    exe = sys.argv[0] if Path(sys.argv[0]).name == "gridmgr" else "python -m gridmgr"
    if shutil.which("gridmgr") == exe:
        exe = "gridmgr"
    print(f"概况：{exe} info {path}\n检查：{exe} grid validate {path}\n"
          f"截图：{exe} gui {path} --screenshot window.png")
    return EXIT_OK


def _has_display() -> bool:
    """A screen a window can open on (offscreen Qt does not count: nobody would see it)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _launch_gui(path: Path | None, screenshot: str | None = None) -> int:
    if screenshot and not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    elif not _has_display():
        print("没有图形显示（DISPLAY 未设置），不打开桌面窗口。" + (f"项目：{path}" if path else ""))
        return EXIT_OK
    from importlib.metadata import entry_points

    # The desktop (ui/) registers itself under this entry point group: the core never imports
    # it, so the layering gridmgr ← maps ← ui holds for the launcher too.
    found = entry_points(group="gridmgr.gui")
    if not found:
        raise UsageError("桌面界面未安装（缺少 gridmgr.gui 入口）；请运行 scripts/setup.sh")
    gui_main = next(iter(found)).load()
    argv = [str(path)] if path else []
    if screenshot:
        argv += ["--screenshot", screenshot]
    return int(gui_main(argv))


def cmd_gui(args: argparse.Namespace) -> int:
    if args.lang:  # `gridmgr --lang en gui` or `gridmgr gui --lang en`: the desktop reads it
        os.environ["GRIDMGR_LANG"] = args.lang  # (ui/i18n.py), before a saved menu choice
    return _launch_gui(Path(args.project) if args.project else None, args.screenshot)


# --------------------------------------------------------------------------- parser

def _date(text: str) -> str:
    from .text import iso_date

    try:
        return iso_date(text)
    except GridmgrError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _table_import(s: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The arguments every spreadsheet import takes."""
    s.add_argument("project")
    s.add_argument("file")
    s.add_argument("--sheet", help="工作表名（默认第一个）")
    s.add_argument("--encoding", help="CSV 编码（默认自动识别 UTF-8/GBK）")
    s.add_argument("--map", action="append", metavar="源列=字段")
    s.add_argument("--report", help="把报告写成 JSON 文件")
    s.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    return s


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridmgr", description="网格化管理：项目、网格、导入导出")
    p.add_argument("--version", action="version", version=f"gridmgr {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], help="消息语言（默认中文）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="新建项目文件（GeoPackage）")
    s.add_argument("project", help="项目文件，如 chancheng.gpkg")
    s.add_argument("--name", required=True, help="项目（区）名称，如 禅城区")
    s.add_argument("--admin-code", required=True, help="6 位县级区划代码，如 440604")
    s.add_argument("--crs", default="EPSG:4490", help="存储坐标系（默认 EPSG:4490 CGCS2000）")
    s.add_argument("--code-scheme", default="national", choices=["national", "db11"],
                   help="单元网格编码规则：national = 14 位（CJ/T 213），db11 = 15 位（北京）")
    s.add_argument("--force", action="store_true", help="覆盖已有文件")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("info", help="项目概况")
    s.add_argument("project")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_info)

    grid = sub.add_parser("grid", help="区域层级：导入、生成、检查").add_subparsers(
        dest="grid_command", required=True, metavar="SUBCOMMAND")
    s = grid.add_parser("import", help="从 Shapefile/GeoPackage/GeoJSON/KML 导入区域")
    s.add_argument("project")
    s.add_argument("file")
    s.add_argument("--level", required=True, choices=list(LEVELS))
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
    s.add_argument("--valid-from", type=_date, help="生效日期 YYYY-MM-DD（默认今天）")
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
    s.add_argument("--tolerance", type=float, default=0.1, help="面积容差（平方米，默认 0.1）")
    s.add_argument("--limit", type=int, default=50, help="终端最多显示的条数")
    s.add_argument("--report")
    s.set_defaults(func=cmd_grid_validate)

    ent = sub.add_parser("enterprises", help="企业名录（一企一档）").add_subparsers(
        dest="enterprises_command", required=True, metavar="SUBCOMMAND")
    s = _table_import(ent.add_parser("import", help="从 XLSX/CSV 导入或更新企业名录"))
    s.add_argument("--coords", default="wgs84",
                   help="坐标系：wgs84（默认）、gcj02（高德/腾讯）、bd09（百度）、cgcs2000 或 "
                        "EPSG:n（投影坐标 X/Y）")
    s.add_argument("--allow-shift", action="store_true",
                   help="允许已有企业整体移位（确属位置更正时；默认拒绝，多半是 --coords 不对）")
    s.set_defaults(func=cmd_enterprises_import)
    s = ent.add_parser("assign-cells", help="网格变化后重新计算每个企业所在网格")
    s.add_argument("project")
    s.set_defaults(func=cmd_enterprises_assign_cells)

    off = sub.add_parser("officers", help="人员名单").add_subparsers(
        dest="officers_command", required=True, metavar="SUBCOMMAND")
    s = _table_import(off.add_parser("import", help="从 XLSX/CSV 导入或更新人员名单"))
    s.set_defaults(func=cmd_officers_import)

    s = sub.add_parser("assign", help="指定网格责任人（旧的责任期自动结束，历史保留）")
    s.add_argument("project")
    s.add_argument("--officer", metavar="工号")
    s.add_argument("--role", help="网格员、执法队员、区级监管责任人、信息采集员")
    s.add_argument("--cells", help="单元网格编码，逗号分隔")
    s.add_argument("--area", help="区、街道、社区或网格编码：责任落在该区域，下级没有的按它兜底")
    s.add_argument("--file", help="批量分配：含 工号、角色、区域编码、起始日期 列的 CSV/XLSX")
    s.add_argument("--from", dest="from_date", type=_date, help="起始日期（默认今天）")
    s.add_argument("--system", default="urban")
    s.add_argument("--note")
    s.set_defaults(func=cmd_assign)

    s = sub.add_parser("check", help="检查责任落实：无责任人的网格、闲置人员、重点企业无监管")
    s.add_argument("project")
    s.add_argument("--system", default="urban")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--report")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("workload", help="每人的工作量：网格、面积、企业、重点企业")
    s.add_argument("project")
    s.add_argument("--system", default="urban")
    s.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    s.add_argument("--out")
    s.set_defaults(func=cmd_workload)

    s = sub.add_parser("export", help="导出图层")
    s.add_argument("project")
    s.add_argument("layer", help="districts、streets、communities、cells、enterprises、"
                                 "responsibilities、officers 或 cases")
    s.add_argument("--out", required=True)
    s.add_argument("--format", choices=["gpkg", "geojson", "shp", "csv", "xlsx", "kml"])
    s.add_argument("--crs", help="输出坐标系（默认项目坐标系；GeoJSON/KML 总是 WGS84）")
    s.add_argument("--system")
    s.add_argument("--as-of", type=_date, help="某日的区域和责任人、该日结束时案件是否超期 "
                                               "YYYY-MM-DD（默认今天）")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("demo", help="用 data/ 中的禅城区数据建演示项目")
    s.add_argument("--out", default="out/chancheng-demo.gpkg")
    s.add_argument("--cell-size", type=float, default=300.0)
    s.add_argument("--force", action="store_true", help="覆盖已有的演示项目")
    s.add_argument("--gui", action="store_true", help="建好后在有显示器时打开桌面窗口")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("gui", help="打开桌面窗口")
    s.add_argument("project", nargs="?")
    s.add_argument("--screenshot", metavar="FILE.png", help="打开、截图并退出（无显示器也可用）")
    s.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS,
                   help="界面语言（默认中文或上次在菜单中的选择）")
    s.set_defaults(func=cmd_gui)
    register_print(sub)
    register_cases(sub)
    register_stats(sub)
    register_fieldpack(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the reason (or the help)
        return int(exc.code or 0)
    if args.lang:
        messages.set_language(args.lang)
    try:
        return int(args.func(args))
    except GridmgrError as exc:
        print(f"{exc.title}：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已取消，项目未改变", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit does not fail again
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, keep the traceback for the report
        import traceback

        traceback.print_exc()
        print(f"内部错误（请报告）：{exc}", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
