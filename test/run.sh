#!/usr/bin/env bash
# Run the whole test suite (already compiled by `npm run build` into build/test) under a virtual X
# display, because headless WebGL (headless-gl) needs one. Extra args select test files.
set -euo pipefail
cd "$(dirname "$0")/.."
export JUPYTER_PATH="$PWD/jupyter"
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find build/test -name '*.test.js' | sort); fi
# A test that hangs fails after 10 minutes instead of stalling CI.
exec xvfb-run -a -s "-screen 0 1280x1024x24" node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
