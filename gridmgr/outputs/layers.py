"""Exporting a layer of the project to the formats officers pass around.

Layers: the four area levels, ``enterprises`` (points, with their cell, community, street, the
responsible officers as of today and whether an inspection is overdue), ``responsibilities``
(every cell with who answers for it on ``--as-of``, and from which level), ``officers``
(a table: CSV or XLSX) and ``cases`` (points, with category, enterprise and handler by name,
and whether each is overdue at the end of ``--as-of``, default now).

Vector formats (GeoPackage, GeoJSON, Shapefile, KML) go through pyogrio.  Shapefiles are written
in UTF-8 with a ``.cpg`` (so no one has to guess again) and 10-character field names; for older
desktops (ArcMap, MapInfo set to GBK) ``encoding="GBK"`` writes GBK with a ``GBK`` .cpg, and a
value GBK cannot hold is refused with its row and column instead of being garbled.  CSV is
UTF-8 with BOM (Excel opens it with Chinese intact) and carries WKT plus a centroid; XLSX carries
the attributes and the centroid, not the geometry, since an Excel cell holds at most 32,767
characters.  GeoJSON and KML are always WGS84 longitude/latitude, as their specifications say.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .. import staging
from ..coords import crs as crsmod
from ..errors import UsageError
from ..levels import LEVEL_TABLES, LEVELS
from ..progress import Progress, Task
from ..storage import Store, today
from ..text import iso_date, sheet_frame

FORMATS = {"gpkg": ".gpkg", "geojson": ".geojson", "shp": ".shp", "csv": ".csv",
           "xlsx": ".xlsx", "kml": ".kml"}
_SUFFIX_FORMAT = {v: k for k, v in FORMATS.items()} | {".json": "geojson"}
REGISTER_LAYERS = ("enterprises", "officers", "responsibilities", "cases")
LAYER_ALIASES = {**{t: lvl for lvl, t in LEVEL_TABLES.items()}, **{lvl: lvl for lvl in LEVELS},
                 **{r: r for r in REGISTER_LAYERS}}

HEADERS_ZH = {
    "code": "编码", "name": "名称", "parent_code": "上级编码", "system": "网格体系",
    "valid_from": "生效日期", "valid_to": "失效日期", "area_m2": "面积(平方米)", "uuid": "UUID",
    "lon": "中心经度", "lat": "中心纬度", "wkt": "WKT",
    "credit_code": "统一社会信用代码", "credit_code_flag": "信用代码标记", "industry": "所属行业",
    "supervision_class": "监管类别",
    "rating": "环境行为等级", "inspection_frequency": "检查频次", "contact": "联系人",
    "phone": "联系电话", "address": "地址", "last_inspection": "最近检查日期",
    "inspection_overdue": "检查逾期", "cell_code": "网格编码", "cell_name": "网格名称",
    "community_code": "社区编码", "community_name": "社区名称", "street_code": "街道编码",
    "street_name": "街道名称", "primary_staff_no": "责任人工号", "primary_name": "责任人",
    "primary_mobile": "责任人电话", "primary_from": "责任人来源",
    "supervisor_staff_no": "监管责任人工号", "supervisor_name": "区级监管责任人",
    "supervisor_mobile": "监管责任人电话", "supervisor_from": "监管责任人来源",
    "collectors": "信息采集员", "primary_role": "责任人角色", "supervisor_role": "监管角色",
    "team_text": "网格团队", "staff_no": "工号", "mobile": "手机", "role": "角色",
    "unit": "所属单位", "as_of": "日期",
    "lon_cgcs2000": "经度（CGCS2000）", "lat_cgcs2000": "纬度（CGCS2000）",
    "lon_gcj02": "经度（GCJ-02 高德/腾讯）", "lat_gcj02": "纬度（GCJ-02 高德/腾讯）",
}
# Shapefile fields hold 10 bytes: short names, said in the README, instead of GDAL's truncation
SHP_NAMES = {"lon_cgcs2000": "lon_cgcs", "lat_cgcs2000": "lat_cgcs", "lon_gcj02": "lon_gcj",
             "lat_gcj02": "lat_gcj", "parent_code": "parent", "credit_code": "credit",
             "credit_code_flag": "credit_flg", "supervision_class": "class",
             "inspection_frequency": "frequency", "last_inspection": "last_insp",
             "inspection_overdue": "overdue", "community_code": "comm_code",
             "community_name": "comm_name", "street_code": "strt_code",
             "street_name": "strt_name", "primary_staff_no": "prim_no",
             "primary_name": "prim_name", "primary_mobile": "prim_tel",
             "primary_from": "prim_from", "supervisor_staff_no": "sup_no",
             "supervisor_name": "sup_name", "supervisor_mobile": "sup_tel",
             "supervisor_from": "sup_from", "collectors": "collectors",
             "primary_role": "prim_role", "supervisor_role": "sup_role", "team_text": "team"}


def resolve_layer(name: str) -> str:
    try:
        return LAYER_ALIASES[name]
    except KeyError:
        names = ", ".join([*LEVEL_TABLES.values(), *REGISTER_LAYERS])
        raise UsageError(f"未知图层 {name!r}；可选：{names}") from None


def resolve_format(out: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"未知格式 {fmt!r}；可选：{', '.join(FORMATS)}")
        return fmt
    try:
        return _SUFFIX_FORMAT[out.suffix.lower()]
    except KeyError:
        raise UsageError(f"无法从扩展名判断格式：{out}；请用 --format 指明") from None


def _frame(store: Store, layer: str, system: str | None, as_of: str | None
           ) -> pd.DataFrame | gpd.GeoDataFrame:
    """The rows of one exportable layer, with the columns a user needs to read it."""
    from ..registers.enterprises import overdue
    from ..registers.responsibility import FROM_ZH, effective

    if layer in LEVELS:
        gdf = store.areas(layer, system=system, as_of=as_of)
        return gdf[["code", "name", "parent_code", "system", "valid_from", "valid_to",
                    "area_m2", "uuid", "geometry"]]
    if layer == "cases":
        from ..cases.lifecycle import export_frame

        return export_frame(store, as_of)
    if layer == "officers":
        return store.officers()[["staff_no", "name", "mobile", "role", "unit"]]
    day = as_of or today()
    resp = effective(store, as_of=day, system=system or "urban")
    if layer == "responsibilities":
        cells = store.areas("cell", system=system or "urban", as_of=day)
        geoms = dict(zip(cells["code"], cells.geometry))
        resp = resp.drop(columns=["team"])  # the members as one text column: team_text
        resp["as_of"] = day
        resp["area_m2"] = resp["area_m2"].astype(float)
        for slot in ("primary", "supervisor"):
            resp[f"{slot}_from"] = resp[f"{slot}_from"].map(FROM_ZH)
        return gpd.GeoDataFrame(resp, geometry=[geoms[c] for c in resp["cell_code"]],
                                crs=store.crs)
    ents = store.enterprises()
    people = resp.set_index("cell_code")
    out = ents[["name", "credit_code", "credit_code_flag", "industry", "supervision_class", "rating",
                "inspection_frequency", "contact", "phone", "address", "last_inspection",
                "cell_code", "community_code", "street_code", "uuid", "geometry"]].copy()
    out["inspection_overdue"] = [overdue(d, f, day) for d, f in
                                 zip(ents["last_inspection"], ents["frequency_days"])]
    for col in ("cell_name", "community_name", "street_name", "primary_name", "primary_mobile",
                "supervisor_name", "supervisor_mobile"):
        out[col] = [people[col].get(c) if c in people.index else None for c in out["cell_code"]]
    # each point in both systems a bureau uses, named: CGCS2000 (≈ WGS84, for GIS) and GCJ-02
    # (for Amap/Tencent, where most registers are copied from and checked against)
    from ..coords.chinacoords import wgs84_to_gcj02

    ll = out.geometry.to_crs(crsmod.CGCS2000)
    lon, lat = ll.x.to_numpy(dtype=float), ll.y.to_numpy(dtype=float)
    glon, glat = wgs84_to_gcj02(lon, lat) if len(out) else (lon, lat)
    for col, values in (("lon_cgcs2000", lon), ("lat_cgcs2000", lat), ("lon_gcj02", glon),
                        ("lat_gcj02", glat)):
        out[col] = np.round(np.asarray(values, dtype=float), 7)
    return out


def _names(layer: str) -> tuple[dict[str, str], dict[str, str]]:
    """The Chinese headers and Shapefile field names of a layer (the module's, plus the cases'
    own for ``cases``) — fresh dicts, so exporting one layer never changes another's names."""
    if layer != "cases":
        return HEADERS_ZH, SHP_NAMES
    from ..cases.lifecycle import EXPORT_HEADERS_ZH, EXPORT_SHP_NAMES

    return {**HEADERS_ZH, **EXPORT_HEADERS_ZH}, {**SHP_NAMES, **EXPORT_SHP_NAMES}


