"""The ``gmtiles:`` URL scheme: offline basemap tiles handed to the map page by Qt itself.

No HTTP server (nothing another program could connect to): QtWebEngine asks
:class:`TileSchemeHandler` for ``gmtiles:/<version>/<z>/<x>/<y>`` and gets the bytes from a
:class:`gridmgr.storage.tiles.TileSource` (an MBTiles file or an XYZ folder).  The scheme has to
be registered before the QApplication exists: :func:`register_scheme` runs when this module is
imported (ui.web_map imports it), which the desktop and the tests do before creating one.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from gridmgr.storage.tiles import TileSource

log = logging.getLogger(__name__)
SCHEME = b"gmtiles"
_PATH = re.compile(r"^/*(\d+)/(\d+)/(\d+)/(\d+)(?:\.\w+)?$")


def register_scheme() -> bool:
    """Declare ``gmtiles:`` to QtWebEngine (once, and only before the QApplication exists)."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return True
    if QCoreApplication.instance() is not None:
        log.warning("gmtiles: scheme registered too late (a QApplication exists)")
        return False
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme
                    | QWebEngineUrlScheme.Flag.LocalScheme
                    | QWebEngineUrlScheme.Flag.LocalAccessAllowed
                    | QWebEngineUrlScheme.Flag.CorsEnabled)
    QWebEngineUrlScheme.registerScheme(scheme)
    return True


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``gmtiles:`` requests from the current tile source (None: every tile fails)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.source: TileSource | None = None
        self.version = 0  # part of the URL, so that another source is not served from cache
        self.served = 0
        self.missing = 0

    def set_source(self, source: TileSource | None) -> None:
        if self.source is not None and self.source is not source:
            self.source.close()
        self.source = source
        self.version += 1

    def url_template(self) -> str:
        return f"{SCHEME.decode()}:/{self.version}/{{z}}/{{x}}/{{y}}"

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        m = _PATH.match(job.requestUrl().path())
        data = None
        if m and self.source is not None and int(m.group(1)) == self.version:
            z, x, y = (int(g) for g in m.groups()[1:])
            data = self.source.tile(z, x, y)
        if data is None:
            self.missing += 1
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buf = QBuffer(job)  # owned by the job: alive until the page has read it
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        self.served += 1
        job.reply(self.source.mime.encode(), buf)


register_scheme()
