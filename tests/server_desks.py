"""Desks on a server project for the role tests: logins of each role on a pushed demo."""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gridmgr.cli import main
from gridmgr.project import push_project
from gridmgr.storage import server

MINE, OTHER = "440604011", "440604010"
_n = itertools.count(1)


class Desk:
    """A login on the project: its URL, its password, and plain SQL as it."""

    def __init__(self, pg: Any, schema: str, user: str, password: str) -> None:
        self.pg, self.schema, self.user, self.password = pg, schema, user, password
        self.url = f"postgresql://{user}@127.0.0.1:{pg.port}/postgres?schema={schema}"

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(host="127.0.0.1", port=self.pg.port, user=self.user,
                             password=self.password, dbname="postgres", autocommit=True,
                             options=f"-c search_path={self.schema}") as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def run(self, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
        monkeypatch.setenv("PGPASSWORD", self.password)
        return main([*argv])


def make_bureau(pg_server: Any, demo_file: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> dict[str, Desk]:
    """The demo pushed to a new schema, with one login per role (the street one holds MINE)."""
    schema = f"roles{next(_n)}_{os.getpid()}"
    work = tmp_path_factory.mktemp("roles") / "demo.gpkg"
    with sqlite3.connect(demo_file) as src, sqlite3.connect(work) as dst:
        src.backup(dst)
    owner_url = pg_server.url("postgres", schema=schema)
    push_project(work, owner_url)
    owner = Desk(pg_server, schema, pg_server.user, os.environ["PGPASSWORD"])
    desks = {"owner": owner}
    for who, role, streets in (("street", "街道管理员", [MINE]), ("dispatch", "dispatch", []),
                               ("reader", "只读", []), ("admin", "区级管理员", [])):
        name = f"{who}_{schema}"
        pw = f"pw-{who}-{schema}"
        assert server.add_user(owner_url, name, server.role_kind(role), password=lambda p=pw: p,
                               streets=streets) is True
        desks[who] = Desk(pg_server, schema, name, pw)
    return desks




def case_in(desk: Desk, street: str, status: str = "派遣") -> str:
    rows = desk.sql("SELECT case_no FROM cases WHERE street_code = %s AND status = %s "
                    "ORDER BY case_no", (street, status))
    assert rows, f"the demo has a {status} case in {street}"
    return rows[0][0]
