/* fuzz_query.c: a libFuzzer harness for the HTTP API's request parsing (src/serve/api_query.c): percent-decoding into
 * buffers of every small size, the query string split into parameters, and OSRM coordinate lists, with what each
 * promises checked on the result. */
#include "fuzz.h"
#include "serve/api.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    size_t n = strlen(s);

    /* Decoding: into a buffer of exactly out_size bytes, so that ASan sees any write past it. */
    size_t sizes[] = {1, 2, 3, 7, n + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *out = malloc(sizes[i]);
        if (!out)
            abort();
        size_t len = api_decode(s, n, out, sizes[i], i % 2 == 0);
        FUZZ_CHECK(len < sizes[i] && out[len] == '\0' && strlen(out) == len && len <= n);
        free(out);
    }

    /* The query string, with room for fewer and for as many parameters as the service allows. */
    static api_param params[API_MAX_PARAMS];
    size_t maxes[] = {0, 1, 3, API_MAX_PARAMS};
    for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
        size_t np = api_parse_query(s, params, maxes[i]);
        FUZZ_CHECK(np <= maxes[i]);
        for (size_t k = 0; k < np; k++) {
            FUZZ_CHECK(memchr(params[k].key, '\0', sizeof params[k].key) != NULL);
            FUZZ_CHECK(memchr(params[k].value, '\0', sizeof params[k].value) != NULL);
        }
    }

    /* Coordinates, into arrays of exactly max entries. */
    size_t cmaxes[] = {1, 2, 27};
    for (size_t i = 0; i < sizeof cmaxes / sizeof cmaxes[0]; i++) {
        double *lat = malloc(cmaxes[i] * sizeof *lat), *lon = malloc(cmaxes[i] * sizeof *lon);
        if (!lat || !lon)
            abort();
        size_t bad = 12345;
        long got = api_parse_coords(s, lat, lon, cmaxes[i], &bad);
        FUZZ_CHECK(got >= -2 && got <= (long)cmaxes[i]);
        if (got == -2)
            FUZZ_CHECK(bad == cmaxes[i]);
        if (got == -1)
            FUZZ_CHECK(bad <= cmaxes[i]);
        for (long k = 0; k < got; k++)
            FUZZ_CHECK(lat[k] >= -90 && lat[k] <= 90 && lon[k] >= -180 && lon[k] <= 180);
        free(lat);
        free(lon);
    }
    free(s);
    return 0;
}
