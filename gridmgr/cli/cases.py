"""``gridmgr cases …``, ``gridmgr calendar`` and ``gridmgr categories``: the cases commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import EXIT_OK, UsageError
from ..text import sheet_frame, write_sheet_csv
from .common import emit, emit_with, print_report, run_import, table_import_args

LIST_ZH = {"case_no": "案件编号", "status": "状态", "source": "来源", "category_code": "类别",
           "reported_at": "上报时间", "cell_code": "网格", "handler_staff_no": "处置人",
           "due_at": "本阶段截止", "overdue": "超期", "supervised": "督办",
           "address": "地址"}


def _open(args: argparse.Namespace, readonly: bool = False) -> Any:
    from ..project import open_project

    return open_project(args.project, readonly=readonly)


def cmd_cases_import(args: argparse.Namespace) -> int:
    from ..cases.category_names import parse_category_map
    from ..cases.importer import CASE_FIELDS, import_cases, parse_status_map
    from ..files.columns import parse_map

    mapping = parse_map(args.map, CASE_FIELDS)
    statuses = parse_status_map(args.status)
    category_map = parse_category_map(args.map_category, args.category_map)
    hours, days = bare_units(args)
    return run_import(args, lambda store: import_cases(
        store, args.file, coords=args.coords, sheet=args.sheet, encoding=args.encoding,
        mapping=mapping, statuses=statuses, dry_run=args.dry_run, bare_hours=hours,
        bare_days=days, category_map=category_map, add_categories=args.add_categories),
        "案件")


def bare_units(args: argparse.Namespace) -> tuple[str, str]:
    """``--hours calendar|working`` and ``--days working|calendar``: what a bare 小时 / 天
    means in the bureau's files."""
    from ..cases.workcalendar import CALENDAR_DAYS, CALENDAR_HOURS, WORK_DAYS, WORK_HOURS

    return ({"calendar": CALENDAR_HOURS, "working": WORK_HOURS}[args.bare_hours],
            {"calendar": CALENDAR_DAYS, "working": WORK_DAYS}[args.bare_days])


def _bare_unit_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--hours", dest="bare_hours", choices=["calendar", "working"],
                   default="calendar", help="不写“工作”或“自然”的“小时”指什么：calendar 自然小时（默认）"
                                            "或 working 工作小时")
    s.add_argument("--days", dest="bare_days", choices=["working", "calendar"],
                   default="working", help="不写“工作”或“自然”的“天/日”指什么：working 工作日（默认）"
                                           "或 calendar 自然日")


def cmd_cases_new(args: argparse.Namespace) -> int:
    from ..cases.lifecycle import create_case

    with _open(args) as store:
        case = create_case(store, source=args.source, category=args.category, lon=args.lon,
                           lat=args.lat, coords=args.coords, address=args.address,
                           description=args.description, reported_at=args.at,
                           reporter=args.reporter, enterprise=args.enterprise,
                           photos=args.photo or [], by_staff_no=args.by, case_no=args.case_no)
    print(f"已受理案件 {case['case_no']}：{case['source']}，类别 {case['category_code']}，"
          f"网格 {case['cell_code'] or '（不在任何网格内）'}，核实截止 {case['due_at'] or '无'}")
    return EXIT_OK


def cmd_cases_transition(args: argparse.Namespace) -> int:
    from ..cases.lifecycle import transition

    with _open(args) as store:
        case = transition(store, args.case_no, args.action, by=args.by, at=args.at,
                          note=args.note, due=args.due, approver=args.approver,
                          handler=args.to)
    extra = f"，处置人 {case['handler_staff_no']}" if case["handler_staff_no"] else ""
    print(f"案件 {case['case_no']}：{args.action} → 状态“{case['status']}”{extra}，"
          f"本阶段截止 {case['due_at'] or '无'}")
    return EXIT_OK


