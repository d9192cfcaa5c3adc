"""WGS84 ↔ GCJ-02 (Amap/Tencent, "火星坐标") ↔ BD-09 (Baidu), vectorised over numpy arrays.

Why: officers copy coordinates for enterprises, cases and patrol points from Amap or Baidu Maps.
Those are not WGS84/CGCS2000: GCJ-02 is WGS84 shifted by a deliberate, position-dependent offset
of a few hundred metres (~0.5 km) in China, and BD-09 adds Baidu's own shift on top (~1.1–1.4 km
in total).  Stored unconverted, such a point lands in the wrong grid cell.  Importers call
:func:`to_wgs84` with the system the user names.  (WGS84 and CGCS2000 differ by centimetres,
which is ignored here.)

Where the formula comes from: the public GCJ-02 forward formula and Baidu's GCJ-02 → BD-09 formula
as implemented in prcoords (Mingye Wang, CC0; https://github.com/Artoria2e5/PRCoords) and
eviltransform (MIT).  Like prcoords, GCJ-02 applies only inside a rough rectangle around China
(:func:`in_china`); outside it GCJ-02 equals WGS84.  The BD-09 step, a pure formula, applies
everywhere, as in prcoords.  Inverses iterate the forward transform as a fixed point,
``x ← x − (f(x) − target)``, for all points at once until no point moves by 1e-9° (at most 10
rounds; the offset's Jacobian is a few 1e-3, so each round gains 2–3 digits): far better than
1e-7° (1 cm), where prcoords' own ``*_bored`` inverses stop at about 1e-7°.

Inputs are scalars, sequences or arrays (broadcast together, float64).  Outputs are float64
arrays of the broadcast shape, or ``numpy.float64`` scalars for scalar input.  NaN gives NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = [
    "SYSTEMS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

Coords = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
Result = tuple[FloatArray | np.float64, FloatArray | np.float64]
_Transform = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]

SYSTEMS = ("wgs84", "gcj02", "bd09")

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
# prcoords' rectangle (sanity_in_china_p), inclusive
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271
# Baidu's constant shift and its 3000·(π/180) wave number
_BD_DLON, _BD_DLAT = 0.0065, 0.0060
_BD_K = np.pi / 180.0 * 3000.0

_TOLERANCE = 1e-9  # degrees: stop iterating when no point moves more
_MAX_ITER = 10


def _prepare(lon: Coords, lat: Coords) -> tuple[FloatArray, FloatArray, tuple[int, ...]]:
    a, b = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return a.ravel(), b.ravel(), a.shape


def _finish(lon: FloatArray, lat: FloatArray, shape: tuple[int, ...]) -> Result:
    return lon.reshape(shape)[()], lat.reshape(shape)[()]


def _in_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    return (lon >= _LON_MIN) & (lon <= _LON_MAX) & (lat >= _LAT_MIN) & (lat <= _LAT_MAX)


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84 in degrees at WGS84 (lon, lat), with no China check."""
    x = lon - 105.0
    y = lat - 35.0
    wave_x = 2.0 * np.sin(6.0 * np.pi * x) + 2.0 * np.sin(2.0 * np.pi * x)
    sqrt_x = np.sqrt(np.abs(x))
    xy = 0.1 * x * y
    dlat_m = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + xy + 0.2 * sqrt_x
              + (wave_x + 2.0 * np.sin(np.pi * y) + 4.0 * np.sin(np.pi / 3.0 * y)
                 + 16.0 * np.sin(np.pi / 12.0 * y) + 32.0 * np.sin(np.pi / 30.0 * y)) * 20.0 / 3.0)
    dlon_m = (300.0 + x + 2.0 * y + 0.1 * x * x + xy + 0.1 * sqrt_x
              + (wave_x + 2.0 * np.sin(np.pi * x) + 4.0 * np.sin(np.pi / 3.0 * x)
                 + 15.0 * np.sin(np.pi / 12.0 * x) + 30.0 * np.sin(np.pi / 30.0 * x)) * 20.0 / 3.0)
    rad_lat = np.radians(lat)
    sin_lat = np.sin(rad_lat)
    magic = 1.0 - _GCJ_EE * sin_lat * sin_lat
    lat_deg_m = np.radians(_GCJ_A * (1.0 - _GCJ_EE) / (magic * np.sqrt(magic)))
    lon_deg_m = np.radians(_GCJ_A * np.cos(rad_lat) / np.sqrt(magic))
    return dlon_m / lon_deg_m, dlat_m / lat_deg_m


