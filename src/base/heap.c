/* heap.c: a binary min-heap of (key, node) pairs for the graph searches. */
#include "base/heap.h"

#include "base/util.h"

bool minheap_push(minheap *h, double key, uint32_t node)
{
    if (h->n == h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 256;
        heap_entry *nv = util_realloc(h->a, h->v, h->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv)
            return false;
        h->v = nv;
        h->cap = nc;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->v[p].key <= key)
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = (heap_entry){key, node};
    return true;
}

heap_entry minheap_pop(minheap *h)
{
    heap_entry top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1].key < h->v[c].key)
            c++;
        if (h->v[c].key >= last.key)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = last;
    return top;
}

void minheap_free(minheap *h)
{
    if (h->v)
        util_free(h->a, h->v, h->cap * sizeof *h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}
