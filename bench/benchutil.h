/* benchutil.h: what the C benchmark tools share: a monotonic clock, the pair generator that makes a seed give the
 * same pairs everywhere, and quantiles of timings. Header-only (static functions), for bench/ alone. */
#ifndef BOGIE_BENCHUTIL_H
#define BOGIE_BENCHUTIL_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* splitmix64: a small, well-mixed generator, so that a seed gives the same pairs everywhere. */
static inline uint64_t bench_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile of the n values of v, which it sorts; 0 for none. */
static inline double bench_quantile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, bench_cmp_double);
    size_t i = (size_t)ceil(p * n) - 1;
    return v[i < n ? i : n - 1];
}

#endif
