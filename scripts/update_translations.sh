#!/usr/bin/env bash
# Refresh the English translation of the desktop from the tr() strings in ui/ and maps/.
#
#   bash scripts/update_translations.sh          # lupdate → ui/i18n/gridmgr_en.ts, lrelease → .qm
#   bash scripts/update_translations.sh --check  # change nothing; list what is untranslated,
#                                                # exit 1 if anything is
#
# lupdate merges: existing translations are kept, new strings arrive as type="unfinished",
# strings no longer in the code are dropped (-no-obsolete).  Translate the unfinished ones in
# the .ts (any text editor, or .venv/bin/pyside6-linguist) and run this script again: lrelease
# leaves unfinished entries out of the .qm (-nounfinished), so a half-done or stale translation
# never reaches the screen.  tests/test_i18n.py fails until every string is translated and the
# .qm matches the .ts.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
TS=ui/i18n/gridmgr_en.ts
QM=ui/i18n/gridmgr_en.qm

# every non-empty Python file of the desktop and the rendering layer (vendored JS is not ours);
# -extensions py: given several files, lupdate otherwise refuses .py as "no recognized extension"
mapfile -t sources < <(find ui maps -name '*.py' -not -empty -not -path '*/vendor/*' \
                       -not -path '*/__pycache__/*' | LC_ALL=C sort)

if [[ "${1:-}" == "--check" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cp "$TS" "$tmp/check.ts"
    "$VENV/bin/pyside6-lupdate" -silent -extensions py -no-obsolete -locations relative \
        "${sources[@]}" -ts "$tmp/check.ts"
    TS="$tmp/check.ts"
else
    "$VENV/bin/pyside6-lupdate" -extensions py -no-obsolete -locations relative \
        -source-language zh_CN -target-language en "${sources[@]}" -ts "$TS"
    "$VENV/bin/pyside6-lrelease" -nounfinished "$TS" -qm "$QM"
fi

# what still needs a translator: context and source of every unfinished message
"$VENV/bin/python" - "$TS" "${1:-}" <<'PY'
import sys
import xml.etree.ElementTree as ET

missing = [(ctx.findtext("name") or "", msg.findtext("source") or "")
           for ctx in ET.parse(sys.argv[1]).getroot().iter("context")
           for msg in ctx.iter("message")
           if msg.find("translation").get("type") in ("unfinished",)
           or not (msg.findtext("translation") or "").strip()]
for ctx, source in missing:
    print(f"untranslated  [{ctx or '(no context)'}]  {source}")
print(f"{len(missing)} string(s) to translate" if missing else "every string is translated")
sys.exit(1 if missing and sys.argv[2] == "--check" else 0)
PY
