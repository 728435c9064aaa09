/*
 * help - usage texts.  Keep docs/alignsim.1 in step with this table.
 */
#include "cli/help.h"

#include <string.h>

static const struct {
    const char *name;
    const char *synopsis;
    const char *text;
} commands[] = {
    {"run", "run SCENARIO [-o DIR] [-s SEED] [--set PATH=VALUE]...",
     "Runs one replication of SCENARIO and writes a result folder (default\n"
     "out/NAME, NAME the scenario's name): scenario.cfg (the resolved scenario;\n"
     "running it again reproduces the folder), trajectory.tsv, events.tsv,\n"
     "milestones.tsv and ladder.tsv.  Prints the replay score: how many\n"
     "calibration targets the run hits within 1 and 2 years.\n"
     "\n"
     "  -o DIR             result folder\n"
     "  -s SEED            master seed (overrides the scenario's `seed`)\n"
     "  --set PATH=VALUE   override a setting by its libconfig path, e.g.\n"
     "                     --set actors.china.doctrine_cost=0.4; recorded in\n"
     "                     scenario.cfg\n"
     "  -q                 no progress or summary on stderr\n"},
    {"batch",
     "batch SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED] [--resume]\n"
     "                 [--only REP|FIRST-LAST] [-q] [--set PATH=VALUE]...",
     "Runs REPS replications of SCENARIO and writes a result folder (default\n"
     "out/NAME): scenario.cfg; summary.tsv (per year and dyad: mean, sd, 95%\n"
     "interval of the mean, q05/q50/q95 of x at mid-year, p_alliance);\n"
     "replications.tsv (per replication: rep, seed, alliance_year, reversal,\n"
     "reversal_onset and the value of every parameter drawn from a\n"
     "distribution); milestones.tsv (per target: median simulated date and\n"
     "error, shares met / within 1 / within 2 years); ladder.tsv.\n"
     "\n"
     "Replication R runs with seed mix64(SEED ^ mix64(R + golden ratio)), the\n"
     "top bit cleared; the seed of every replication is in replications.tsv,\n"
     "and `alignsim run SCENARIO -s <that seed>` replays it exactly.  The same\n"
     "R gets the same seed under every scenario (common random numbers).  The\n"
     "files are byte for byte the same for any -j and any number of MPI ranks.\n"
     "\n"
     "  -n REPS            replications (default 1000)\n"
     "  -j THREADS         worker threads (default: the processors online;\n"
     "                     1 per rank under mpirun)\n"
     "  -o DIR             result folder\n"
     "  -s SEED            master seed (overrides the scenario's `seed`)\n"
     "  --resume           continue the interrupted batch in DIR; the scenario,\n"
     "                     -n, -s and --set must be those it was started with\n"
     "                     (else exit 2); with no interrupted batch in DIR,\n"
     "                     exit 2.  The finished folder is byte for byte that\n"
     "                     of an uninterrupted run.\n"
     "  --only REP|FIRST-LAST\n"
     "                     replay only these replications of the batch, each\n"
     "                     as an `alignsim run` folder DIR/rep-R, identical to\n"
     "                     what `alignsim run SCENARIO -s <its seed>` writes\n"
     "  -q                 no progress line on stderr\n"
     "  --set PATH=VALUE   override a setting (recorded in the files)\n"
     "\n"
     "Ctrl-C (SIGINT) or SIGTERM stops the batch after the current\n"
     "replications: it saves its state in DIR/.batch.ckpt and exits with\n"
     "130 or 143, printing the command that continues it.  A second Ctrl-C\n"
     "quits at once.  After a crash or kill -9, --resume continues from the\n"
     "last checkpoint (taken after the first few blocks, then every 10 s).\n"
     "Starting a batch in a folder that holds an interrupted one is refused\n"
     "(exit 2): resume it, or delete DIR/.batch.ckpt.\n"
     "\n"
     "On a cluster: build with `make MPI=1` and run\n"
     "`mpirun -np K build/mpi/alignsim batch ...`; rank 0 writes the folder.\n"},
    {"claim",
     "claim SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED] [--resume]\n"
     "                 [-q] [--set PATH=VALUE]...",
     "Tests the claim that the scenario's outcome dyad (China-Russia) stays\n"
     "below alliance unless a fundamental reversal occurs.  Runs REPS\n"
     "replications of each condition with the same seeds (common random\n"
     "numbers): no_reversal (the scenario as it is), reversal (plus a\n"
     "`reversal` event: claim.third_power confronts claim.targets from\n"
     "claim.at for claim.duration years at claim.strength) and one condition\n"
     "per strength in claim.strengths.  The claim holds when\n"
     "  P(alliance by the horizon | no reversal)       < claim.bound_no_reversal\n"
     "  P(alliance within claim.window_years | reversal) > claim.bound_reversal\n"
     "each decided by an exact (Clopper-Pearson) interval at claim.confidence:\n"
     "HOLDS when the interval lies on the claimed side of the bound, FAILS on\n"
     "the other side, UNDECIDED when it contains the bound (the verdict then\n"
     "says how many replications would decide it).  A replication counts for\n"
     "the reversal condition when the model detected a reversal and the\n"
     "alliance formed 0 to window_years after its onset.  The scenario must\n"
     "name claim.third_power (defaults: docs/SCENARIO.md, `claim`).\n"
     "\n"
     "Prints the verdict and writes DIR (default out/NAME-claim): claim.tsv\n"
     "(condition, reps, p_alliance, ci_lo, ci_hi, bound, holds (1/0/NA), side,\n"
     "strength, alliances, reversals, allied_before, folder; a last row\n"
     "`claim` with the overall verdict), claim_curve.tsv (P against strength;\n"
     "the strength at which P passes one half, with its bracket, in the\n"
     "provenance), verdict.txt, scenario.cfg, the no_reversal batch's\n"
     "summary.tsv, milestones.tsv and ladder.tsv, and each condition's batch\n"
     "in DIR/conditions/NAME.  Plot: scripts/plots.sh DIR (claim.png).\n"
     "\n"
     "  -n REPS            replications per condition (default 1000)\n"
     "  -j THREADS         worker threads (default: the processors online)\n"
     "  -o DIR             result folder\n"
     "  -s SEED            master seed (overrides the scenario's `seed`)\n"
     "  --resume           reuse the conditions already finished in DIR and\n"
     "                     continue an interrupted one\n"
     "  -q                 no progress line on stderr\n"
     "  --set PATH=VALUE   override a setting, e.g. --set 'claim.third_power=\"us\"'\n"
     "                     or --set claim.strengths=[1.0,2.0,3.0]\n"
     "\n"
     "Exit status 0 whatever the verdict; 2 for a scenario without\n"
     "claim.third_power; 130/143 after Ctrl-C/SIGTERM (finished conditions are\n"
     "kept: rerun with --resume).\n"},
    {"compare", "compare DIR_A DIR_B [DIR_C...] [-o DIR] [-j THREADS] [-q]",
     "Puts result folders side by side: batches (summary.tsv) or runs\n"
     "(trajectory.tsv), of one kind, written by the same program version and\n"
     "covering the same dyads and years (else exit 2 with what differs).\n"
     "Every folder is compared with A.  Writes DIR/compare.tsv (default\n"
     "out/compare-NAME_A-NAME_B) with, per year and dyad: mean_A, mean_B, diff\n"
     "(B - A), ci_lo, ci_hi, q05_A, q95_A, q05_B, q95_B, p_alliance_A,\n"
     "p_alliance_B, p_diff, p_ci_lo, p_ci_hi, and for C, D, ...: mean_X,\n"
     "diff_X, ci_lo_X, ci_hi_X, q05_X, q95_X, p_alliance_X, p_diff_X,\n"
     "p_ci_lo_X, p_ci_hi_X (differences X - A).\n"
     "\n"
     "Intervals (95%; `# method:` in the file): paired when both batches have\n"
     "the same master seed and number of replications (common random numbers):\n"
     "both scenario.cfg files are re-run replication by replication and the\n"
     "differences accumulated exactly, after checking that the re-run\n"
     "reproduces the folders; Welch from the two summaries otherwise; none for\n"
     "single runs.\n"
     "\n"
     "Prints a table for the projector: China-Russia, China-US and Russia-US\n"
     "at 1950, 1960, 1969, 1980, 1989, 1996, 2001, 2015, 2019, 2025 and the\n"
     "last year (* marks a difference whose interval excludes zero), their\n"
     "P(alliance) where it differs, and the settings that differ between the\n"
     "folders' scenario.cfg files.\n"
     "Plot: scripts/plots.sh DIR (compare_DYAD.png).\n"
     "\n"
     "  -o DIR             result folder\n"
     "  -j THREADS         threads for the paired re-run (default: the\n"
     "                     processors online; the result is the same for any)\n"
     "  -q                 no progress line on stderr\n"},
    {"sweep", "sweep SWEEP [-n REPS] [-j THREADS] [-o DIR] [--resume] [--list] [-q]",
     "Runs a parameter sweep.  SWEEP is a libconfig file naming a scenario\n"
     "(relative to the sweep file) and parameters by their paths, with a design:\n"
     "  design = \"grid\";   values = [0.0, 0.3, 0.6] or values = \"2:1:6\"\n"
     "                     (start:step:end) per parameter; every combination\n"
     "  design = \"lhs\";    min, max per parameter, points = N: a Latin hypercube\n"
     "  design = \"sobol\";  min, max per parameter, points = N: GSL's Sobol sequence\n"
     "Each design point is the scenario with the values set as --set overrides,\n"
     "run as a batch of REPS replications in DIR/points/NNN (summary.tsv,\n"
     "replications.tsv, milestones.tsv, scenario.cfg).  DIR/sweep.tsv has one\n"
     "row per point: the values, seed, p_alliance with its Clopper-Pearson 95%\n"
     "interval (ci_lo, ci_hi), l5_share and l5_year (mean year China-Russia\n"
     "first reaches label 5 after outcome.alliance_after, with its 95% interval),\n"
     "replay_score (mean share of targets met within 2 years), replay_within1.\n"
     "\n"
     "A point's seed is a hash of the scenario's seed and the point's parameter\n"
     "paths and values, and replication R runs with the batch seed of R under\n"
     "it: adding points, values or replications never changes the results of\n"
     "the points a sweep already had.  Files are the same for any -j and any\n"
     "number of MPI ranks.  Ctrl-C (SIGTERM) stops after the current\n"
     "replications (exit 130, 143); --resume takes the finished points back from\n"
     "DIR/.sweep.journal and continues the interrupted one from its checkpoint.\n"
     "\n"
     "  -n REPS            replications per point (default: the file's `reps`, 100)\n"
     "  -j THREADS         worker threads (default: the processors online)\n"
     "  -o DIR             result folder (default out/NAME, NAME the sweep's name)\n"
     "  --resume           continue the interrupted sweep in DIR\n"
     "  --list             print the design points (point, values, seed) as a\n"
     "                     table on stdout and stop\n"
     "  -q                 no progress line on stderr\n"},
    {"calibrate", "calibrate SCENARIO [-o DIR] [-n REPS] [-s SEED] [-j THREADS] [--resume] [-q]\n"
                  "                 [--set PATH=VALUE]...",
     "Fits the free parameters named in the scenario's `calibrate` group to its\n"
     "calibration targets:\n"
     "  calibrate = { free = ( { path = \"model.w_threat\"; min = 0.5; max = 3.0; } );\n"
     "                reps = 64; starts = 8; max_iterations = 400; fit_until = 2001.6; };\n"
     "The loss is the mean, over a fixed set of replications (seeds of batch\n"
     "replications 0..REPS-1: common random numbers), of the squared date\n"
     "errors of the targets, each capped at cap_years^2 (8^2; a missed target\n"
     "counts the cap), plus order targets (`orders`).  With `fit_until` only the\n"
     "targets dated up to then are fitted, and the error on the others is\n"
     "reported.  The search: Nelder-Mead (GSL nmsimplex2) on the logit of each\n"
     "parameter's position in its range, from the scenario's own values and\n"
     "from a Sobol design of starts, then a polishing restart at the best point.\n"
     "The same seed gives the same fit, for any -j and number of MPI ranks.\n"
     "Every loss evaluation is kept in DIR/.calibrate.journal until the fit\n"
     "ends: after Ctrl-C (exit 130) or a crash, --resume replays them and goes\n"
     "on to the same fit.\n"
     "\n"
     "Writes DIR (default out/NAME-calibrated): calibrated.cfg (the scenario\n"
     "with the fitted values as overrides, resolved: runnable as it is),\n"
     "calibration.tsv (start, iteration, evaluations, the values, loss, simplex\n"
     "size), fit.tsv (per target: fitted median date and error, shares reached\n"
     "and within 2 years, in_window), scenario.cfg.\n"
     "\n"
     "  -n REPS            replications per loss evaluation (default: calibrate.reps)\n"
     "  -s SEED            master seed of those replications\n"
     "  -j THREADS         worker threads (default: the processors online)\n"
     "  -o DIR             result folder\n"
     "  --resume           continue the interrupted calibration in DIR\n"
     "  -q                 no progress line on stderr\n"
     "  --set PATH=VALUE   override a setting (calibrate.* too)\n"},
    {"sensitivity", "sensitivity SWEEP [-o DIR] [-n REPS] [-j THREADS] [--resume] [-q]",
     "Global sensitivity analysis of the sweep file's parameters (each with min\n"
     "and max): Sobol first-order (S1, Saltelli 2010) and total-order (ST,\n"
     "Jansen) indices from Saltelli sampling on GSL's Sobol sequence, with N\n"
     "(k + 2) model evaluations for k parameters, for three outputs: p_alliance\n"
     "(alliance of the outcome dyad after outcome.alliance_after, by the\n"
     "horizon), l5_year (year China-Russia first reaches label 5; the horizon\n"
     "if never) and replay_score (share of targets met within 2 years).  Each\n"
     "evaluation is the mean over REPS replications with the same seeds in every\n"
     "row (common random numbers).  Every index has a percentile bootstrap\n"
     "interval (resampling the N base samples with a fixed seed).  Settings in\n"
     "the sweep file: sensitivity = { base_samples = 1024; reps = 32;\n"
     "bootstrap = 1000; confidence = 0.95; };\n"
     "\n"
     "Writes DIR (default out/NAME-sensitivity): sensitivity.tsv (output,\n"
     "parameter, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi), salib_problem.txt (`name\n"
     "lower upper`, SALib's format), samples.tsv (every evaluation in SALib's\n"
     "Saltelli order), scenario.cfg.  Plot: analysis/sensitivity.gp.  The\n"
     "evaluations run in jobs of at most 4096 replications, kept in\n"
     "DIR/.sensitivity.journal until the end: --resume continues after Ctrl-C\n"
     "(exit 130) or a crash.\n"
     "\n"
     "  -n REPS            replications per evaluation (default: sensitivity.reps)\n"
     "  -j THREADS         worker threads (default: the processors online)\n"
     "  -o DIR             result folder\n"
     "  --resume           continue the interrupted analysis in DIR\n"
     "  -q                 no progress line on stderr\n"},
    {"check", "check SCENARIO [--set PATH=VALUE]...",
     "Validates SCENARIO and prints the resolved settings (includes expanded,\n"
     "defaults filled in, overrides applied, data inlined) on stdout.  Every\n"
     "error of the file is reported as FILE:LINE: error: ... on stderr; the\n"
     "exit status is 2 if there is any.\n"},
    {"help", "help [COMMAND]", "Prints the help of a command, or the overview.\n"},
};

void help_overview(FILE *f)
{
    fputs("alignsim " ALIGNSIM_VERSION
          " - discrete-event simulation of states' alignment choices\n"
          "\n"
          "Usage:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  alignsim %s\n", commands[i].synopsis);
    fputs("  alignsim --help | --version\n"
          "\n"
          "Exit status: 0 success; 1 runtime failure (I/O, resources); 2 bad usage\n"
          "or bad scenario.  Results go to stdout, diagnostics to stderr.\n"
          "See 'alignsim help COMMAND' and the man page alignsim(1).\n",
          f);
}

int help_command(FILE *f, const char *command)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, command) == 0) {
            fprintf(f, "Usage: alignsim %s\n\n%s", commands[i].synopsis, commands[i].text);
            return 0;
        }
    return -1;
}
