"""Coordinates: CRS parsing and the metric CRS for measuring (pyproj), and the Chinese map
offsets GCJ-02 (Amap/Tencent) and BD-09 (Baidu).

A leaf: imports nothing of gridmgr but errors.
"""