def cmd_cases_show(args: argparse.Namespace) -> int:
    from ..cases.lifecycle import timeline

    with _open(args, readonly=True) as store:
        t = timeline(store, args.case_no)
    if args.json:
        print(json.dumps({k: v for k, v in t.items()}, ensure_ascii=False, indent=2,
                         default=str))
        return EXIT_OK
    c = t["case"]
    if t["rework_reason"] and c["status"] in ("处置", "派遣"):
        print(f"【返工原因】{t['rework_reason']}")
    cat = t["category"] or {}
    print(f"案件 {c['case_no']}  状态：{c['status']}" + ("  【挂牌督办】" if c["supervised"] else ""))
    print(f"来源：{c['source']}  类别：{c['category_code']} {cat.get('major_name') or ''}/"
          f"{cat.get('name') or ''}  上报：{c['reported_at']}")
    print(f"位置：{c['address'] or ''}  网格 {c['cell_code'] or '无'}（社区 "
          f"{c['community_code'] or '无'}，街道 {c['street_code'] or '无'}）")
    if t["enterprise"]:
        print(f"企业：{t['enterprise']['name']}（{t['enterprise']['credit_code'] or ''}）")
    print(f"处置人：{c['handler_staff_no'] or '未派遣'}  处置截止：{c['dispose_due_at'] or '无'}  "
          f"本阶段截止：{c['due_at'] or '无'}  返工 {c['rework_count']} 次，延期 "
          f"{c['extension_count']} 次")
    if c["description"]:
        print(f"描述：{c['description']}")
    print("流程：")
    for s in t["steps"]:
        who = f"{s['by_name'] or ''}（{s['by_staff_no']}）" if s["by_staff_no"] else "—"
        due = f"  截止 {s['due_at']}" if s["due_at"] else ""
        note = f"  {s['note']}" if s["note"] else ""
        print(f"  {s['seq']:>2}. {s['at']}  {s['action']:<4} {s['from_status'] or '':>2}→"
              f"{s['to_status']}  {who}{due}{note}")
    if t["photos"]:
        print("照片：" + "、".join(f"{p['name']}（{p['bytes']} 字节）" for p in t["photos"]))
    print("当前可以：" + ("、".join(t["allowed"]) or "无"))
    return EXIT_OK


def cmd_cases_list(args: argparse.Namespace) -> int:
    from ..cases.lifecycle import list_case_rows, list_cases

    if args.format == "csv":  # streamed: the same bytes as the frame below would give
        with _open(args, readonly=True) as store:
            batches = list_case_rows(store, list(LIST_ZH), status=args.status,
                                     overdue_only=args.overdue, as_of=args.as_of,
                                     labels={"overdue": "是", "supervised": "督办"})
            emit_with(lambda fh: write_sheet_csv(fh, list(LIST_ZH.values()), batches),
                      args.out, bom=True)
        return EXIT_OK
    with _open(args, readonly=True) as store:
        df = list_cases(store, status=args.status, overdue_only=args.overdue, as_of=args.as_of)
    shown = df[list(LIST_ZH)].copy()
    shown["overdue"] = shown["overdue"].map({True: "是", False: ""})
    shown["supervised"] = shown["supervised"].map({1: "督办", 0: ""})
    shown = sheet_frame(shown.rename(columns=LIST_ZH))
    if args.format == "json":
        emit(df[list(LIST_ZH)].to_json(orient="records", force_ascii=False, indent=2),
              args.out)
    else:
        if len(shown):
            print(shown.to_string(index=False, max_rows=args.limit))
        n_over = int(df["overdue"].sum())
        print(f"共 {len(df)} 件，其中超期 {n_over} 件" + (f"（截至 {args.as_of}）" if args.as_of
                                                       else ""))
    return EXIT_OK


def cmd_cases_notice(args: argparse.Namespace) -> int:
    from ..cases.notices import short_time, write_notice_pdf

    with _open(args) as store:
        data = write_notice_pdf(store, args.case_no, args.out, issued_at=args.at,
                                deadline=args.deadline, force=args.force)
    n = data["notice"]
    print(f"整改通知书 {n['notice_no']}（{n['colour']}单，同类问题 90 天内第 "
          f"{data['escalation']['count']} 次）致 {data['addressee']['name']}，整改期限 "
          f"{short_time(n['deadline']) if n['deadline'] else '无'}：{args.out}")
    return EXIT_OK


