#!/usr/bin/env bash
# Install everything unmask needs on a fresh Debian (bookworm) machine, as root: Debian packages,
# npm packages (native canvas/gl built from source), the TypeScript build. Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PACKAGES=(
  build-essential pkg-config python3
  libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libpixman-1-dev
  libxi-dev libglu1-mesa-dev libglew-dev libgl1-mesa-dri libgl-dev libx11-dev libxext-dev
  xvfb xauth
  jupyter-nbconvert jupyter-client python3-nbclient python3-nbformat
  chromium
  python-is-python3
  # External references the tests call (checked by test/project/dependencies.test.ts):
  python3-yaml python3-numpy python3-scipy python3-pydicom python3-gdcm python3-vtk9 python3-nibabel
  python3-opencv python3-skimage opencv-data
  dcmtk libgdcm-tools dicom3tools dcm2niix
  redis-server tesseract-ocr tesseract-ocr-eng python3-pil
)
# (bench/run.sh also installs the Python comparison packages it needs, when run on its own.)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm ci only when the lockfile changed since the last install (node_modules/.package-lock.json is npm's own record).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -e node_modules/gl/build/Release/webgl.node ]; then
  echo "setup: npm ci (builds canvas and gl from source; a few minutes the first time)"
  JOBS=max npm ci --no-audit --no-fund
fi
npm run --silent build
echo "setup: ready (kernel spec: jupyter/kernels/tslab, used with JUPYTER_PATH=$PWD/jupyter)"
