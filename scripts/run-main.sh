#!/bin/sh
# The main job of `make run`: replays the historical scenario once and draws
# its plots.  Usage: run-main.sh PATH-TO-ALIGNSIM
set -eu
bin=${1:-build/alignsim}
"$bin" run scenarios/historical.cfg -o out/historical
scripts/plots.sh out/historical
echo "results and plots are in out/historical"