def cmd_calendar(args: argparse.Namespace) -> int:
    from ..cases.lifecycle import calendar
    from ..cases.workcalendar import parse_work_hours
    from ..text import iso_date

    changes = []
    for item in args.set or []:
        if "=" not in item:
            raise UsageError(f"--set 应写成 日期=holiday|workday|normal；收到 {item!r}")
        day, kind = (s.strip() for s in item.split("=", 1))
        name = None
        if ":" in kind:
            kind, name = kind.split(":", 1)
        if kind not in ("holiday", "workday", "normal"):
            raise UsageError(f"--set {item!r}：应为 holiday（放假）、workday（调休上班）或 "
                             "normal（按周一至周五）")
        changes.append((iso_date(day), None if kind == "normal" else kind, name))
    if args.hours:
        parse_work_hours(args.hours)
    with _open(args, readonly=not (changes or args.hours)) as store:
        if changes or args.hours:
            with store.atomic():
                for day, kind, name in changes:
                    store.set_calendar_day(day, kind, name)
                if args.hours:
                    store.set_meta("work_hours", args.hours)
                store.audit("calendar", {"set": [list(c) for c in changes],
                                         "hours": args.hours})
        rows = store.calendar_rows(args.year)
        cal = calendar(store)
        hours = store.meta().get("work_hours")
    kind_zh = {"holiday": "放假", "workday": "调休上班"}
    print(f"工作时间：{hours}（每天 {cal.hours_per_day:g} 小时）")
    for r in rows:
        print(f"  {r['day']}  {kind_zh[r['kind']]}  {r['name'] or ''}")
    print(f"共 {len(rows)} 天与“周一至周五上班”不同" + (f"（{args.year} 年）" if args.year else ""))
    return EXIT_OK


