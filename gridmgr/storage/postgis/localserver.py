"""A PostgreSQL/PostGIS cluster of one's own on this machine, for trying the shared server and for
the tests: Debian's ``initdb``/``pg_ctl`` (packages ``postgresql`` and ``postgis``), listening
on 127.0.0.1 only, with SCRAM passwords.

Run as root, the cluster belongs to the ``postgres`` user (PostgreSQL refuses to run as root);
the data folder is then owned by it, and the folders above it must let that user through.
``start`` is idempotent: a running cluster is left as it is and its address returned.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ...errors import UsageError

SUPERUSER = "gridmgr_admin"


@dataclass(frozen=True)
class LocalServer:
    folder: Path
    port: int
    user: str = SUPERUSER

    def url(self, database: str = "postgres", schema: str | None = None) -> str:
        q = f"?schema={schema}" if schema else ""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}{q}"


def _is_root() -> bool:
    """Root on Linux (Windows has no geteuid: there the cluster runs as the user)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _bin(name: str) -> str:
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    found = shutil.which(name)
    if found is None:
        raise UsageError(f"找不到 PostgreSQL 的 {name}；请先运行 scripts/setup.sh（安装 postgresql 和 postgis）")
    return found


def _as_owner(cmd: list[str], folder: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` as the owner of ``folder`` (``postgres`` when we are root)."""
    if _is_root():
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(folder: str | Path, *, port: int | None = None, password: str | None = None
          ) -> LocalServer:
    """Create (first time) and start a cluster in ``folder``; return where it listens.
    ``password`` is the superuser's (stored as SCRAM); without one, only this machine's
    ``postgres`` account may log in, by the socket in ``folder``."""
    d = Path(folder).resolve()
    port_file = d / "gridmgr-port"
    if (d / "PG_VERSION").exists() and port_file.exists():
        server = LocalServer(d, int(port_file.read_text()))
        if _as_owner([_bin("pg_ctl"), "status", "-D", str(d)], d).returncode == 0:
            return server
        port = server.port
    else:
        d.mkdir(parents=True, exist_ok=True)
        if _is_root():
            shutil.chown(d, "postgres", "postgres")
        with tempfile.TemporaryDirectory(prefix="gridmgr-initdb-") as scratch:
            pwfile = Path(scratch) / "pw"
            pwfile.write_text((password or os.urandom(16).hex()) + "\n")
            if _is_root():  # initdb runs as postgres: let it read the file, no one else
                shutil.chown(scratch, "postgres")
                shutil.chown(pwfile, "postgres")
            os.chmod(pwfile, 0o600)
            out = _as_owner([_bin("initdb"), "-D", str(d), "-U", SUPERUSER, "--pwfile",
                             str(pwfile), "--auth=scram-sha-256", "-E", "UTF8",
                             "--locale=C.UTF-8"], d)
        if out.returncode != 0:
            raise UsageError(f"initdb 失败：{out.stderr.strip() or out.stdout.strip()}")
        port = port or free_port()
        with open(d / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(f"\n# gridmgr local server\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
                     f"unix_socket_directories = '{d}'\nfsync = on\n")
        port_file.write_text(str(port))
        if _is_root():
            shutil.chown(port_file, "postgres", "postgres")
    out = _as_owner([_bin("pg_ctl"), "start", "-D", str(d), "-w", "-t", "60", "-l",
                     str(d / "server.log")], d)
    if out.returncode != 0:
        log = (d / "server.log").read_text(errors="replace")[-800:] if (d / "server.log").exists() else ""
        raise UsageError(f"PostgreSQL 未能启动：{out.stderr.strip()} {log}")
    for _ in range(100):
        if _as_owner([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)], d).returncode == 0:
            break
        time.sleep(0.1)
    return LocalServer(d, int(port))


def stop(folder: str | Path) -> None:
    d = Path(folder).resolve()
    if (d / "PG_VERSION").exists():
        _as_owner([_bin("pg_ctl"), "stop", "-D", str(d), "-m", "fast", "-w"], d)
