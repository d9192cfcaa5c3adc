"""Reading the vector files surveying bureaus hand out, through pyogrio.

Shapefiles from Chinese bureaus often carry a GBK/GB18030 DBF with no ``.cpg`` and a language
driver byte that GDAL misreads, which garbles names silently.  So for a Shapefile with no ``.cpg``
the DBF's text fields are decoded here, strictly, as UTF-8 and as GB18030, and the encoding that
decodes everything wins; the caller reports which encoding was used and how it was chosen, and
``--encoding`` overrides.
"""

from __future__ import annotations

import codecs
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from shapely.errors import GEOSException

from ..errors import InputFileError
from .encoding import check_encoding

SUPPORTED = {".shp", ".gpkg", ".geojson", ".json", ".kml", ".zip"}


@dataclass
class VectorData:
    gdf: gpd.GeoDataFrame
    layer: str | None
    crs: CRS | None
    encoding: str | None
    encoding_source: str | None  # 'option', 'cpg', 'detected', None when not a Shapefile
    rows: list[int] = field(default_factory=list)  # each feature's number as the user sees it
    dropped_z: list[int] = field(default_factory=list)  # rows whose Z was dropped (2D project)


def check_shapefile(shp: Path) -> None:
    """Refuse a Shapefile that is not whole — no .shx, or a .shp/.shx/.dbf cut short or not
    telling the same number of records — instead of importing the part GDAL can still read."""
    shx, dbf = _sibling(shp, ".shx"), _sibling(shp, ".dbf")
    if shx is None:
        raise InputFileError(f"{shp}：缺少同名 .shx 索引文件，Shapefile 不完整；请把 .shp、.shx、"
                             ".dbf（及 .prj、.cpg）一起拷来")

    def declared(path: Path) -> tuple[int, int]:
        with open(path, "rb") as fh:
            head = fh.read(100)
        if len(head) >= 4 and struct.unpack(">i", head[:4])[0] == 9994 and len(head) < 100:
            raise InputFileError(f"{path}：文件被截断（只有 {len(head)} 字节，不足文件头的 100 "
                                 "字节），Shapefile 已损坏，未导入任何要素")
        if len(head) < 100 or struct.unpack(">i", head[:4])[0] != 9994:
            raise InputFileError(f"{path}：不是 Shapefile（文件头无效），文件已损坏")
        return struct.unpack(">i", head[24:28])[0] * 2, path.stat().st_size

    for path in (shp, shx):
        want, have = declared(path)
        if have < want:
            raise InputFileError(f"{path}：文件被截断（文件头记录 {want:,} 字节，实际只有 "
                                 f"{have:,} 字节），Shapefile 已损坏，未导入任何要素")
    n_shx = (declared(shx)[0] - 100) // 8
    if dbf is not None:
        with open(dbf, "rb") as fh:
            head = fh.read(12)
        if len(head) < 12:
            raise InputFileError(f"{shp}：属性文件 {dbf.name} 被截断，Shapefile 已损坏")
        n_dbf, header_len, record_len = struct.unpack("<IHH", head[4:12])
        if dbf.stat().st_size < header_len + n_dbf * record_len:
            raise InputFileError(f"{shp}：属性文件 {dbf.name} 被截断（应有 {n_dbf:,} 条记录），"
                                 "Shapefile 已损坏，未导入任何要素")
        if n_dbf != n_shx:
            raise InputFileError(f"{shp}：.shx 记有 {n_shx:,} 个要素而 .dbf 有 {n_dbf:,} 条记录，"
                                 "Shapefile 的各部分不属于同一份数据或已损坏")


def _geometry_problems(p: Path, gdf: gpd.GeoDataFrame, rows: list[int]) -> None:
    """Refuse coordinates that are NaN or infinite, naming the features (a GeoJSON may hold
    ``NaN``; nothing downstream can place such a feature)."""
    geoms = gdf.geometry.values
    coords, idx = shapely.get_coordinates(geoms, return_index=True)  # x, y (Z is dropped)
    bad = np.unique(idx[~np.isfinite(coords).all(axis=1)])
    if len(bad):
        shown = "、".join(f"第 {rows[i]} 个" for i in bad[:5])
        raise InputFileError(f"{p}：{shown}{'等' if len(bad) > 5 else ''}要素的坐标不是有限数"
                             "（NaN 或无穷大），文件未导入；请在 GIS 软件中修正这些要素")


