/* names.c: match keys for station names (NFKD, full case folding, letters and digits only) built with GNU
 * libunistring, comparison of keys, and a banded edit distance between keys for suggestions. */
#include "ref/names.h"

#include "base/util.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

/* Keys are built in stack buffers of this many bytes, and u8_casefold() writes its result into one: it mallocs a
 * buffer itself only when its result is larger, which takes a name of some 700 characters or more (2048 bytes is also
 * the size of libunistring's own intermediate buffers, beyond which it mallocs as well). */
#define KEY_STACK_BYTES 2048

/* Returns whether the ASCII byte c is a letter or digit, the only ASCII characters a key keeps. */
static bool ascii_keeps(unsigned char c)
{
    unsigned char l = (unsigned char)(c | 0x20);
    return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
}

/* Returns whether the code point c, already decomposed and case-folded, stays in a key: letters and numbers, and
 * the combining marks that are not diacritics (Indic vowel signs, which spell a word's vowels: dropping them would
 * make Delhi and Dalla one name); but not the modifier letters of U+02B0..U+02FF left after NFKD (okina, modifier
 * apostrophe, primes, tone and length marks: punctuation in all but name) nor the Arabic tatweel U+0640 (a mere
 * stretching of the line). Accents, and other marks with Unicode's Diacritic property, go. */
static bool keeps(ucs4_t c)
{
    if (c < 0x80)
        return ascii_keeps((unsigned char)c);
    if ((c >= 0x02B0 && c <= 0x02FF) || c == 0x0640)
        return false;
    if (uc_is_general_category_withtable(c, UC_CATEGORY_MASK_M))
        return !uc_is_property_diacritic(c);
    return uc_is_general_category_withtable(c, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_N);
}

/* The key of an all-ASCII s: its letters, lowered, and its digits. *out is allocated with alloc and owned by the
 * caller. */
static bogie_status key_ascii(const char *s, size_t len, const bogie_allocator *alloc, char **out, size_t *out_len,
                              bogie_diag *diag)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ascii_keeps((unsigned char)s[i]);
    char *key = util_malloc(alloc, n + 1);
    if (!key)
        return util_nomem(diag, "making the match key of a name");
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (ascii_keeps(c))
            key[k++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    }
    key[k] = '\0';
    *out = key;
    *out_len = k;
    return BOGIE_OK;
}

/* Appends to key (k bytes used of cap) the letters and digits of the folded text f (flen bytes), compacting in
 * place when key == f. Returns the new length, or (size_t)-1 when key would overflow. */
/* Latin letters that Unicode gives no decomposition, so NFKD keeps them whole, spelt as people type them without
 * the mark: "Lodz" should find "Łódź". Each replacement is no longer than the letter's UTF-8, so that keys can be
 * built in place. Case folding has already lowered them. */
static const char *unmarked(ucs4_t c)
{
    switch (c) {
    case 0x0142: return "l";  /* ł */
    case 0x0111: return "d";  /* đ */
    case 0x00F0: return "d";  /* ð */
    case 0x00F8: return "o";  /* ø */
    case 0x0127: return "h";  /* ħ */
    case 0x0131: return "i";  /* dotless ı */
    case 0x0167: return "t";  /* ŧ */
    case 0x00E6: return "ae"; /* æ */
    case 0x0153: return "oe"; /* œ */
    case 0x00FE: return "th"; /* þ */
    default: return NULL;
    }
}

static size_t keep_letters(uint8_t *key, size_t k, size_t cap, const uint8_t *f, size_t flen)
{
    for (size_t i = 0; i < flen;) {
        ucs4_t c;
        int n = u8_mbtouc_unsafe(&c, f + i, flen - i);
        const char *plain = unmarked(c);
        if (plain) {
            size_t m = strlen(plain);
            if (m > cap - k)
                return (size_t)-1;
            memmove(key + k, plain, m);
            k += m;
        } else if (keeps(c)) {
            if ((size_t)n > cap - k)
                return (size_t)-1;
            memmove(key + k, f + i, (size_t)n);
            k += (size_t)n;
        }
        i += (size_t)n;
    }
    return k;
}

/* The key of s, valid UTF-8, in one pass of libunistring over the whole string. *out is allocated with alloc and owned
 * by the caller. libunistring's result lives on the stack, or, for long names, in memory it mallocs and this function
 * frees. */
