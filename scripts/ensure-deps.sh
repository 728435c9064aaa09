#!/bin/sh
# Checks that alignsim can be built here and installs what is missing.
#
#   scripts/ensure-deps.sh [--check] [plots] [mpi] [valgrind] [fuzz] [browser]
#
# The build needs make, a C compiler that can compile AND link a program
# (a compiler without the C library headers cannot: Debian's gcc alone
# lacks libc6-dev), pkg-config, and the libraries GSL, libconfig, cmocka
# and Random123.  Each library is checked the way the build uses it: a
# small program that includes its header and calls it is compiled and
# linked with $CC (default cc) and the flags pkg-config gives.  Wants:
#   plots     gnuplot (make plots, make run, alignsim report)
#   mpi       Open MPI (mpicc, mpirun) for make MPI=1
#   valgrind  valgrind (make valgrind)
#   fuzz      clang with libFuzzer (make fuzz)
#   browser   chromium, to test the report in a browser (test_report)
#
# What is missing is named (the library and its Debian package), never
# shown as compiler errors.  As root the packages are installed with
# apt-get and the checks run again; otherwise, or with --check, the exact
# command is printed and nothing is installed.  Exit status: 0 everything
# is there (or was installed); 1 something is missing; 2 usage.
set -u

me=ensure-deps.sh
check_only=0
wants=""
for a in "$@"; do
    case "$a" in
    --check) check_only=1 ;;
    plots|mpi|valgrind|fuzz|browser) wants="$wants $a" ;;
    *) echo "$me: unknown option '$a' (expected --check, plots, mpi, valgrind, fuzz, browser)" >&2
       exit 2 ;;
    esac
done

CC=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/alignsim-deps.XXXXXX") || { echo "$me: cannot create a temporary folder" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT INT TERM

# try NAME FLAGS... : compiles and links $work/NAME.c with $CC; true when
# it builds.  The compiler's messages go to $work/NAME.log.
try() {
    name=$1
    shift
    # shellcheck disable=SC2068
    $CC "$work/$name.c" -o "$work/$name" $@ >"$work/$name.log" 2>&1
}

# try_bg NAME FLAGS... : try in the background; built NAME tells, after
# `wait`, whether it built.
try_bg() {
    name=$1
    rm -f "$work/$name.ok"
    ( try "$@" && : >"$work/$name.ok" ) &
}
built() {
    [ -f "$work/$1.ok" ]
}

# pkgflags PKG FALLBACK: the compile and link flags of a library from
# pkg-config, or FALLBACK when pkg-config is missing or does not know it.
pkgflags() {
    if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1" 2>/dev/null; then
        pkg-config --cflags --libs "$1"
    else
        echo "$2"
    fi
}

missing=""   # "what (package)" entries, separated by newlines
pkgs=""
need() {     # need WHAT PACKAGE
    missing="$missing
  $1 ($2)"
    case " $pkgs " in *" $2 "*) ;; *) pkgs="$pkgs $2" ;; esac
}

run_checks() {
    missing=""
    pkgs=""
    command -v make >/dev/null 2>&1 || need "make" make
    command -v pkg-config >/dev/null 2>&1 || need "pkg-config" pkg-config
    cat >"$work/libc.c" <<'EOF'
#include <stdio.h>
#include <math.h>
int main(void) { printf("%g\n", sqrt(2.0)); return 0; }
EOF
    if ! command -v "$CC" >/dev/null 2>&1 || ! try libc -lm; then
        # No compiler, or one that cannot build a program (the C library's
        # headers and start files are missing).  The libraries cannot be
        # tried without one: their headers tell which are missing, and
        # the next round of checks, after installing, tries them.
        if command -v "$CC" >/dev/null 2>&1; then
            need "the C library headers ($CC cannot build a program)" build-essential
        else
            need "a C compiler ($CC)" build-essential
        fi
        [ -f /usr/include/gsl/gsl_rng.h ] || need "GSL, the GNU Scientific Library" libgsl-dev
        [ -f /usr/include/libconfig.h ] || need "libconfig" libconfig-dev
        [ -f /usr/include/cmocka.h ] || need "cmocka, the unit-test library" libcmocka-dev
        [ -f /usr/include/Random123/philox.h ] || need "Random123, the counter-based generators" librandom123-dev
        check_wants
        return
    fi

    cat >"$work/gsl.c" <<'EOF'
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
int main(void) { gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937); double x = gsl_ran_gaussian(r, 1.0); gsl_rng_free(r); return x > 100.0; }
EOF
    # The four libraries are tried at once (each check is a compiler run).
    # shellcheck disable=SC2046
    try_bg gsl $(pkgflags gsl "-lgsl -lgslcblas -lm")

    cat >"$work/libconfig.c" <<'EOF'
