#!/bin/sh
# Checks that the build dependencies of alignsim are present and installs the
# missing ones with apt-get when running as root; otherwise prints the exact
# command to run and fails.  Usage: ensure-deps.sh [mpi] [plots] [valgrind] [fuzz]
#   mpi       also require Open MPI (mpicc, mpirun)
#   plots     also require gnuplot
#   valgrind  also require valgrind (make valgrind)
#   fuzz      also require clang with libFuzzer (make fuzz)
set -u
need_pkgs=""
add() { need_pkgs="$need_pkgs $1"; }

command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || add gcc
command -v make >/dev/null 2>&1 || add make
if ! command -v pkg-config >/dev/null 2>&1; then
    add pkg-config
    # Without pkg-config the library checks below cannot run; assume all missing.
    add libgsl-dev; add libconfig-dev; add libcmocka-dev
else
    pkg-config --exists gsl || add libgsl-dev
    pkg-config --exists libconfig || add libconfig-dev
    pkg-config --exists cmocka || add libcmocka-dev
fi
# Random123 is header-only (the random streams, sim/stats/rng.c).
[ -f /usr/include/Random123/philox.h ] || add librandom123-dev
for want in "$@"; do
    case "$want" in
    mpi)   command -v mpicc >/dev/null 2>&1 || add libopenmpi-dev
           command -v mpirun >/dev/null 2>&1 || add openmpi-bin ;;
    plots) command -v gnuplot >/dev/null 2>&1 || add gnuplot-nox ;;
    valgrind) command -v valgrind >/dev/null 2>&1 || add valgrind ;;
    fuzz)  # clang alone lacks the libFuzzer runtime (libclang-rt-dev).
           if ! command -v clang >/dev/null 2>&1; then
               add clang; add libclang-rt-dev
           elif ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' |
                   clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then
               add libclang-rt-dev
           fi ;;
    *)     echo "ensure-deps.sh: unknown option '$want'" >&2; exit 2 ;;
    esac
done

[ -z "$need_pkgs" ] && exit 0

cmd="apt-get install -y --no-install-recommends$need_pkgs"
if [ "$(id -u)" -ne 0 ]; then
    echo "alignsim: missing build dependencies:$need_pkgs" >&2
    echo "alignsim: install them with:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "alignsim: installing missing dependencies:$need_pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || { echo "alignsim: apt-get update failed" >&2; exit 1; }
$cmd >&2 || { echo "alignsim: '$cmd' failed" >&2; exit 1; }
exit 0
