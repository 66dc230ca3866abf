/* util.c: allocation through a bogie_allocator, growable arrays, diagnostics and string buffers. */
#define _POSIX_C_SOURCE 200809L
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistr.h>

static void *default_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    UNUSED(ud);
    UNUSED(old_size);
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

static const bogie_allocator default_allocator = {default_alloc, NULL};

const bogie_allocator *util_alloc_or_default(const bogie_allocator *alloc)
{
    return (alloc && alloc->fn) ? alloc : &default_allocator;
}

void *util_malloc(const bogie_allocator *a, size_t size)
{
    if (size == 0)
        return NULL;
    a = util_alloc_or_default(a);
    return a->fn(a->ud, NULL, 0, size);
}

void *util_calloc(const bogie_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = util_malloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *util_realloc(const bogie_allocator *a, void *ptr, size_t old_size, size_t new_size)
{
    if (new_size == 0)
        return NULL;
    a = util_alloc_or_default(a);
    return a->fn(a->ud, ptr, old_size, new_size);
}

void util_free(const bogie_allocator *a, void *ptr, size_t size)
{
    if (!ptr)
        return;
    a = util_alloc_or_default(a);
    a->fn(a->ud, ptr, size, 0);
}

char *util_strndup(const bogie_allocator *a, const char *s, size_t n)
{
    char *p = util_malloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int util_grow(const bogie_allocator *a, void **data, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem_size)
        return -1;
    void *p = util_realloc(a, *data, *cap * elem_size, ncap * elem_size);
    if (!p)
        return -1;
    *data = p;
    *cap = ncap;
    return 0;
}

bogie_status util_vfail(bogie_diag *diag, bogie_status status, const char *fmt, va_list ap)
{
    if (diag) {
        diag->status = status;
        vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    }
    return status;
}

bogie_status util_fail(bogie_diag *diag, bogie_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_vfail(diag, status, fmt, ap);
    va_end(ap);
    return status;
}

bogie_status util_io_fail(bogie_diag *diag, const char *path, const char *what, int err)
{
    char buf[128];
    if (strerror_r(err, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", err);
    return util_fail(diag, BOGIE_ERR_IO, "%s: %s: %s", path, what, buf);
}

bogie_status util_nomem(bogie_diag *diag, const char *what)
{
    return util_fail(diag, BOGIE_ERR_NOMEM, "out of memory while %s", what);
}

const char *bogie_strerror(bogie_status status)
{
    static const char *const text[BOGIE_STATUS_COUNT] = {
        [BOGIE_OK] = "success",
        [BOGIE_ERR_NOMEM] = "out of memory",
        [BOGIE_ERR_IO] = "input/output error",
        [BOGIE_ERR_INPUT] = "malformed input",
        [BOGIE_ERR_UNSUPPORTED] = "unsupported input format or feature",
        [BOGIE_ERR_GRAPH] = "damaged graph file",
        [BOGIE_ERR_VERSION] = "graph file version not supported",
        [BOGIE_ERR_CHECKSUM] = "graph file checksum mismatch",
        [BOGIE_ERR_CANCELLED] = "cancelled",
        [BOGIE_ERR_ARG] = "invalid argument",
        [BOGIE_ERR_EMPTY] = "no usable track in the input",
        [BOGIE_ERR_LIMIT] = "size limit exceeded",
        [BOGIE_ERR_NOT_FOUND] = "not found",
    };
    if ((unsigned)status >= BOGIE_STATUS_COUNT || !text[status])
        return "unknown status";
    return text[status];
}

void sb_init(strbuf *sb, const bogie_allocator *alloc)
{
    memset(sb, 0, sizeof *sb);
    sb->alloc = alloc;
}

void sb_free(strbuf *sb)
{
    util_free(sb->alloc, sb->s, sb->cap);
    sb->s = NULL;
    sb->len = sb->cap = 0;
}

static bool sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    if (util_grow(sb->alloc, (void **)&sb->s, &sb->cap, sb->len + extra + 1, 1) != 0) {
        sb->failed = true;
        return false;
    }
    return true;
}

void sb_append(strbuf *sb, const char *s, size_t n)
{
    if (!sb_reserve(sb, n))
        return;
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void sb_puts(strbuf *sb, const char *s)
{
    sb_append(sb, s, strlen(s));
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

/* For the number writers below, which are inlined where the count of decimals is a constant. */
#if defined(__GNUC__)
#define FIXED_INLINE inline __attribute__((always_inline))
#else
#define FIXED_INLINE inline
#endif

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* Writes the four decimal digits of r < 10^4 at p, as two pairs from the table. */
static FIXED_INLINE void four_digits(char *p, uint32_t r)
{
    memcpy(p, digit_pairs + 2 * (r / 100), 2);
    memcpy(p + 2, digit_pairs + 2 * (r % 100), 2);
}

/* Writes the count (0 to 9) decimal digits of r < 10^count backwards, zeros in front, ending before end: four at a
 * time, each four as two pairs from the table, so that few multiplications wait on each other. Returns where they
 * begin. */
static FIXED_INLINE char *fraction_digits(char *end, uint32_t r, int count)
{
    char *p = end;
    for (; count >= 4; count -= 4) {
        p -= 4;
        four_digits(p, r % 10000);
        r /= 10000;
    }
    if (count >= 2) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * (r % 100), 2);
        r /= 100;
        count -= 2;
    }
    if (count == 1)
        *--p = (char)('0' + r);
    return p;
}

/* Writes every decimal digit of n (at least one) backwards, ending before end; returns where they begin. */
static FIXED_INLINE char *all_digits(char *end, uint64_t n)
{
    char *p = end;
    while (n >= 100) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * (n % 100), 2);
        n /= 100;
    }
    if (n >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * n, 2);
    } else {
        *--p = (char)('0' + n);
    }
    return p;
}

