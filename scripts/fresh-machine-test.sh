#!/bin/sh
# fresh-machine-test.sh - the README's two commands on the reference fresh
# machine: a minimal Debian (debootstrap --variant=minbase) with only git and
# make installed, as root.  Clones this repository's HEAD into the chroot
# and runs `make test` and then `make run` there; scripts/ensure-deps.sh must
# install everything else (the C library headers included) by itself.
#
#   scripts/fresh-machine-test.sh [CHROOT] [MIRROR]
#     CHROOT  where the machine is made (default /tmp/alignsim-fresh; it is
#             removed first, and left behind for inspection)
#     MIRROR  Debian mirror (default http://deb.debian.org/debian)
#
# Needs root and the network to reach the mirror; uses the system's
# debootstrap, or else downloads Debian's debootstrap package with
# `apt-get download` and runs it from a temporary folder without installing
# it.  Takes about five minutes.  Exit status: 0 both commands succeeded,
# 1 one failed (see its output), 2 usage or no way to make the machine.
set -eu
root=${1:-/tmp/alignsim-fresh}
mirror=${2:-http://deb.debian.org/debian}
suite=bookworm
top=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine-test.sh: run as root (debootstrap and chroot)" >&2; exit 2; }
case $root in /|"") echo "fresh-machine-test.sh: refusing CHROOT '$root'" >&2; exit 2 ;; esac

tools=$(mktemp -d "${TMPDIR:-/tmp}/alignsim-debootstrap.XXXXXX")
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$tools"
}
trap cleanup EXIT INT TERM

if command -v debootstrap >/dev/null 2>&1; then
    debootstrap=debootstrap
else
    (cd "$tools" && apt-get download debootstrap >/dev/null 2>&1) ||
        { echo "fresh-machine-test.sh: no debootstrap, and apt-get download debootstrap failed" >&2; exit 2; }
    dpkg -x "$tools"/debootstrap_*.deb "$tools/root"
    export DEBOOTSTRAP_DIR="$tools/root/usr/share/debootstrap"
    debootstrap="$tools/root/usr/sbin/debootstrap"
fi

rm -rf "$root"
echo "== debootstrap --variant=minbase $suite $root"
"$debootstrap" --variant=minbase "$suite" "$root" "$mirror" >"$tools/debootstrap.log" 2>&1 ||
    { tail -n 20 "$tools/debootstrap.log" >&2; exit 2; }
mount -t proc proc "$root/proc"
echo "== apt-get install git make"
chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git make >/dev/null' ||
    exit 2
git clone -q "$top" "$root/root/alignsim"

status=0
for target in test run; do
    echo "== make $target (in the chroot)"
    if chroot "$root" sh -c "cd /root/alignsim && make $target"; then
        echo "== make $target: ok"
    else
        echo "== make $target: FAILED"
        status=1
    fi
done
exit $status
