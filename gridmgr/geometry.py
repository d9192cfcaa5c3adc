"""The one geometry encoding of the project file: GeoPackage binary (GPB).

A GPB blob is a header followed by ISO WKB (GeoPackage 1.4, §2.1.3)::

    magic  'GP'              2 bytes
    version 0                1 byte
    flags                    1 byte: bit 0 byte order of header (1 = little endian)
                                     bits 1-3 envelope kind (1 = [minx, maxx, miny, maxy])
                                     bit 4 empty geometry, bit 5 extended (always 0 here)
    srs_id                   int32
    envelope                 4 doubles, absent for empty geometries
    WKB                      the geometry, little endian

gridmgr always writes little-endian headers with an XY envelope (R-tree triggers read it through
``ST_MinX`` …) and reads any valid header, so files written by GDAL/QGIS come back as well.
Polygonal layers store MultiPolygons (the declared column type), so single polygons are promoted
on the way in.  Encoding and decoding are vectorised over arrays of geometries with shapely.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

_MAGIC = b"GP"
_HEADER = struct.Struct("<2sBBi")
_ENV = struct.Struct("<4d")
_ENV_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def to_multi(geoms: Sequence[BaseGeometry | None]) -> np.ndarray:
    """Promote Polygons to MultiPolygons; other types pass unchanged."""
    arr = np.asarray(geoms, dtype=object)
    out = arr.copy()
    kinds = shapely.get_type_id(arr)
    poly = kinds == shapely.GeometryType.POLYGON
    if poly.any():
        out[poly] = shapely.multipolygons(arr[poly].reshape(-1, 1))
    return out


def encode(geoms: Iterable[BaseGeometry | None], srs_id: int) -> list[bytes | None]:
    """Shapely geometries → GPB blobs (None stays None, an empty geometry gets the empty flag)."""
    arr = np.asarray(list(geoms), dtype=object)
    if arr.size == 0:
        return []
    wkb = shapely.to_wkb(arr, byte_order=1, flavor="iso", include_srid=False)
    xmin, ymin, xmax, ymax = shapely.bounds(arr).T
    empty = shapely.is_empty(arr)
    out: list[bytes | None] = []
    for i, w in enumerate(wkb):
        if w is None:
            out.append(None)
        elif empty[i]:
            out.append(_HEADER.pack(_MAGIC, 0, 0b00010001, srs_id) + w)
        else:
            out.append(_HEADER.pack(_MAGIC, 0, 0b00000011, srs_id)
                       + _ENV.pack(xmin[i], xmax[i], ymin[i], ymax[i]) + w)
    return out


def _split(blob: bytes) -> tuple[int, int, bool, int]:
    """(wkb offset, srs_id, empty, envelope kind) of a GPB blob; ValueError when it is not one."""
    if len(blob) < 8 or blob[:2] != _MAGIC:
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    (srs_id,) = struct.unpack_from(order + "i", blob, 4)
    env_kind = (flags >> 1) & 0b111
    if env_kind not in _ENV_SIZES:
        raise ValueError(f"invalid envelope indicator {env_kind}")
    return 8 + _ENV_SIZES[env_kind], srs_id, bool(flags & 0b10000), env_kind


def decode(blobs: Iterable[bytes | None]) -> np.ndarray:
    """GPB blobs → array of shapely geometries (None stays None)."""
    wkbs = []
    for b in blobs:
        if b is None:
            wkbs.append(None)
        else:
            off, _, _, _ = _split(b)
            wkbs.append(bytes(b[off:]))
    return shapely.from_wkb(np.asarray(wkbs, dtype=object))


def srs_id(blob: bytes) -> int:
    return _split(blob)[1]


def envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) from the header, or from the WKB when the header has none;
    None for NULL or empty geometries.  Used by the ST_* functions the R-tree triggers call."""
    if blob is None:
        return None
    off, _, empty, env_kind = _split(blob)
    if empty:
        return None
    if env_kind:
        order = "<" if blob[3] & 1 else ">"
        return struct.unpack_from(order + "4d", blob, 8)  # type: ignore[return-value]
    g = shapely.from_wkb(bytes(blob[off:]))
    if g.is_empty:
        return None
    x0, y0, x1, y1 = g.bounds
    return (x0, x1, y0, y1)


def is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return 1 if envelope(blob) is None else 0


# -- polygons as flat arrays (the map's payload and the painter map read these, not objects)
_POLYGON, _MULTIPOLYGON = 3, 6
_EWKB_SRID, _EWKB_ZM = 0x20000000, 0xC0000000


