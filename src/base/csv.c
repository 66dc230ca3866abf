/* csv.c: reads bogie's small CSV data tables line by line (see csv.h). */
#include "base/csv.h"

#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Splits line (modified in place) into fields; returns the number of fields, or -1 for an unterminated quote. */
static long split(char *line, const char **field, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *start = p, *out = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        char sep = *p;
        *out = '\0';
        if (n < max)
            field[n] = start;
        n++;
        if (sep != ',')
            break;
        p++;
    }
    return (long)n;
}

bogie_status csv_read(const char *path, const char *const *columns, csv_row_fn fn, void *ud,
                      const bogie_allocator *alloc, bogie_diag *diag)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return util_io_fail(diag, path, "cannot open", errno);
    size_t want = 0;
    while (columns[want])
        want++;
    VEC(char) line = {0};
    bogie_status rc = BOGIE_OK;
    bool header = false;
    size_t lineno = 0;
    for (;;) {
        line.n = 0;
        int c;
        while ((c = fgetc(f)) != EOF && c != '\n') {
            if (VEC_PUSH(alloc, line, (char)c) != 0) {
                rc = util_nomem(diag, "reading a table");
                break;
            }
        }
        if (rc != BOGIE_OK)
            break;
        if (c == EOF && line.n == 0)
            break;
        lineno++;
        if (VEC_PUSH(alloc, line, '\0') != 0) {
            rc = util_nomem(diag, "reading a table");
            break;
        }
        if (line.n > 1 && line.v[line.n - 2] == '\r')
            line.v[line.n - 2] = '\0';
        const char *s = line.v;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        csv_row row = {lineno, 0, {0}};
        long n = split(line.v, row.field, CSV_MAX_FIELDS);
        if (n < 0) {
            rc = util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: a quoted field is not closed", path, lineno);
            break;
        }
        row.n = (size_t)n;
        if (!header) {
            header = true;
            bool same = row.n == want;
            for (size_t i = 0; same && i < want; i++)
                same = strcmp(row.field[i], columns[i]) == 0;
            if (!same) {
                strbuf sb;
                sb_init(&sb, alloc);
                for (size_t i = 0; i < want; i++)
                    sb_printf(&sb, "%s%s", i ? "," : "", columns[i]);
                rc = util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: the header must be \"%s\"", path, lineno,
                               sb.failed ? "?" : sb.s);
                sb_free(&sb);
                break;
            }
            continue;
        }
        if (row.n != want) {
            rc = util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: %zu fields, expected %zu (%s, ...)", path, lineno,
                           row.n, want, columns[0]);
            break;
        }
        rc = fn(ud, &row, diag);
        if (rc != BOGIE_OK)
            break;
    }
    if (rc == BOGIE_OK && ferror(f))
        rc = util_io_fail(diag, path, "read error", errno);
    if (rc == BOGIE_OK && !header)
        rc = util_fail(diag, BOGIE_ERR_INPUT, "%s: no header row", path);
    VEC_FREE(alloc, line);
    fclose(f);
    return rc;
}
