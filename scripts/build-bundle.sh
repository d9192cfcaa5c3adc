#!/usr/bin/env bash
# Builds the self-contained gridmgr folder: dist/gridmgr/ with the `gridmgr` and
# `gridmgr-desktop` executables, Python, Qt and QtWebEngine, GDAL/PROJ data, Leaflet and the
# last-resort CJK font.  It runs with no Python, no virtualenv and no apt packages.
# PyInstaller builds for the OS it runs on: run this on Windows (Git Bash) or macOS for those
# (README.md, "A self-contained folder").  Usage: bash scripts/build-bundle.sh [--no-setup]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-setup" ]; then
  if [ -f scripts/setup.sh ] && command -v apt-get >/dev/null; then bash scripts/setup.sh; fi
fi
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=.venv/Scripts/python.exe; fi
if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
  echo "bundle: installing PyInstaller into .venv (constraints.txt)"
  "$PY" -m pip install -q -c constraints.txt ".[bundle]" >/dev/null
fi
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/gridmgr.spec
end=$(date +%s)
size=$(du -sm dist/gridmgr | cut -f1)
echo "bundle: dist/gridmgr built in $((end - start)) s, ${size} MB"
