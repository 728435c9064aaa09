/*
 * stats/cells - exact, mergeable accumulators for the batch engine.
 *
 * A stats_cells holds M cells (for the batch: one per year and dyad).  Each
 * cell accumulates observations of a value known to lie in [lo, hi] (the
 * alignment x in [-1, 1]; paired differences in [-2, 2]), each with a 0/1
 * flag (e.g. "milestone reached").  Replications are spread over threads
 * and MPI ranks, each filling its own stats_cells, and the partial results
 * are merged in whatever grouping the run happens to have.  The batch must
 * print the same bytes for 1 thread, N threads and N ranks, so:
 *
 *   INVARIANT: the accumulated state is integers only, and every update is
 *   an integer addition.  Integer addition is associative and commutative,
 *   so any grouping and order of adds and merges of the same observations
 *   gives bit-identical state, packed images and summaries.
 *
 * Quantisation.  A finite value v is first clamped into [lo, hi] (and the
 * clamp counted), then quantised to the integer q = llround(v * 2^32): the
 * resolution is STATS_CELLS_QUANTUM = 2^-32 ~ 2.3e-10, far below anything
 * the model resolves.  A cell keeps n, S1 = sum q and S2 = sum q^2 (both as
 * 128-bit integers), and the count of set flags.  The mean and the sample
 * variance are computed from these exact sums at summary time, so they are
 * those of the quantised sample (within 2^-33 of the exact sample mean) and
 * never suffer from cancellation: a constant sample has sd exactly 0.
 *
 * Histogram.  Each cell also counts its observations in nbins equal bins
 * over [lo, hi] of width (hi - lo) / nbins (stats_cells_bin_width(); the
 * batch prints it in its provenance as the quantile resolution).  The bin
 * of q is floor((q - qlo) * nbins / (qhi - qlo)) in integer arithmetic,
 * with q = qhi put in the last bin, so binning is exact too.  Quantiles are
 * read off this histogram, see stats_cells_quantile().
 *
 * Capacity.  Bin counts are uint32 and a cell holds at most
 * STATS_CELLS_MAX_N = 2^32 - 1 observations; add, merge and unpack refuse
 * (AS_ELIMIT) rather than wrap.  uint32 halves the memory against uint64:
 * the batch's 82 years x 21 dyads x 1000 bins is 6.9 MB per accumulator
 * instead of 13.8 MB, held once per thread and shipped once per MPI rank,
 * while 4.29e9 replications per cell is far beyond any batch.  That bound,
 * with |lo|, |hi| <= STATS_CELLS_ABS_MAX, also proves the sums cannot
 * overflow: |S1| <= 2^32 * 2^40 and S2 <= 2^32 * 2^80, well inside int128.
 *
 * Non-finite values (NaN, +-inf) are not observations: they are counted in
 * the cell's n_nonfinite, take no part in n, the sums, the histogram or the
 * flag count, and stats_cells_add() says so with AS_ERUNTIME.  Finite
 * values outside [lo, hi] are clamped and counted in n_clamped.
 *
 * The integer state and its packed image are identical on every
 * platform.  Summaries use only IEEE double arithmetic (+ - * / sqrt,
 * exact scaling) on that state, plus GSL quantiles for the intervals, so
 * they too are identical wherever the same state is summarised with the
 * same GSL.
 *
 * There is no global state and no locking: a stats_cells is used by one
 * thread at a time; distinct objects may be used concurrently.
 */
#ifndef ALIGNSIM_STATS_CELLS_H
#define ALIGNSIM_STATS_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

/* Quantisation step of the stored values: 2^-32 (~2.33e-10). */
#define STATS_CELLS_QUANTUM (1.0 / 4294967296.0)

/* Largest number of observations a cell can hold: 2^32 - 1. */
#define STATS_CELLS_MAX_N UINT32_MAX

/* Bound on |lo| and |hi| (keeps q within 2^40 and the sums exact). */
#define STATS_CELLS_ABS_MAX 256.0