static bogie_status key_whole(const char *s, size_t len, const bogie_allocator *alloc, char **out, size_t *out_len,
                              bogie_diag *diag)
{
    uint8_t stackbuf[KEY_STACK_BYTES];
    size_t flen = sizeof stackbuf;
    /* NFKD(toCasefold(NFKD(toCasefold(NFD(s))))): Unicode's compatibility caseless matching, language-independent. */
    uint8_t *f = u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFKD, stackbuf, &flen);
    if (!f)
        return util_nomem(diag, "case-folding a name"); /* the input is valid, so only ENOMEM is left */
    size_t k = keep_letters(f, 0, flen, f, flen); /* the key is never longer than the folded text */
    char *key = util_strndup(alloc, (const char *)f, k);
    if (f != stackbuf)
        free(f); /* allocated by libunistring with malloc */
    if (!key)
        return util_nomem(diag, "making the match key of a name");
    *out = key;
    *out_len = k;
    return BOGIE_OK;
}

/* The key of s, valid UTF-8 holding at least one non-ASCII byte. *out is allocated with alloc and owned by the caller.
 *
 * libunistring costs some 300 ns a call plus 100 ns a byte, so only the runs of non-ASCII bytes go through it and the
 * ASCII between them is keyed directly: "Köln Hbf" costs one call on "ö". This gives the same key as folding the whole
 * string at once because every stage works character by character except where ASCII cannot be involved: an ASCII
 * character decomposes to itself and is a starter (canonical combining class 0), so the reordering of combining marks
 * in NFD and NFKD never moves anything across it; it case-folds to itself or its lower case; and language-independent
 * full case folding looks at no context (the Final_Sigma rule concerns lower-casing only). When a run or the key
 * outgrows the stack buffers, the whole string is keyed in one piece instead. test_names.c checks all this against
 * a whole-string reference. */
static bogie_status key_mixed(const char *s, size_t len, const bogie_allocator *alloc, char **out, size_t *out_len,
                              bogie_diag *diag)
{
    const uint8_t *u = (const uint8_t *)s;
    uint8_t key[KEY_STACK_BYTES];
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            if (ascii_keeps(u[i])) {
                if (k == sizeof key)
                    return key_whole(s, len, alloc, out, out_len, diag);
                key[k++] = (uint8_t)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] | 0x20 : u[i]);
            }
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < len && u[j] >= 0x80)
            j++;
        uint8_t fold[KEY_STACK_BYTES];
        size_t flen = sizeof fold;
        uint8_t *f = u8_casefold(u + i, j - i, NULL, UNINORM_NFKD, fold, &flen);
        if (!f)
            return util_nomem(diag, "case-folding a name");
        if (f != fold) {
            free(f); /* allocated by libunistring with malloc: too long for the stack, so take the general way */
            return key_whole(s, len, alloc, out, out_len, diag);
        }
        k = keep_letters(key, k, sizeof key, fold, flen);
        if (k == (size_t)-1)
            return key_whole(s, len, alloc, out, out_len, diag);
        i = j;
    }
    char *p = util_strndup(alloc, (const char *)key, k);
    if (!p)
        return util_nomem(diag, "making the match key of a name");
    *out = p;
    *out_len = k;
    return BOGIE_OK;
}

bogie_status names_key(const char *s, size_t len, const bogie_allocator *alloc, char **out, size_t *out_len,
                       bogie_diag *diag)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!out || !out_len || (!s && len > 0))
        return util_fail(diag, BOGIE_ERR_ARG, "names_key: NULL argument");
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    if (i == len)
        return key_ascii(s, len, alloc, out, out_len, diag);
    const uint8_t *bad = u8_check((const uint8_t *)s + i, len - i);
    if (bad)
        return util_fail(diag, BOGIE_ERR_INPUT, "invalid UTF-8 in name at byte offset %zu",
                         (size_t)(bad - (const uint8_t *)s));
    return key_mixed(s, len, alloc, out, out_len, diag);
}

