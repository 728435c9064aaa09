/*
 * infer_distance - distance of a replication to the record (see
 * infer_distance.h).  The terms are summed in target order, so the
 * distance is a deterministic function of its inputs.
 */
#include "study/infer_distance.h"

#include <math.h>

void infer_distance_params_init(infer_distance_params *p)
{
    *p = (infer_distance_params){
        .scale_years = 1.0,
        .cap_years = 8.0,
        .miss_years = 8.0,
        .fit_until = INFINITY,
    };
}

int infer_target_fitted(const spec_target *t, const infer_distance_params *p)
{
    return t->year <= p->fit_until;
}

size_t infer_fitted_count(const spec_target *targets, size_t ntargets, const infer_distance_params *p)
{
    size_t n = 0;
    for (size_t i = 0; i < ntargets; i++)
        n += infer_target_fitted(&targets[i], p) ? 1u : 0u;
    return n;
}

double infer_distance(const spec_target *targets, size_t ntargets, const double *sim_years,
                      const double *scale_years, const infer_distance_params *p)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < ntargets; i++) {
        const spec_target *t = &targets[i];
        if (!infer_target_fitted(t, p))
            continue;
        double sigma = scale_years ? scale_years[i] : p->scale_years;
        double s = sim_years[i], term;
        if (t->kind == TARGET_STAYS_BELOW) {
            term = isnan(s) ? 0.0 : p->miss_years / sigma;
        } else if (isnan(s)) {
            term = p->miss_years / sigma;
        } else {
            term = fmin(fabs(s - t->year), p->cap_years) / sigma;
        }
        sum += term * term;
        n++;
    }
    return n ? sqrt(sum / (double)n) : NAN;
}