/* Splits n into n / 10^decimals and the remainder, dividing by a constant for each count of decimals (a multiply,
 * where a division by a variable would take tens of cycles). */
static FIXED_INLINE uint64_t split_decimals(uint64_t n, int decimals, uint32_t *r)
{
#define SPLIT(d, p)                                                                                                    \
    case d:                                                                                                            \
        *r = (uint32_t)(n % p);                                                                                        \
        return n / p
    switch (decimals) {
        SPLIT(1, 10u);
        SPLIT(2, 100u);
        SPLIT(3, 1000u);
        SPLIT(4, 10000u);
        SPLIT(5, 100000u);
        SPLIT(6, 1000000u);
        SPLIT(7, 10000000u);
        SPLIT(8, 100000000u);
        SPLIT(9, 1000000000u);
    default:
        *r = 0;
        return n;
    }
#undef SPLIT
}

/* util_format_fixed() for decimals already in 0 .. 9. Inline, so that where decimals is a constant the compiler
 * unrolls the digit loops and picks the division for it (util_format_fixed() calls it so for the counts the writers
 * use most). */
static FIXED_INLINE size_t format_fixed(char *buf, double v, int decimals)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double scaled = v * pow10[decimals];
    if (!(scaled < 9e15 && scaled > -9e15))
        return 0;
    bool neg = scaled < 0;
    uint64_t n = (uint64_t)((neg ? -scaled : scaled) + 0.5);
    uint32_t r;
    uint64_t q = split_decimals(n, decimals, &r);
    /* The length first, then the decimals with their leading zeros and the integer part backwards from its end. A
     * value that rounds to zero prints without its sign, as printf would not: "-0.0" helps nobody. */
    size_t len = (neg && n != 0) + (decimals > 0 ? (size_t)decimals + 1 : 0) + 1;
    len += q >= 10 ? q >= 100 ? 2 : 1 : 0; /* most numbers written have up to three digits before the point */
    for (uint64_t x = q / 1000; x > 0; x /= 10)
        len++;
    char *p = buf + len;
    if (decimals > 0) {
        p = fraction_digits(p, r, decimals);
        *--p = '.';
    }
    p = all_digits(p, q);
    if (p > buf)
        *--p = '-';
    return len;
}

size_t util_format_fixed(char *buf, double v, int decimals)
{
    switch (decimals) {
    case 1:
        return format_fixed(buf, v, 1); /* times */
    case 2:
        return format_fixed(buf, v, 2); /* speeds */
    case 3:
        return format_fixed(buf, v, 3); /* km */
    case 7:
        return format_fixed(buf, v, 7); /* coordinates */
    default:
        return format_fixed(buf, v, decimals < 0 ? 0 : decimals > 9 ? 9 : decimals);
    }
}

void sb_fixed(strbuf *sb, double v, int decimals)
{
    char *at = sb_room(sb, UTIL_FIXED_MAX);
    if (!at)
        return;
    size_t k = util_format_fixed(at, v, decimals);
    if (k > 0)
        sb_wrote(sb, k);
    else
        sb_printf(sb, "%.*f", decimals < 0 ? 0 : decimals > 9 ? 9 : decimals, v);
}

char *sb_room(strbuf *sb, size_t n)
{
    return sb_reserve(sb, n) ? sb->s + sb->len : NULL;
}

void sb_wrote(strbuf *sb, size_t k)
{
    sb->len += k;
    sb->s[sb->len] = '\0';
}

void sb_json_string(strbuf *sb, const char *s)
{
    sb_append(sb, "\"", 1);
    const unsigned char *end = (const unsigned char *)s + strlen(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            /* A whole UTF-8 character is copied; a byte that does not start one becomes U+FFFD, so that the text
             * stays valid JSON whatever a client sent (an error message quotes the request). */
            ucs4_t uc;
            int k = u8_mbtoucr(&uc, p, (size_t)(end - p));
            if (k > 0) {
                sb_append(sb, (const char *)p, (size_t)k);
                p += k - 1;
            } else {
                sb_append(sb, "\\ufffd", 6);
            }
            continue;
        }
        switch (*p) {
        case '"': sb_append(sb, "\\\"", 2); break;
        case '\\': sb_append(sb, "\\\\", 2); break;
        case '\n': sb_append(sb, "\\n", 2); break;
        case '\r': sb_append(sb, "\\r", 2); break;
        case '\t': sb_append(sb, "\\t", 2); break;
        default:
            if (*p < 0x20)
                sb_printf(sb, "\\u%04x", *p);
            else
                sb_append(sb, (const char *)p, 1);
        }
    }
    sb_append(sb, "\"", 1);
}

void util_strlcpy_utf8(char *dst, const char *src, size_t dstsize)
{
    if (dstsize == 0)
        return;
    size_t n = strlen(src);
    if (n >= dstsize) {
        n = dstsize - 1;
        /* Step back over UTF-8 continuation bytes so that no character is cut in half. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

bool util_ends_with_ci(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcasecmp(s + ls - lx, suffix) == 0;
}

double util_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void util_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (base && n > 1)
        qsort(base, n, size, cmp);
}
