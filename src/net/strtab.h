/* strtab.h: interned strings for the import (strtab.c); the blob becomes the graph file's STRINGS section. */
#ifndef BOGIE_STRTAB_H
#define BOGIE_STRTAB_H

#include "base/util.h"

/* Interned strings: each distinct string is stored once in a NUL-separated blob; its id is its byte offset there,
 * which is also its offset in the graph file's STRINGS section. Offset 0 is the empty string. */
typedef struct strtab {
    const bogie_allocator *alloc;
    VEC(char) blob;
    uint32_t *slots; /* open addressing: string offset + 1, or 0 when empty */
    size_t n_slots, n_used;
} strtab;

bogie_status strtab_init(strtab *t, const bogie_allocator *alloc);
void strtab_free(strtab *t);
/* Returns the offset of s (interning it if new) in *id; BOGIE_ERR_NOMEM or BOGIE_ERR_LIMIT on failure. */
bogie_status strtab_intern(strtab *t, const char *s, uint32_t *id);
/* Returns the string at offset id; the pointer is valid until the next strtab_intern(). */
const char *strtab_get(const strtab *t, uint32_t id);

#endif
