/*
 * fuzz_scenario - libFuzzer target for the scenario loader: every input is
 * loaded and validated as a scenario text (scenario_load_string), once as it
 * is and once with a --set override and a -s seed taken from its first
 * line, and the resolved text of an accepted input is loaded again.  The
 * loader must return OK, EBAD or EIO for any input, leak nothing, and never
 * crash, hang or print; a resolved text must load again to the same text.
 *
 * Two more readings of the same input (issue 14): its lines "#set
 * PATH=VALUE" (at most 8) are --set overrides of the rich scenario
 * good/minimal.cfg, as `alignsim run minimal.cfg --set ...` would apply
 * them; and an input that mentions `parameters` is also read as a sweep
 * file (written to a file of this process in the fuzz folder, since sweep
 * files are read by path), whose parameters are checked against
 * minimal.cfg and whose design is expanded when it is small.
 *
 * @include, `base` and data file names are looked up in the folder named by
 * $ALIGNSIM_FUZZ_DIR (default build/fuzz/root/a/s), which scripts/fuzz.sh
 * fills with links to tests/data/bad, tests/data/good, scenarios/ and
 * configs/ laid out so that the seeds' relative paths resolve.  Built and
 * run by `make fuzz` (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include "model/spec.h"
#include "scenario/scenario.h"
#include "scenario/sweepfile.h"
#include "study/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_dir(void)
{
    const char *d = getenv("ALIGNSIM_FUZZ_DIR");
    return d && *d ? d : "build/fuzz/root/a/s";
}

/* Copies the first line of text (without "#" and spaces) into buf when it
 * looks like an override "#PATH=VALUE", else "". */
static void first_line_override(const char *text, char *buf, size_t len)
{
    buf[0] = '\0';
    if (text[0] != '#')
        return;
    size_t n = strcspn(text + 1, "\n");
    if (n == 0 || n >= len || !memchr(text + 1, '=', n) || text[1] == '=')
        return;
    memcpy(buf, text + 1, n);
    buf[n] = '\0';
}

/* Loads text; on success checks that the resolved text is a fixed point. */
static void load_once(const char *text, const scenario_options *opt)
{
    model_spec spec, spec2;
    char *resolved = NULL, *resolved2 = NULL;
    scenario_diags diags = {NULL, 0};
    model_spec_init(&spec);
    model_spec_init(&spec2);
    int rc = scenario_load_string(text, "fuzz.cfg", fuzz_dir(), opt, &spec, &resolved, &diags);
    if (rc != SCENARIO_OK && rc != SCENARIO_EBAD && rc != SCENARIO_EIO)
        abort();
    /* Every failure says why. */
    if (rc != SCENARIO_OK && diags.n == 0)
        abort();
    if (rc == SCENARIO_OK) {
        if (!resolved)
            abort();
        scenario_diags_clear(&diags);
        int rc2 = scenario_load_string(resolved, "resolved.cfg", NULL, NULL, &spec2, &resolved2,
                                       &diags);
        if (rc2 != SCENARIO_OK || strcmp(resolved, resolved2) != 0)
            abort();
    } else if (resolved) {
        abort();
    }
    free(resolved);
    free(resolved2);
    model_spec_clear(&spec);
    model_spec_clear(&spec2);
    scenario_diags_clear(&diags);
}

/* The "#set PATH=VALUE" lines of text as overrides of minimal.cfg. */
static void load_with_sets(const char *text)
{
    char lines[8][256];
    const char *sets[8];
    size_t n = 0;
    for (const char *p = text; p && *p && n < 8; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, "#set ", 5) != 0)
            continue;
        size_t len = strcspn(p + 5, "\n");
        if (len >= sizeof lines[n])
            len = sizeof lines[n] - 1;
        memcpy(lines[n], p + 5, len);
        lines[n][len] = '\0';
        sets[n] = lines[n];
        n++;
    }
    if (n == 0)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/minimal.cfg", fuzz_dir());
    model_spec spec;
    char *resolved = NULL;
    scenario_diags diags = {NULL, 0};
    model_spec_init(&spec);
    scenario_options opt = {sets, n, 0, 0, NULL};
    int rc = scenario_load(path, &opt, &spec, &resolved, &diags);
    if (rc != SCENARIO_OK && rc != SCENARIO_EBAD && rc != SCENARIO_EIO)
        abort();
    if ((rc != SCENARIO_OK && diags.n == 0) || (rc == SCENARIO_OK) != (resolved != NULL))
        abort();
    free(resolved);
    model_spec_clear(&spec);
    scenario_diags_clear(&diags);
}

/* The input as a sweep file over minimal.cfg. */
static void load_as_sweep(const uint8_t *data, size_t size)
{
    char path[4096], scen[4096];
    snprintf(path, sizeof path, "%s/fuzz-sweep-%ld.cfg", fuzz_dir(), (long)getpid());
    snprintf(scen, sizeof scen, "%s/minimal.cfg", fuzz_dir());
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    size_t wrote = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || wrote != size) {
        unlink(path);
        return;
    }
    sweep_file sf;
    sweepfile_init(&sf);
    scenario_diags diags = {NULL, 0};
    int rc = sweepfile_load(path, &sf, &diags);
    if (rc != AS_OK && rc != AS_EUSAGE && rc != AS_EIO && rc != AS_ENOMEM)
        abort();
    if (rc != AS_OK && diags.n == 0)
        abort();
    if (rc == AS_OK) {
        model_spec spec;
        char *resolved = NULL;
        model_spec_init(&spec);
        scenario_diags_clear(&diags);
        if (scenario_load(scen, NULL, &spec, &resolved, &diags) == SCENARIO_OK) {
            scenario_diags_clear(&diags);
            (void)sweepfile_check_params(&sf, &spec, 0, &diags);
        }
        if (sf.points <= 2000) {
            sweep_design d;
            char err[512];
            if (sweep_design_expand(&sf, &d, err, sizeof err) == 0)
                sweep_design_clear(&d);
        }
        free(resolved);
        model_spec_clear(&spec);
    }
    sweepfile_clear(&sf);
    scenario_diags_clear(&diags);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    load_once(text, NULL);

    char set[256];
    first_line_override(text, set, sizeof set);
    if (set[0]) {
        const char *sets[] = {set};
        /* A seed derived from the input, within the documented range. */
        uint64_t seed = 0;
        for (size_t i = 0; i < size && i < 8; i++)
            seed = seed << 8 | data[i];
        scenario_options opt = {sets, 1, 1, seed & INT64_MAX, NULL};
        load_once(text, &opt);
    }
    load_with_sets(text);
    if (strstr(text, "parameters"))
        load_as_sweep(data, size);
    free(text);
    return 0;
}
