"""A desk opening a server project with no password at hand (no PGPASSWORD, no ~/.pgpass) is
asked for it by the window; the password stays in memory and never reaches the URL, the status
bar or the saved settings."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog

from gridmgr.project import push_project
from gridmgr.storage import location, server
from ui.app import MainWindow


def test_the_window_asks_for_the_password_and_keeps_it_in_memory(
        qtbot, pg_server, demo_file, tmp_path, monkeypatch):
    schema = f"pwprompt_{os.getpid()}"
    work = tmp_path / "demo.gpkg"
    with sqlite3.connect(demo_file) as src, sqlite3.connect(work) as dst:
        src.backup(dst)
    push_project(work, pg_server.url("postgres", schema=schema))
    user, password = f"desk_{schema}", "desk-password-1"
    server.add_user(pg_server.url("postgres", schema=schema), user, "reader",
                    password=lambda: password, streets=[])
    url = f"postgresql://{user}@127.0.0.1:{pg_server.port}/postgres?schema={schema}"

    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.setattr(location, "_typed", {})
    asked: list[str] = []
    answers = iter([("wrong-password", True), (password, True)])

    def get_text(_parent, title, label, *_rest, **_kw):
        asked.append(label)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(url)
    assert len(asked) == 2  # a wrong password is asked again, with the server's answer
    assert "密码错误" in asked[1] and user in asked[1]
    assert "禅城区" in win.windowTitle()
    assert win.registers["enterprises"].model.total == 3000
    assert password not in win.statusBar().currentMessage()
    assert QSettings("gridmgr", "gridmgr").value("last_project") == url

    assert win.load(url)  # the session remembers it: no second question
    assert len(asked) == 2


def test_cancelling_the_password_question_opens_nothing(qtbot, pg_server, tmp_path, monkeypatch):
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.setattr(location, "_typed", {})
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    win = MainWindow()
    qtbot.addWidget(win)
    url = f"postgresql://nobody@127.0.0.1:{pg_server.port}/postgres?schema=nothing"
    assert win.load(url) is False
    assert win.project is None or str(win.project) != url
    assert not Path(tmp_path / "no-pgpass").exists()