#include <libconfig.h>
int main(void) { config_t c; config_init(&c); config_destroy(&c); return 0; }
EOF
    # shellcheck disable=SC2046
    try_bg libconfig $(pkgflags libconfig "-lconfig")

    cat >"$work/cmocka.c" <<'EOF'
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
static void t(void **s) { (void)s; assert_true(1); }
int main(void) { const struct CMUnitTest ts[] = { cmocka_unit_test(t) }; return cmocka_run_group_tests(ts, NULL, NULL); }
EOF
    # shellcheck disable=SC2046
    try_bg cmocka $(pkgflags cmocka "-lcmocka")

    cat >"$work/random123.c" <<'EOF'
#include <Random123/philox.h>
int main(void) { philox4x64_ctr_t c = {{0, 0, 0, 0}}; philox4x64_key_t k = {{1, 2}}; philox4x64_ctr_t r = philox4x64(c, k); return r.v[0] == 0; }
EOF
    try_bg random123
    wait
    built gsl || need "GSL, the GNU Scientific Library" libgsl-dev
    built libconfig || need "libconfig" libconfig-dev
    built cmocka || need "cmocka, the unit-test library" libcmocka-dev
    built random123 || need "Random123, the counter-based generators" librandom123-dev
    check_wants
}

# The wants given on the command line.
check_wants() {
    for want in $wants; do
        case "$want" in
        plots)
            command -v gnuplot >/dev/null 2>&1 || need "gnuplot" gnuplot-nox ;;
        mpi)
            command -v mpicc >/dev/null 2>&1 || need "Open MPI's compiler wrapper mpicc" libopenmpi-dev
            command -v mpirun >/dev/null 2>&1 || need "Open MPI's mpirun" openmpi-bin ;;
        valgrind)
            command -v valgrind >/dev/null 2>&1 || need "valgrind" valgrind ;;
        fuzz)
            # clang alone lacks the libFuzzer runtime (libclang-rt-dev).
            if ! command -v clang >/dev/null 2>&1; then
                need "clang" clang
                need "libFuzzer" libclang-rt-dev
            else
                printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
                    >"$work/fuzz.c"
                clang -fsanitize=fuzzer "$work/fuzz.c" -o "$work/fuzz" >"$work/fuzz.log" 2>&1 ||
                    need "libFuzzer (clang -fsanitize=fuzzer)" libclang-rt-dev
            fi ;;
        browser)
            command -v chromium >/dev/null 2>&1 || need "chromium, to test the report in a browser" chromium ;;
        esac
    done
}

# Check, install what is missing, check again: a compiler that could not
# build anything hides which libraries are missing until it can.
installed=""
for round in 1 2 3; do
    run_checks
    [ -z "$missing" ] && exit 0
    for p in $pkgs; do
        case " $installed " in
        *" $p "*) echo "alignsim: still missing after installing $p:$missing" >&2
                  exit 1 ;;
        esac
    done
    echo "alignsim: missing:$missing" >&2
    cmd="apt-get install -y --no-install-recommends$pkgs"
    if [ "$check_only" -eq 1 ] || [ "$(id -u)" -ne 0 ]; then
        echo "alignsim: install them with:  sudo apt-get update && sudo $cmd" >&2
        exit 1
    fi
    echo "alignsim: installing (round $round):$pkgs" >&2
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$installed" ]; then
        apt-get update -qq >&2 || { echo "alignsim: apt-get update failed" >&2; exit 1; }
    fi
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $pkgs >&2 || { echo "alignsim: '$cmd' failed" >&2; exit 1; }
    installed="$installed$pkgs"
done
echo "alignsim: still missing:$missing" >&2
exit 1
