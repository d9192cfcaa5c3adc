#!/usr/bin/env bash
# Builds the wheel a `pip install` would get and checks that it carries what an install with no
# checkout needs: the demo district (package data, read through importlib.resources), Leaflet,
# the shipped CJK font, the English interface and both launchers (console and gui_scripts).
# Then builds the demo from the wheel's own files — gridmgr imported from the unpacked wheel,
# not from this checkout — with .venv's dependencies, in a temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "wheel test FAILED: $*" >&2; exit 1; }
.venv/bin/python -m pip wheel -q --no-deps -c constraints.txt -w "$T/dist" . > "$T/build.log" 2>&1 \
  || { tail -20 "$T/build.log"; fail "pip wheel"; }
whl=$(ls "$T"/dist/gridmgr-*.whl)
.venv/bin/python - "$whl" <<'PY' || fail "contents"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["gridmgr/data/demo/chancheng/communities.geojson", "gridmgr/data/demo/cases.csv",
        "gridmgr/data/demo/chancheng/enterprises.xlsx", "maps/vendor/leaflet/leaflet.js",
        "maps/fonts/GridmgrSansSC-Regular.otf", "maps/fonts/OFL.txt", "ui/i18n/gridmgr_en.qm"]
missing = [n for n in need if n not in names]
ep = next(n for n in names if n.endswith("entry_points.txt"))
text = zipfile.ZipFile(sys.argv[1]).read(ep).decode()
if missing or "[gui_scripts]" not in text or "gridmgr-desktop" not in text:
    sys.exit(f"missing: {missing}, entry points: {text}")
PY
.venv/bin/python -m pip install -q --no-deps --target "$T/site" "$whl" > /dev/null
(cd "$T" && QT_QPA_PLATFORM=offscreen "$REPO/.venv/bin/python" - "$T/site" <<'PY') || fail "demo from the wheel"
import sys
site = sys.argv[1]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, site)
import gridmgr
assert gridmgr.__file__.startswith(site), gridmgr.__file__
from gridmgr.demo import data_dir
assert str(data_dir()).startswith(site), data_dir()
from gridmgr.cli import main
code = main(["-q", "demo", "--out", "demo.gpkg"])
assert code == 0, code
import json, io, contextlib
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    main(["info", "demo.gpkg", "--json"])
info = json.loads(buf.getvalue())
assert info["areas"]["cell"] > 1000 and info["enterprises"] == 3000, info
print(f"ok: wheel {sys.argv[1]}: demo built from the wheel's data, {info['areas']['cell']} cells")
PY
echo "wheel: $(basename "$whl") passed"
