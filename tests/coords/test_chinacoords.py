"""gridmgr.coords.chinacoords against prcoords, the public-domain reference implementation.

prcoords works on one (lat, lon) point at a time, lat first; its ``*_bored`` inverses iterate
until the step is below ``PRC_EPS`` = 1e-5°, which leaves them ~1e-7° short of the fixed point,
so the precise comparisons run them with PRC_EPS tightened (same algorithm, more rounds).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest

from gridmgr.coords import chinacoords as cc

prcoords = pytest.importorskip("prcoords")

FOSHAN = (113.1, 23.02)  # 禅城区


def _points() -> tuple[np.ndarray, np.ndarray]:
    """A 63×36 grid over China (lon 73–135, lat 18–53) plus 500 points around Chancheng."""
    glon, glat = np.meshgrid(np.linspace(73.0, 135.0, 63), np.linspace(18.0, 53.0, 36))
    rng = np.random.default_rng(20240601)
    flon = FOSHAN[0] + rng.uniform(-0.15, 0.15, 500)
    flat = FOSHAN[1] + rng.uniform(-0.15, 0.15, 500)
    return np.concatenate([glon.ravel(), flon]), np.concatenate([glat.ravel(), flat])


LON, LAT = _points()


def reference(func: Callable, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """prcoords ``func`` point by point, back in (lon, lat) arrays."""
    out = np.array([func((la, lo)) for lo, la in zip(lon.tolist(), lat.tolist())])
    return out[:, 1], out[:, 0]


def assert_close(got: tuple, want: tuple, tol: float) -> None:
    for g, w, name in zip(got, want, ("lon", "lat")):
        err = np.max(np.abs(np.asarray(g) - np.asarray(w)))
        assert err <= tol, f"{name} differs by {err:.3g}° (> {tol:g}°)"


@pytest.fixture
def precise_prcoords(monkeypatch: pytest.MonkeyPatch) -> None:
    """prcoords' *_bored inverses iterated to 1e-12° instead of 1e-5°."""
    monkeypatch.setattr(prcoords, "PRC_EPS", 1e-12)


def test_points_are_inside_china() -> None:
    assert LON.size > 2500
    assert cc.in_china(LON, LAT).all()


@pytest.mark.parametrize("ours, theirs", [
    (cc.wgs84_to_gcj02, prcoords.wgs_gcj),
    (cc.gcj02_to_bd09, prcoords.gcj_bd),
    (cc.wgs84_to_bd09, prcoords.wgs_bd),
])
def test_forward_matches_prcoords(ours: Callable, theirs: Callable) -> None:
    assert_close(ours(LON, LAT), reference(theirs, LON, LAT), 1e-9)


@pytest.mark.parametrize("ours, theirs", [
    (cc.gcj02_to_wgs84, "gcj_wgs_bored"),
    (cc.bd09_to_gcj02, "bd_gcj_bored"),
    (cc.bd09_to_wgs84, "bd_wgs_bored"),
])
def test_inverse_matches_prcoords_precise_inverse(precise_prcoords: None, ours: Callable,
                                                  theirs: str) -> None:
    assert_close(ours(LON, LAT), reference(getattr(prcoords, theirs), LON, LAT), 1e-7)


@pytest.mark.parametrize("ours, theirs", [
    (cc.gcj02_to_wgs84, "gcj_wgs_bored"),
    (cc.bd09_to_wgs84, "bd_wgs_bored"),
])
def test_inverse_within_prcoords_default_accuracy(ours: Callable, theirs: str) -> None:
    # prcoords as shipped (PRC_EPS 1e-5) is itself only ~1e-7° from the fixed point
    assert_close(ours(LON, LAT), reference(getattr(prcoords, theirs), LON, LAT), 3e-7)


@pytest.mark.parametrize("forward, inverse", [
    (cc.wgs84_to_gcj02, cc.gcj02_to_wgs84),
    (cc.wgs84_to_bd09, cc.bd09_to_wgs84),
    (cc.gcj02_to_bd09, cc.bd09_to_gcj02),
])
def test_round_trips(forward: Callable, inverse: Callable) -> None:
    assert_close(inverse(*forward(LON, LAT)), (LON, LAT), 1e-7)
    # and the other way: the inverse really is a preimage under the forward transform
    assert_close(forward(*inverse(LON, LAT)), (LON, LAT), 1e-9)


