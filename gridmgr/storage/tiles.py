"""Offline basemap tiles: an MBTiles file (SQLite) or an XYZ tile folder, read tile by tile.

The desktop serves them to the map page through its own URL scheme (``ui/tile_scheme.py``), not an
HTTP server.  MBTiles stores rows in TMS order (y counted from the south), Leaflet asks in XYZ order
(y from the north): :meth:`TileSource.tile` flips ``y`` for MBTiles, never for a folder.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import InputFileError
from .location import sqlite_uri

MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


class TileSource:
    """Tiles from ``path``: an ``.mbtiles`` file or a folder laid out ``{z}/{x}/{y}.{ext}``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.conn: sqlite3.Connection | None = None
        self.meta: dict[str, str] = {}
        if self.path.is_dir():
            self.kind = "folder"
            exts = {p.suffix.lstrip(".").lower() for p in self.path.glob("*/*/*.*")}
            self.format = next((e for e in ("png", "jpg", "jpeg", "webp") if e in exts), "png")
            zooms = [int(p.name) for p in self.path.iterdir() if p.is_dir() and p.name.isdigit()]
            self.minzoom, self.maxzoom = (min(zooms), max(zooms)) if zooms else (0, 18)
        elif self.path.is_file():
            self.kind = "mbtiles"
            try:
                self.conn = sqlite3.connect(sqlite_uri(self.path.resolve(), "ro"), uri=True,
                                            check_same_thread=False)
                self.meta = dict(self.conn.execute("SELECT name, value FROM metadata"))
                lo, hi = self.conn.execute(
                    "SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
            except sqlite3.DatabaseError as exc:
                raise InputFileError(f"{self.path} 不是有效的 MBTiles 文件：{exc}") from None
            self.format = self.meta.get("format", "png").lower()
            self.minzoom = int(self.meta.get("minzoom", lo if lo is not None else 0))
            self.maxzoom = int(self.meta.get("maxzoom", hi if hi is not None else 18))
        else:
            raise InputFileError(f"找不到底图：{self.path}")

    @property
    def mime(self) -> str:
        return MIME.get(self.format, "image/png")

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y``, or None when the source has none there."""
        if z < 0 or x < 0 or y < 0 or x >= 2 ** z or y >= 2 ** z:
            return None
        if self.conn is not None:
            row = self.conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                "AND tile_row = ?", (z, x, (1 << z) - 1 - y)).fetchone()  # TMS rows: flip y
            return bytes(row[0]) if row else None
        for ext in (self.format, "png", "jpg", "jpeg", "webp"):
            p = self.path / str(z) / str(x) / f"{y}.{ext}"
            if p.is_file():
                return p.read_bytes()
        return None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
