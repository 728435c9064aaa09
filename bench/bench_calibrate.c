/*
 * bench_calibrate - wall-clock time of the two long study commands with
 * their default settings on this machine's processors:
 *   - a calibration of 10 free parameters (scenarios/calibrate/precursor.cfg:
 *     64 replications per evaluation, 8 starts of at most 400 iterations and
 *     a polish), as `alignsim calibrate` fits it (calibrate_fit, no files);
 *   - a sensitivity analysis of 8 parameters with 1,024 base samples
 *     (scenarios/sweeps/sobol8.cfg: 10,240 evaluations of 32 replications),
 *     files included, into a temporary folder removed afterwards.
 *
 * Lines to stdout:
 *   bench calibrate free=10 reps=64 evaluations=3461 threads=2 seconds=80.1 cpu_seconds=158.2
 *   bench sensitivity params=8 base_samples=1024 reps=32 evaluations=10240 threads=2 seconds=... cpu_seconds=...
 * Targets: each under 600 s on 2 idle cores.  cpu_seconds (user + system)
 * shows the work when other processes compete for the cores.
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "scenario/sweepfile.h"
#include "base/status.h"
#include "run/engine.h"
#include "study/calibrate.h"
#include "study/sensitivity.h"

#define CALIBRATE_SCENARIO "scenarios/calibrate/precursor.cfg"
#define SENSITIVITY_SWEEP "scenarios/sweeps/sobol8.cfg"

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

static unsigned processors(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 1024 ? 1024u : (unsigned)n;
}

static void print_diags(scenario_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s\n", d->lines[i]);
    scenario_diags_clear(d);
}

static int bench_calibration(unsigned threads)
{
    model_spec spec;
    scenario_diags d = {NULL, 0};
    model_spec_init(&spec);
    if (scenario_load(CALIBRATE_SCENARIO, NULL, &spec, NULL, &d) != SCENARIO_OK) {
        print_diags(&d);
        return 1;
    }
    calibrate_result res;
    char err[1024];
    engine_options eo = {threads, NULL, NULL, NULL, 0, 0};
    engine *e = NULL;
    double t0 = seconds_now(), c0 = cpu_seconds();
    int rc = engine_alloc(&eo, &e, err, sizeof err);
    if (rc == AS_OK)
        rc = calibrate_fit(e, &spec, 0, spec.seed, &res, err, sizeof err);
    engine_free(e);
    double t1 = seconds_now(), c1 = cpu_seconds();
    if (rc != AS_OK) {
        fprintf(stderr, "bench_calibrate: %s\n", err);
        model_spec_clear(&spec);
        return 1;
    }
    printf("bench calibrate free=%zu reps=%u evaluations=%zu threads=%u seconds=%.1f cpu_seconds=%.1f loss=%.4g\n",
           spec.calibrate.nfree, spec.calibrate.reps, res.evaluations, threads, t1 - t0, c1 - c0, res.loss);
    calibrate_result_clear(&res);
    model_spec_clear(&spec);
    return 0;
}

static void remove_folder(const char *dir)
{
    static const char *const names[] = {"sensitivity.tsv", "samples.tsv", "salib_problem.txt", "scenario.cfg"};
    char path[4400];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%.4300s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int bench_sensitivity(unsigned threads)
{
    sweep_file sf;
    model_spec spec;
    scenario_diags d = {NULL, 0};
    char *resolved = NULL;
    sweepfile_init(&sf);
    model_spec_init(&spec);
    if (sweepfile_load(SENSITIVITY_SWEEP, &sf, &d) != SCENARIO_OK) {
        print_diags(&d);
        return 1;
    }
    int rc = 1;
    if (scenario_load(sf.scenario, NULL, &spec, &resolved, &d) != SCENARIO_OK ||
        sweepfile_check_params(&sf, &spec, 1, &d) != 0) {
        print_diags(&d);
        goto done;
    }
    char tmpl[] = "/tmp/bench_sensitivity.XXXXXX";
    const char *dir = mkdtemp(tmpl);
    if (!dir) {
        perror("bench_calibrate: mkdtemp");
        goto done;
    }
    sensitivity_options so = {sf.sens.reps, 0, dir, NULL, 0};
    char err[1024];
    engine_options eo = {threads, NULL, NULL, NULL, 0, 0};
    engine *e = NULL;
    double t0 = seconds_now(), c0 = cpu_seconds();
    int st = engine_alloc(&eo, &e, err, sizeof err);
    if (st == AS_OK)
        st = sensitivity_run(e, &sf, &spec, resolved, &so, err, sizeof err);
    engine_free(e);
    double t1 = seconds_now(), c1 = cpu_seconds();
    remove_folder(dir);
    if (st != 0) {
        fprintf(stderr, "bench_calibrate: %s\n", err);
        goto done;
    }
    printf("bench sensitivity params=%zu base_samples=%zu reps=%llu evaluations=%zu threads=%u seconds=%.1f "
           "cpu_seconds=%.1f\n",
           sf.nparams, sf.sens.base_samples, (unsigned long long)sf.sens.reps,
           (sf.nparams + 2) * sf.sens.base_samples, threads, t1 - t0, c1 - c0);
    rc = 0;
done:
    free(resolved);
    model_spec_clear(&spec);
    sweepfile_clear(&sf);
    return rc;
}

int main(void)
{
    gsl_set_error_handler_off();
    unsigned threads = processors();
    if (bench_calibration(threads) != 0 || bench_sensitivity(threads) != 0)
        return 1;
    return fflush(stdout) == 0 ? 0 : 1;
}