/* Largest number of histogram bins per cell. */
#define STATS_CELLS_MAX_BINS 16777216u

/* The accumulator; opaque. */
typedef struct stats_cells stats_cells;

/*
 * What stats_cells_summary() reports for one cell.  Plain value data.
 * Doubles that cannot be computed (see stats_cells_summary) are NaN.
 */
typedef struct {
    uint64_t n;           /* finite observations */
    uint64_t n_flag;      /* of which had the flag set */
    uint64_t n_nonfinite; /* NaN or infinite values, not in n */
    uint64_t n_clamped;   /* finite values outside [lo, hi], clamped, in n */
    double mean;          /* sample mean */
    double sd;            /* sample standard deviation, n - 1 divisor */
    double ci_lo, ci_hi;  /* Student t interval of the mean at level conf */
    double q05, q50, q95; /* histogram quantiles, see stats_cells_quantile */
    double p_flag;        /* n_flag / n */
    double flag_lo, flag_hi; /* Clopper-Pearson interval of p_flag at conf */
} stats_summary;

/*
 * Allocates ncells empty cells for values in [lo, hi] with nbins histogram
 * bins each.  Returns NULL when ncells or nbins is 0, nbins exceeds
 * STATS_CELLS_MAX_BINS, lo or hi is not finite, lo >= hi, |lo| or |hi|
 * exceeds STATS_CELLS_ABS_MAX, the sizes (ncells * nbins counts, or the
 * packed image) overflow size_t, or memory runs out; nothing is leaked.
 * The caller owns the object and frees it with stats_cells_free().
 */
stats_cells *stats_cells_alloc(size_t ncells, double lo, double hi,
                               size_t nbins);

/* Frees the object; NULL is a no-op. */
void stats_cells_free(stats_cells *c);

/* Empties every cell (as just allocated); the shape is kept. */
void stats_cells_reset(stats_cells *c);

/* Shape accessors: number of cells, bins per cell, range, bin width. */
size_t stats_cells_count(const stats_cells *c);
size_t stats_cells_nbins(const stats_cells *c);
double stats_cells_lo(const stats_cells *c);
double stats_cells_hi(const stats_cells *c);
double stats_cells_bin_width(const stats_cells *c); /* (hi - lo) / nbins */

/*
 * Records one observation of value in cell, with flag (0 or non-zero,
 * counted as 1).  Returns AS_OK when recorded (clamped into [lo, hi]
 * first if needed); AS_ERUNTIME when value is NaN or infinite (only
 * n_nonfinite is incremented); AS_ELIMIT when the cell already holds
 * STATS_CELLS_MAX_N observations (nothing recorded); AS_EUSAGE when
 * cell >= stats_cells_count(c) (nothing recorded).
 */
int stats_cells_add(stats_cells *c, size_t cell, double value, int flag);

/*
 * Adds every cell of src into the matching cell of dst (src is borrowed and
 * unchanged; dst == src doubles every count).  Returns AS_OK;
 * AS_EUSAGE when ncells, nbins, lo or hi differ (lo and hi compared bit
 * for bit); AS_ELIMIT when some cell would exceed STATS_CELLS_MAX_N.
 * On error dst is unchanged.
 */
int stats_cells_merge(stats_cells *dst, const stats_cells *src);

/*
 * Quantile p (0 <= p <= 1) of cell from its histogram.  With bin counts c_j,
 * bin edges e_j = lo + j * w (w the bin width), C_j = c_0 + ... + c_(j-1)
 * and t = p * n, the estimate is
 *     e_j + w * (t - C_j) / c_j
 * for the first bin j with c_j > 0 and C_(j+1) >= t: the inverse of the
 * piecewise-linear empirical distribution function that spreads each bin's
 * count evenly over the bin.  p = 0 gives the lower edge of the first
 * non-empty bin and p = 1 the upper edge of the last.  The estimate lies in
 * the bin holding the ceil(p n)-th smallest observation, so where the data
 * are dense (neighbouring order statistics in the same or adjacent bins) it
 * is within one bin width of the usual sample quantiles.
 * Stores the estimate in *out (NaN for an empty cell) and returns AS_OK,
 * or AS_EUSAGE (and NaN) for a bad cell or p outside [0, 1].
 */