def _check_encodable(frame: pd.DataFrame, encoding: str, table: str) -> None:
    """UsageError naming the first value ``encoding`` cannot hold (row counted from 1)."""
    for col in frame.columns:
        if col == "geometry" or frame[col].dtype != object:
            continue
        for i, v in enumerate(frame[col].tolist(), start=1):
            if isinstance(v, str):
                try:
                    v.encode(encoding)
                except UnicodeEncodeError:
                    raise UsageError(f"{table} 第 {i} 行的 {col}（“{v}”）含 {encoding} 无法表示的"
                                     "字符；请改用默认的 UTF-8 导出") from None


def _write(frame: pd.DataFrame, out: Path, fmt: str, table: str, target: object,
           names: tuple[dict[str, str], dict[str, str]] = (HEADERS_ZH, SHP_NAMES),
           encoding: str | None = None) -> None:
    headers, shp_names = names
    spatial = isinstance(frame, gpd.GeoDataFrame)
    if fmt in ("csv", "xlsx"):
        data = pd.DataFrame(frame.drop(columns="geometry")) if spatial else frame.copy()
        if spatial:
            pts = frame.geometry.representative_point().to_crs("EPSG:4490") if len(frame) \
                else frame.geometry
            data["lon"] = pts.x.round(7) if len(frame) else []
            data["lat"] = pts.y.round(7) if len(frame) else []
            if fmt == "csv":
                data["wkt"] = frame.geometry.to_wkt(rounding_precision=8) if len(frame) else []
        data = sheet_frame(data.rename(columns=headers))
        if fmt == "csv":
            data.to_csv(out, index=False, encoding="utf-8-sig")
        else:
            data.to_excel(out, index=False, engine="openpyxl", sheet_name=table)
        return
    if not spatial:
        raise UsageError(f"{table} 没有几何图形，只能导出为 csv 或 xlsx")
    kw: dict = {}
    if fmt == "shp":
        frame = frame.rename(columns=shp_names)
        kw["encoding"] = encoding or "UTF-8"
        if encoding:
            _check_encodable(frame, encoding, table)
    if fmt == "kml":
        frame = frame.rename(columns={"name": "Name"})
    driver = {"gpkg": "GPKG", "geojson": "GeoJSON", "shp": "ESRI Shapefile", "kml": "KML"}[fmt]
    pyogrio.write_dataframe(gpd.GeoDataFrame(frame, crs=target), out, driver=driver,
                            layer=table if fmt in ("gpkg", "kml") else None, **kw)


