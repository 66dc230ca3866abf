/* api.h: the pieces of the HTTP API's request parsing that tests and fuzzers call directly. */
#ifndef BOGIE_API_H
#define BOGIE_API_H

#include "bogie.h"

#include <stdbool.h>
#include <stddef.h>

#define API_MAX_PARAMS 64

typedef struct api_param {
    char key[64];
    char value[1024];  /* decoded; api_check_query refuses longer values */
    size_t offset;     /* where its name starts in the query string given to api_parse_query */
} api_param;

/* Percent-decodes n bytes of s into out (out_size bytes, NUL-terminated), '+' as a space when plus_is_space;
 * malformed escapes stay as they are and NUL bytes are dropped. Returns the decoded length. With out NULL, only
 * counts: the length all n bytes decode to. */
size_t api_decode(const char *s, size_t n, char *out, size_t out_size, bool plus_is_space);

/* Checks a raw query string before api_parse_query splits it: at most API_MAX_PARAMS parameters with a name, each
 * name at most 63 and each value at most 1,023 bytes once decoded. Otherwise answers 414 (TooManyParameters or
 * TooLong, the message naming the parameter) into r, which owns the body, and returns false. */
bool api_check_query(const char *query, bogie_response *r);

/* Splits a raw query string ("a=1&b=x%20y") into at most max decoded parameters; returns how many. */
size_t api_parse_query(const char *query, api_param *out, size_t max);

/* Reads OSRM coordinates "lon,lat;lon,lat;..." into lat and lon (max of each). Returns the count; -1 when a pair is
 * malformed or out of range (*bad: its index), -2 when there are more than max. */
long api_parse_coords(const char *s, double *lat, double *lon, size_t max, size_t *bad);

#endif
