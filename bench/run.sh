#!/usr/bin/env bash
# Run every benchmark (compiled by `npm run build` into build/bench) in turn under a virtual X display.
# The comparisons come from Debian's python3 packages; they are installed here when missing (as root),
# otherwise each benchmark says which are absent. BENCH=name runs only bench/name.bench.ts.
set -uo pipefail
cd "$(dirname "$0")/.."
PY_PACKAGES=(python3-skimage python3-vtk9 python3-opencv python3-matplotlib python3-pydicom python3-gdcm python3-scipy dcmtk)
missing=()
for p in "${PY_PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bench: installing comparison packages: ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null) || echo "bench: could not install ${missing[*]}; those comparisons will say absent"
  else
    echo "bench: missing ${missing[*]} (not root: not installing); those comparisons will say absent"
  fi
fi
status=0
for f in build/bench/*.bench.js; do
  name=$(basename "$f" .bench.js)
  if [ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ]; then continue; fi
  echo "=== bench: $name ==="
  xvfb-run -a -s "-screen 0 1280x1024x24" node --expose-gc "$f" || { echo "bench $name failed"; status=1; }
done
exit $status
