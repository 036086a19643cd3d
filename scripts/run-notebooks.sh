#!/usr/bin/env bash
# Execute notebooks headless with the committed tslab kernel; outputs go to out/notebooks/, an HTML
# export of each executed notebook to out/notebooks/html/ with an index page (index.html) linking them.
# A notebook whose inputs (the notebook, the built library, the sample data) are unchanged since
# its last successful run is skipped, so re-running is quick. FORCE=1 re-executes everything.
# Usage: scripts/run-notebooks.sh [notebooks/NN-name.ipynb ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export JUPYTER_PATH="$ROOT/jupyter"
OUT="$ROOT/out/notebooks"
mkdir -p "$OUT/.stamps"
if [ $# -eq 0 ]; then set -- notebooks/*.ipynb; fi
lib_hash=$( (find lib/dist lib/assets -type f 2>/dev/null | sort | xargs cat; find data-samples -type f -printf '%p %s %T@\n' | sort) | sha256sum | cut -c1-16)
status=0
for nb in "$@"; do
  name=$(basename "$nb" .ipynb)
  stamp="$(sha256sum "$nb" | cut -c1-16)-$lib_hash"
  if [ "${FORCE:-0}" != 1 ] && [ -f "$OUT/$name.ipynb" ] && [ "$(cat "$OUT/.stamps/$name" 2>/dev/null)" = "$stamp" ]; then
    echo "$nb: up to date (out/notebooks/$name.ipynb)"
    continue
  fi
  echo "$nb: executing…"
  if /usr/bin/python3 scripts/execute-notebook.py "$nb" "$OUT"; then
    echo "$stamp" > "$OUT/.stamps/$name"
  else
    status=1
  fi
done
# HTML exports (nbconvert) of every executed notebook, then the index page. Each export is written
# to a temporary name and renamed, so a failed conversion never leaves half a page.
HTML="$OUT/html"
mkdir -p "$HTML"
for nb in notebooks/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  [ -f "$OUT/$name.ipynb" ] || continue
  if [ -f "$HTML/$name.html" ] && [ "$HTML/$name.html" -nt "$OUT/$name.ipynb" ]; then continue; fi
  if jupyter nbconvert --to html "$OUT/$name.ipynb" --output-dir "$HTML" --output ".$name.tmp" --log-level=WARN; then
    mv -f "$HTML/.$name.tmp.html" "$HTML/$name.html"
    echo "$nb: exported out/notebooks/html/$name.html"
  else
    rm -f "$HTML/.$name.tmp.html"
    echo "$nb: HTML export failed" >&2
    status=1
  fi
done
/usr/bin/python3 - "$HTML" <<'PY'
import html, json, os, sys
out = sys.argv[1]
rows = []
for f in sorted(os.listdir(out)):
    if not f.endswith(".html") or f == "index.html" or f.startswith("."):
        continue
    name = f[:-5]
    title = name
    try:
        nb = json.load(open(os.path.join(out, "..", name + ".ipynb"), encoding="utf-8"))
        md = next(("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"), "")
        first = next((l for l in md.splitlines() if l.startswith("#")), "")
        title = first.lstrip("#").strip() or name
    except (OSError, ValueError, StopIteration):
        pass
    size = os.path.getsize(os.path.join(out, f)) / 1e6
    rows.append(f'<li><a href="{html.escape(f)}">{html.escape(title)}</a> <small>({size:.1f} MB)</small></li>')
page = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>unmask notebooks</title></head>\n<body style="font-family:sans-serif">'
        '<h1>unmask notebooks (executed)</h1>\n<p>HTML exports of the executed notebooks; the interactive outputs work offline.</p>\n<ul>\n'
        + "\n".join(rows) + "\n</ul>\n</body></html>\n")
tmp = os.path.join(out, ".index.tmp")
open(tmp, "w", encoding="utf-8").write(page)
os.replace(tmp, os.path.join(out, "index.html"))
print(f"index: out/notebooks/html/index.html ({len(rows)} notebooks)")
PY
exit $status
