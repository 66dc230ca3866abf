/* fuzz.h: what bogie's libFuzzer harnesses share: the entry points libFuzzer calls, a check that aborts (so that a
 * broken promise counts as a crash), copies of the input as a C string or an aligned buffer, and an OSM sink that
 * reads everything a reader hands it and runs the tag parsers over it. Each harness is one fuzz/fuzz_<name>.c. */
#ifndef BOGIE_FUZZ_H
#define BOGIE_FUZZ_H

#include "bogie.h"
#include "net/netfmt.h"
#include "osm/osm.h"
#include "net/tags.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with the harness's line when cond is false: libFuzzer then keeps the input as a crash. */
#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

/* Returns a malloc'd NUL-terminated copy of the size bytes at data (NUL bytes inside are kept, so C-string parsers see
 * only the part before the first one), or aborts when memory runs out. The caller frees it. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Checks that a diag holds a terminated, non-empty message after a failure. */
static inline void fuzz_check_diag(const bogie_diag *d)
{
    FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL);
    FUZZ_CHECK(d->message[0] != '\0');
}

/* The sink's tally, so that the compiler cannot drop the reads. */
typedef struct fuzz_tally {
    uint64_t objects, bytes;
    uint64_t sum; /* wraps freely */
} fuzz_tally;

static inline void fuzz_touch(fuzz_tally *t, const char *s)
{
    FUZZ_CHECK(s != NULL);
    t->bytes += strlen(s);
}

static inline void fuzz_touch_tags(fuzz_tally *t, const osm_tag *tags, size_t n)
{
    FUZZ_CHECK(n == 0 || tags != NULL);
    for (size_t i = 0; i < n; i++) {
        fuzz_touch(t, tags[i].key);
        fuzz_touch(t, tags[i].value);
    }
}

static inline void fuzz_report(void *ud, const char *key, const char *value, const char *reason)
{
    fuzz_tally *t = ud;
    fuzz_touch(t, key);
    fuzz_touch(t, value);
    fuzz_touch(t, reason);
}

/* Whether a coordinate pair is in range; with missing_ok, either may also be OSM_NO_COORD. Every reader checks the
 * range, so the import never sees anything else. */
static inline bool fuzz_coord_ok(int32_t lat, int32_t lon, bool missing_ok)
{
    if (missing_ok && (lat == OSM_NO_COORD || lon == OSM_NO_COORD))
        return true;
    return lat >= -900000000 && lat <= 900000000 && lon >= -1800000000 && lon <= 1800000000;
}

static inline bogie_status fuzz_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n)
{
    fuzz_tally *t = ud;
    t->objects++;
    FUZZ_CHECK(fuzz_coord_ok(lat, lon, false));
    t->sum += (uint64_t)id + (uint64_t)lat + (uint64_t)lon;
    fuzz_touch_tags(t, tags, n);
    return BOGIE_OK;
}

/* Reads a way's references and coordinates, and runs the tag parsers (gauge, speeds, electrification, distance...)
 * over its tags as the import would for track. */
static inline bogie_status fuzz_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                                    const osm_tag *tags, size_t n_tags)
{
    fuzz_tally *t = ud;
    t->objects++;
    t->sum += (uint64_t)id;
    FUZZ_CHECK(n_refs == 0 || refs != NULL);
    for (size_t i = 0; i < n_refs; i++) {
        t->sum += (uint64_t)refs[i];
        if (coords) {
            FUZZ_CHECK(fuzz_coord_ok(coords[2 * i], coords[2 * i + 1], true));
            t->sum += (uint64_t)coords[2 * i] + (uint64_t)coords[2 * i + 1];
        }
    }
    fuzz_touch_tags(t, tags, n_tags);
    net_class cls;
    memset(&cls, 0, sizeof cls);
    double dist = tags_read_track(tags, n_tags, NET_RAILWAY_RAIL, &cls, fuzz_report, t);
    FUZZ_CHECK(dist == -1 || dist > 0);
    FUZZ_CHECK(cls.n_gauge <= BOGIE_MAX_GAUGES && cls.n_power <= BOGIE_MAX_POWER);
    for (unsigned i = 1; i < cls.n_gauge; i++)
        FUZZ_CHECK(cls.gauge[i - 1] < cls.gauge[i]);
    char label[128];
    tags_gauge_label(&cls, label, sizeof label);
    tags_power_label(&cls, label, sizeof label);
    return BOGIE_OK;
}

static inline bogie_status fuzz_relation(void *ud, int64_t id, const osm_member *members, size_t n_members,
                                         const osm_tag *tags, size_t n_tags)
{
    fuzz_tally *t = ud;
    t->objects++;
    t->sum += (uint64_t)id;
    FUZZ_CHECK(n_members == 0 || members != NULL);
    for (size_t i = 0; i < n_members; i++) {
        FUZZ_CHECK(members[i].type == 'n' || members[i].type == 'w' || members[i].type == 'r');
        t->sum += (uint64_t)members[i].ref;
        fuzz_touch(t, members[i].role);
    }
    fuzz_touch_tags(t, tags, n_tags);
    return BOGIE_OK;
}

static inline bogie_status fuzz_progress(void *ud, uint64_t bytes_done, uint64_t objects)
{
    fuzz_tally *t = ud;
    t->sum += bytes_done + objects;
    return BOGIE_OK;
}

/* A sink with every callback set, tallying into t. */
static inline osm_sink fuzz_sink(fuzz_tally *t)
{
    osm_sink s = {t, fuzz_node, fuzz_way, fuzz_relation, fuzz_progress};
    return s;
}

#endif
