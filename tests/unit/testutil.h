/* testutil.h: what every cmocka unit test includes: cmocka itself, and helpers to find fixtures and temporary
 * directories. */
#ifndef BOGIE_TESTUTIL_H
#define BOGIE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bogie.h"

/* An allocator that fails the Nth allocation (never when countdown < 0) and counts what is live. Used as the ud of
 * a bogie_allocator whose function is failing_alloc. */
typedef struct failing {
    long countdown;
    long live_blocks;
    size_t live_bytes;
    long allocations;
} failing;

static inline void *failing_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    failing *f = ud;
    if (new_size == 0) {
        if (ptr) {
            f->live_blocks--;
            f->live_bytes -= old_size;
        }
        free(ptr);
        return NULL;
    }
    f->allocations++;
    if (f->countdown >= 0 && f->countdown-- == 0)
        return NULL;
    void *p = realloc(ptr, new_size);
    if (!p)
        return NULL;
    if (!ptr)
        f->live_blocks++;
    f->live_bytes = f->live_bytes - (ptr ? old_size : 0) + new_size;
    return p;
}

/* Returns the path of a file under tests/data in a static buffer (the tests run from the repository root unless
 * BOGIE_TEST_DATA says otherwise). */
static inline const char *test_data(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("BOGIE_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/%s", root ? root : "tests/data", rel);
    return buf;
}

/* Returns a fresh temporary directory's path in a static buffer; the test runner removes TMPDIR afterwards. */
static inline const char *test_tmpdir(void)
{
    static char buf[4096];
    const char *t = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/bogie-test-XXXXXX", t ? t : "/tmp");
    if (!mkdtemp(buf))
        fail_msg("mkdtemp failed");
    return buf;
}

/* Imports the OSM file osm into path, with the country outlines of data/world when borders (so that the network has
 * countries and border crossings); the caller owns the written file. */
static inline bogie_status test_import(const char *osm, const char *path, int borders, bogie_diag *d)
{
    bogie_import_options o;
    bogie_import_options_init(&o);
    if (borders) {
        o.borders_topojson = "data/world/countries-10m.json";
        o.borders_csv = "data/world/countries.csv";
    }
    return bogie_import(&osm, 1, path, &o, d);
}

/* Asserts |a - b| <= tol and names both values when it is not. */
#define assert_near(a, b, tol)                                                                            \
    do {                                                                                                  \
        double a_ = (a), b_ = (b), t_ = (tol);                                                            \
        if (!(a_ - b_ <= t_ && b_ - a_ <= t_))                                                            \
            fail_msg("%s = %.9g, expected %s = %.9g within %.3g", #a, a_, #b, b_, t_);                    \
    } while (0)

#endif
