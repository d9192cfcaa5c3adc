"""The bundle's entry points: ``gridmgr`` (console) and ``gridmgr-desktop`` (no console).

PyInstaller freezes this file twice (packaging/gridmgr.spec); the executable's name says which
one runs, so both share one folder of libraries.
"""

import sys
from pathlib import Path

from gridmgr.cli import desktop, main

if __name__ == "__main__":
    if Path(sys.executable).stem.lower().endswith("desktop"):
        sys.exit(desktop())
    sys.exit(main())
