/* csv.h: a small reader for bogie's data tables: comma-separated, '#' comment lines, a header row naming the
 * columns, and fields quoted with '"' when they hold commas. */
#ifndef BOGIE_CSV_H
#define BOGIE_CSV_H

#include "bogie.h"

#include <stddef.h>

#define CSV_MAX_FIELDS 16

typedef struct csv_row {
    size_t line;                      /* line number in the file, from 1 */
    size_t n;                         /* fields in this row */
    const char *field[CSV_MAX_FIELDS];/* NUL-terminated; valid until the next row */
} csv_row;

/* Called for each data row (not comments, blanks or the header). Returns BOGIE_OK to go on; anything else stops the
 * read and is returned (the callback fills diag itself). */
typedef bogie_status (*csv_row_fn)(void *ud, const csv_row *row, bogie_diag *diag);

/* Reads path, checks that its header row is exactly the expected columns (a NULL-terminated list), and calls fn for
 * every row, which must have that many fields. Failures name the file, the line and the column. */
bogie_status csv_read(const char *path, const char *const *columns, csv_row_fn fn, void *ud,
                      const bogie_allocator *alloc, bogie_diag *diag);

#endif