@dataclass
class Rings:
    """Polygonal geometries as one coordinate array with geoarrow-style offsets (the layout of
    ``shapely.to_ragged_array`` for MultiPolygons): ``coords`` (P, 2) with each ring's closing
    point, ``ring_offsets`` (rings → points), ``poly_offsets`` (polygons → rings, the first
    ring the shell) and ``geom_offsets`` (features → polygons), each starting at 0.  Missing and
    empty geometries have no polygon; non-polygonal parts are left out."""

    coords: np.ndarray
    ring_offsets: np.ndarray
    poly_offsets: np.ndarray
    geom_offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.geom_offsets) - 1

    def point_offsets(self) -> np.ndarray:
        """Features → points (the first point of each feature, and the end)."""
        return self.ring_offsets[self.poly_offsets[self.geom_offsets]]

    def bounds(self) -> np.ndarray:
        """(n, 4) minx, miny, maxx, maxy per feature (NaN for a feature without points)."""
        out = np.full((len(self), 4), np.nan)
        starts = self.point_offsets()
        has = np.flatnonzero(starts[1:] > starts[:-1])
        if len(has):
            idx = starts[has]
            out[has, 0:2] = np.minimum.reduceat(self.coords, idx, axis=0)[: len(has)]
            out[has, 2:4] = np.maximum.reduceat(self.coords, idx, axis=0)[: len(has)]
        return out

    def geoms(self) -> np.ndarray:
        """The features as shapely MultiPolygons (None where a feature has no polygon)."""
        if not len(self):
            return np.array([], dtype=object)
        # polygons without rings (POLYGON EMPTY) are dropped: shapely crashes on them
        keep = self.poly_offsets[1:] > self.poly_offsets[:-1]
        polys = np.concatenate([[0], np.cumsum(keep)])[self.geom_offsets]
        rings = np.concatenate([[0], self.poly_offsets[1:][keep]])
        out = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, self.coords,
                                        (self.ring_offsets, rings, polys))
        return np.where(polys[1:] > polys[:-1], out, None)

    def transformed(self, fn) -> Rings:
        """The same rings with ``fn(x, y) -> (x, y)`` applied to the coordinates (pyproj)."""
        if not len(self.coords):
            return self
        x, y = fn(self.coords[:, 0], self.coords[:, 1])
        return Rings(np.column_stack([x, y]), self.ring_offsets, self.poly_offsets,
                     self.geom_offsets)


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)


def rings_of(geoms: Sequence[BaseGeometry | None]) -> Rings:
    """The reference: shapely's parts, rings and coordinates of any geometries (polygons kept)."""
    arr = np.asarray(geoms, dtype=object)
    if not len(arr):
        z = np.zeros(1, np.int64)
        return Rings(np.zeros((0, 2)), z, z.copy(), z.copy())
    parts, part_of = shapely.get_parts(arr, return_index=True)
    polys = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON.value
    parts, part_of = parts[polys], part_of[polys]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    return Rings(np.asarray(coords, dtype=np.float64).reshape(-1, 2),
                 _offsets(np.bincount(coord_of, minlength=len(rings))),
                 _offsets(np.bincount(ring_of, minlength=len(parts))),
                 _offsets(np.bincount(part_of, minlength=len(arr))))


def _u32(u8: np.ndarray, pos: np.ndarray) -> np.ndarray:
    pos = np.asarray(pos, dtype=np.int64)
    return (u8[pos].astype(np.uint32) | u8[pos + 1].astype(np.uint32) << 8
            | u8[pos + 2].astype(np.uint32) << 16 | u8[pos + 3].astype(np.uint32) << 24)


