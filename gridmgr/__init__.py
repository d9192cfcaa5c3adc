"""gridmgr: 网格化管理 — grid cells, responsibility, enterprises and cases, offline."""

__version__ = "0.1.0"
