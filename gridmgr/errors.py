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
EXIT_SERVER = 6  # the shared server cannot be reached or refuses the login
EXIT_DENIED = 7  # the database user's role does not allow it
EXIT_CHANGED = 8  # another desk changed the record first
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


class ServerError(ProjectError):
    """The shared server cannot be reached, refuses the login, or lacks PostGIS."""

    exit_code = EXIT_SERVER
    title = "服务器错误"


class PermissionDenied(ProjectError):
    """The database refused: the user's role does not allow this (row-level security)."""

    exit_code = EXIT_DENIED
    title = "没有权限"


class ChangedElsewhere(ProjectError):
    """Another desk changed the record between reading and writing it; nothing was written."""

    exit_code = EXIT_CHANGED
    title = "记录已被他人修改"


class Cancelled(GridmgrError):
    """The user cancelled long work; nothing was written."""

    exit_code = EXIT_CANCELLED
    title = "已取消"
