#!/usr/bin/env bash
# Sets up everything gridmgr needs on a fresh Debian machine, and nothing twice:
#   - Debian packages the desktop and the tests use, when missing (CJK fonts for maps and
#     printing, poppler-utils to look at PDFs, GDAL's own tools and GeoPackage validator,
#     the libraries Qt needs to run offscreen);
#   - a virtual environment in .venv with gridmgr installed (editable) and its test tools,
#     at the versions of constraints.txt (a reproducible install).
# Safe to run again: it only installs what is missing or what setup.cfg changed.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  fonts-noto-cjk      # Chinese text in the window, maps and PDFs
  poppler-utils       # pdftoppm/pdftotext/pdffonts: tests look at printed pages
  gdal-bin            # ogrinfo: check project files with GDAL's own tools
  python3-gdal        # GDAL's GeoPackage validator (validate_gpkg.py), used by the tests
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0  # Qt offscreen
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0  # Qt on an X
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0  # display
  xvfb xauth          # a virtual X display: tests open the real window on it
  postgresql postgresql-postgis  # the shared server (PostGIS 3): tests start a throwaway cluster
  python3-qgis        # QGIS's own Python bindings: tests open the styles and the QField project
)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
PY=${PYTHON:-python3}
# Debian's own python3 has no venv/ensurepip without python3-venv
if [ "$(command -v "$PY")" = /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import ensurepip' 2>/dev/null
then
  missing+=(python3-venv)
fi
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: gridmgr needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.gridmgr-installed
want=$(cat setup.cfg pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing gridmgr and its dependencies into .venv (log: .venv/install.log)"
  if ! { .venv/bin/python -m pip install --upgrade pip &&
         .venv/bin/python -m pip install -c constraints.txt -e ".[test]"; } > .venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "setup: pip install failed; full log in .venv/install.log" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
