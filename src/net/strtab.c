/* strtab.c: interned strings for the import, stored once each in the blob that becomes the graph file's STRINGS
 * section. */
#include "net/strtab.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

bogie_status strtab_init(strtab *t, const bogie_allocator *alloc)
{
    memset(t, 0, sizeof *t);
    t->alloc = alloc;
    if (VEC_PUSH(alloc, t->blob, '\0') != 0)
        return BOGIE_ERR_NOMEM;
    return BOGIE_OK;
}

void strtab_free(strtab *t)
{
    VEC_FREE(t->alloc, t->blob);
    util_free(t->alloc, t->slots, t->n_slots * sizeof *t->slots);
    t->slots = NULL;
    t->n_slots = t->n_used = 0;
}

const char *strtab_get(const strtab *t, uint32_t id)
{
    return id < t->blob.n ? t->blob.v + id : "";
}

static bogie_status strtab_rehash(strtab *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : 1024;
    uint32_t *slots = util_calloc(t->alloc, n, sizeof *slots);
    if (!slots)
        return BOGIE_ERR_NOMEM;
    for (size_t i = 0; i < t->n_slots; i++) {
        uint32_t v = t->slots[i];
        if (!v)
            continue;
        const char *s = t->blob.v + (v - 1);
        size_t h = (size_t)XXH3_64bits(s, strlen(s)) & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = v;
    }
    util_free(t->alloc, t->slots, t->n_slots * sizeof *t->slots);
    t->slots = slots;
    t->n_slots = n;
    return BOGIE_OK;
}

bogie_status strtab_intern(strtab *t, const char *s, uint32_t *id)
{
    size_t len = strlen(s);
    if (len == 0) {
        *id = 0;
        return BOGIE_OK;
    }
    if ((t->n_used + 1) * 2 > t->n_slots) {
        bogie_status st = strtab_rehash(t);
        if (st != BOGIE_OK)
            return st;
    }
    size_t mask = t->n_slots - 1;
    size_t h = (size_t)XXH3_64bits(s, len) & mask;
    while (t->slots[h]) {
        uint32_t off = t->slots[h] - 1;
        if (strcmp(t->blob.v + off, s) == 0) {
            *id = off;
            return BOGIE_OK;
        }
        h = (h + 1) & mask;
    }
    if (t->blob.n + len + 1 >= UINT32_MAX)
        return BOGIE_ERR_LIMIT;
    uint32_t off = (uint32_t)t->blob.n;
    if (VEC_RESERVE(t->alloc, t->blob, t->blob.n + len + 1) != 0)
        return BOGIE_ERR_NOMEM;
    memcpy(t->blob.v + t->blob.n, s, len + 1);
    t->blob.n += len + 1;
    t->slots[h] = off + 1;
    t->n_used++;
    *id = off;
    return BOGIE_OK;
}
