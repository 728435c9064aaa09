/*
 * sweepfile - the sweep file language (`alignsim sweep`, `alignsim
 * sensitivity`): reads a libconfig sweep file into plain data and validates
 * it, reporting every error as the scenario loader does,
 *     FILE:LINE: error: PATH: what was expected, what was found, the choices
 * Lives in sim/scenario/ because only this folder includes <libconfig.h>.
 *
 * A sweep file (docs: README "Sweeps", scenarios/sweeps/):
 *
 *   name = "doctrine_gate";              results go to out/NAME (default: file name)
 *   scenario = "../historical.cfg";      relative to the sweep file's folder
 *   design = "grid";                     "grid", "lhs" or "sobol"
 *   points = 64;                         lhs, sobol: number of design points
 *   seed = 1;                            lhs permutations; sensitivity bootstrap
 *   reps = 200;                          replications per design point (-n overrides)
 *   parameters = (
 *     { path = "actors.china.doctrine_cost"; values = [0.0, 0.3, 0.6]; },   grid
 *     { path = "model.gate_security"; values = "2:1:6"; },                 grid, start:step:end
 *     { path = "model.w_threat"; min = 0.5; max = 2.0; }                   lhs, sobol, sensitivity
 *   );
 *   sensitivity = { base_samples = 1024; reps = 32; bootstrap = 1000; confidence = 0.95; };
 *
 * Defaults: name the file name without extension, design "grid", seed 1,
 * reps 100; sensitivity as in the example line.  Every other key is an
 * error, reported with the nearest valid key.
 *
 * A range "start:step:end" expands to start, start + step, ... up to end
 * (included when it is reached within 1e-9 steps), each value rounded to 12
 * significant digits so that 0.1 steps give 0.3, not 0.30000000000000004.
 *
 * Parameter paths are checked against the scenario separately
 * (sweepfile_check_params), once the scenario is loaded: an unknown path is
 * reported with the nearest valid paths.
 */
#ifndef ALIGNSIM_SCENARIO_SWEEPFILE_H
#define ALIGNSIM_SCENARIO_SWEEPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "model/spec.h"
#include "scenario/scenario.h"

typedef enum { SWEEP_GRID = 0, SWEEP_LHS, SWEEP_SOBOL } sweep_design_kind;

#define SWEEP_MAX_PARAMS 40        /* gsl_qrng_sobol's largest dimension */
#define SWEEP_MAX_VALUES 100000    /* values of one grid parameter */
#define SWEEP_MAX_POINTS 1000000   /* design points of a sweep */
#define SWEEP_PATH_LEN 4096

/* One swept parameter.  Plain data; values is owned by the sweep_file. */
typedef struct {
    char path[SPEC_PATH_LEN];  /* libconfig path of a scenario parameter */
    int line;                  /* line of its entry in the sweep file (0: unknown) */
    double *values;            /* grid: the values in order; NULL otherwise */
    size_t nvalues;
    int has_range;             /* min and max given */
    double min, max;           /* the range (has_range), min < max */
} sweep_param;

/* What a sensitivity analysis of the sweep asks for. */
typedef struct {
    size_t base_samples;       /* N of the Saltelli design (rows of A and B) */
    uint64_t reps;             /* replications per model evaluation */
    size_t bootstrap;          /* bootstrap resamples of the base samples */
    double confidence;         /* level of the bootstrap intervals */
} sweep_sensitivity;

/* A whole sweep file. */
typedef struct {
    char file[SWEEP_PATH_LEN];     /* the sweep file as named */
    char name[SPEC_NAME_LEN];
    char scenario[SWEEP_PATH_LEN]; /* scenario path, joined with the sweep file's folder */
    sweep_design_kind design;
    size_t points;                 /* lhs, sobol: design points; grid: the product */
    uint64_t seed;
    uint64_t reps;                 /* replications per design point */
    sweep_param *params;
    size_t nparams;
    sweep_sensitivity sens;
    int sens_line;                 /* line of the sensitivity group, 0 if absent */
} sweep_file;

/* Empties sf (no allocation). */
void sweepfile_init(sweep_file *sf);

/* Frees what sf owns and empties it; safe on an initialised or cleared sf. */
void sweepfile_clear(sweep_file *sf);

/*
 * Reads and validates the sweep file at path into sf (initialised by the
 * caller).  Returns AS_OK; AS_EIO when the file cannot be read ("PATH:
 * error: reason" in diags); AS_ENOMEM when memory runs out; AS_EUSAGE with
 * every error of the file in diags.  On error sf is left cleared.
 */
int sweepfile_load(const char *path, sweep_file *sf, scenario_diags *diags);

/*
 * Checks the parameters of sf against the loaded scenario spec: each path
 * must name a parameter (else the error lists the nearest valid paths),
 * and its values and range must lie within the parameter's valid range.
 * When need_range is non-zero every parameter must also have min and max
 * (sensitivity).  Appends diagnostics and returns their number (0: valid).
 */
size_t sweepfile_check_params(const sweep_file *sf, const model_spec *spec, int need_range,
                              scenario_diags *diags);

/*
 * Writes into dst (len bytes) the parameter paths of spec nearest to path,
 * comma-separated, nearest first (at most 5; edit distance up to about a
 * quarter of the length, or the same last component under another
 * prefix).  Returns how many were written (0: buf is "").  The calibrate
 * group's checker uses it too.
 */
size_t sweepfile_near_params(const model_spec *spec, const char *path, char *dst, size_t len);

/* Name of a design kind ("grid", "lhs", "sobol"). */
const char *sweepfile_design_name(sweep_design_kind k);

#endif
