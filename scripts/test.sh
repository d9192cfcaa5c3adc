#!/usr/bin/env bash
# The one command that sets everything up and runs the whole test suite (CI runs exactly this).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
export QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu"
echo "== ruff"; .venv/bin/ruff check .
echo "== import contracts"; .venv/bin/lint-imports
echo "== pytest (file projects)"; .venv/bin/python -m pytest "$@"
# the same suite on the shared server: the fixtures' projects live in a throwaway
# PostgreSQL/PostGIS cluster the run starts on 127.0.0.1 and stops at the end
echo "== pytest (server projects)"; .venv/bin/python -m pytest --backend postgis "$@"
# what a bureau PC without Python gets: the wheel (pip install) and the self-contained folder
# (PyInstaller), each run from outside this checkout
echo "== wheel"; bash scripts/test-wheel.sh
echo "== self-contained folder"; bash scripts/test-bundle.sh
