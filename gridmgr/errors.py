"""One exception hierarchy for everything a user can get wrong, mapped to CLI exit codes.

The CLI prints ``str(error)`` and exits with ``error.exit_code``; the desktop shows the same text
in a message box with ``error.title``.  Anything else escaping is a bug (exit 70).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # a check found problems (grid validate)
EXIT_USAGE = 2  # bad command line (argparse uses 2 as well)
EXIT_INPUT = 3  # an input file cannot be used
EXIT_PROJECT = 4  # the project file cannot be opened or written
EXIT_BUSY = 5  # another process is writing the project: try again when it has finished
EXIT_OUTPUT = 6  # an output (print, package, export, backup) cannot be written where asked
EXIT_SERVER = 7  # the shared server cannot be reached or refuses the login
EXIT_DENIED = 8  # the database user's role does not allow it
EXIT_SETUP = 9  # this computer lacks a system library or font the window or printing needs
EXIT_CANCELLED = 130
EXIT_BUG = 70


class GridmgrError(Exception):
    """Base of every error meant for the user."""

    exit_code = EXIT_USAGE
    title = "错误"


class UsageError(GridmgrError):
    """The request itself is wrong: unknown layer, bad option value, missing parents …"""


class InputFileError(GridmgrError):
    """An input file cannot be read or has no usable content."""

    exit_code = EXIT_INPUT
    title = "输入文件错误"


class ProjectError(GridmgrError):
    """The project file cannot be used as asked; the file is left as it was."""

    exit_code = EXIT_PROJECT
    title = "项目文件错误"


class ProjectNotFound(ProjectError):
    pass


class ProjectExists(ProjectError):
    pass


class NotAProject(ProjectError):
    pass


class CorruptProject(ProjectError):
    pass


class NewerSchema(ProjectError):
    pass


class ReadOnlyProject(ProjectError):
    pass


class ProjectBusy(ProjectError):
    """Another process held the project's write lock for longer than gridmgr waits (or wrote
    to it while this action was reading); nothing was written, running again will work."""

    exit_code = EXIT_BUSY
    title = "项目正被占用"


class ProjectChanged(ProjectBusy):
    """Another process wrote to the project between reading and writing: what was planned
    may no longer hold, so nothing was written."""


class OutputError(GridmgrError):
    """An output cannot be written where asked (disk full, read-only folder); nothing was left
    under its name and the project is as it was."""

    exit_code = EXIT_OUTPUT
    title = "无法写入输出文件"


class ServerError(ProjectError):
    """The shared server cannot be reached, refuses the login, or lacks PostGIS."""

    exit_code = EXIT_SERVER
    title = "服务器错误"


class LoginRefused(ServerError):
    """The server refused the login: no password given, or a wrong one (the window asks)."""


class PermissionDenied(ProjectError):
    """The database refused: the user's role does not allow this (row-level security)."""

    exit_code = EXIT_DENIED
    title = "没有权限"


class SetupError(GridmgrError):
    """The computer lacks something gridmgr needs from the system (a library Qt loads, a
    Chinese font); the message says what to install on this OS (:mod:`gridmgr.platforms`)."""

    exit_code = EXIT_SETUP
    title = "缺少系统组件"


class Cancelled(GridmgrError):
    """The user cancelled long work; nothing was written."""

    exit_code = EXIT_CANCELLED
    title = "已取消"
