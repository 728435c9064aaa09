/*
 * bench_batch - wall-clock time of a whole batch (batch_run, as `alignsim
 * batch -q` runs it, files and checkpoints included) of 10,000 replications
 * of the historical scenario, with 1 and with 2 worker threads, into a
 * temporary folder that is removed afterwards.
 *
 * Lines to stdout:
 *   bench batch reps=10000 threads=1 seconds=4.10 reps_per_s=2439 cpu_seconds=4.09
 *   bench batch reps=10000 threads=2 seconds=2.20 reps_per_s=4545 cpu_seconds=4.25
 *   bench batch speedup threads=2 speedup=1.86 cpu_ratio=0.96
 * Targets: threads=2 under 5 s; speed-up at least 1.8 (on 2 idle cores).
 * cpu_seconds is the process's user + system time: on a machine where other
 * work competes for the cores the wall-clock speed-up drops, but cpu_ratio
 * (CPU time of 1 thread / CPU time of 2) still shows what the parallel
 * engine itself costs.
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/status.h"
#include "run/batch.h"
#include "run/engine.h"
#include "scenario/scenario.h"

#define SCENARIO "scenarios/historical.cfg"
#define REPS 10000u

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)ru.ru_stime.tv_usec;
}

/* Removes the batch folder's files and the folder. */
static void remove_folder(const char *dir)
{
    static const char *const names[] = {"scenario.cfg", "summary.tsv", "replications.tsv", "milestones.tsv",
                                        "ladder.tsv", ".batch.ckpt", ".replications.tsv.partial"};
    char path[4400];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%.4300s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    gsl_set_error_handler_off();
    model_spec spec;
    model_spec_init(&spec);
    char *resolved = NULL;
    scenario_diags diags = {NULL, 0};
    if (scenario_load(SCENARIO, NULL, &spec, &resolved, &diags) != SCENARIO_OK) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s\n", diags.lines[i]);
        fprintf(stderr, "bench_batch: cannot load %s (run from the top of the tree)\n", SCENARIO);
        scenario_diags_clear(&diags);
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    char base[4096];
    snprintf(base, sizeof base, "%s/alignsim-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base)) {
        perror("bench_batch: mkdtemp");
        free(resolved);
        model_spec_clear(&spec);
        return 1;
    }
    int rc = 0;
    double secs[3] = {0, 0, 0}, cpu[3] = {0, 0, 0};
    io_kv prov[] = {{"command", "batch"}, {"overrides", "none"}};
    for (unsigned threads = 1; threads <= 2 && rc == 0; threads++) {
        char dir[4200], err[4096];
        snprintf(dir, sizeof dir, "%s/j%u", base, threads);
        batch_options o = {REPS, 0, dir, prov, 2, 0, 0, 0};
        batch_report rep;
        engine_options eo = {threads, NULL, NULL, NULL, 0, 0};
        engine *e = NULL;
        double t0 = seconds_now(), c0 = cpu_seconds();
        int st = engine_alloc(&eo, &e, err, sizeof err);
        if (st == AS_OK)
            st = batch_run(e, &spec, resolved, &o, &rep, err, sizeof err);
        engine_free(e);
        secs[threads] = seconds_now() - t0;
        cpu[threads] = cpu_seconds() - c0;
        if (st != AS_OK) {
            fprintf(stderr, "bench_batch: %s\n", err);
            rc = 1;
        } else {
            printf("bench batch reps=%u threads=%u seconds=%.2f reps_per_s=%.0f cpu_seconds=%.2f\n", REPS, threads,
                   secs[threads], REPS / secs[threads], cpu[threads]);
            fflush(stdout);
        }
        remove_folder(dir);
    }
    if (rc == 0)
        printf("bench batch speedup threads=2 speedup=%.2f cpu_ratio=%.2f\n", secs[1] / secs[2],
               cpu[2] > 0.0 ? cpu[1] / cpu[2] : 0.0);
    rmdir(base);
    free(resolved);
    model_spec_clear(&spec);
    return rc;
}
