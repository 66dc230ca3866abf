/* heap.h: a binary min-heap of (key, node) pairs, the priority queue of the graph searches in landmarks.c and ch.c.
 * Stale entries are left in and skipped by the caller (lazy deletion). */
#ifndef BOGIE_HEAP_H
#define BOGIE_HEAP_H

#include "bogie.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct heap_entry {
    double key;
    uint32_t node;
} heap_entry;

/* Zero-initialise with the allocator set: minheap h = {alloc, NULL, 0, 0}. */
typedef struct minheap {
    const bogie_allocator *a;
    heap_entry *v;
    size_t n, cap;
} minheap;

/* Adds (key, node), growing the array with h->a; false when out of memory (the heap is unchanged). */
bool minheap_push(minheap *h, double key, uint32_t node);
/* Removes and returns the entry with the least key; h must not be empty. */
heap_entry minheap_pop(minheap *h);
/* Frees the array; the heap may be used again. */
void minheap_free(minheap *h);

#endif
