#!/usr/bin/env bash
# Execute notebooks headless with the committed tslab kernel; outputs go to out/notebooks/.
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
exit $status
