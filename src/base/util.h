/* util.h: small helpers shared by every module: allocation through a bogie_allocator, growable arrays, diagnostics
 * and string buffers. */
#ifndef BOGIE_UTIL_H
#define BOGIE_UTIL_H

#include "bogie.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNUSED(x) ((void)(x))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Returns alloc itself, or the malloc-backed allocator when alloc is NULL or has no function. The result is a
 * pointer to static constant data or to the caller's struct; nobody frees it. */
const bogie_allocator *util_alloc_or_default(const bogie_allocator *alloc);

/* Allocates size bytes through a; returns NULL on failure or when size is 0. The caller frees with util_free(). */
void *util_malloc(const bogie_allocator *a, size_t size);
/* Like util_malloc() but zero-filled; n * size must not overflow (checked). */
void *util_calloc(const bogie_allocator *a, size_t n, size_t size);
/* Resizes ptr from old_size to new_size bytes; on failure returns NULL and ptr stays valid and owned by the caller. */
void *util_realloc(const bogie_allocator *a, void *ptr, size_t old_size, size_t new_size);
/* Frees ptr of size bytes; NULL is a no-op. */
void util_free(const bogie_allocator *a, void *ptr, size_t size);
/* Copies the n bytes at s into a new NUL-terminated string owned by the caller (free with util_free(a, p, n + 1)). */
char *util_strndup(const bogie_allocator *a, const char *s, size_t n);

/* Grows the array *data (of *cap elements of elem_size bytes) so that it holds at least need elements. Returns 0, or
 * -1 when memory runs out or the size would overflow; the array is unchanged then. */
int util_grow(const bogie_allocator *a, void **data, size_t *cap, size_t need, size_t elem_size);

/* A growable array of T: VEC(T) v = {0}; VEC_PUSH(a, v, x) returns 0 or -1; VEC_FREE(a, v) releases it. */
#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_RESERVE(a, vec, need) \
    ((need) <= (vec).cap ? 0 : util_grow((a), (void **)&(vec).v, &(vec).cap, (need), sizeof *(vec).v))
#define VEC_PUSH(a, vec, x) \
    (VEC_RESERVE((a), (vec), (vec).n + 1) == 0 ? ((vec).v[(vec).n++] = (x), 0) : -1)
#define VEC_FREE(a, vec) \
    (util_free((a), (vec).v, (vec).cap * sizeof *(vec).v), (vec).v = NULL, (vec).n = (vec).cap = 0)

/* Sets diag (if not NULL) to status and the formatted message, and returns status. */
bogie_status util_fail(bogie_diag *diag, bogie_status status, const char *fmt, ...) PRINTF_LIKE(3, 4);
bogie_status util_vfail(bogie_diag *diag, bogie_status status, const char *fmt, va_list ap);

/* Sets diag to "<path>: <what>: <the system's text for errno err>" and returns BOGIE_ERR_IO. Thread-safe, unlike
 * strerror(). */
bogie_status util_io_fail(bogie_diag *diag, const char *path, const char *what, int err);

/* Sets diag to "out of memory while <what>" and returns BOGIE_ERR_NOMEM. */
bogie_status util_nomem(bogie_diag *diag, const char *what);

/* A growable NUL-terminated string. sb_* functions record a failed allocation in sb->failed and then do nothing, so
 * callers can append freely and check once at the end. The buffer is owned by the struct; free with sb_free(). */
typedef struct strbuf {
    const bogie_allocator *alloc;
    char *s;
    size_t len, cap;
    bool failed;
} strbuf;

void sb_init(strbuf *sb, const bogie_allocator *alloc);
void sb_free(strbuf *sb);
void sb_append(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Appends v with exactly decimals digits after the point (0 to 9), rounded half away from zero, like printf's
 * "%.*f" but without its cost; values beyond +-9e15 / 10^decimals, and non-finite ones, fall back to printf. */
void sb_fixed(strbuf *sb, double v, int decimals);
/* The longest text util_format_fixed writes: 16 digits, the point and the sign, and room to spare. */
#define UTIL_FIXED_MAX 24
/* Writes v as sb_fixed does into buf (UTIL_FIXED_MAX bytes at least; no NUL) and returns the length; returns 0 for
 * the values sb_fixed hands to printf (beyond +-9e15 / 10^decimals, or not finite). */
size_t util_format_fixed(char *buf, double v, int decimals);
/* Makes room for n more bytes and returns where they go (sb->s + sb->len), or NULL once an allocation has failed;
 * sb_wrote(sb, k) then adds the k <= n bytes written there. For writers that format many numbers in a row. */
char *sb_room(strbuf *sb, size_t n);
void sb_wrote(strbuf *sb, size_t k);
/* Appends s as a JSON string literal, quotes included, escaping what JSON requires; each byte of s that is not part of
 * a valid UTF-8 character becomes U+FFFD. */
void sb_json_string(strbuf *sb, const char *s);

/* Copies src into dst of size dstsize, truncating on a UTF-8 character boundary; dst is always NUL-terminated. */
void util_strlcpy_utf8(char *dst, const char *src, size_t dstsize);

/* Returns true when s ends with suffix, ignoring ASCII case. */
bool util_ends_with_ci(const char *s, const char *suffix);

/* qsort() that accepts an empty or NULL array (qsort itself must not be given NULL). */
void util_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Monotonic clock in seconds. */
double util_now(void);

#endif
