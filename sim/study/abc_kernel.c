/*
 * abc_kernel - mixtures of multivariate normals for ABC-SMC (see
 * abc_kernel.h).
 *
 * Densities are summed in log space with a running maximum (one pass,
 * no scratch per component), so a narrow kernel in many dimensions never
 * underflows to a zero proposal density.  With the shared covariance of
 * COV2 the centres are whitened once at fit time (a_j = L^-1 x_j), so a
 * density costs one triangular solve and n distances instead of n solves.
 */
#include "study/abc_kernel.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "base/status.h"

#define LOG_2PI 1.8378770664093454836

const char *abc_kernel_kind_name(abc_kernel_kind k)
{
    switch (k) {
    case ABC_KERNEL_OLCM: return "olcm";
    case ABC_KERNEL_COV2: return "cov2";
    }
    return NULL;
}

void abc_kernel_init(abc_kernel *k)
{
    memset(k, 0, sizeof *k);
}

void abc_kernel_clear(abc_kernel *k)
{
    free(k->x);
    free(k->cum);
    free(k->logc);
    free(k->chol);
    free(k->white);
    abc_kernel_init(k);
}

/* Resizes *field to count doubles (at least one); AS_OK or AS_ENOMEM with
 * *field unchanged. */
static int grow(double **field, size_t count)
{
    double *p = realloc(*field, (count ? count : 1) * sizeof(double));
    if (!p)
        return AS_ENOMEM;
    *field = p;
    return AS_OK;
}

/* Grows the arrays to n components of dim coordinates; AS_OK or AS_ENOMEM
 * (the kernel keeps valid arrays, still freeable). */
static int reserve(abc_kernel *k, size_t n, size_t dim)
{
    if (n <= k->cap_n && dim <= k->cap_dim)
        return AS_OK;
    size_t cn = n > k->cap_n ? n : k->cap_n, cd = dim > k->cap_dim ? dim : k->cap_dim;
    size_t dd = cd * cd;
    if ((cd && cn > SIZE_MAX / sizeof(double) / cd) || (dd && cn > SIZE_MAX / sizeof(double) / dd))
        return AS_ENOMEM;
    if (grow(&k->x, cn * cd) != AS_OK || grow(&k->cum, cn) != AS_OK || grow(&k->logc, cn) != AS_OK ||
        grow(&k->chol, cn * dd) != AS_OK || grow(&k->white, cn * cd) != AS_OK)
        return AS_ENOMEM;
    k->cap_n = cn;
    k->cap_dim = cd;
    return AS_OK;
}

/*
 * Factorises the dim x dim covariance in a (row-major, overwritten with the
 * lower Cholesky factor) after the regularisation described in the header;
 * cov keeps the unregularised matrix for the retries.  Returns AS_OK or
 * AS_ERUNTIME.
 */
static int factorise(double *a, const double *cov, size_t dim, const double *spread)
{
    if (dim == 0)
        return AS_OK;
    double lambda = 0.0;
    for (int attempt = 0; attempt < 8; attempt++) {
        memcpy(a, cov, dim * dim * sizeof(double));
        for (size_t i = 0; i < dim; i++)
            a[i * dim + i] += lambda * spread[i] * spread[i];
        gsl_matrix_view m = gsl_matrix_view_array(a, dim, dim);
        if (gsl_linalg_cholesky_decomp1(&m.matrix) == GSL_SUCCESS) {
            int ok = 1;
            for (size_t i = 0; i < dim; i++)
                ok &= isfinite(a[i * dim + i]) && a[i * dim + i] > 0.0;
            if (ok) {
                /* GSL leaves L^T in the upper triangle; clear it so that only
                 * the factor remains. */
                for (size_t i = 0; i < dim; i++)
                    for (size_t j = i + 1; j < dim; j++)
                        a[i * dim + j] = 0.0;
                return AS_OK;
            }
        }
        lambda = lambda == 0.0 ? 1e-12 : lambda * 100.0;
    }
    return AS_ERUNTIME;
}

/* log det L for a lower-triangular factor. */
static double log_diag(const double *l, size_t dim)
{
    double s = 0.0;
    for (size_t i = 0; i < dim; i++)
        s += log(l[i * dim + i]);
    return s;
}

/* Solves L z = v (forward substitution); z and v may not alias. */
static void lower_solve(const double *l, size_t dim, const double *v, double *z)
{
    for (size_t i = 0; i < dim; i++) {
        double s = v[i];
        const double *row = l + i * dim;
        for (size_t j = 0; j < i; j++)
            s -= row[j] * z[j];
        z[i] = s / row[i];
    }
}

/* Weighted mean m and second moment about it, cov (dim x dim), of the
 * points x (n x dim) with weights w selected by `use` (NULL: all), the
 * weights renormalised over the selection (total tw > 0). */
static void moments(size_t n, size_t dim, const double *x, const double *w, const unsigned char *use,
                    double tw, double *m, double *cov)
{
    memset(m, 0, dim * sizeof(double));
    memset(cov, 0, dim * dim * sizeof(double));
    for (size_t j = 0; j < n; j++)
        if (!use || use[j])
            for (size_t a = 0; a < dim; a++)
                m[a] += w[j] / tw * x[j * dim + a];
    for (size_t j = 0; j < n; j++) {
        if (use && !use[j])
            continue;
        const double *xj = x + j * dim;
        double v = w[j] / tw;
        for (size_t a = 0; a < dim; a++)
            for (size_t b = 0; b <= a; b++)
                cov[a * dim + b] += v * (xj[a] - m[a]) * (xj[b] - m[b]);
    }
    for (size_t a = 0; a < dim; a++)
        for (size_t b = 0; b < a; b++)
            cov[b * dim + a] = cov[a * dim + b];
}

