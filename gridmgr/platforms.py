"""What differs between Windows, macOS and Linux, in one place: whether a window can open, the
fix for a missing system library or Chinese font, paths on network shares, a console that
cannot write every character.

Pure functions with the platform as a parameter (default: this computer's), so that tests on
one OS check the answers for all three.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import PureWindowsPath
from typing import TextIO

WINDOWS, MACOS = "win32", "darwin"


def can_open_window(platform: str = sys.platform,
                    environ: Mapping[str, str] | None = None) -> bool:
    """Windows and macOS always have a desktop; elsewhere an X or Wayland display must be set
    (offscreen Qt does not count: nobody would see the window)."""
    if platform in (WINDOWS, MACOS):
        return True
    env = os.environ if environ is None else environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


# --------------------------------------------------------------------- missing system libraries

_LIB = re.compile(r"(lib[\w.+-]+?\.so(?:\.\d+)*|[\w.+-]+\.dll|[\w.+-]+\.dylib)", re.I)

#: Linux library (as the loader names it) → Debian/UOS/Kylin package, Fedora/openEuler package
LINUX_PACKAGES = {
    "libGL.so": ("libgl1", "mesa-libGL"),
    "libEGL.so": ("libegl1", "mesa-libEGL"),
    "libOpenGL.so": ("libopengl0", "libglvnd-opengl"),
    "libxkbcommon.so": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libfontconfig.so": ("libfontconfig1", "fontconfig"),
    "libfreetype.so": ("libfreetype6", "freetype"),
    "libdbus-1.so": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so": ("libglib2.0-0", "glib2"),
    "libxcb-cursor.so": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libnss3.so": ("libnss3", "nss"),
    "libasound.so": ("libasound2", "alsa-lib"),
    "libxcb-shape.so": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so": ("libxcb-randr0", "libxcb"),
    "libxcb-xkb.so": ("libxcb-xkb1", "libxcb"),
}

#: what Qt's X11 (xcb) platform plugin loads.  Qt does not raise when one is missing: it prints
#: "Could not load the Qt platform plugin" and aborts the process, so they are looked for first.
XCB_PLUGIN_LIBRARIES = ("libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libxcb-icccm.so.4",
                        "libxcb-image.so.0", "libxcb-keysyms.so.1", "libxcb-render-util.so.0",
                        "libxcb-shape.so.0", "libxcb-randr.so.0", "libxcb-xkb.so.1",
                        "libfontconfig.so.1", "libEGL.so.1")


def missing_window_libraries(platform: str = sys.platform,
                             environ: Mapping[str, str] | None = None,
                             load: Callable[[str], object] | None = None) -> list[str]:
    """The libraries of Qt's X11 plugin this Linux lacks, when the window would use it (an X
    display, no other platform chosen); [] elsewhere."""
    env = os.environ if environ is None else environ
    chosen = env.get("QT_QPA_PLATFORM", "")
    if platform in (WINDOWS, MACOS) or not env.get("DISPLAY") or (chosen and chosen != "xcb"):
        return []
    if load is None:
        import ctypes

        load = ctypes.CDLL
    missing = []
    for lib in XCB_PLUGIN_LIBRARIES:
        try:
            load(lib)
        except OSError:
            missing.append(lib)
    return missing


def libraries_fix(libs: Sequence[str], platform: str = sys.platform) -> str:
    """One install command for several missing Linux libraries (else :func:`library_fix`)."""
    stems = [re.sub(r"(\.so)(\.\d+)*$", r"\1", lib) for lib in libs]
    known = [LINUX_PACKAGES[s] for s in stems if s in LINUX_PACKAGES]
    if platform in (WINDOWS, MACOS) or len(known) < len(stems) or not known:
        return library_fix(libs[0], platform)
    deb = " ".join(dict.fromkeys(d for d, _ in known))
    rpm = " ".join(dict.fromkeys(r for _, r in known))
    return (f"请安装系统软件包：Debian/Ubuntu/统信 UOS/麒麟 Kylin：sudo apt-get install {deb}；"
            f"Fedora/openEuler/CentOS：sudo dnf install {rpm}")


def missing_library(exc: BaseException) -> str | None:
    """The shared library a failed import of Qt could not load, or None when the error is not
    about a system library (then it is a bug, not a set-up problem)."""
    text = str(exc)
    if not any(k in text for k in ("cannot open shared object", "DLL load failed",
                                   "Library not loaded", "image not found", "No such file")):
        return None
    mac = re.search(r"Library not loaded: (\S+)", text)  # macOS names the framework it wanted
    if mac:
        return mac.group(1).rstrip("'\"").rsplit("/", 1)[-1]
    m = _LIB.search(text)
    return m.group(1) if m else ("DLL" if "DLL load failed" in text else "?")


def library_fix(lib: str, platform: str = sys.platform) -> str:
    """What to install so that ``lib`` loads, said for the user's OS."""
    if platform == WINDOWS:
        return ("请安装 Microsoft Visual C++ 2015–2022 可再发行组件（x64，微软官网 vc_redist.x64.exe），"
                "或改用自带全部组件的 gridmgr 程序文件夹（scripts/build-bundle.sh 生成）")
    if platform == MACOS:
        return ("需要 macOS 11 或更新版本；请重新安装 gridmgr（pip install --force-reinstall "
                "PySide6-Essentials PySide6-Addons），或改用自带全部组件的 gridmgr 程序文件夹")
    stem = re.sub(r"(\.so)(\.\d+)*$", r"\1", lib)
    deb, rpm = LINUX_PACKAGES.get(stem, (None, None))
    if deb is None:
        return (f"请用系统的软件包管理器安装提供 {lib} 的软件包（Debian/UOS/麒麟：apt-file search "
                f"{stem}；Fedora/openEuler：dnf provides '*/{stem}*'）")
    return (f"请安装系统软件包：Debian/Ubuntu/统信 UOS/麒麟 Kylin：sudo apt-get install {deb}；"
            f"Fedora/openEuler/CentOS：sudo dnf install {rpm}")