names_match names_compare(const char *query_key, size_t qlen, const char *name_key, size_t nlen)
{
    if (qlen == 0 || qlen > nlen)
        return NAMES_NONE;
    if (memcmp(name_key, query_key, qlen) == 0)
        return qlen == nlen ? NAMES_EXACT : NAMES_PREFIX;
    /* A match of whole UTF-8 sequences can only start on a character boundary, so bytes can be compared blindly. */
    const char *end = name_key + (nlen - qlen); /* last possible start */
    for (const char *p = name_key + 1; p <= end; p++) {
        p = memchr(p, query_key[0], (size_t)(end - p) + 1);
        if (!p)
            break;
        if (memcmp(p, query_key, qlen) == 0)
            return NAMES_CONTAINS;
    }
    return NAMES_NONE;
}

/* Decodes the code point at s (n > 0 bytes left) into *c and returns its length; invalid UTF-8 gives U+FFFD. */
static size_t next_code_point(const uint8_t *s, size_t n, ucs4_t *c)
{
    if (s[0] < 0x80) {
        *c = s[0];
        return 1;
    }
    return (size_t)u8_mbtouc(c, s, n);
}

/* Returns the number of code points in s, counted as next_code_point() reads them. */
static size_t count_code_points(const uint8_t *s, size_t n)
{
    size_t count = 0;
    ucs4_t c;
    for (size_t i = 0; i < n; count++)
        i += next_code_point(s + i, n - i, &c);
    return count;
}

unsigned names_distance(const char *a, size_t alen, const char *b, size_t blen, unsigned cap)
{
    const uint8_t *ra = (const uint8_t *)a, *cb = (const uint8_t *)b; /* rows, columns */
    size_t m = count_code_points(ra, alen), n = count_code_points(cb, blen);
    if (n > m) { /* columns run over the shorter key */
        const uint8_t *t = ra;
        ra = cb;
        cb = t;
        size_t tl = alen;
        alen = blen;
        blen = tl;
        size_t tn = m;
        m = n;
        n = tn;
    }
    /* The distance is at most m, so a larger cap changes nothing; c + 1 must fit an unsigned. */
    size_t c = cap < UINT_MAX ? cap : UINT_MAX - 1;
    if (c > m)
        c = m;
    /* Row i of the table D (distances between the first i code points of ra and the first j of cb) only matters in
     * the band |i - j| <= c: outside it D > c. The band is kept in a ring of w cells, cell j % w holding D[i][j], and
     * the column code points likewise; w exceeds the band's width by one so that D[i-1][lo-1] survives row i. */
    size_t band = c >= (n + 1) / 2 ? n + 1 : 2 * c + 1; /* min(2c + 1, n + 1) without overflow */
    if (band + 1 > NAMES_DISTANCE_MAX_BAND) {
        c = (NAMES_DISTANCE_MAX_BAND - 2) / 2;
        band = 2 * c + 1;
    }
    if (m - n > c)
        return (unsigned)(c + 1);
    if (n == 0)
        return (unsigned)m;
    const size_t w = band + 1, inf = c + 1;
    size_t cell[NAMES_DISTANCE_MAX_BAND];
    ucs4_t col[NAMES_DISTANCE_MAX_BAND];
    size_t decoded = 0, bpos = 0; /* column code points decoded so far; byte position in cb */
    for (size_t j = 0; j <= c && j <= n; j++)
        cell[j % w] = j;
    size_t apos = 0;
    for (size_t i = 1; i <= m; i++) {
        ucs4_t x;
        apos += next_code_point(ra + apos, alen - apos, &x);
        size_t lo = i > c ? i - c : 0, hi = i < n && c < n - i ? i + c : n;
        size_t phi = i - 1 < n && c < n - (i - 1) ? i - 1 + c : n; /* the previous row's band ends here */
        while (decoded < hi) {
            decoded++;
            bpos += next_code_point(cb + bpos, blen - bpos, &col[decoded % w]);
        }
        size_t diag, left, rowmin, j;
        if (lo == 0) {
            diag = cell[0];
            cell[0] = i;
            left = rowmin = i;
            j = 1;
        } else {
            diag = cell[(lo - 1) % w];
            left = rowmin = inf;
            j = lo;
        }
        for (; j <= hi; j++) {
            size_t up = j <= phi ? cell[j % w] : inf;
            size_t v = diag + (col[j % w] != x);
            if (up + 1 < v)
                v = up + 1;
            if (left + 1 < v)
                v = left + 1;
            if (v > inf)
                v = inf;
            diag = up;
            cell[j % w] = left = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin >= inf)
            return (unsigned)inf;
    }
    return (unsigned)cell[n % w];
}
