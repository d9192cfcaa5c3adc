"""What a project holds, as one comparable value, whichever backend it is on: the file's bytes
for a GeoPackage (so "nothing written" means byte-identical), a canonical dump of every table of
the schema for a server project (row order, then values; geometry as EWKB)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import psycopg

from gridmgr.storage.location import is_server, parse_server


def dump(location: Any) -> Any:
    if not is_server(str(location)) or isinstance(location, Path):
        return Path(location).read_bytes()
    loc = parse_server(str(location))
    out = []
    with psycopg.connect(**loc.conninfo(), password=os.environ.get("PGPASSWORD")) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE' ORDER BY table_name", [loc.schema])]
        for t in tables:
            rows = conn.execute(f'SELECT * FROM "{loc.schema}"."{t}" ORDER BY 1').fetchall()
            out.append((t, [tuple(map(repr, r)) for r in rows]))
    return repr(out).encode()


def fingerprint(location: Any) -> str:
    return hashlib.sha256(dump(location)).hexdigest()
