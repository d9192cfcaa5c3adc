"""``gridmgr fieldpack``: export a field package, import it back, list and decide conflicts."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import EXIT_FINDINGS, EXIT_OK, GridmgrError
from ..findings import Report
from .common import date_arg, drive, json_arg, print_json, print_report

KIND_ZH = {"inspection": "检查记录", "enterprise_updated": "企业更正", "case_step": "案件进展",
           "case_opened": "新立案件", "conflict": "冲突"}
FIELD_ZH = {"contact": "联系人", "phone": "联系电话", "address": "地址", "location": "位置",
            "x": "经度/X", "y": "纬度/Y", "status": "状态", "case_no": "案件编号",
            "handler_staff_no": "处置人", "dispose_due_at": "处置截止", "steps": "案件进展",
            "why": "外业进展未应用的原因"}


def cmd_export(args: argparse.Namespace) -> int:
    from ..fieldwork.export import export_fieldpack
    from ..project import open_project

    if args.all_officers:
        return _export_all(args)
    with open_project(args.project) as store:
        result = drive(export_fieldpack(store, out=args.out, officer=args.officer,
                                         area=args.area, as_of=args.as_of), args)
    if args.json:
        print_json(result)
        return EXIT_OK
    c = result["counts"]
    print(f"外业包已写入 {result['out']}：{result['scope']['label']}，单元网格 {c['cells']} 个，"
          f"企业 {c['enterprises']} 个，未结案件 {c['cases']} 件")
    for f in result["files"]:
        print(f"  {f['name']:<14} {f['bytes']:>10,} 字节")
    for item in result["left_out"]:
        print(f"  未包含：{item}")
    print(f"外业包标识：{result['package_uuid']}")
    return EXIT_OK


def _export_all(args: argparse.Namespace) -> int:
    from ..fieldwork.batch import export_all_officers
    from ..project import open_project

    with open_project(args.project) as store:
        summary = drive(export_all_officers(store, args.out, as_of=args.as_of), args)
    made, failed = summary["packages"], summary["failed"]
    for p in made:
        print(f"  {Path(p['out']).name:<24} 网格 {p['cells']:>5}  企业 {p['enterprises']:>5}  "
              f"案件 {p['cases']:>4}  {p['bytes']:>12,} 字节")
    for f in failed:
        print(f"  未生成：{f['name'] or ''}（{f['staff_no']}）：{f['reason']}")
    size = sum(p["bytes"] for p in made)
    print(f"外业包已写入 {summary['out']}：{len(made)} 人各一个包（{summary['as_of']} 的责任），"
          f"共 {size / 1e6:.1f} MB" + (f"；{len(failed)} 人未生成（见上）" if failed else ""))
    return EXIT_FINDINGS if failed else EXIT_OK


def print_receipt(report: Report) -> None:

    info = report.info
    receipt = info.get("receipt") or {}
    c = receipt.get("counts") or {}
    print_report(report)
    if report.refused:
        print(f"拒绝导入：{len(report.refused)} 处数据无效（见上），项目未改变")
        return
    if info.get("already_imported"):
        print(f"这个外业包已经导入过（检查记录 {c.get('inspections_known', 0)} 条、案件进展 "
              f"{c.get('case_steps_known', 0)} 步都已在项目中），没有新内容：项目未改变")
        return
    verb = "试运行，将导入" if info.get("dry_run") else "已导入"
    print(f"{verb}：检查记录 {c.get('inspections_new', 0)} 条（已有 "
          f"{c.get('inspections_known', 0)}），企业更正 {c.get('enterprises_updated', 0)} 个，"
          f"案件进展 {c.get('case_steps_new', 0)} 步，"
          f"新立案件 {c.get('cases_opened', 0)} 件，照片 {c.get('photos', 0)} 张，"
          f"新冲突 {c.get('conflicts_new', 0)} 个（已记录 {c.get('conflicts_known', 0)}）")
    for r in receipt.get("records", [])[:30]:
        what = KIND_ZH.get(r["kind"], r["kind"])
        extra = ""
        if r["kind"] == "enterprise_updated":
            extra = "：" + "、".join(FIELD_ZH.get(k, k) for k in r.get("changed", []))
        elif r["kind"] == "inspection":
            extra = f"：{r.get('result')} {str(r.get('at') or '').replace('T', ' ')}"
        elif r["kind"] == "case_step":
            extra = f"：{r.get('action')}"
        print(f"  {what} {r.get('label') or r.get('uuid')}{extra}")
    for cf in receipt.get("conflicts", []):
        print(f"  冲突 {cf.get('id') or '（试运行）'}：{cf['label']}，用 gridmgr fieldpack "
              "conflicts 查看，fieldpack resolve 决定")


def cmd_import(args: argparse.Namespace) -> int:
    from ..fieldwork.importer import import_fieldpack
    from ..project import open_project

    try:
        with open_project(args.project, readonly=args.dry_run) as store:
            report = drive(import_fieldpack(store, args.package, dry_run=args.dry_run), args)
    except GridmgrError as exc:
        if args.report:
            Report(info={"file": args.package, "error": str(exc)}).write(args.report)
        raise
    if args.report:
        report.write(args.report)
    if args.json:
        print_json(report.to_dict())
        return EXIT_FINDINGS if report.refused else EXIT_OK
    print_receipt(report)
    if args.report and args.report != "-":
        print(f"回执：{args.report}")
    return EXIT_FINDINGS if report.refused else EXIT_OK


def _value_text(key: str, v: Any) -> str:
    if v is None:
        return "（空）"
    if key == "steps":
        return "；".join(f"{s['action']} {str(s['at']).replace('T', ' ')}"
                        + (f"（{s['note']}）" if s.get("note") else "") for s in v) or "（无）"
    return str(v)


def cmd_conflicts(args: argparse.Namespace) -> int:
    from ..fieldwork.conflicts import conflict_fields
    from ..project import open_project

    with open_project(args.project, readonly=True) as store:
        rows = store.conflicts(status=None if args.all else "open")
    if args.json:
        for c in rows:
            c["fields"] = [{"field": k, "sent": s, "desk": d, "field_app": f}
                           for k, s, d, f in conflict_fields(c)]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("没有待决定的冲突" if not args.all else "没有冲突记录")
        return EXIT_OK
    for c in rows:
        state = "待决定" if c["status"] == "open" else (
            f"已决定：保留{'桌面' if c['decision'] == 'desk' else '外业'}版本"
            f"（{c['decided_by'] or ''} {c['decided_at']}）")
        print(f"[{c['id']}] {c['label']}（{c['table_name']}）{state}")
        for key, sent, desk, field in conflict_fields(c):
            name = FIELD_ZH.get(key, key)
            if key == "why":
                print(f"    {name}：{desk}")
                continue
            print(f"    {name}：导出时 {_value_text(key, sent)} | 桌面 {_value_text(key, desk)}"
                  f" | 外业 {_value_text(key, field)}")
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    from ..fieldwork.conflicts import resolve_conflict
    from ..project import open_project

    with open_project(args.project) as store:
        c = resolve_conflict(store, args.id, args.keep, decided_by=args.by)
    print(f"冲突 {c['id']}（{c['label']}）：保留{'桌面' if args.keep == 'desk' else '外业'}版本；"
          "两个版本都仍保存在冲突记录中")
    return EXIT_OK


def register(sub: Any) -> None:

    fp = sub.add_parser("fieldpack", help="外业包：导出给外业人员、导回外业成果、处理冲突"
                        ).add_subparsers(dest="fieldpack_command", required=True,
                                         metavar="SUBCOMMAND")
    s = fp.add_parser("export", help="为某人或某区域导出离线外业包（文件夹或 .zip）")
    s.add_argument("project")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--officer", metavar="工号", help="此人负责的单元网格")
    who.add_argument("--area", metavar="区域编码", help="区、街道、社区或单元网格编码")
    who.add_argument("--all-officers", action="store_true",
                     help="当日负责网格的每个人员各一个 .zip（--out 为文件夹），最后汇总")
    s.add_argument("--out", required=True, help="输出文件夹（不存在或为空）或 .zip 文件；"
                   "--all-officers 时为存放各包的文件夹")
    s.add_argument("--as-of", type=date_arg, help="按哪一天的责任和检查计划（默认今天）")
    json_arg(s)
    s.set_defaults(func=cmd_export)

    s = fp.add_parser("import", help="导回外业包：检查记录、企业位置更正、案件进展、发现的问题")
    s.add_argument("project")
    s.add_argument("package", help="外业包文件夹或 .zip")
    s.add_argument("--report", help="把回执写成 JSON 文件（- 为标准输出）")
    s.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    json_arg(s)
    s.set_defaults(func=cmd_import)

    s = fp.add_parser("conflicts", help="列出桌面和外业都改过的记录")
    s.add_argument("project")
    s.add_argument("--all", action="store_true", help="包括已决定的")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_conflicts)

    s = fp.add_parser("resolve", help="决定一个冲突：保留桌面或外业版本")
    s.add_argument("project")
    s.add_argument("id", type=int, help="冲突编号（见 fieldpack conflicts）")
    s.add_argument("--keep", required=True, choices=["desk", "field"])
    s.add_argument("--by", metavar="工号", help="决定人")
    s.set_defaults(func=cmd_resolve)
