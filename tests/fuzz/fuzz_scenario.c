/*
 * fuzz_scenario - libFuzzer target for the scenario loader: every input is
 * loaded and validated as a scenario text (scenario_load_string), once as it
 * is and once with a --set override and a -s seed taken from its first
 * line, and the resolved text of an accepted input is loaded again.  The
 * loader must return OK, EBAD or EIO for any input, leak nothing, and never
 * crash, hang or print; a resolved text must load again to the same text.
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

#include "model/spec.h"
#include "scenario/scenario.h"

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
    free(text);
    return 0;
}
