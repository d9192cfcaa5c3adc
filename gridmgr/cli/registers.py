"""``gridmgr enterprises …``, ``officers …``, ``assign``, ``check`` and ``workload``: the
registers and who is responsible where."""

from __future__ import annotations

import argparse

from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ..text import sheet_frame
from .common import (
    date_arg,
    emit,
    json_arg,
    print_json,
    print_report,
    run_import,
    table_import_args,
)


def cmd_enterprises_import(args: argparse.Namespace) -> int:
    from ..files.columns import ENTERPRISE_FIELDS, parse_map
    from ..registers.enterprises import import_enterprises

    mapping = parse_map(args.map, ENTERPRISE_FIELDS)
    return run_import(args, lambda store: import_enterprises(
        store, args.file, coords=args.coords, sheet=args.sheet, encoding=args.encoding,
        mapping=mapping, dry_run=args.dry_run, allow_shift=args.allow_shift,
        strict=args.strict), "企业")


def cmd_enterprises_edit(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.enterprises import EDITABLE, edit_enterprise

    values = {f: getattr(args, f) for f in EDITABLE if getattr(args, f) is not None}
    if not values:
        raise UsageError("请至少给出 --phone、--contact 或 --address 之一")
    with open_project(args.project) as store:
        done = edit_enterprise(store, args.key, values)
    label = {"phone": "联系电话", "contact": "联系人", "address": "地址"}
    for f, (old, new) in done["changes"].items():
        print(f"{label[f]}：{old or '（空）'} → {new or '（空）'}")
    print(f"{done['name']}（{done['credit_code'] or '无信用代码'}）：" +
          (f"已修改 {len(done['changes'])} 项" if done["changes"] else "没有变化"))
    return EXIT_OK


def cmd_enterprises_assign_cells(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.cell_assignment import reassign_enterprises

    with open_project(args.project) as store, store.atomic():
        moved = reassign_enterprises(store)
        store.audit("enterprises assign-cells", {"moved": len(moved)})
    for m in moved[:50]:
        print(f"{m['name']}（{m['credit_code']}）：{m['from'] or '无'} → {m['to'] or '无'}")
    print(f"重新归入网格：{len(moved)} 个企业所在网格有变化")
    return EXIT_OK


def cmd_officers_import(args: argparse.Namespace) -> int:
    from ..files.columns import OFFICER_FIELDS, parse_map
    from ..registers.officers import import_officers

    mapping = parse_map(args.map, OFFICER_FIELDS)
    return run_import(args, lambda store: import_officers(
        store, args.file, sheet=args.sheet, encoding=args.encoding, mapping=mapping,
        dry_run=args.dry_run), "人员")


def _print_assign_file(report) -> None:
    """What an assignments file did (or, dry run, would do): one line per change, then the
    findings and a summary."""
    for c in report.info["changes"]:
        if c["action"] != "opened":
            continue
        ended = f"（{'、'.join(c['closed'])} 的任期同日结束）" if c["closed"] else ""
        print(f"第 {c['row']} 行：{c['staff_no']} 自 {c['from']} 起任 {c['area']} 的 "
              f"{c['role']}{ended}")
    print_report(report)
    dry = "（试运行，未写入）" if report.info["dry_run"] else ""
    print(f"{'将' if dry else '已'}分配 {report.info['opened']} 条，结束 {report.info['closed']} "
          f"个任期，{report.info['unchanged']} 条原本如此，未能分配 {len(report.refused)} 条{dry}")


def cmd_assign(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.responsibility import assign, assign_from_file, backdate_hint

    with open_project(args.project) as store:
        if args.file:
            report = assign_from_file(store, args.file, system=args.system,
                                      dry_run=args.dry_run)
            _print_assign_file(report)
            if args.report:
                report.write(args.report)
            return EXIT_FINDINGS if report.refused else EXIT_OK
        if args.dry_run or args.report:
            raise UsageError("--dry-run 和 --report 用于 --file 批量分配")
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
    if "earlier_cases" in done:
        print("提醒：" + backdate_hint(args.officer, args.role, done["earlier_cases"]))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.responsibility import check

    with open_project(args.project, readonly=True) as store:
        report = check(store, system=args.system)
    n = len(report.findings)
    if args.report:
        report.write(args.report)
    if args.json:
        print_json(report.to_dict())
        return EXIT_FINDINGS if n else EXIT_OK
    print_report(report, limit=args.limit)
    team = report.info.get("team") or {}
    if team:
        print("网格团队（有人在任的网格数，含兜底）：" + "，".join(
            f"{role} {n}" for role, n in team.items()))
    print(f"检查了 {report.info['cells']} 个单元网格的责任落实：" +
          (f"{len(report.refused)} 个问题、{len(report.warnings)} 个提醒" if n else "没有发现问题"))
    return EXIT_FINDINGS if n else EXIT_OK


WORKLOAD_ZH = {"staff_no": "工号", "name": "姓名", "unit": "所属单位", "role": "团队角色",
               "slot": "职责", "cells": "网格数", "own_cells": "其中本人直接负责",
               "area_km2": "面积(平方公里)", "enterprises": "企业数",
               "key_enterprises": "重点企业数"}


def cmd_workload(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.responsibility import workload

    with open_project(args.project, readonly=True) as store:
        table = workload(store, system=args.system)
    from ..registers.teams import SLOT_ZH

    table = table.sort_values(["cells", "staff_no"], ascending=[False, True], kind="stable")
    shown = table.assign(slot=table["slot"].map(lambda v: SLOT_ZH.get(v, v)))
    shown = sheet_frame(shown.rename(columns=WORKLOAD_ZH))
    if args.format == "table":
        print(shown.to_string(index=False))
    elif args.format == "json":
        text = table.to_json(orient="records", force_ascii=False, indent=2)
        emit(text, args.out)
    elif args.format == "csv":
        emit(shown.to_csv(index=False), args.out, bom=True)
    else:
        if not args.out:
            raise UsageError("xlsx 需要 --out 文件名")
        shown.to_excel(args.out, index=False, sheet_name="工作量")
        print(f"已写入 {args.out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    ent = sub.add_parser("enterprises", help="企业名录（一企一档）").add_subparsers(
        dest="enterprises_command", required=True, metavar="SUBCOMMAND")
    s = table_import_args(ent.add_parser("import", help="从 XLSX/CSV 导入或更新企业名录"))
    s.add_argument("--coords", default=None,
                   help="坐标系：wgs84、gcj02（高德/腾讯）、bd09（百度）、cgcs2000 或 "
                        "EPSG:n（投影坐标 X/Y）；不指定时试算各坐标系，另一坐标系明显更合适则拒收")
    s.add_argument("--allow-shift", action="store_true",
                   help="允许已有企业整体移位（确属位置更正时；默认拒绝，多半是 --coords 不对）")
    s.add_argument("--strict", action="store_true",
                   help="信用代码无效（校验位错等）的行拒收；默认按原样导入并标记")
    s.set_defaults(func=cmd_enterprises_import)
    s = ent.add_parser("edit", help="修改一个企业的联系人、电话或地址（不需要坐标）")
    s.add_argument("project")
    s.add_argument("key", help="统一社会信用代码、企业编号或企业全称")
    s.add_argument("--phone", help="联系电话")
    s.add_argument("--contact", help="联系人")
    s.add_argument("--address", help="地址")
    s.set_defaults(func=cmd_enterprises_edit)
    s = ent.add_parser("assign-cells", help="网格变化后重新计算每个企业所在网格")
    s.add_argument("project")
    s.set_defaults(func=cmd_enterprises_assign_cells)

    off = sub.add_parser("officers", help="人员名单").add_subparsers(
        dest="officers_command", required=True, metavar="SUBCOMMAND")
    s = table_import_args(off.add_parser("import", help="从 XLSX/CSV 导入或更新人员名单"))
    s.set_defaults(func=cmd_officers_import)

    s = sub.add_parser("assign", help="指定网格团队成员（同一角色的旧任期自动结束，历史保留）")
    s.add_argument("project")
    s.add_argument("--officer", metavar="工号")
    s.add_argument("--role", help="团队角色：网格长、网格员、执法队员、协管员、监督员、信息采集员、"
                                  "区级监管责任人 …（见 gridmgr team-roles list）")
    s.add_argument("--cells", help="单元网格编码，逗号分隔")
    s.add_argument("--area", help="区、街道、社区或网格编码：责任落在该区域，下级没有的按它兜底")
    s.add_argument("--file", help="批量分配：含 工号、角色、区域编码、起始日期 列的 CSV/XLSX")
    s.add_argument("--dry-run", action="store_true",
                   help="只报告 --file 将做的改动，不写入")
    s.add_argument("--report", help="--file 的报告（JSON）")
    s.add_argument("--from", dest="from_date", type=date_arg, help="起始日期（默认今天）")
    s.add_argument("--system", default="urban")
    s.add_argument("--note")
    s.set_defaults(func=cmd_assign)

    s = sub.add_parser("check", help="检查责任落实：无责任人的网格、闲置人员、重点企业无监管")
    s.add_argument("project")
    s.add_argument("--system", default="urban")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--report", help="把报告写成 JSON 文件（- 为标准输出）")
    json_arg(s)
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("workload", help="每人的工作量：网格、面积、企业、重点企业")
    s.add_argument("project")
    s.add_argument("--system", default="urban")
    s.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    s.add_argument("--out")
    s.set_defaults(func=cmd_workload)
