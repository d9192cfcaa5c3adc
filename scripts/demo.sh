#!/usr/bin/env bash
# The one command that sets everything up and runs the main job on the demo district (禅城区):
# builds out/chancheng-demo.gpkg from gridmgr/data/demo and opens the desktop window where there is a
# display; without one it says where the project is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gridmgr demo --out out/chancheng-demo.gpkg --gui "$@"