def export_layer(store: Store, layer: str, out: str | Path, *, fmt: str | None = None,
                 crs: str | None = None, system: str | None = None,
                 as_of: str | None = None, encoding: str | None = None) -> Task[int]:
    """Write ``layer`` to ``out``: the areas current (or valid on ``as_of``), the enterprises
    with their cell and responsible officers, the officers, or who answers for each cell.
    ``encoding`` (Shapefile only): the DBF's, e.g. GBK for older desktops.  A full disk or
    read-only folder is an ``OutputError``."""
    return (yield from staging.guard(_export_layer(store, layer, Path(out), fmt=fmt, crs=crs,
                                                   system=system, as_of=as_of,
                                                   encoding=encoding), Path(out)))


def _export_layer(store: Store, layer: str, out: Path, *, fmt: str | None, crs: str | None,
                  system: str | None, as_of: str | None, encoding: str | None) -> Task[int]:
    layer = resolve_layer(layer)
    store.check_system(system)
    out = Path(out)
    fmt = resolve_format(out, fmt)
    if encoding:
        import codecs

        if fmt != "shp":
            raise UsageError("--encoding 只用于 Shapefile（shp）；其他格式总是 UTF-8")
        try:
            encoding = codecs.lookup(encoding).name.upper().replace("GB2312", "GBK")
        except LookupError:
            raise UsageError(f"未知编码 {encoding!r}；例如 GBK、GB18030、UTF-8") from None
    if not out.parent.exists():
        raise UsageError(f"目录不存在：{out.parent}")
    if isinstance(store.path, Path) and out.resolve() == store.path.resolve():
        raise UsageError(f"不能导出到项目文件本身：{out}")
    if out.exists() and not out.stat().st_mode & 0o222:
        raise UsageError(f"输出文件是只读的，不会覆盖：{out}")
    table = LEVEL_TABLES.get(layer, layer)
    yield Progress(0, 3, f"读取 {table}")
    frame = _frame(store, layer, system, iso_date(as_of) if as_of else None)
    target = crsmod.parse_crs(crs) if crs else store.crs
    if fmt in ("geojson", "kml"):
        target = crsmod.parse_crs("EPSG:4326")
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.to_crs(target)
    yield Progress(1, 3, f"写入 {out.name}")
    # write beside the target and move into place: an interrupted export leaves the old file
    with staging.stage_dir(out, "export") as tmp:
        staged = Path(tmp) / out.name
        _write(frame, staged, fmt, table, target, _names(layer), encoding)
        for produced in sorted(Path(tmp).iterdir()):
            os.replace(produced, out.parent / produced.name)
    yield Progress(3, 3, "完成")
    return len(frame)
