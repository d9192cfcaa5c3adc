#!/usr/bin/env bash
# Builds the self-contained folder (scripts/build-bundle.sh) and runs it the way a bureau PC
# would: a clean environment (no .venv, no PYTHONPATH, PATH=/usr/bin:/bin, HOME an empty temp
# folder), working in a temp folder.  Checks what each command produced, not just that it ran.
# Usage: bash scripts/test-bundle.sh [--no-build]   (--no-build: test the folder already in dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then bash scripts/build-bundle.sh --no-setup; fi
BUNDLE=$PWD/dist/gridmgr
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home"
run_program() {  # a bundled program, nothing of this checkout or its virtualenv in reach
  local program=$1; shift
  (cd "$T" && env -i PATH=/usr/bin:/bin HOME="$T/home" LANG=C.UTF-8 \
     ${FONTCONFIG_FILE:+FONTCONFIG_FILE="$FONTCONFIG_FILE"} QT_QPA_PLATFORM=offscreen \
     QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu" "$BUNDLE/$program" "$@")
}
run() { run_program gridmgr "$@"; }
fail() { echo "bundle test FAILED: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }

t0=$(date +%s)
run -q demo --out demo.gpkg > "$T/demo.txt" || fail "demo: $(cat "$T/demo.txt")"
grep -q "演示项目已建好" "$T/demo.txt" || fail "demo printed: $(cat "$T/demo.txt")"
run info demo.gpkg --json > "$T/info.json"
cells=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["areas"]["cell"])' "$T/info.json")
[ "$cells" -gt 1000 ] || fail "demo has $cells cells"
ok "demo: $cells cells ($(( $(date +%s) - t0 )) s)"

run -q print demo.gpkg --out map.pdf --paper A4 > /dev/null
text=$(pdftotext "$T/map.pdf" - 2>/dev/null | tr -d ' \n')
case "$text" in *禅城区*) ;; *) fail "print: no 禅城区 in the PDF";; esac
ok "print: map.pdf $(du -k "$T/map.pdf" | cut -f1) KB, Chinese text searchable"

run -q fieldpack export demo.gpkg --officer CC0042 --out pack.zip --json > "$T/pack.json"
pcells=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["cells"])' "$T/pack.json")
[ "$pcells" -gt 0 ] && [ -s "$T/pack.zip" ] || fail "fieldpack: $pcells cells"
ok "fieldpack export: $pcells cells for CC0042"

run info --fonts > "$T/fonts.txt"
grep -q "中文字体" "$T/fonts.txt" || fail "fonts: $(cat "$T/fonts.txt")"
ok "fonts: $(cat "$T/fonts.txt")"

# a bureau PC with no Chinese font at all: the bundle's own font prints and is named
mkdir -p "$T/nofonts" "$T/fc-cache"
printf '<?xml version="1.0"?><fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>' \
  "$T/nofonts" "$T/fc-cache" > "$T/nofonts.conf"
export FONTCONFIG_FILE="$T/nofonts.conf"
run info --fonts > "$T/fonts-none.txt"
grep -q "gridmgr Sans SC" "$T/fonts-none.txt" || fail "no fonts: $(cat "$T/fonts-none.txt")"
run -q print demo.gpkg --out nofont.pdf --paper A4 > /dev/null
pdffonts "$T/nofont.pdf" | grep -q GridmgrSansSC || fail "no fonts: print did not use the shipped font"
case "$(pdftotext "$T/nofont.pdf" - 2>/dev/null | tr -d ' \n')" in *禅城区*) ;; *) fail "no fonts: no 禅城区";; esac
unset FONTCONFIG_FILE
ok "no Chinese font on the PC: printed with the shipped gridmgr Sans SC"

run gui demo.gpkg --screenshot window.png > "$T/gui.txt" 2>&1 || fail "gui: $(cat "$T/gui.txt")"
[ "$(stat -c %s "$T/window.png")" -gt 20000 ] || fail "gui: window.png too small"
grep -q "painted_ms=" "$T/gui.txt" || fail "gui: the map never painted: $(cat "$T/gui.txt")"
ok "gui --screenshot: $(grep -o 'painted_ms=[0-9]*' "$T/gui.txt")"
# the windowed launcher (no console on Windows) is the same program opening the window
run_program gridmgr-desktop demo.gpkg --screenshot desktop.png > "$T/desk.txt" 2>&1 \
  || fail "gridmgr-desktop: $(cat "$T/desk.txt")"
[ "$(stat -c %s "$T/desktop.png")" -gt 20000 ] || fail "gridmgr-desktop: no window"
ok "gridmgr-desktop --screenshot: the window"
if [ -n "${BUNDLE_SHOT:-}" ]; then cp "$T/window.png" "$BUNDLE_SHOT"; fi
echo "bundle: $passed passed, 0 failed"