int stats_cells_quantile(const stats_cells *c, size_t cell, double p,
                         double *out);

/*
 * Fills *out with the summary of cell: counts, mean and sample sd (n - 1
 * divisor) of the quantised values, the Student t interval of the mean at
 * level conf (stats_mean_ci), the 5%, 50% and 95% histogram quantiles, the
 * flag proportion and its Clopper-Pearson interval at level conf.
 * n = 0 gives NaN for every double; n = 1 gives the mean, quantiles and
 * flag figures, and NaN for sd, ci_lo and ci_hi.
 * Returns AS_OK; AS_EUSAGE (out filled with NaN and zero counts) for a
 * bad cell or conf outside (0, 1); AS_ERUNTIME if a GSL quantile failed (the
 * affected interval is NaN, the rest is filled in).
 */
int stats_cells_summary(const stats_cells *c, size_t cell, double conf,
                        stats_summary *out);

/*
 * Serialisation for MPI transfer and checkpoint files.  The packed image is
 * portable: fixed little-endian layout, independent of the host's
 * endianness, padding and type sizes.  Version 1:
 *
 *   offset  size  field
 *        0     8  magic "ASCELLS" followed by a 0 byte
 *        8     4  u32 format version (1)
 *       12     4  u32 quantisation bits (32: q = llround(v * 2^32))
 *       16     8  u64 ncells
 *       24     8  u64 nbins
 *       32     8  f64 lo (IEEE 754 bits as u64)
 *       40     8  f64 hi
 *       48        ncells cell records, each 64 + 4 * nbins bytes:
 *                   u64 n, u64 n_flag, u64 n_nonfinite, u64 n_clamped,
 *                   i128 S1, i128 S2 (two's complement, 16 bytes each),
 *                   nbins x u32 bin counts
 *      end     8  u64 FNV-1a 64-bit hash of all preceding bytes
 *
 * Equal state gives equal images, so images may be compared with memcmp.
 */

/* Exact size in bytes of the packed image of c. */
size_t stats_cells_packed_size(const stats_cells *c);

/*
 * Writes the packed image of c into buf (len bytes, no alignment needed).
 * Returns AS_OK, or AS_EUSAGE when len < stats_cells_packed_size(c)
 * (buf untouched).
 */
int stats_cells_pack(const stats_cells *c, void *buf, size_t len);

/*
 * Reads the shape recorded in a packed image without unpacking it, so a
 * checkpoint reader can allocate a matching object.  Checks the magic, the
 * version, the quantisation and that len equals the size the shape implies;
 * the cell data are checked only by stats_cells_unpack().  Returns
 * AS_OK or AS_ERUNTIME.
 */
int stats_cells_packed_shape(const void *buf, size_t len, size_t *ncells,
                             double *lo, double *hi, size_t *nbins);

/*
 * Replaces the contents of c (already allocated) by the packed image in buf
 * (len bytes, borrowed).  Returns AS_OK; AS_ERUNTIME when len is not
 * the exact image size, the magic, version or quantisation differ, the hash
 * does not match, or a cell is inconsistent (bin counts not summing to n,
 * n_flag > n, sums impossible for n values in [lo, hi]); AS_EUSAGE when
 * the image is well formed but of another shape than c; AS_ELIMIT when a
 * cell claims more than STATS_CELLS_MAX_N observations.  The image is fully
 * checked before c is touched: on error c is unchanged.
 */
int stats_cells_unpack(stats_cells *c, const void *buf, size_t len);

#endif