def setup_problem(exc: BaseException, what: str,
                  platform: str = sys.platform) -> str | None:
    """The message for a failed import of Qt caused by a missing system library, or None."""
    lib = missing_library(exc)
    if lib is None:
        return None
    return f"{what}需要的系统库 {lib} 无法加载（{exc}）。{library_fix(lib, platform)}"


# --------------------------------------------------------------------------------- fonts

def font_fix(platform: str = sys.platform) -> str:
    """How to get a Simplified-Chinese font, on the user's OS."""
    if platform == WINDOWS:
        return ("Windows 自带微软雅黑和宋体：请在“设置 → 时间和语言 → 语言和区域”中添加“中文（简体）”"
                "（会装回中文字体），或把中文 TTF/OTF 字体复制到 C:\\Windows\\Fonts")
    if platform == MACOS:
        return "macOS 自带苹方（PingFang SC）：请在“字体册”中选择“恢复标准字体”"
    return ("请安装中文字体：Debian/Ubuntu/统信 UOS/麒麟 Kylin：sudo apt-get install fonts-noto-cjk；"
            "Fedora/openEuler：sudo dnf install google-noto-sans-cjk-fonts")


# --------------------------------------------------------------------------------- paths

NETWORK_FILESYSTEMS = ("cifs", "smb3", "smbfs", "nfs", "nfs4", "afpfs", "fuse.sshfs",
                       "fuse.gvfsd-fuse", "9p", "ceph", "glusterfs")


def is_network_path(path: str, platform: str = sys.platform,
                    mounts: str | None = None) -> bool:
    """A file on a network share: a UNC path ``\\\\server\\share\\…`` (also written
    ``//server/share/…`` or ``\\\\?\\UNC\\server\\…`` on Windows), on Windows a drive
    letter mapped to a share, on Linux a folder mounted from one (CIFS/SMB, NFS, the desktop's
    gvfs: ``mounts`` is ``/proc/mounts``'s text, read when not given)."""
    p = path.replace("/", "\\") if platform == WINDOWS else path
    if p[:8].upper() == "\\\\?\\UNC\\" or re.match(r"^\\\\[^\\?.]", p):
        return True
    drive = PureWindowsPath(p).drive
    if platform == WINDOWS and len(drive) == 2 and sys.platform == WINDOWS:  # pragma: no cover
        import ctypes

        return bool(ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\") == 4)  # DRIVE_REMOTE
    if platform.startswith("linux"):
        return _mounted_fs(os.path.abspath(path), mounts) in NETWORK_FILESYSTEMS
    return False


def _mounted_fs(path: str, mounts: str | None) -> str | None:
    """The file system type of the mount holding ``path`` (the longest mount point above it)."""
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="replace") as fh:
                mounts = fh.read()
        except OSError:
            return None
    best, fstype = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, fstype = point, parts[2]
    return fstype


SHARE_WARNING = ("项目文件在网络共享上（{path}）：SQLite 文件放在共享文件夹上只适合一个人写入，几台电脑同时"
                 "写入可能损坏文件。多个科室共用一个项目请用共享服务器（gridmgr server push，见 README"
                 "“共享服务器”）；一个人用时也请先复制到本机")


# --------------------------------------------------------------------------------- console

def safe_console(*streams: TextIO | None) -> None:
    """Let a console that cannot show every character (a Windows GBK/cp936 console; 平方米 ²,
    rare name characters such as 𬌗 are outside GBK) print a replacement instead of failing
    with UnicodeEncodeError.  UTF-8 consoles are left as they are."""
    for stream in streams:
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is None or encoding.startswith("utf") or not hasattr(stream, "reconfigure"):
            continue
        try:
            stream.reconfigure(errors="replace")
        except (ValueError, OSError):  # pragma: no cover - a stream already closed
            pass
