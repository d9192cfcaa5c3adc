"""The ``gridmgr`` command line.  Every command calls the same functions the desktop calls.

Exit codes (see :mod:`gridmgr.errors`): 0 done/clean, 1 a check found problems or an import
refused rows, 2 bad command line, 3 unusable input file, 4 unusable project file, 5 another
process is writing the project (try again), 6 an output cannot be written there (disk full,
read-only folder), 130 cancelled.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from .. import __version__, messages, platforms
from ..errors import EXIT_BUG, EXIT_CANCELLED, EXIT_OK, GridmgrError
from . import cases, export, fieldpack, grid, printing, project, registers, server, stats


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridmgr", description="网格化管理：项目、网格、导入导出")
    p.add_argument("--version", action="version", version=f"gridmgr {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], help="消息语言（默认中文）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (project, grid, registers, export, printing, cases, stats, fieldpack, server):
        group.register(sub)
    _quiet_everywhere(sub)
    return p


def _quiet_everywhere(sub: argparse._SubParsersAction) -> None:
    """``-q`` after the command too (``gridmgr grid generate P -q``): every command accepts it,
    without overriding a ``-q`` given before the command."""
    for parser in sub.choices.values():
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for n in nested:
                _quiet_everywhere(n)
        elif not any("-q" in a.option_strings for a in parser._actions):
            parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                                help="不显示进度")


class _Notices(logging.Handler):
    """Warnings of the core (an interrupted action undone on open) as a line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"注意：{record.getMessage()}", file=sys.stderr)


def _show_notices() -> None:
    log = logging.getLogger("gridmgr")
    if not any(isinstance(h, _Notices) for h in log.handlers):
        log.addHandler(_Notices(logging.WARNING))
        log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    platforms.safe_console(sys.stdout, sys.stderr)  # a GBK console: ² and 𬌗 do not crash
    _show_notices()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the reason (or the help)
        return int(exc.code or 0)
    if args.lang:
        messages.set_language(args.lang)
    try:
        return int(args.func(args))
    except GridmgrError as exc:
        print(f"{exc.title}：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已取消，项目未改变", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit does not fail again
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, keep the traceback for the report
        from ..storage import explain_failure

        known = explain_failure(exc)  # a damaged file or a lock is not a bug
        if known is not None:
            print(f"{known.title}：{known}", file=sys.stderr)
            return known.exit_code
        import traceback

        traceback.print_exc()
        print(f"内部错误（请报告）：{exc}", file=sys.stderr)
        return EXIT_BUG


def desktop() -> int:
    """``gridmgr-desktop``: the window, from a launcher with no console (gui_scripts, the
    bundle's windowed executable).  There stdout/stderr may be None: give them somewhere."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    return main(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