def _metres(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    dy = (lat1 - lat0) * 111_320.0
    dx = (lon1 - lon0) * 111_320.0 * math.cos(math.radians(lat0))
    return math.hypot(dx, dy)


def test_offset_magnitude_in_foshan() -> None:
    lon, lat = FOSHAN
    gcj = cc.wgs84_to_gcj02(lon, lat)
    bd = cc.wgs84_to_bd09(lon, lat)
    assert gcj[0] > lon and gcj[1] < lat  # east and a little south, as everyone who used Amap knows
    assert 400 < _metres(lon, lat, *gcj) < 800  # ~630 m
    assert 1000 < _metres(lon, lat, *bd) < 1600  # ~1.3 km
    assert _metres(lon, lat, *bd) > _metres(lon, lat, *gcj)


def test_outside_china_unchanged() -> None:
    lon = np.array([2.35, -74.0, 151.2, 139.7, 100.0, 72.0])
    lat = np.array([48.85, 40.7, -33.9, 35.7, 60.0, 30.0])
    assert not cc.in_china(lon, lat).any()
    got = cc.wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(got[0], lon)
    np.testing.assert_array_equal(got[1], lat)
    np.testing.assert_array_equal(cc.gcj02_to_wgs84(lon, lat)[0], lon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # prcoords warns about non-Chinese coordinates
        want = reference(prcoords.wgs_gcj, lon, lat)
    assert_close(got, want, 0.0)


def test_mixed_inside_and_outside() -> None:
    lon = np.array([2.35, FOSHAN[0], np.nan])
    lat = np.array([48.85, FOSHAN[1], 23.0])
    got = cc.wgs84_to_gcj02(lon, lat)
    assert got[0][0] == 2.35 and got[1][0] == 48.85
    assert got[0][1] == pytest.approx(prcoords.wgs_gcj(FOSHAN[::-1]).lon, abs=1e-12)
    assert np.isnan(got[0][2]) and got[1][2] == 23.0


@pytest.mark.parametrize("func", [
    cc.wgs84_to_gcj02, cc.gcj02_to_wgs84, cc.gcj02_to_bd09, cc.bd09_to_gcj02,
    cc.wgs84_to_bd09, cc.bd09_to_wgs84,
])
def test_nan_passes_through(func: Callable) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lon, lat = func([np.nan, FOSHAN[0], np.inf], [23.0, FOSHAN[1], 23.0])
    assert np.isnan(lon[0])
    assert np.isfinite(lon[1]) and np.isfinite(lat[1])


def test_shapes_and_scalars() -> None:
    lon, lat = cc.wgs84_to_gcj02(*FOSHAN)
    assert isinstance(lon, float) and isinstance(lat, float)
    lon2, lat2 = cc.wgs84_to_gcj02([FOSHAN[0]], [FOSHAN[1]])
    assert lon2.shape == (1,) and lon2[0] == lon
    grid = cc.gcj02_to_wgs84(LON[:12].reshape(3, 4), 23.0)  # broadcast a scalar latitude
    assert grid[0].shape == grid[1].shape == (3, 4)
    assert isinstance(cc.in_china(*FOSHAN), np.bool_)
    src = LON.copy()
    cc.to_wgs84(src, LAT, "wgs84")[0][0] = 0.0  # the result is not a view of the input
    np.testing.assert_array_equal(src, LON)


def test_to_wgs84_dispatch() -> None:
    gcj = cc.wgs84_to_gcj02(LON, LAT)
    bd = cc.wgs84_to_bd09(LON, LAT)
    assert_close(cc.to_wgs84(*gcj, "gcj02"), (LON, LAT), 1e-7)
    assert_close(cc.to_wgs84(*gcj, "GCJ-02"), (LON, LAT), 1e-7)
    assert_close(cc.to_wgs84(*bd, "BD09"), (LON, LAT), 1e-7)
    assert_close(cc.to_wgs84(LON, LAT, " WGS84 "), (LON, LAT), 0.0)


@pytest.mark.parametrize("system", ["cgcs2000", "baidu", "", "epsg:4326"])
def test_to_wgs84_unknown_system(system: str) -> None:
    with pytest.raises(ValueError, match="未知的坐标系"):
        cc.to_wgs84(113.1, 23.0, system)
