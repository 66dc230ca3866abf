/* fuzz_names.c: a libFuzzer harness for station-name matching (src/ref/names.c): two strings cut from the input are made
 * into match keys, compared and measured apart, raw and as keys, with what names.h promises checked on each result:
 * keys are valid UTF-8 without NUL bytes, a comparison agrees with the bytes, and the capped edit distance is zero
 * exactly for equal keys, symmetric, no more than the cap plus one, and at least the difference in length. The first
 * byte chooses the cap, the second where the rest is cut in two. */
#include "fuzz.h"
#include "ref/names.h"

#include <limits.h>
#include <unistr.h>

static const unsigned caps[] = {0, 1, 2, 3, 5, 255, 256, 600, UINT_MAX - 1, UINT_MAX};

/* Makes the key of the len bytes at s; returns it (NULL when s is not valid UTF-8) and its length in *klen. */
static char *make_key(const char *s, size_t len, size_t *klen)
{
    char *key = NULL;
    bogie_diag d = {0};
    bogie_status st = names_key(s, len, NULL, &key, klen, &d);
    if (st != BOGIE_OK) {
        FUZZ_CHECK(st == BOGIE_ERR_INPUT && key == NULL && *klen == 0);
        FUZZ_CHECK(u8_check((const uint8_t *)s, len) != NULL);
        fuzz_check_diag(&d);
        return NULL;
    }
    FUZZ_CHECK(key != NULL && key[*klen] == '\0' && strlen(key) == *klen);
    FUZZ_CHECK(u8_check((const uint8_t *)key, *klen) == NULL);
    return key;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Checks one pair of strings with one cap; keys tells that both are keys (valid UTF-8). */
static void check_distance(const char *a, size_t alen, const char *b, size_t blen, unsigned cap, bool keys)
{
    unsigned ab = names_distance(a, alen, b, blen, cap), ba = names_distance(b, blen, a, alen, cap);
    FUZZ_CHECK(ab == ba);
    unsigned top = cap == UINT_MAX ? UINT_MAX : cap + 1;
    FUZZ_CHECK(ab <= top);
    FUZZ_CHECK(names_distance(a, alen, a, alen, cap) == 0);
    if (!keys)
        return;
    size_t la = u8_mbsnlen((const uint8_t *)a, alen), lb = u8_mbsnlen((const uint8_t *)b, blen);
    FUZZ_CHECK(ab <= max_size(la, lb));
    size_t diff = la > lb ? la - lb : lb - la;
    FUZZ_CHECK(ab >= (diff < top ? diff : top) || ab == 256);
    bool equal = alen == blen && memcmp(a, b, alen) == 0;
    FUZZ_CHECK((ab == 0) == equal);
}

/* Whether the kl bytes at k contain the ql > 0 bytes at q (memmem() is a GNU extension). */
static bool contains(const char *k, size_t kl, const char *q, size_t ql)
{
    for (size_t i = 0; i + ql <= kl; i++)
        if (memcmp(k + i, q, ql) == 0)
            return true;
    return false;
}

static void check_compare(const char *q, size_t ql, const char *k, size_t kl)
{
    names_match m = names_compare(q, ql, k, kl);
    if (ql == 0 || ql > kl) {
        FUZZ_CHECK(m == NAMES_NONE);
        return;
    }
    bool prefix = memcmp(q, k, ql) == 0;
    if (prefix)
        FUZZ_CHECK(m == (ql == kl ? NAMES_EXACT : NAMES_PREFIX));
    else
        FUZZ_CHECK(m == (contains(k, kl, q, ql) ? NAMES_CONTAINS : NAMES_NONE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned cap = caps[data[0] % (sizeof caps / sizeof caps[0])];
    size_t rest = size - 2, cut = rest * data[1] / 255;
    const char *a = (const char *)data + 2, *b = a + cut;
    size_t alen = cut, blen = rest - cut;
    check_distance(a, alen, b, blen, cap, false);
    size_t ka_len = 0, kb_len = 0;
    char *ka = make_key(a, alen, &ka_len), *kb = make_key(b, blen, &kb_len);
    if (ka && kb) {
        check_compare(ka, ka_len, kb, kb_len);
        check_compare(kb, kb_len, ka, ka_len);
        check_compare(ka, ka_len, ka, ka_len);
        check_distance(ka, ka_len, kb, kb_len, cap, true);
    }
    free(ka);
    free(kb);
    return 0;
}