def _decode_failures(p: Path, layer: str | None, kw: dict) -> InputFileError:
    """The features whose geometry GEOS refuses (an unclosed ring, a ring of NaN), by number."""
    _meta, _fids, wkb, _fields = pyogrio.raw.read(p, layer=layer, **kw)
    bad = []
    for i, w in enumerate(wkb):
        if w is None:
            continue
        try:
            shapely.from_wkb(w)
        except (GEOSException, ValueError):
            bad.append(i + 1)
    shown = "、".join(f"第 {n} 个" for n in bad[:5]) or "某些"
    return InputFileError(f"{p}：{shown}{'等' if len(bad) > 5 else ''}要素的几何无法读取"
                          "（环未闭合或坐标为 NaN），文件未导入；请在 GIS 软件中修正")


def _sibling(path: Path, suffix: str) -> Path | None:
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.exists():
            return cand
    return None


def dbf_text_values(dbf: Path | bytes, limit: int = 20000) -> list[bytes]:
    """Raw bytes of the character fields of up to ``limit`` records of a dBASE file."""
    data = dbf if isinstance(dbf, bytes) else dbf.read_bytes()
    if len(data) < 32:
        return []
    n_records, header_len, record_len = struct.unpack_from("<IHH", data, 4)
    fields = []
    values = []
    offset = 1  # the deletion flag
    pos = 32
    while pos + 32 <= header_len and data[pos] != 0x0D:
        fname = data[pos:pos + 11].split(b"\x00", 1)[0]
        if fname and not fname.isascii():  # Chinese headers are encoded like the values
            values.append(fname)
        ftype = chr(data[pos + 11])
        flen = data[pos + 16]
        if ftype in "CM":
            fields.append((offset, flen))
        offset += flen
        pos += 32
    for i in range(min(n_records, limit)):
        start = header_len + i * record_len
        rec = data[start:start + record_len]
        for off, flen in fields:
            v = rec[off:off + flen].rstrip(b" \x00")
            if v and not v.isascii():
                values.append(v)
    return values


def detect_dbf_encoding(dbf: Path | bytes) -> str:
    """'UTF-8' or 'GB18030' (a superset of GBK/GB2312), whichever decodes the text fields."""
    values = dbf_text_values(dbf)
    if not values:
        return "UTF-8"

    def failures(enc: str) -> int:
        bad = 0
        for v in values:
            try:
                v.decode(enc)
            except UnicodeDecodeError:
                bad += 1
        return bad

    utf8 = failures("utf-8")
    if utf8 == 0:
        return "UTF-8"
    gb = failures("gb18030")
    return "GB18030" if gb <= utf8 else "UTF-8"


def _cpg_encoding(cpg: Path | bytes) -> str | None:
    """The encoding a ``.cpg`` names, or None when it names none usable (QGIS writes 'System';
    then the DBF is examined as if there were no ``.cpg``)."""
    text = (cpg if isinstance(cpg, bytes) else cpg.read_bytes()).decode(errors="replace").strip()
    key = text.upper().replace("-", "").replace("_", "")
    if key.startswith("ANSI"):
        key = "CP" + key[4:].strip()
    known = {"936": "GBK", "CP936": "GBK", "GBK": "GBK", "GB2312": "GBK", "GB18030": "GB18030",
             "65001": "UTF-8", "UTF8": "UTF-8", "CP65001": "UTF-8"}
    if key in known:
        return known[key]
    try:
        codecs.lookup(text)
    except LookupError:
        return None
    return text


def _zip_dbf_encoding(p: Path, layer: str | None
                      ) -> tuple[str | None, str | None, list[bytes] | None]:
    """(encoding, source, text values of the DBF) of the one Shapefile (or ``layer``) in a
    .zip; (None, None, None) otherwise."""
    try:
        with zipfile.ZipFile(p) as zf:
            names = zf.namelist()
            dbfs = [n for n in names if n.lower().endswith(".dbf")
                    and (layer is None or Path(n).stem == layer)]
            if len(dbfs) != 1:
                return None, None, None
            data = zf.read(dbfs[0])
            cpg = [n for n in names if n.lower() == dbfs[0][:-4].lower() + ".cpg"]
            named = _cpg_encoding(zf.read(cpg[0])) if cpg else None
            if named:
                return named, "cpg", dbf_text_values(data)
            return detect_dbf_encoding(data), "detected", dbf_text_values(data)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{p}：无法读取 zip（{exc}）") from exc


