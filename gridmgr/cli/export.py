"""``gridmgr export``: a layer of the project to the formats officers pass around."""

from __future__ import annotations

import argparse

from ..errors import EXIT_OK
from .common import date_arg, drive


def cmd_export(args: argparse.Namespace) -> int:
    from ..outputs.layers import export_layer
    from ..project import open_project

    with open_project(args.project, readonly=True) as store:
        n = drive(export_layer(store, args.layer, args.out, fmt=args.format, crs=args.crs,
                                system=args.system, as_of=args.as_of,
                                encoding=args.encoding), args)
    print(f"已导出 {n} 个要素到 {args.out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("export", help="导出图层")
    s.add_argument("project")
    s.add_argument("layer", help="districts、streets、communities、cells、enterprises、"
                                 "responsibilities、officers 或 cases")
    s.add_argument("--out", required=True)
    s.add_argument("--format", choices=["gpkg", "geojson", "shp", "csv", "xlsx", "kml"])
    s.add_argument("--crs", help="输出坐标系（默认项目坐标系；GeoJSON/KML 总是 WGS84）")
    s.add_argument("--system")
    s.add_argument("--encoding", help="Shapefile 属性编码（默认 UTF-8）；旧版 ArcGIS/MapInfo 用 GBK，"
                                      "附同名 .cpg")
    s.add_argument("--as-of", type=date_arg, help="某日的区域和责任人、该日结束时案件是否超期 "
                                               "YYYY-MM-DD（默认今天）")
    s.set_defaults(func=cmd_export)
