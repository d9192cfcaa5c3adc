"""``gridmgr init``, ``info``, ``demo`` and ``gui``: making, describing and opening a project."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from .. import platforms
from ..errors import EXIT_FINDINGS, EXIT_OK, SetupError, UsageError
from ..levels import LEVEL_TABLES, LEVELS
from .common import LEVEL_ZH, drive


def cmd_init(args: argparse.Namespace) -> int:
    from ..project import init_project, summary

    with init_project(args.project, name=args.name, admin_code=args.admin_code, crs=args.crs,
                      code_scheme=args.code_scheme, overwrite=args.force) as store:
        s = summary(store)
    print(f"已创建项目 {s['name']}（区划代码 {s['admin_code']}，坐标系 {s['crs']}，"
          f"编码规则 {s['code_scheme']}）：{s['path']}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from ..project import open_project, summary

    if args.fonts:
        return _info_fonts(args)
    if not args.project:
        raise UsageError("请给出项目文件（或用 --fonts 只看字体）")
    with open_project(args.project, readonly=True) as store:
        s = summary(store)
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"项目：{s['name']}（{s['admin_code']}）  文件：{s['path']}")
    print(f"坐标系：{s['crs']}  编码规则：{s['code_scheme']}  结构版本：{s['schema_version']}")
    if s.get("scope"):
        print(f"部分副本：只含 {s['scope']}（gridmgr pull --scope），供离线工作或存档")
    for lvl in LEVELS:
        print(f"  {LEVEL_ZH[lvl]:<6} {LEVEL_TABLES[lvl]:<12} {s['areas'][lvl]:>8}")
    print(f"企业 {s['enterprises']}，人员 {s['officers']}，"
          f"在任责任 {s['responsibilities_current']} 条")
    return EXIT_OK


def _info_fonts(args: argparse.Namespace) -> int:
    from ..renderers import renderer

    f = renderer().fonts()
    if args.json:
        print(json.dumps(f, ensure_ascii=False, indent=2))
        return EXIT_OK
    where = "随程序附带（本机没有中文字体）" if f["source"] == "bundled" else "本机已安装"
    print(f"中文字体：{f['sans']}（{where}）；标题/衬线：{f['serif']}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from ..storage import backup_project

    dest = backup_project(args.project, args.dest, overwrite=args.force)
    print(f"已备份到 {dest}（一致的快照，可在其他进程写入时进行）")
    return EXIT_OK


def cmd_repair(args: argparse.Namespace) -> int:
    from ..storage import inspect, salvage_project

    tables = salvage_project(args.project, args.dest, overwrite=args.force)
    incomplete = [t for t, v in tables.items() if v.get("incomplete")]
    rows = sum(int(v.get("rows", 0)) for v in tables.values())
    print(f"已把 {len(tables)} 张表的 {rows} 行抢救到 {args.dest}；原文件未改动")
    if incomplete:
        print(f"这些表有读不出的行，已缺失：{'、'.join(incomplete)}")
    inspect(args.dest, for_write=True)  # the salvaged file opens as a project
    print(f"请检查后用它替换原文件（gridmgr info {args.dest}）")
    return EXIT_FINDINGS if incomplete else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import build_demo

    path = drive(build_demo(Path(args.out), cell_size=args.cell_size, force=args.force), args)
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
    """A screen a window can open on: always on Windows and macOS, an X or Wayland display
    elsewhere (offscreen Qt does not count: nobody would see it)."""
    return platforms.can_open_window()


def _launch_gui(path: Path | str | None, screenshot: str | None = None,
                verbose: bool = False) -> int:
    if screenshot and not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    elif not _has_display():
        print("没有图形显示（DISPLAY 未设置），不打开桌面窗口。" + (f"项目：{path}" if path else ""))
        return EXIT_OK
    missing = platforms.missing_window_libraries()
    if missing:  # Qt would abort the process on them, with no message a person can act on
        raise SetupError(f"桌面窗口需要的系统库 {'、'.join(missing)} 无法加载。"
                         + platforms.libraries_fix(missing))
    from importlib.metadata import entry_points

    # The desktop (ui/) registers itself under this entry point group: the core never imports
    # it, so the layering gridmgr ← maps ← ui holds for the launcher too.
    found = entry_points(group="gridmgr.gui")
    if not found:
        raise UsageError("桌面界面未安装（缺少 gridmgr.gui 入口）；请运行 scripts/setup.sh")
    try:
        gui_main = next(iter(found)).load()
    except (ImportError, OSError) as exc:  # Qt could not load a system library (libGL, xcb …)
        problem = platforms.setup_problem(exc, "桌面窗口")
        if problem is None:
            raise
        raise SetupError(problem) from exc
    argv = [str(path)] if path else []
    if screenshot:
        argv += ["--screenshot", screenshot]
    if verbose:
        argv.append("--verbose")
    return int(gui_main(argv))


def cmd_gui(args: argparse.Namespace) -> int:
    from ..project import as_location

    if args.lang:  # `gridmgr --lang en gui` or `gridmgr gui --lang en`: the desktop reads it
        os.environ["GRIDMGR_LANG"] = args.lang  # (ui/i18n.py), before a saved menu choice
    return _launch_gui(as_location(args.project) if args.project else None, args.screenshot,
                       verbose=getattr(args, "verbose", False))


def cmd_upgrade(args: argparse.Namespace) -> int:
    from ..project import as_location, open_project, summary

    with open_project(as_location(args.project)) as store:  # a read-write open migrates
        version = summary(store)["schema_version"]
    print(f"{args.project}：结构版本 {version}（已是本程序的版本）")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("init", help="新建项目文件（GeoPackage）")
    s.add_argument("project", help="项目文件，如 chancheng.gpkg")
    s.add_argument("--name", required=True, help="项目（区）名称，如 禅城区")
    s.add_argument("--admin-code", required=True, help="6 位县级区划代码，如 440604")
    s.add_argument("--crs", default="EPSG:4490", help="存储坐标系（默认 EPSG:4490 CGCS2000）")
    s.add_argument("--code-scheme", default="national", choices=["national", "db11"],
                   help="单元网格编码规则：national = 14 位（CJ/T 213），db11 = 15 位（北京）")
    s.add_argument("--force", action="store_true", help="覆盖已有文件")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("upgrade", help="把旧版本的项目（文件或服务器项目）升级到本程序的结构版本")
    s.add_argument("project")
    s.set_defaults(func=cmd_upgrade)

    s = sub.add_parser("info", help="项目概况")
    s.add_argument("project", nargs="?")
    s.add_argument("--json", action="store_true")
    s.add_argument("--fonts", action="store_true", help="显示出图和窗口使用的中文字体")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("backup", help="备份项目到一个文件（SQLite 备份接口，写入中也一致）")
    s.add_argument("project")
    s.add_argument("dest", help="备份文件，如 backup/chancheng-2025-03-01.gpkg")
    s.add_argument("--force", action="store_true", help="覆盖已有的备份文件")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("repair", help="把损坏项目中还能读出的内容抢救到新文件")
    s.add_argument("project")
    s.add_argument("dest", help="新文件，如 chancheng-repaired.gpkg")
    s.add_argument("--force", action="store_true", help="覆盖已有的目标文件")
    s.set_defaults(func=cmd_repair)

    s = sub.add_parser("demo", help="用随程序附带的禅城区数据建演示项目")
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
    s.add_argument("--verbose", action="store_true",
                   help="显示 Qt 和 Chromium 的诊断信息（默认不显示）")
    s.set_defaults(func=cmd_gui)
