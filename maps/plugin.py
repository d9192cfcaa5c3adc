"""What the core may ask of maps/: reached through the ``gridmgr.renderers`` entry point.

The core (``gridmgr``) cannot import maps/ (see the import-linter contracts in setup.cfg);
:func:`gridmgr.renderers.renderer` loads this module by its entry point instead.  Each function
here takes plain paths and options, makes sure a QGuiApplication exists (offscreen is fine) and
returns what it wrote.
"""

from __future__ import annotations
