/* train.h: the parser of train profiles from memory, which bogie_train_load() and the fuzzer share. */
#ifndef BOGIE_TRAIN_H
#define BOGIE_TRAIN_H

#include "bogie.h"

#include <stddef.h>

/* Parses and checks a train profile held in memory (len bytes of JSON at text, which need not be NUL-terminated)
 * into *out, as bogie_train_load() does for a file; name (a path, usually) is put first in messages. *out is
 * cleared first and is complete only on success. Failures give BOGIE_ERR_INPUT with the line and column of a JSON
 * syntax error, or the field that is wrong. */
bogie_status train_parse(const char *name, const char *text, size_t len, bogie_train *out, bogie_diag *diag);

#endif