int abc_kernel_fit(abc_kernel *k, abc_kernel_kind kind, size_t n, size_t dim, const double *x,
                   const double *w, const double *dist, double eps, const double *spread, char *err,
                   size_t errlen)
{
    unsigned char *use = NULL;
    double *work = NULL;
    int rc = AS_OK;
    k->n = 0;
    if (n < 1 || dim > ABC_KERNEL_MAX_DIM) {
        snprintf(err, errlen, "a kernel needs 1 or more particles and at most %d coordinates, found %zu and %zu",
                 ABC_KERNEL_MAX_DIM, n, dim);
        rc = AS_ERUNTIME;
        goto out;
    }
    size_t dd = dim * dim;
    /* work: the mean, the (local) covariance and the matrix factorised */
    work = malloc((dim + 2 * dd + 1) * sizeof(double));
    use = calloc(n, 1);
    if (reserve(k, n, dim) != AS_OK || !work || !use) {
        snprintf(err, errlen, "out of memory fitting the perturbation kernel to %zu particles", n);
        rc = AS_ENOMEM;
        goto out;
    }
    k->kind = kind;
    k->dim = dim;
    if (dim)
        memcpy(k->x, x, n * dim * sizeof(double));
    double run = 0.0;
    for (size_t j = 0; j < n; j++) {
        run += w[j];
        k->cum[j] = run;
    }
    double *m = work, *cov = work + dim, *local = cov + dd;
    double norm = -0.5 * (double)dim * LOG_2PI;
    if (kind == ABC_KERNEL_COV2) {
        moments(n, dim, x, w, NULL, run > 0.0 ? run : 1.0, m, cov);
        for (size_t i = 0; i < dd; i++)
            cov[i] *= 2.0;
        rc = factorise(k->chol, cov, dim, spread);
        double ld = log_diag(k->chol, dim);
        for (size_t j = 0; j < n && rc == AS_OK; j++) {
            k->logc[j] = log(w[j]) - ld + norm;
            lower_solve(k->chol, dim, x + j * dim, k->white + j * dim);
        }
    } else {
        double tw = 0.0;
        for (size_t j = 0; j < n; j++)
            if (dist && dist[j] <= eps && w[j] > 0.0) {
                use[j] = 1;
                tw += w[j];
            }
        if (!(tw > 0.0)) {
            memset(use, 1, n);
            tw = run > 0.0 ? run : 1.0;
        }
        moments(n, dim, x, w, use, tw, m, cov);
        for (size_t j = 0; j < n && rc == AS_OK; j++) {
            const double *xj = x + j * dim;
            for (size_t a = 0; a < dim; a++)
                for (size_t b = 0; b < dim; b++)
                    local[a * dim + b] = cov[a * dim + b] + (m[a] - xj[a]) * (m[b] - xj[b]);
            double *l = k->chol + j * dd;
            rc = factorise(l, local, dim, spread);
            k->logc[j] = log(w[j]) - log_diag(l, dim) + norm;
        }
    }
    if (rc != AS_OK)
        snprintf(err, errlen, "the perturbation kernel's covariance is singular even after "
                              "regularisation (a parameter value is not finite)");
    else
        k->n = n;
out:
    free(work);
    free(use);
    return rc;
}

size_t abc_kernel_draw(const abc_kernel *k, gsl_rng *r, double *out)
{
    double u = gsl_rng_uniform(r) * k->cum[k->n - 1];
    size_t lo = 0, hi = k->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t j = lo, dim = k->dim;
    const double *l = k->chol + (k->kind == ABC_KERNEL_OLCM ? j * dim * dim : 0);
    const double *xj = k->x + j * dim;
    double z[ABC_KERNEL_MAX_DIM];
    for (size_t a = 0; a < dim; a++)
        z[a] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (size_t a = 0; a < dim; a++) {
        double s = xj[a];
        for (size_t b = 0; b <= a; b++)
            s += l[a * dim + b] * z[b];
        out[a] = s;
    }
    return j;
}

double abc_kernel_logpdf(const abc_kernel *k, const double *y)
{
    size_t dim = k->dim, dd = dim * dim;
    double v[ABC_KERNEL_MAX_DIM], z[ABC_KERNEL_MAX_DIM];
    double mx = -INFINITY, s = 0.0;
    if (k->kind == ABC_KERNEL_COV2)
        lower_solve(k->chol, dim, y, z);
    for (size_t j = 0; j < k->n; j++) {
        if (k->logc[j] == -INFINITY)
            continue;
        double q = 0.0;
        if (k->kind == ABC_KERNEL_COV2) {
            const double *a = k->white + j * dim;
            for (size_t i = 0; i < dim; i++) {
                double d = z[i] - a[i];
                q += d * d;
            }
        } else {
            const double *xj = k->x + j * dim;
            for (size_t i = 0; i < dim; i++)
                v[i] = y[i] - xj[i];
            lower_solve(k->chol + j * dd, dim, v, z);
            for (size_t i = 0; i < dim; i++)
                q += z[i] * z[i];
        }
        double t = k->logc[j] - 0.5 * q;
        if (t > mx) {
            s = s * exp(mx - t) + 1.0;
            mx = t;
        } else {
            s += exp(t - mx);
        }
    }
    return mx == -INFINITY ? -INFINITY : mx + log(s);
}