def cmd_categories(args: argparse.Namespace) -> int:
    from ..cases.categories import export_categories, import_categories

    if args.categories_command == "export":
        with _open(args, readonly=True) as store:
            n = export_categories(store, args.file)
        print(f"已导出 {n} 个案件小类到 {args.file}")
        return EXIT_OK
    with _open(args, readonly=args.dry_run) as store:
        hours, days = bare_units(args)
        report = import_categories(store, args.file, dry_run=args.dry_run, hours=hours,
                                   days=days)
    print_report(report)
    if report.refused:
        print(f"有 {len(report.refused)} 处错误，分类表未改变", file=sys.stderr)
        return 1
    print(("可导入" if args.dry_run else "已导入") + f" {report.accepted} 个案件小类（整表替换）")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:

    cases = sub.add_parser("cases", help="案件：导入、受理、流转、查看、列表、整改通知书"
                           ).add_subparsers(dest="cases_command", required=True,
                                            metavar="SUBCOMMAND")
    s = table_import_args(cases.add_parser("import", help="从 12345 热线/案件系统导出的 CSV/XLSX 导入案件"))
    s.add_argument("--coords", default=None,
                   help="坐标系：wgs84、gcj02（高德/腾讯）、bd09（百度）、cgcs2000 或 EPSG:n；"
                        "不指定时试算各坐标系，另一坐标系明显更合适则拒收")
    s.add_argument("--status", action="append", metavar="外部=内部",
                   help="外部状态名对应的流程状态，如 已回访=结案；可重复")
    s.add_argument("--map-category", action="append", metavar="外部类别=小类",
                   help="案件系统的类别名对应到分类表的小类（编码或名称），如 噪音扰民=SJ0301；可重复")
    s.add_argument("--category-map", metavar="FILE",
                   help="类别对照表 CSV/XLSX：第一列外部类别，第二列小类编码或名称")
    s.add_argument("--add-categories", action="store_true",
                   help="把分类表中没有的类别加入分类表（事件，大类 99 导入新增，无时限）")
    _bare_unit_args(s)
    s.set_defaults(func=cmd_cases_import)

    s = cases.add_parser("new", help="受理一个新案件")
    s.add_argument("project")
    s.add_argument("--source", required=True, help="来源：市民投诉、12345热线、巡查上报、视频抓拍、"
                                                  "巡检发现、信访、上级交办")
    s.add_argument("--category", required=True, help="小类编码或名称，如 SJ0102 或 暴露垃圾")
    s.add_argument("--lon", type=float, required=True)
    s.add_argument("--lat", type=float, required=True)
    s.add_argument("--coords", default="wgs84", help="经纬度的坐标系（默认 wgs84）")
    s.add_argument("--address")
    s.add_argument("--description")
    s.add_argument("--at", help="上报时间，如 2026-03-01T09:30（默认现在）")
    s.add_argument("--reporter", help="上报人/来电人")
    s.add_argument("--enterprise", help="涉及企业：统一社会信用代码、企业编号或全称")
    s.add_argument("--photo", action="append", metavar="F", help="照片文件（存入项目），可重复")
    s.add_argument("--by", metavar="工号", help="受理人工号")
    s.add_argument("--case-no", help="案件编号（默认 AJ+日期+序号）")
    s.set_defaults(func=cmd_cases_new)

    s = cases.add_parser("transition", help="案件流转：立案、派遣、处置、反馈、核查通过、结案、"
                                            "作废、回退、延期、返工、挂账、督办")
    s.add_argument("project")
    s.add_argument("case_no")
    s.add_argument("action")
    s.add_argument("--by", required=True, metavar="工号", help="操作人工号")
    s.add_argument("--note", help="说明；作废、回退、延期、返工、挂账、督办必填")
    s.add_argument("--due", help="延期后的截止时间，如 2026-03-10T18:00")
    s.add_argument("--approver", metavar="工号", help="延期的批准人")
    s.add_argument("--to", metavar="工号", help="派遣给（默认：上报当天该网格的责任人，属地兜底）")
    s.add_argument("--at", help="操作时间（默认现在）")
    s.set_defaults(func=cmd_cases_transition)

    s = cases.add_parser("show", help="案件详情和流程记录")
    s.add_argument("project")
    s.add_argument("case_no")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_cases_show)

    s = cases.add_parser("list", help="案件列表（可按状态、超期筛选）")
    s.add_argument("project")
    s.add_argument("--status")
    s.add_argument("--overdue", action="store_true", help="只列超期案件")
    s.add_argument("--as-of", help="按某一时刻的状态和时限判断，如 2026-03-01T12:00（默认现在）")
    s.add_argument("--format", choices=["table", "csv", "json"], default="table")
    s.add_argument("--out")
    s.add_argument("--limit", type=int, default=200, help="表格最多显示的行数")
    s.set_defaults(func=cmd_cases_list)

    s = cases.add_parser("notice", help="出具整改通知书（PDF，三色单）")
    s.add_argument("project")
    s.add_argument("case_no")
    s.add_argument("--out", required=True, metavar="F.pdf")
    s.add_argument("--at", help="签发时间（默认现在；已出具过的按原通知书重印）")
    s.add_argument("--deadline", help="整改期限，如 2026-03-09T18:00（默认案件的处置时限）")
    s.add_argument("--force", action="store_true",
                   help="期限早于签发时间或已过也照样出具（如补录纸质通知书）")
    s.set_defaults(func=cmd_cases_notice)

    s = sub.add_parser("calendar", help="工作日历：法定节假日、调休上班日、工作时间")
    s.add_argument("project")
    s.add_argument("--year", type=int)
    s.add_argument("--set", action="append", metavar="日期=holiday|workday|normal",
                   help="设置某天：holiday 放假、workday 调休上班、normal 按周一至周五；"
                        "可加名称，如 2027-02-06=holiday:春节；可重复")
    s.add_argument("--hours", help="每天的工作时间，如 08:30-12:00,14:00-18:00")
    s.set_defaults(func=cmd_calendar)

    cats = sub.add_parser("categories", help="案件分类表（部件/事件 大类 小类、时限）导出/导入 XLSX"
                          ).add_subparsers(dest="categories_command", required=True,
                                           metavar="SUBCOMMAND")
    for name, text in (("export", "导出为 XLSX"), ("import", "从 XLSX/CSV 整表替换")):
        s = cats.add_parser(name, help=text)
        s.add_argument("project")
        s.add_argument("file")
        if name == "import":
            s.add_argument("--dry-run", action="store_true")
            _bare_unit_args(s)
        else:
            s.set_defaults(dry_run=False)
        s.set_defaults(func=cmd_categories)
