#!/usr/bin/env bash
# (Started from ../shared/tools/fresh-check.sh; kept here so anyone with a clone can run it.)
# Fresh-machine check: build a clean Debian 12 root that holds only what a new machine of this
# project's kind has (fresh-check-base-packages.txt beside this script: its Debian packages; Node.js, npm and
# npm's own settings copied from this machine), put a clean clone of the repository's committed HEAD
# in it, and run the README's two commands there, each timed, logs kept. Nothing installed by hand
# on this machine is visible inside. Run as root from anywhere in the repository:
#   scripts/fresh-check.sh ["SETUP_CMD"] ["TEST_CMD"]
# Defaults: the README's two commands of today. KEEP=1 keeps the root for a look afterwards.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git rev-parse --show-toplevel) || { echo "run inside the repository"; exit 2; }
setup=${1:-"bash scripts/setup.sh && npm run notebooks"}; tests=${2:-"npm test"}
root=$(mktemp -d /var/tmp/fresh-root.XXXXXX); logs=$(mktemp -d /var/tmp/fresh-logs.XXXXXX)
cleanup() {
  for m in dev sys proc; do umount -R "$root/$m" 2>/dev/null; done
  [[ ${KEEP:-0} == 1 ]] && echo "root kept: $root" || rm -rf "$root"
}
trap cleanup EXIT
command -v mmdebstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq mmdebstrap >/dev/null; } || { echo "cannot install mmdebstrap"; exit 2; }
echo "fresh-check: building a clean Debian 12 root ($(wc -l < "$here/fresh-check-base-packages.txt") base packages) in $root"
SECONDS=0
mmdebstrap --variant=apt --include="$(paste -sd, "$here/fresh-check-base-packages.txt")" bookworm "$root" >"$logs/mmdebstrap.log" 2>&1 \
  || { echo "mmdebstrap failed: see $logs/mmdebstrap.log"; tail -5 "$logs/mmdebstrap.log"; exit 2; }
echo "fresh-check: root ready in ${SECONDS}s"
# Node.js and npm as this machine kind has them (the installed nodejs package's files: binary,
# headers for native addons, npm), with npm's global and user settings
if dpkg -s nodejs >/dev/null 2>&1; then
  dpkg -L nodejs | while read -r f; do [[ -f $f || -L $f ]] && echo "${f#/}"; done | tar -C / -cf - -T - | tar -C "$root" -xf -
else
  cp -a "$(readlink -f "$(command -v node)")" "$root/usr/bin/node"
  [[ -d /usr/include/node ]] && mkdir -p "$root/usr/include" && cp -a /usr/include/node "$root/usr/include/"
fi
mkdir -p "$root/usr/lib/node_modules" && cp -a /usr/lib/node_modules/. "$root/usr/lib/node_modules/"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"; ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
g=$(npm config get globalconfig); [[ -f $g ]] && { mkdir -p "$root$(dirname "$g")"; cp "$g" "$root$g"; }
u=$(npm config get userconfig); [[ -f $u ]] && { mkdir -p "$root$(dirname "$u")"; cp "$u" "$root$u"; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
# the machine's certificate settings (a new machine of this kind has them too): system bundle, local CAs,
# and the CA variables that point at files
cp -a /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null
[[ -d /usr/local/share/ca-certificates ]] && cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
passenv=()
for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR; do
  f=${!v:-}; [[ -n $f && -e $f ]] || continue
  mkdir -p "$root$(dirname "$f")"; cp -a "$f" "$root$(dirname "$f")/" 2>/dev/null; passenv+=("$v=$f")
done
# the committed state of the repository, and shared/ beside it as the project sees it
mkdir -p "$root/work"; git clone -q "$repo" "$root/work/repo"
[[ -d $repo/../shared ]] && cp -a "$repo/../shared" "$root/work/shared"
mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"; mount --rbind /dev "$root/dev"
rc=0
for i in 1 2; do
  if [[ $i == 1 ]]; then cmd=$setup; else cmd=$tests; fi
  SECONDS=0
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 CI=true "${passenv[@]}" \
    bash -c "cd /work/repo && $cmd" >"$logs/cmd$i.log" 2>&1; r=$?
  echo "fresh-check: '$cmd' exit $r in ${SECONDS}s (log $logs/cmd$i.log)"; tail -4 "$logs/cmd$i.log" | sed 's/^/    /'
  [[ $r == 0 ]] || rc=1
done
(cd "$root/work/repo" && git status --short | head -10 | sed 's/^/    stray: /')
exit $rc
