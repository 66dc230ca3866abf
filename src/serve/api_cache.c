/* api_cache.c: the HTTP API's cache of whole answers by request target, least recently used out first; the network
 * never changes under a running service, so an answer stays right. */
#include "serve/api_int.h"

#include <stdlib.h>
#include <string.h>

static void cache_unlink(bogie_service *s, api_cache_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void cache_push_front(bogie_service *s, api_cache_entry *e)
{
    e->next = s->head;
    e->prev = NULL;
    if (s->head)
        s->head->prev = e;
    s->head = e;
    if (!s->tail)
        s->tail = e;
}

static size_t entry_size(const api_cache_entry *e)
{
    return sizeof *e + strlen(e->key) + 1 + e->len;
}

static void cache_evict(bogie_service *s, api_cache_entry *e)
{
    cache_unlink(s, e);
    api_cache_entry **b = &s->buckets[e->hash & (s->n_buckets - 1)];
    while (*b && *b != e)
        b = &(*b)->chain;
    if (*b)
        *b = e->chain;
    s->cache_used -= entry_size(e);
    free(e->key);
    free(e->body);
    free(e);
}

bool api_cache_get(bogie_service *s, const char *key, uint64_t h, bogie_response *r)
{
    if (!s->buckets)
        return false;
    bool hit = false;
    pthread_mutex_lock(&s->lock);
    for (api_cache_entry *e = s->buckets[h & (s->n_buckets - 1)]; e; e = e->chain) {
        if (e->hash != h || strcmp(e->key, key) != 0)
            continue;
        r->body = malloc(e->len ? e->len : 1);
        if (r->body) {
            memcpy(r->body, e->body, e->len);
            r->length = e->len;
            r->status = e->status;
            r->content_type = e->type;
            r->disposition = e->disposition;
            r->from_cache = true;
            cache_unlink(s, e);
            cache_push_front(s, e);
            hit = true;
            s->hits++;
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return hit;
}

void api_cache_put(bogie_service *s, const char *key, uint64_t h, const bogie_response *r)
{
    if (!s->buckets || !r->body || r->length > s->opts.cache_bytes / 8)
        return;
    api_cache_entry *e = calloc(1, sizeof *e);
    if (!e)
        return;
    e->key = strdup(key);
    e->body = malloc(r->length ? r->length : 1);
    if (!e->key || !e->body) {
        free(e->key);
        free(e->body);
        free(e);
        return;
    }
    memcpy(e->body, r->body, r->length);
    e->len = r->length;
    e->hash = h;
    e->status = r->status;
    e->type = r->content_type;
    e->disposition = r->disposition;
    pthread_mutex_lock(&s->lock);
    /* Another thread may have stored the same answer meanwhile; keep one. */
    for (api_cache_entry *o = s->buckets[h & (s->n_buckets - 1)]; o; o = o->chain)
        if (o->hash == h && strcmp(o->key, key) == 0) {
            pthread_mutex_unlock(&s->lock);
            free(e->key);
            free(e->body);
            free(e);
            return;
        }
    e->chain = s->buckets[h & (s->n_buckets - 1)];
    s->buckets[h & (s->n_buckets - 1)] = e;
    cache_push_front(s, e);
    s->cache_used += entry_size(e);
    while (s->cache_used > s->opts.cache_bytes && s->tail && s->tail != e)
        cache_evict(s, s->tail);
    pthread_mutex_unlock(&s->lock);
}

bogie_status api_cache_open(bogie_service *s, bogie_diag *diag)
{
    if (s->opts.cache_bytes == 0)
        return BOGIE_OK;
    s->n_buckets = 4096;
    s->buckets = calloc(s->n_buckets, sizeof *s->buckets);
    if (!s->buckets)
        return util_nomem(diag, "starting the cache");
    return BOGIE_OK;
}

void api_cache_close(bogie_service *s)
{
    while (s->head)
        cache_evict(s, s->head);
    free(s->buckets);
}