def _fixed_point(forward: _Transform, target_lon: FloatArray, target_lat: FloatArray,
                 lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Refine (lon, lat) so that forward(lon, lat) ≈ target, all points per round."""
    for _ in range(_MAX_ITER):
        f_lon, f_lat = forward(lon, lat)
        d_lon = f_lon - target_lon
        d_lat = f_lat - target_lat
        lon = lon - d_lon
        lat = lat - d_lat
        # fmax skips NaN: a NaN point neither converges nor blocks the others
        moved = max(np.fmax.reduce(np.abs(d_lon), initial=0.0),
                    np.fmax.reduce(np.abs(d_lat), initial=0.0))
        if moved < _TOLERANCE:
            break
    return lon, lat


def _wgs_gcj_all(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    d_lon, d_lat = _gcj_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def _gcj_wgs_all(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    d_lon, d_lat = _gcj_offset(lon, lat)  # rough inverse as the start: off by ~1e-5°
    return _fixed_point(_wgs_gcj_all, lon, lat, lon - d_lon, lat - d_lat)


def _inside_only(func: _Transform, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``func`` on the points inside China; the others (and NaN) are returned unchanged."""
    inside = _in_china(lon, lat)
    if inside.all():
        return func(lon, lat)
    out_lon, out_lat = lon.copy(), lat.copy()
    if inside.any():
        out_lon[inside], out_lat[inside] = func(lon[inside], lat[inside])
    return out_lon, out_lat


def _wgs_gcj(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _inside_only(_wgs_gcj_all, lon, lat)


def _gcj_wgs(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _inside_only(_gcj_wgs_all, lon, lat)


def _gcj_bd(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    r = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_K)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_K)
    return r * np.cos(theta) + _BD_DLON, r * np.sin(theta) + _BD_DLAT


def _bd_gcj(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lon - _BD_DLON
    y = lat - _BD_DLAT
    r = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_K)  # closed-form start: off by ~1e-7°
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_K)
    return _fixed_point(_gcj_bd, lon, lat, r * np.cos(theta), r * np.sin(theta))


def in_china(lon: Coords, lat: Coords) -> npt.NDArray[np.bool_] | np.bool_:
    """True where GCJ-02 applies: prcoords' rough rectangle lon 72.004–137.8347, lat 0.8293–55.8271.

    NaN is outside.  The rectangle includes neighbouring countries; that is the formula's rule.
    """
    a, b, shape = _prepare(lon, lat)
    return _in_china(a, b).reshape(shape)[()]


def _run(func: _Transform, lon: Coords, lat: Coords) -> Result:
    a, b, shape = _prepare(lon, lat)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # ±inf in → NaN out
        out_lon, out_lat = func(a, b)
    return _finish(out_lon, out_lat, shape)


def _wgs_bd(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj_bd(*_wgs_gcj(lon, lat))


def _bd_wgs(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj_wgs(*_bd_gcj(lon, lat))


def _unchanged(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return lon.copy(), lat.copy()


def wgs84_to_gcj02(lon: Coords, lat: Coords) -> Result:
    """WGS84 → GCJ-02; points outside :func:`in_china` are returned unchanged."""
    return _run(_wgs_gcj, lon, lat)


def gcj02_to_wgs84(lon: Coords, lat: Coords) -> Result:
    """GCJ-02 → WGS84 by iterating the forward transform (error far below 1e-7°)."""
    return _run(_gcj_wgs, lon, lat)


def gcj02_to_bd09(lon: Coords, lat: Coords) -> Result:
    """GCJ-02 → BD-09 (Baidu's formula, applied everywhere as in prcoords)."""
    return _run(_gcj_bd, lon, lat)


def bd09_to_gcj02(lon: Coords, lat: Coords) -> Result:
    """BD-09 → GCJ-02: the closed-form inverse refined by iteration."""
    return _run(_bd_gcj, lon, lat)


def wgs84_to_bd09(lon: Coords, lat: Coords) -> Result:
    """WGS84 → GCJ-02 → BD-09."""
    return _run(_wgs_bd, lon, lat)


def bd09_to_wgs84(lon: Coords, lat: Coords) -> Result:
    """BD-09 → GCJ-02 → WGS84."""
    return _run(_bd_wgs, lon, lat)


_TO_WGS84: dict[str, _Transform] = {"wgs84": _unchanged, "gcj02": _gcj_wgs, "bd09": _bd_wgs}


def to_wgs84(lon: Coords, lat: Coords, system: str) -> Result:
    """(lon, lat) given in ``system`` ("wgs84", "gcj02" or "bd09", any case) as WGS84.

    "WGS-84", "GCJ-02", "BD-09" are accepted too.  An unknown system raises ValueError.
    """
    key = str(system).strip().lower().replace("-", "").replace("_", "")
    try:
        convert = _TO_WGS84[key]
    except KeyError:
        raise ValueError(
            f"未知的坐标系 {system!r}：应为 wgs84、gcj02（高德/腾讯）或 bd09（百度）") from None
    return _run(convert, lon, lat)
