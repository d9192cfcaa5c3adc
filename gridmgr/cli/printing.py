"""``gridmgr print``: the printed responsibility map (网格化管理责任区域图) and atlases."""

from __future__ import annotations

import argparse

from ..errors import EXIT_OK
from ..outputs.sheets import ATLAS_LEVELS, PAPERS
from .common import date_arg, drive


def cmd_print(args: argparse.Namespace) -> int:
    from ..outputs.sheets import print_map

    result = drive(print_map(
        args.project, args.out, scope=args.scope, atlas=args.atlas, paper=args.paper,
        landscape=args.landscape, title=args.title, issuer=args.issuer, dpi=args.dpi,
        as_of=args.as_of, system=args.system), args)
    kinds = result["kinds"]
    detail = "，".join(f"{n} {k}" for k, n in (
        ("页地图", kinds.count("map")), ("页详图", kinds.count("detail")),
        ("页续表", kinds.count("table")),
        ("页索引", kinds.count("index"))) if n)
    files = result["files"]
    where = files[0] if len(files) == 1 else f"{files[0]} … {files[-1]}（{len(files)} 个文件）"
    print(f"已输出 {result['pages']} 页（{detail}）：{where}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:

    s = sub.add_parser("print", help="打印网格化管理责任区域图（PDF/PNG），可按街道/社区/网格/人员分幅")
    s.add_argument("project")
    s.add_argument("--scope", default="district",
                   help="出图范围：district（全区，默认）、区域编码（街道、社区或单元网格）"
                        "或 officer:工号（该人员负责的网格）")
    s.add_argument("--atlas", choices=list(ATLAS_LEVELS),
                   help="分幅：范围内每个街道/社区/单元网格/责任人一页，前附图幅索引")
    s.add_argument("--paper", default="A3", choices=list(PAPERS), help="纸张（默认 A3）")
    s.add_argument("--landscape", action="store_true", help="横向（默认纵向）")
    s.add_argument("--title", help="标题（默认：项目名 + 范围名 + 网格化管理责任区域图）")
    s.add_argument("--issuer", help="编制单位（默认：项目名 + 网格化管理办公室）")
    s.add_argument("--as-of", type=date_arg, help="按某日的网格和责任人出图 YYYY-MM-DD（默认今天）")
    s.add_argument("--system", default="urban", help="网格体系（默认 urban）")
    s.add_argument("--dpi", type=int, default=200, help="PNG 分辨率（默认 200）")
    s.add_argument("--out", required=True, help="输出文件 FILE.pdf 或 FILE.png（多页 PNG 为 "
                                                "FILE-001.png …）")
    s.set_defaults(func=cmd_print)