def read_vector(path: str | Path, *, layer: str | None = None,
                encoding: str | None = None) -> VectorData:
    """Read one layer of a vector file; InputFileError with the reason when that is impossible."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"文件不存在：{p}")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputFileError(f"{p}：不支持的文件类型 {suffix or '(无扩展名)'}；支持 Shapefile、"
                             "GeoPackage、GeoJSON、KML（及含 Shapefile 的 .zip）")
    source = "option" if encoding else None
    values: list[bytes] | None = None  # the DBF's text, to check the encoding against
    if suffix == ".shp":
        dbf = _sibling(p, ".dbf")
        if dbf is None:
            raise InputFileError(f"{p}：缺少同名 .dbf 属性文件")
        check_shapefile(p)
        values = dbf_text_values(dbf)
        cpg = _sibling(p, ".cpg")
        named = _cpg_encoding(cpg) if cpg is not None and not encoding else None
        if encoding:
            pass
        elif named:
            encoding, source = named, "cpg"
        else:
            encoding, source = detect_dbf_encoding(dbf), "detected"
    elif suffix == ".zip":  # a zipped Shapefile needs the same care
        z_encoding, z_source, values = _zip_dbf_encoding(p, layer)
        if not encoding:
            encoding, source = z_encoding, z_source
    if encoding and values:  # a wrong --encoding or a lying .cpg: refused, never mojibake
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputFileError(f"{p}：未知编码 {encoding!r}（{exc}）") from exc
        check_encoding(p, values, encoding, source or "option", lines=False)
    try:
        layers = pyogrio.list_layers(p)
        if layer is None:
            if len(layers) == 0:
                raise InputFileError(f"{p}：文件中没有图层")
            if len(layers) > 1:  # KML folders too: never drop the other layers silently
                names = ", ".join(str(n) for n in layers[:, 0])
                raise InputFileError(f"{p} 含多个图层（{names}），请用 --layer 指定")
            layer = str(layers[0, 0])
        elif layer not in [str(n) for n in layers[:, 0]]:
            names = ", ".join(str(n) for n in layers[:, 0])
            raise InputFileError(f"{p} 中没有图层 {layer!r}；可用图层：{names}")
        if encoding:
            codecs.lookup(encoding)  # an unknown name is a LookupError, not garbled text
        kw = {"encoding": encoding} if encoding else {}
        try:
            gdf = pyogrio.read_dataframe(p, layer=layer, fid_as_index=True, **kw)
        except GEOSException:
            raise _decode_failures(p, layer, kw) from None
    except (DataSourceError, DataLayerError) as exc:
        raise InputFileError(f"{p}：无法读取（{exc}）") from exc
    except LookupError as exc:
        raise InputFileError(f"{p}：未知编码 {encoding!r}（{exc}）") from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{p}：属性无法按 {encoding or 'UTF-8'} 解码（{exc}）；"
                             "请用 --encoding 指明，例如 --encoding GB18030") from exc
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    # GeoPackage features keep their fid (what QGIS shows, gaps and all); in other formats the
    # user counts features from 1
    if suffix == ".gpkg":
        rows = [int(f) for f in gdf.index]
    else:
        rows = list(range(1, len(gdf) + 1))
    gdf = gdf.reset_index(drop=True)
    dropped_z: list[int] = []
    if len(gdf) and gdf.geometry.name in gdf:
        _geometry_problems(p, gdf, rows)
        has_z = np.asarray(shapely.has_z(gdf.geometry.values))
        if has_z.any():  # the project is 2D: a Z would fail GDAL's GeoPackage validator
            dropped_z = [rows[i] for i in np.flatnonzero(has_z)]
            gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values), crs=gdf.crs)
    return VectorData(gdf=gdf, layer=layer, crs=crs, encoding=encoding, encoding_source=source,
                      rows=rows, dropped_z=dropped_z)
