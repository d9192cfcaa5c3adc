"""What differs between Windows, macOS and Linux (gridmgr/platforms.py, storage/location.py):
each answer is checked for all three OSes on this one, since the functions take the platform."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from gridmgr import platforms
from gridmgr.cli import main
from gridmgr.errors import EXIT_SETUP
from gridmgr.storage.location import sqlite_uri


@pytest.mark.parametrize("platform, environ, expected", [
    ("win32", {}, True),
    ("darwin", {}, True),
    ("linux", {}, False),
    ("linux", {"DISPLAY": ":0"}, True),
    ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, True),
])
def test_a_window_opens_on_windows_and_macos_without_display(platform, environ, expected):
    assert platforms.can_open_window(platform, environ) is expected


@pytest.mark.parametrize("error, lib", [
    ("libGL.so.1: cannot open shared object file: No such file or directory", "libGL.so.1"),
    ("libxkbcommon-x11.so.0: cannot open shared object file: No such file or directory",
     "libxkbcommon-x11.so.0"),
    ("DLL load failed while importing QtGui: 找不到指定的模块。", "DLL"),
    ("dlopen(QtGui.abi3.so, 2): Library not loaded: @rpath/QtGui.framework/Versions/A/QtGui",
     "QtGui"),
])
def test_a_missing_system_library_is_named(error, lib):
    assert platforms.missing_library(ImportError(error)) == lib


def test_an_import_error_that_is_not_a_library_is_a_bug_not_a_setup_problem():
    assert platforms.missing_library(ImportError("cannot import name 'foo' from 'ui.app'")) is None
    assert platforms.setup_problem(ImportError("cannot import name 'x'"), "桌面窗口") is None


def test_the_fix_for_a_missing_library_is_said_for_each_os():
    linux = platforms.library_fix("libGL.so.1", "linux")
    assert "apt-get install libgl1" in linux and "dnf install mesa-libGL" in linux
    assert "apt-get install libxcb-cursor0" in platforms.library_fix("libxcb-cursor.so.0", "linux")
    unknown = platforms.library_fix("libfoo.so.3", "linux")
    assert "apt-file search libfoo.so" in unknown
    win = platforms.library_fix("DLL", "win32")
    assert "vc_redist.x64.exe" in win and "apt" not in win
    mac = platforms.library_fix("QtGui", "darwin")
    assert "macOS" in mac and "apt" not in mac


def test_the_no_font_fix_is_said_for_each_os():
    assert "C:\\Windows\\Fonts" in platforms.font_fix("win32")
    assert "apt" not in platforms.font_fix("win32") + platforms.font_fix("darwin")
    assert "PingFang" in platforms.font_fix("darwin")
    assert "apt-get install fonts-noto-cjk" in platforms.font_fix("linux")


def test_gui_with_a_missing_qt_library_is_a_setup_error_not_a_bug(monkeypatch, tmp_path, capsys):
    """Qt's import fails on a PC without libGL: exit 9 and the package to install, not exit 70
    with 内部错误."""
    import importlib.metadata

    class Broken:
        def load(self):
            raise ImportError("libGL.so.1: cannot open shared object file: No such file or "
                              "directory")

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [Broken()])
    code = main(["gui", "--screenshot", str(tmp_path / "w.png")])
    err = capsys.readouterr().err
    assert code == EXIT_SETUP
    assert "缺少系统组件" in err and "libGL.so.1" in err
    assert "内部错误" not in err


@pytest.mark.parametrize("path, windows, uri", [
    (r"\\server\share\网格\禅城.gpkg", True,
     "file:////server/share/%E7%BD%91%E6%A0%BC/%E7%A6%85%E5%9F%8E.gpkg?mode=rw"),
    ("//server/share/p.gpkg", True, "file:////server/share/p.gpkg?mode=rw"),
    (r"\\?\UNC\server\share\p.gpkg", True, "file:////server/share/p.gpkg?mode=rw"),
    (r"D:\网格\p.gpkg", True, "file:///D:/%E7%BD%91%E6%A0%BC/p.gpkg?mode=rw"),
    (r"\\?\D:\p.gpkg", True, "file:///D:/p.gpkg?mode=rw"),
    (r"C:\a#b\p?.gpkg", True, "file:///C:/a%23b/p%3F.gpkg?mode=rw"),
    ("/home/u/a#b/p 1.gpkg", False, "file:///home/u/a%23b/p%201.gpkg?mode=rw"),
    ("//srv/p.gpkg", False, "file:///srv/p.gpkg?mode=rw"),
])
def test_sqlite_uri_for_shares_drive_letters_and_odd_names(path, windows, uri):
    assert sqlite_uri(path, "rw", windows=windows) == uri


def test_sqlite_opens_a_file_whose_folder_has_uri_characters(tmp_path):
    folder = tmp_path / "a#b?c%d 网格"
    folder.mkdir()
    p = folder / "x.gpkg"
    sqlite3.connect(p).execute("CREATE TABLE t (v)").connection.commit()
    conn = sqlite3.connect(sqlite_uri(p, "ro"), uri=True)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


@pytest.mark.parametrize("path, platform, expected", [
    (r"\\server\share\p.gpkg", "win32", True),
    ("//server/share/p.gpkg", "win32", True),
    (r"\\?\UNC\server\share\p.gpkg", "win32", True),
    (r"\\?\C:\p.gpkg", "win32", False),
    (r"C:\p.gpkg", "win32", False),
    ("/home/u/p.gpkg", "linux", False),
])
def test_network_paths_are_recognised(path, platform, expected):
    assert platforms.is_network_path(path, platform) is expected


MOUNTS = """/dev/vda / ext4 rw 0 0
//nas/grid /mnt/grid cifs rw,vers=3.0 0 0
nas:/export /srv/nfs nfs4 rw 0 0
gvfsd-fuse /run/user/1000/gvfs fuse.gvfsd-fuse rw 0 0
/dev/vdb /mnt/grid/local ext4 rw 0 0
"""


@pytest.mark.parametrize("path, expected", [
    ("/mnt/grid/禅城.gpkg", True),
    ("/mnt/gridx/a.gpkg", False),  # a sibling whose name starts the same
    ("/srv/nfs/a/b.gpkg", True),
    ("/run/user/1000/gvfs/smb-share:server=nas,share=grid/a.gpkg", True),  # UOS/Kylin desktop
    ("/mnt/grid/local/a.gpkg", False),  # a local disk mounted inside the share's folder
    ("/home/u/a.gpkg", False),
])
def test_a_share_mounted_on_linux_is_a_network_path(path, expected):
    assert platforms.is_network_path(path, "linux", MOUNTS) is expected


def test_writing_a_project_on_a_share_warns_once_and_points_to_the_server(
        monkeypatch, tmp_path, caplog):
    from gridmgr.project import init_project, open_project
    from gridmgr.storage.gpkg import connection

    p = tmp_path / "p.gpkg"
    init_project(p, name="禅城区", admin_code="440604").close()
    monkeypatch.setattr(connection.platforms, "is_network_path", lambda path: True)
    monkeypatch.setattr(connection, "_checked", set())
    with caplog.at_level(logging.WARNING, logger="gridmgr"):
        for _ in range(2):
            open_project(p).close()
        open_project(p, readonly=True).close()
    warnings = [r.getMessage() for r in caplog.records if "网络共享" in r.getMessage()]
    assert len(warnings) == 1
    assert "共享服务器" in warnings[0] and str(p) in warnings[0]


def test_no_posix_only_calls_on_the_main_paths():
    """fork, fcntl, getuid … do not exist on Windows: the product avoids them outside the local
    PostgreSQL helper, which guards them."""
    root = Path(__file__).resolve().parents[1]
    banned = ("os.fork(", "import fcntl", "os.getuid(", "os.killpg(", "os.setsid(",
              "preexec_fn", "signal.SIGKILL", "os.uname(")
    found = []
    for pkg in ("gridmgr", "maps", "ui"):
        for f in (root / pkg).rglob("*.py"):
            text = f.read_text(encoding="utf-8")
            found += [f"{f.relative_to(root)}: {b}" for b in banned if b in text]
            if "os.geteuid()" in text and "_is_root" not in text and 'hasattr(os, "geteuid")' \
                    not in text:
                found.append(f"{f.relative_to(root)}: os.geteuid() unguarded")
    assert found == []


def test_the_no_console_launcher_opens_the_window_with_nowhere_to_print(monkeypatch):
    """``gridmgr-desktop`` (gui_scripts; the bundle's windowed .exe) has no console: stdout and
    stderr are None there, and it runs ``gui`` with the arguments it was given."""
    import sys

    from gridmgr.cli import entry

    seen = {}

    def fake_main(argv):
        seen["argv"] = argv
        print("a line that must not fail")
        print("and one on stderr", file=sys.stderr)
        return 0

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "argv", ["gridmgr-desktop", "D:\\网格\\禅城.gpkg"])
    monkeypatch.setattr(entry, "main", fake_main)
    assert entry.desktop() == 0
    assert seen["argv"] == ["gui", "D:\\网格\\禅城.gpkg"]


def _loader(absent):
    def load(lib):
        if lib in absent:
            raise OSError(f"{lib}: cannot open shared object file: No such file or directory")
        return object()
    return load


def test_the_x11_plugin_libraries_are_looked_for_only_when_x11_is_used():
    absent = _loader({"libxcb-cursor.so.0", "libxkbcommon-x11.so.0"})
    x11 = {"DISPLAY": ":0"}
    assert platforms.missing_window_libraries("linux", x11, absent) == [
        "libxcb-cursor.so.0", "libxkbcommon-x11.so.0"]
    assert platforms.missing_window_libraries("linux", {**x11, "QT_QPA_PLATFORM": "offscreen"},
                                              absent) == []
    assert platforms.missing_window_libraries("linux", {"WAYLAND_DISPLAY": "w"}, absent) == []
    assert platforms.missing_window_libraries("win32", x11, absent) == []
    fix = platforms.libraries_fix(["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"], "linux")
    assert "apt-get install libxcb-cursor0 libxkbcommon-x11-0" in fix
    assert "dnf install xcb-util-cursor libxkbcommon-x11" in fix


def test_gui_on_x11_without_xcb_cursor_is_a_setup_error_before_qt_aborts(monkeypatch, capsys):
    """Qt 6.5+ needs libxcb-cursor0; without it Qt aborts the process (no exception). gridmgr
    looks first and says which package to install."""
    import importlib.metadata

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    real = platforms.missing_window_libraries
    monkeypatch.setattr(platforms, "missing_window_libraries",
                        lambda: real("linux", None, _loader({"libxcb-cursor.so.0"})))
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group: pytest.fail("Qt must not be loaded"))
    assert main(["gui"]) == EXIT_SETUP
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0" in err and "apt-get install libxcb-cursor0" in err
