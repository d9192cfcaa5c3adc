"""The GeoPackage adapter: a project as one SQLite file that QGIS, GDAL and QField open as it
is.  The first (and the reference) implementation of :class:`gridmgr.storage.api.Store`.
"""
