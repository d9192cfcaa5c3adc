"""Exporting a layer of the project to the formats officers pass around.

Vector formats (GeoPackage, GeoJSON, Shapefile, KML) go through pyogrio.  Shapefiles are written
in UTF-8 with a ``.cpg`` (so no one has to guess again) and 10-character field names.  CSV is
UTF-8 with BOM (Excel opens it with Chinese intact) and carries WKT plus a centroid; XLSX carries
the attributes and the centroid, not the geometry, since an Excel cell holds at most 32,767
characters.  GeoJSON and KML are always WGS84 longitude/latitude, as their specifications say.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from . import crs as crsmod
from .errors import UsageError
from .levels import LEVEL_TABLES, LEVELS
from .progress import Progress, Task
from .storage import Store
from .text import iso_date

FORMATS = {"gpkg": ".gpkg", "geojson": ".geojson", "shp": ".shp", "csv": ".csv",
           "xlsx": ".xlsx", "kml": ".kml"}
_SUFFIX_FORMAT = {v: k for k, v in FORMATS.items()} | {".json": "geojson"}
LAYER_ALIASES = {**{t: lvl for lvl, t in LEVEL_TABLES.items()}, **{lvl: lvl for lvl in LEVELS}}

HEADERS_ZH = {"code": "编码", "name": "名称", "parent_code": "上级编码", "system": "网格体系",
              "valid_from": "生效日期", "valid_to": "失效日期", "area_m2": "面积(平方米)",
              "uuid": "UUID", "lon": "中心经度", "lat": "中心纬度", "wkt": "WKT"}


def resolve_layer(name: str) -> str:
    try:
        return LAYER_ALIASES[name]
    except KeyError:
        raise UsageError(f"未知图层 {name!r}；可选：{', '.join(LEVEL_TABLES.values())}") from None


def resolve_format(out: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"未知格式 {fmt!r}；可选：{', '.join(FORMATS)}")
        return fmt
    try:
        return _SUFFIX_FORMAT[out.suffix.lower()]
    except KeyError:
        raise UsageError(f"无法从扩展名判断格式：{out}；请用 --format 指明") from None


def _write(gdf: gpd.GeoDataFrame, out: Path, fmt: str, level: str, target: object) -> None:
    if fmt in ("csv", "xlsx"):
        centroids = gdf.geometry.representative_point().to_crs("EPSG:4490") \
            if len(gdf) else gdf.geometry
        table = pd.DataFrame(gdf.drop(columns="geometry"))
        table["lon"] = centroids.x.round(7) if len(gdf) else []
        table["lat"] = centroids.y.round(7) if len(gdf) else []
        if fmt == "csv":
            table["wkt"] = gdf.geometry.to_wkt(rounding_precision=8) if len(gdf) else []
            table.rename(columns=HEADERS_ZH).to_csv(out, index=False, encoding="utf-8-sig")
        else:
            table.rename(columns=HEADERS_ZH).to_excel(out, index=False, engine="openpyxl",
                                                      sheet_name=LEVEL_TABLES[level])
        return
    kw: dict = {}
    if fmt == "shp":
        gdf = gdf.rename(columns={"parent_code": "parent"})
        kw["encoding"] = "UTF-8"
    if fmt == "kml":
        gdf = gdf.rename(columns={"name": "Name"})
    driver = {"gpkg": "GPKG", "geojson": "GeoJSON", "shp": "ESRI Shapefile", "kml": "KML"}[fmt]
    pyogrio.write_dataframe(gpd.GeoDataFrame(gdf, crs=target), out, driver=driver,
                            layer=LEVEL_TABLES[level] if fmt in ("gpkg", "kml") else None, **kw)


def export_layer(store: Store, layer: str, out: str | Path, *, fmt: str | None = None,
                 crs: str | None = None, system: str | None = None,
                 as_of: str | None = None) -> Task[int]:
    """Write the current areas of ``layer`` (or those valid on ``as_of``) to ``out``."""
    level = resolve_layer(layer)
    store.check_system(system)
    out = Path(out)
    fmt = resolve_format(out, fmt)
    if not out.parent.exists():
        raise UsageError(f"目录不存在：{out.parent}")
    if out.resolve() == store.path.resolve():
        raise UsageError(f"不能导出到项目文件本身：{out}")
    if out.exists() and not out.stat().st_mode & 0o222:
        raise UsageError(f"输出文件是只读的，不会覆盖：{out}")
    yield Progress(0, 3, f"读取 {LEVEL_TABLES[level]}")
    gdf = store.areas(level, system=system, as_of=iso_date(as_of) if as_of else None)
    gdf = gdf[["code", "name", "parent_code", "system", "valid_from", "valid_to", "area_m2",
               "uuid", "geometry"]]
    target = crsmod.parse_crs(crs) if crs else store.crs
    if fmt in ("geojson", "kml"):
        target = crsmod.parse_crs("EPSG:4326")
    gdf = gdf.to_crs(target)
    yield Progress(1, 3, f"写入 {out.name}")
    # write beside the target and move into place: an interrupted export leaves the old file
    with tempfile.TemporaryDirectory(prefix=".gridmgr-export-", dir=out.parent) as tmp:
        staged = Path(tmp) / out.name
        _write(gdf, staged, fmt, level, target)
        for produced in sorted(Path(tmp).iterdir()):
            os.replace(produced, out.parent / produced.name)
    yield Progress(3, 3, "完成")
    return len(gdf)
