"""A local PostgreSQL/PostGIS for trying the shared server (``gridmgr server start``); the
cluster itself is :mod:`.postgis.localserver`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start_local_server(folder: str | Path, *, port: int | None = None,
                       password: str | None = None) -> Any:
    from .postgis.localserver import start

    return start(folder, port=port, password=password)


def stop_local_server(folder: str | Path) -> None:
    from .postgis.localserver import stop

    stop(folder)