def _header(u8: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(base type, header length) of the (E)WKB geometries at ``pos``; ValueError for what the
    fast reader does not take (big endian, Z/M)."""
    if len(pos) and not (u8[pos] == 1).all():
        raise ValueError("big-endian WKB")
    kind = _u32(u8, pos + 1)
    if (kind & _EWKB_ZM).any():
        raise ValueError("WKB with Z or M")
    srid = (kind & _EWKB_SRID) != 0
    return (kind & 0xFFFF).astype(np.int64), np.where(srid, 9, 5)


def rings_from_wkb(wkbs: Sequence[bytes | None]) -> Rings:
    """Little-endian 2D (E)WKB Polygons/MultiPolygons → :class:`Rings`, vectorised over the
    features (as :func:`rings_of` of ``shapely.from_wkb``, without making the objects).
    Anything else (other types, Z, big endian) goes through shapely."""
    wkbs = list(wkbs)
    try:
        u8, start, end, present = _joined(wkbs)
        return _rings_from_buffer(u8, start, end, present)
    except (ValueError, IndexError):
        return rings_of(shapely.from_wkb(np.asarray(wkbs, dtype=object)))


def gpb_rings(blobs: Iterable[bytes | None]) -> Rings:
    """GPB blobs → :class:`Rings`: headers read and skipped and the WKB parsed, all vectorised
    (GDAL's or QGIS's blobs, big-endian headers included, take the per-blob path)."""
    blobs = list(blobs)
    try:
        u8, start, end, present = _joined(blobs)
        if len(start):
            if not ((u8[start] == 0x47) & (u8[start + 1] == 0x50)).all():
                raise ValueError("not a GeoPackage geometry blob")
            flags = u8[start + 3]
            env = (flags >> 1) & 0b111
            if not (flags & 1).all() or (env > 4).any():
                raise ValueError("GPB header this reader does not take")
            start = start + 8 + np.array([0, 32, 48, 48, 64, -10**9, -10**9, -10**9])[env]
            if (start < 0).any():
                raise ValueError("invalid envelope indicator")
        return _rings_from_buffer(u8, start, end, present)
    except (ValueError, IndexError):
        return rings_of(decode(blobs))


def _joined(chunks: list[bytes | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    present = np.array([c is not None for c in chunks], dtype=bool)
    some = [c for c in chunks if c is not None]
    lengths = np.fromiter((len(c) for c in some), dtype=np.int64, count=len(some))
    u8 = np.frombuffer(b"".join(some), dtype=np.uint8)
    bounds = _offsets(lengths)
    return u8, bounds[:-1], bounds[1:], present


def _doubles(u8: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The little-endian doubles starting at byte offsets ``at`` (any alignment)."""
    out = np.empty(len(at), dtype=np.float64)
    align = at % 8
    for a in np.unique(align):
        view = np.frombuffer(u8.data, dtype="<f8", offset=int(a), count=(len(u8) - int(a)) // 8)
        sel = align == a
        out[sel] = view[(at[sel] - a) // 8]
    return out


def _rings_from_buffer(u8: np.ndarray, start: np.ndarray, end: np.ndarray,
                       present: np.ndarray) -> Rings:
    geom_of = np.flatnonzero(present)
    kind, hl = _header(u8, start)
    if not np.isin(kind, (_POLYGON, _MULTIPOLYGON)).all():
        raise ValueError("not polygonal")
    multi = kind == _MULTIPOLYGON
    npolys = np.where(multi, 0, 1)
    if multi.any():
        npolys[multi] = _u32(u8, start[multi] + hl[multi])
    cur = np.where(multi, start + hl + 4, start)  # the first polygon's header
    poly_geom, poly_k, poly_nrings = [], [], []
    ring_poly, ring_j, ring_start, ring_npts = [], [], [], []
    left = npolys.astype(np.int64)
    k = seen = 0
    while (active := np.flatnonzero(left > 0)).size:
        h = cur[active]
        pkind, phl = _header(u8, h)
        if (pkind != _POLYGON).any():
            raise ValueError("not a polygon part")
        nr = _u32(u8, h + phl).astype(np.int64)
        pid = seen + np.arange(len(active))  # this batch's polygon ids
        seen += len(active)
        poly_geom.append(geom_of[active])
        poly_k.append(np.full(len(active), k))
        poly_nrings.append(nr)
        r = h + phl + 4
        j = 0
        while (ra := np.flatnonzero(nr > j)).size:
            npts = _u32(u8, r[ra]).astype(np.int64)
            ring_poly.append(pid[ra])
            ring_j.append(np.full(len(ra), j))
            ring_start.append(r[ra] + 4)
            ring_npts.append(npts)
            r[ra] = r[ra] + 4 + 16 * npts
            j += 1
        cur[active] = r
        left[active] -= 1
        k += 1
    if (cur != end).any():
        raise ValueError("WKB length does not match its content")

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    pg, pk, pnr = cat(poly_geom), cat(poly_k), cat(poly_nrings)
    porder = np.lexsort((pk, pg))  # polygons by feature, then by their place in it
    rank = np.empty(len(porder), np.int64)
    rank[porder] = np.arange(len(porder))
    rp, rj, rs, rn = cat(ring_poly), cat(ring_j), cat(ring_start), cat(ring_npts)
    if len(rp) and not (np.diff(rank[rp] * (int(rj.max()) + 1) + rj) > 0).all():
        rorder = np.lexsort((rj, rank[rp]))
        rs, rn = rs[rorder], rn[rorder]
    total = int(rn.sum())
    first = np.repeat(rs - 16 * _offsets(rn)[:-1], rn) + 16 * np.arange(total)
    coords = np.empty((total, 2), dtype=np.float64)
    coords[:, 0] = _doubles(u8, first)
    coords[:, 1] = _doubles(u8, first + 8)
    per_geom = np.zeros(len(present), np.int64)
    np.add.at(per_geom, pg, 1)
    return Rings(coords, _offsets(rn), _offsets(pnr[porder]), _offsets(per_geom))
