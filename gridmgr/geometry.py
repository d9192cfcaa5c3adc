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
