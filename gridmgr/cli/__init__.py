"""The ``gridmgr`` command line: one module per command group, ``common`` for what they share.

May import everything in gridmgr; nothing in gridmgr imports it.  ``main`` builds the parser
from each group's ``register`` and maps the one exception hierarchy (:mod:`gridmgr.errors`) to
exit codes.
"""

from .entry import desktop, main

__all__ = ["desktop", "main"]
