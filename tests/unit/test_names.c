/* test_names.c: unit tests of station-name match keys (case, accents, punctuation, scripts, invalid UTF-8, running
 * out of memory), of key comparison, and of the capped edit distance. */
#include "testutil.h"

#include "ref/names.h"
#include "base/util.h"

#include <limits.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

/* Returns the key of the first len bytes of s, which must succeed; the caller frees it with free(). */
static char *key_n(const char *s, size_t len)
{
    char *out = NULL;
    size_t out_len = 99;
    bogie_diag diag = {0};
    bogie_status st = names_key(s, len, NULL, &out, &out_len, &diag);
    if (st != BOGIE_OK)
        fail_msg("names_key(\"%s\") failed: %s", s, diag.message);
    assert_non_null(out);
    assert_int_equal(strlen(out), out_len);
    return out;
}

static char *key(const char *s)
{
    return key_n(s, strlen(s));
}

#define assert_key(s, expected)                                                                                    \
    do {                                                                                                           \
        char *k_ = key(s);                                                                                         \
        if (strcmp(k_, (expected)) != 0)                                                                           \
            fail_msg("key of \"%s\" is \"%s\", expected \"%s\"", (s), k_, (expected));                             \
        free(k_);                                                                                                  \
    } while (0)

/* Asserts that a and b have equal keys (same == 1) or different keys (same == 0). */
static void check_same(const char *a, const char *b, int same)
{
    char *ka = key(a), *kb = key(b);
    if ((strcmp(ka, kb) == 0) != same)
        fail_msg("\"%s\" -> \"%s\" and \"%s\" -> \"%s\" should %smatch", a, ka, b, kb, same ? "" : "not ");
    free(ka);
    free(kb);
}

static void test_latin_case_accents_punctuation(void **state)
{
    (void)state;
    assert_key("Tumangang", "tumangang");
    assert_key("SINUIJU", "sinuiju");
    assert_key("P'yongsong", "pyongsong");
    check_same("P'yongsong", "Pyongsong", 1);
    check_same("P\u2019y\u014fngs\u014fng", "Pyongsong", 1); /* typographic apostrophe, o with breve */
    check_same("\u010cierna nad Tisou", "Cierna nad Tisou", 1);
    assert_key("\u010cierna nad Tisou", "ciernanadtisou");
    check_same("K\u00f6ln Hbf", "koln hbf", 1);
    check_same("Ko\u0308ln Hbf", "K\u00f6ln Hbf", 1); /* decomposed o + combining diaeresis */
    assert_key("K\u00f6ln Hbf", "kolnhbf");
    check_same("KÖLN-HBF", "köln hbf", 1);
    assert_key("Ch'ongjin Ch'ongnyon", "chongjinchongnyon");
    check_same("Ch'ongjin Ch'ongnyon", "chongjin chongnyon", 1);
    assert_key("Sopyongyang (West Pyongyang)", "sopyongyangwestpyongyang");
    assert_key("Berlin Hbf (tief), Gleis 2", "berlinhbftiefgleis2");
    /* No transliteration: these need not match, and do not. */
    check_same("K\u00f6ln", "Koeln", 0);
    check_same("Sankt P\u00f6lten", "St. Poelten", 0);
    /* Latin letters with a stroke or ligatures, which have no decomposition, are spelt as typed without the mark:
     * "Lodz" finds Łódź. */
    assert_key("\u0141\u00f3d\u017a Fabryczna", "lodzfabryczna");
    check_same("\u0141\u00f3d\u017a", "Lodz", 1);
    check_same("Wroc\u0142aw G\u0142\u00f3wny", "Wroclaw Glowny", 1);
    check_same("K\u00f8benhavn", "Kobenhavn", 1);
    check_same("\u0110akovo", "Dakovo", 1);
    check_same("\u00c6r\u00f8sk\u00f8bing", "Aeroskobing", 1);
}

static void test_sharp_s_and_fullwidth(void **state)
{
    (void)state;
    assert_key("Stra\u00dfe", "strasse");
    check_same("Stra\u00dfe", "STRASSE", 1);
    check_same("STRA\u1e9eE", "strasse", 1);                   /* capital sharp s */
    assert_key("\uff34\uff35\uff2d\uff21\uff2e", "tuman");      /* fullwidth TUMAN */
    check_same("\uff34\uff35\uff2d\uff21\uff2e", "Tuman", 1);
    assert_key("Gleis \u00b2", "gleis2");                       /* superscript two */
    assert_key("\u216b", "xii");                                /* roman numeral twelve */
    assert_key("\ufb01lm", "film");                             /* fi ligature */
}

static void test_okina_and_modifier_apostrophes(void **state)
{
    (void)state;
    assert_key("Hawai\u02bbi", "hawaii"); /* okina U+02BB is a modifier letter, removed all the same */
    /* Ukrainian apostrophe written three ways: ASCII, right single quotation mark, modifier letter apostrophe. */
#define SLOV "\u0421\u043b\u043e\u0432" /* Слов */
#define YANSK "\u044f\u043d\u0441\u044c\u043a" /* янськ */
    check_same(SLOV "'" YANSK, SLOV "\u02bc" YANSK, 1);
    check_same(SLOV "\u2019" YANSK, SLOV "\u02bc" YANSK, 1);
    assert_key(SLOV "'" YANSK, "\u0441\u043b\u043e\u0432" YANSK);
#undef SLOV
#undef YANSK
    /* Arabic: tatweel and vowel marks disappear. */
    check_same("\u0639\u0640\u0640\u0645\u0627\u0646", "\u0639\u0645\u0627\u0646", 1);
    check_same("\u0639\u064e\u0645\u0651\u064e\u0627\u0646", "\u0639\u0645\u0627\u0646", 1);
}

static void test_cyrillic(void **state)
{
    (void)state;
    assert_key("\u0422\u0443\u043c\u0430\u043d\u0433\u0430\u043d", "\u0442\u0443\u043c\u0430\u043d\u0433\u0430\u043d");
    /* Озёрная / Озерная / ОЗЁРНАЯ: Ё decomposes to Е + diaeresis. */
    check_same("\u041e\u0437\u0451\u0440\u043d\u0430\u044f", "\u041e\u0437\u0435\u0440\u043d\u0430\u044f", 1);
    check_same("\u041e\u0417\u0401\u0420\u041d\u0410\u042f", "\u043e\u0437\u0435\u0440\u043d\u0430\u044f", 1);
    assert_key("\u041e\u0437\u0451\u0440\u043d\u0430\u044f", "\u043e\u0437\u0435\u0440\u043d\u0430\u044f");
    /* Different scripts are not transliterated into each other. */
    check_same("\u0422\u0443\u043c\u0430\u043d\u0433\u0430\u043d", "Tumangan", 0);
}

static void test_greek_final_sigma(void **state)
{
    (void)state;
    /* ς and Σ both fold to σ; the tonos is a mark and goes. */
    assert_key("\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c3");       /* ΟΔΟΣ */
    check_same("\u03bf\u03b4\u03cc\u03c2", "\u039f\u0394\u039f\u03a3", 1);     /* οδός */
    check_same("\u03a0\u03b5\u03b9\u03c1\u03b1\u03b9\u03ac\u03c2", /* Πειραιάς / ΠΕΙΡΑΙΑΣ */
               "\u03a0\u0395\u0399\u03a1\u0391\u0399\u0391\u03a3", 1);
    check_same("\u0391\u03b8\u03ae\u03bd\u03b1", "\u0391\u0398\u0397\u039d\u0391", 1); /* Αθήνα / ΑΘΗΝΑ */
    assert_key("\u1fb3", "\u03b1\u03b9"); /* alpha with ypogegrammeni folds to alpha iota */
}

static void test_turkish_dotted_i(void **state)
{
    (void)state;
    /* Language-independent folding: İ -> i + combining dot above, whose mark is dropped. */
    assert_key("\u0130stanbul", "istanbul");
    check_same("\u0130STANBUL", "istanbul", 1);
    check_same("\u0130stanbul", "ISTANBUL", 1);
    /* The dotless ı is matched by a plain i, as people type it on keyboards without it. */
    assert_key("Diyarbak\u0131r", "diyarbakir");
    check_same("Diyarbak\u0131r", "Diyarbakir", 1);
}

static void test_hangul_and_cjk(void **state)
{
    (void)state;
    const char *precomposed = "\ub450\ub9cc\uac15"; /* 두만강 */
    const char *jamo = "\u1103\u116e\u1106\u1161\u11ab\u1100\u1161\u11bc";
    assert_key(precomposed, jamo);
    assert_key(jamo, jamo);
    check_same(precomposed, jamo, 1);
    check_same("\ub450\ub9cc\uac15 \uc5ed", "\ub450\ub9cc\uac15\uc5ed", 1); /* "두만강 역" */
    assert_key("\u65b0\u7fa9\u5dde", "\u65b0\u7fa9\u5dde");                   /* 新義州 stays */
    assert_key("\u6771\u4eac\u30fb\u54c1\u5ddd", "\u6771\u4eac\u54c1\u5ddd");  /* katakana middle dot goes */
    assert_key("\uff83\uff9d\uff8c\uff9f\uff97", "\u30c6\u30f3\u30d5\u30e9"); /* halfwidth ﾃﾝﾌﾟﾗ, mark dropped */
    check_same("\uff83\uff9d\uff8c\uff9f\uff97", "\u30c6\u30f3\u30d7\u30e9", 1);   /* ... as in テンプラ */
}

static void test_empty_and_punctuation_only(void **state)
{
    (void)state;
    assert_key("", "");
    char *k = key_n(NULL, 0);
    assert_string_equal(k, "");
    free(k);
    assert_key(" - (\u2026) '\u2019 \u00b7 !?", "");
    assert_key("\u00a0\u3000\t\n", "");
    assert_key("\u0301\u0308", ""); /* lone combining marks */
    assert_key("\u20ac $ \u2192 \U0001F686", ""); /* symbols: euro, dollar, arrow, train emoji */
    char *n = key_n("a\0b", 3);     /* an embedded NUL is a control character */
    assert_string_equal(n, "ab");
    free(n);
}

/* Every ASCII character keyed alone (fast path) gives the same as keyed next to a non-ASCII letter (libunistring). */
static void test_ascii_fast_path_agrees(void **state)
{
    (void)state;
    for (int c = 0; c < 0x80; c++) {
        char in[4] = {(char)c, '\xc3', '\xa9', 0}; /* c followed by é */
        char *fast = key_n(in, 1), *slow = key_n(in, 3);
        char expect[8];
        snprintf(expect, sizeof expect, "%se", fast);
        if (strcmp(slow, expect) != 0)
            fail_msg("byte 0x%02x: fast path gives \"%s\", libunistring \"%s\"", c, fast, slow);
        free(fast);
        free(slow);
    }
}

/* The key as the header defines it, the plain way: libunistring over the whole string, then a filter. The caller
 * frees the result with free(). */
static char *reference_key(const char *s, size_t len)
{
    size_t flen = 0;
    uint8_t *f = u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFKD, NULL, &flen);
    assert_non_null(f);
    char *k = malloc(flen + 1);
    assert_non_null(k);
    size_t n = 0;
    for (size_t i = 0; i < flen;) {
        ucs4_t c;
        int l = u8_mbtouc(&c, f + i, flen - i);
        bool modifier = (c >= 0x02B0 && c <= 0x02FF) || c == 0x0640;
        bool vowel_sign = uc_is_general_category(c, UC_MARK) && !uc_is_property_diacritic(c);
        /* Latin letters with a stroke or a ligature, which have no decomposition, are spelt plainly. */
        static const struct { ucs4_t c; const char *plain; } plain[] = {
            {0x0142, "l"}, {0x0111, "d"}, {0x00F0, "d"}, {0x00F8, "o"}, {0x0127, "h"},
            {0x0131, "i"}, {0x0167, "t"}, {0x00E6, "ae"}, {0x0153, "oe"}, {0x00FE, "th"}};
        const char *p = NULL;
        for (size_t m = 0; m < ARRAY_LEN(plain); m++)
            if (plain[m].c == c)
                p = plain[m].plain;
        if (p) {
            memcpy(k + n, p, strlen(p));
            n += strlen(p);
        } else if (!modifier &&
                   (vowel_sign || uc_is_general_category(c, uc_general_category_or(UC_LETTER, UC_NUMBER)))) {
            memcpy(k + n, f + i, (size_t)l);
            n += (size_t)l;
        }
        i += (size_t)l;
    }
    k[n] = '\0';
    free(f);
    return k;
}

/* names_key() keys ASCII runs itself and hands only non-ASCII runs to libunistring; random mixtures of pieces chosen to
 * interact across those boundaries (combining marks after ASCII, sigma, dotted I, ypogegrammeni, Hangul, ligatures,
 * ß, fullwidth letters, modifier apostrophes) must give the reference key. */
static void test_segmented_keys_match_reference(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", "e", "I", "s", " ", "-", "'", "1", "(", "\u0301", "\u0308", "\u0323", "\u0345", "\u0307",
        "\u03a3", "\u03c2", "\u1fb3", "\u0130", "\u0131", "\u00df", "\u1e9e", "\ufb01", "\uff21", "\u00c5",
        "\u212b", "\ub450", "\u1103", "\u116e", "\u11ab", "\u02bc", "\u02bb", "\u0640", "\u00b2", "\u2163",
        "\u0451", "\u0401", "\u1f88", "\u0390", "\u0344", "\u0f73", "\u3099", "\uff9e", "\u00a0", "\U0001F686",
        "\U0001D400", "\u0149", "\u01c4"};
    unsigned seed = 777;
    for (int round = 0; round < 20000; round++) {
        char s[200] = "";
        seed = seed * 1103515245u + 12345u;
        int parts = (int)((seed >> 16) % 12);
        for (int i = 0; i < parts; i++) {
            seed = seed * 1103515245u + 12345u;
            strcat(s, pieces[(seed >> 16) % ARRAY_LEN(pieces)]);
        }
        char *want = reference_key(s, strlen(s)), *got = key(s);
        if (strcmp(got, want) != 0)
            fail_msg("\"%s\": names_key gives \"%s\", the reference \"%s\"", s, got, want);
        free(want);
        free(got);
    }
    /* A long name that outgrows the stack buffers falls back to keying the whole string. */
    char long_name[6000] = "";
    for (int i = 0; i < 400; i++)
        strcat(long_name, i % 2 ? "\ub450\ub9cc\uac15 " : "K\u00f6ln ");
    char *want = reference_key(long_name, strlen(long_name)), *got = key(long_name);
    assert_true(strlen(want) > 2048);
    assert_string_equal(got, want);
    free(want);
    free(got);
    /* So does one long run of non-ASCII text, which libunistring cannot fold into the stack buffer. */
    long_name[0] = '\0';
    for (int i = 0; i < 300; i++)
        strcat(long_name, "\ub450\ub9cc\uac15");
    want = reference_key(long_name, strlen(long_name));
    got = key(long_name);
    assert_true(strlen(want) > 2048);
    assert_string_equal(got, want);
    free(want);
    free(got);
}

static void check_invalid(const char *s, size_t len, size_t offset)
{
    char *out = (char *)"untouched";
    size_t out_len = 42;
    bogie_diag diag = {0};
    assert_int_equal(names_key(s, len, NULL, &out, &out_len, &diag), BOGIE_ERR_INPUT);
    assert_int_equal(diag.status, BOGIE_ERR_INPUT);
    assert_null(out);
    assert_int_equal(out_len, 0);
    char expect[128];
    snprintf(expect, sizeof expect, "invalid UTF-8 in name at byte offset %zu", offset);
    assert_string_equal(diag.message, expect);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    check_invalid("K\xc3\xb6ln\xff", 6, 5);          /* stray byte after valid text */
    assert_string_equal(bogie_strerror(BOGIE_ERR_INPUT), "malformed input");
    check_invalid("Tuman\xff", 6, 5);               /* only the last byte is not ASCII */
    check_invalid("K\xc3", 2, 1);                    /* truncated sequence */
    check_invalid("\xc0\xaf", 2, 0);                 /* overlong '/' */
    check_invalid("ab\xed\xa0\x80", 5, 2);           /* UTF-16 surrogate */
    check_invalid("\xf4\x90\x80\x80", 4, 0);         /* beyond U+10FFFF */
    check_invalid("\xc3\xa9\x80", 3, 2);             /* lone continuation byte */
    check_invalid("K\xc3\xb6ln", 2, 1);             /* len cuts the o-umlaut in half */
}

static void test_bad_arguments(void **state)
{
    (void)state;
    bogie_diag diag = {0};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(names_key("x", 1, NULL, NULL, &len, &diag), BOGIE_ERR_ARG);
    assert_int_equal(names_key("x", 1, NULL, &out, NULL, &diag), BOGIE_ERR_ARG);
    assert_null(out);
    assert_int_equal(names_key(NULL, 1, NULL, &out, &len, &diag), BOGIE_ERR_ARG);
    assert_null(out);
}

/* A name long enough that libunistring mallocs its result (and intermediates) instead of using our stack buffer. */
static void test_long_name(void **state)
{
    (void)state;
    size_t reps = 1000;
    const char *unit = "\u010cierna, ";
    char *s = malloc(reps * strlen(unit) + 1);
    assert_non_null(s);
    s[0] = '\0';
    for (size_t i = 0; i < reps; i++)
        strcat(s, unit);
    char *k = key(s);
    assert_int_equal(strlen(k), reps * 6);
    for (size_t i = 0; i < reps; i++)
        assert_memory_equal(k + 6 * i, "cierna", 6);
    free(k);
    free(s);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    char long_run[3000] = "", long_mixed[3000] = ""; /* through the whole-string fallbacks */
    for (int i = 0; i < 300; i++) {
        strcat(long_run, "\ub450\ub9cc\uac15");
        strcat(long_mixed, "K\u00f6ln ");
    }
    const char *names[] = {"Tumangang", "\u010cierna nad Tisou", "\ub450\ub9cc\uac15", "", "---", long_run, long_mixed};
    for (size_t t = 0; t < ARRAY_LEN(names); t++) {
        for (int n = 1;; n++) {
            failing f = {n - 1, 0, 0, 0}; /* the nth allocation fails */
            bogie_allocator a = {failing_alloc, &f};
            bogie_diag diag = {0};
            char *out = NULL;
            size_t out_len = 0;
            bogie_status st = names_key(names[t], strlen(names[t]), &a, &out, &out_len, &diag);
            if (st == BOGIE_OK) {
                assert_true(n > 1); /* at least one allocation was made, and could fail */
                util_free(&a, out, out_len + 1);
                assert_int_equal(f.live_blocks, 0);
                assert_int_equal(f.live_bytes, 0);
                break;
            }
            assert_int_equal(st, BOGIE_ERR_NOMEM);
            assert_int_equal(diag.status, BOGIE_ERR_NOMEM);
            assert_non_null(strstr(diag.message, "out of memory"));
            assert_null(out);
            assert_int_equal(f.live_blocks, 0);
            assert_int_equal(f.live_bytes, 0);
            assert_true(n < 10);
        }
    }
}

static names_match cmp(const char *q, const char *n)
{
    char *kq = key(q), *kn = key(n);
    names_match m = names_compare(kq, strlen(kq), kn, strlen(kn));
    free(kq);
    free(kn);
    return m;
}

static void test_compare(void **state)
{
    (void)state;
    assert_int_equal(cmp("tumangang", "Tumangang"), NAMES_EXACT);
    assert_int_equal(cmp("tuman", "Tumangang"), NAMES_PREFIX);
    assert_int_equal(cmp("mangang", "Tumangang"), NAMES_CONTAINS);
    assert_int_equal(cmp("gang", "Tumangang"), NAMES_CONTAINS);
    assert_int_equal(cmp("tumangangg", "Tumangang"), NAMES_NONE);
    assert_int_equal(cmp("tumangan x", "Tumangang"), NAMES_NONE);
    assert_int_equal(cmp("koln", "K\u00f6ln Hbf"), NAMES_PREFIX);
    assert_int_equal(cmp("hbf", "K\u00f6ln Hbf"), NAMES_CONTAINS);
    assert_int_equal(cmp("west pyongyang", "Sopyongyang (West Pyongyang)"), NAMES_CONTAINS);
    assert_int_equal(cmp("\ub450\ub9cc", "\ub450\ub9cc\uac15"), NAMES_PREFIX); /* 두만 in 두만강 */
    assert_int_equal(cmp("\ub9cc\uac15", "\ub450\ub9cc\uac15"), NAMES_CONTAINS);
    assert_int_equal(cmp("", "Tumangang"), NAMES_NONE); /* an empty query matches nothing */
    assert_int_equal(cmp("!!", "Tumangang"), NAMES_NONE);
    assert_int_equal(cmp("", ""), NAMES_NONE);
    assert_int_equal(cmp("a", ""), NAMES_NONE);
    assert_int_equal(names_compare("aab", 3, "aaab", 4), NAMES_CONTAINS); /* a restart after a partial match */
    assert_int_equal(names_compare("ab", 2, "aaaa", 4), NAMES_NONE);
    assert_int_equal(names_compare("xb", 2, "aaab", 4), NAMES_NONE);        /* first byte nowhere */
    assert_int_equal(names_compare("b", 1, "aaab", 4), NAMES_CONTAINS);     /* at the very end */
    assert_true(NAMES_EXACT > NAMES_PREFIX && NAMES_PREFIX > NAMES_CONTAINS && NAMES_CONTAINS > NAMES_NONE);
}

static unsigned dist(const char *a, const char *b, unsigned cap)
{
    unsigned d = names_distance(a, strlen(a), b, strlen(b), cap);
    assert_int_equal(names_distance(b, strlen(b), a, strlen(a), cap), d); /* symmetric */
    return d;
}

static void test_distance_examples(void **state)
{
    (void)state;
    assert_int_equal(dist("tumangan", "tumangang", 3), 1);
    assert_int_equal(dist("tumangang", "tumangang", 3), 0);
    assert_int_equal(dist("tumangang", "tumangang", 0), 0);
    assert_int_equal(dist("kitten", "sitting", 10), 3);
    assert_int_equal(dist("kitten", "sitting", 3), 3);
    assert_int_equal(dist("kitten", "sitting", 2), 3); /* capped: cap + 1 */
    assert_int_equal(dist("kitten", "sitting", 1), 2);
    assert_int_equal(dist("kitten", "sitting", 0), 1);
    assert_int_equal(dist("", "", 5), 0);
    assert_int_equal(dist("", "abc", 5), 3);
    assert_int_equal(dist("", "abc", 1), 2);
    assert_int_equal(dist("a", "abcdef", 2), 3);       /* length difference alone exceeds the cap */
    assert_int_equal(dist("abc", "xyz", UINT_MAX), 3); /* no cap to speak of */
    assert_int_equal(dist("sinuiju", "sinujiu", 5), 2);
    /* Multibyte code points count as one. */
    assert_int_equal(dist("\u0442\u0443\u043c\u0430\u043d\u0433\u0430\u043d",
                          "\u0442\u0443\u043c\u0430\u043d\u0433\u0430\u043d\u0433", 3), 1); /* туманган/туманганг */
    assert_int_equal(dist("k\u00f6ln", "koln", 3), 1);
    assert_int_equal(dist("\u6771\u4eac", "\u4eac\u90fd", 3), 2); /* 東京 / 京都 */
    assert_int_equal(dist("\U0001F686", "a", 3), 1);                /* four-byte code point */
    assert_int_equal(dist("\xff", "a", 3), 1);                      /* invalid byte reads as U+FFFD */
}

/* Plain full-table Levenshtein over arrays of code points, for comparison. */
static unsigned naive_distance(const unsigned *a, size_t m, const unsigned *b, size_t n)
{
    unsigned d[32][32];
    for (size_t i = 0; i <= m; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= n; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= m; i++)
        for (size_t j = 1; j <= n; j++) {
            unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            d[i][j] = v;
        }
    return d[m][n];
}

static void test_distance_against_naive(void **state)
{
    (void)state;
    static const char *const alphabet[] = {"a", "b", "\u00e9", "\u0436", "\uac15", "\U0001F686"};
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        unsigned ca[31], cb[31];
        char sa[31 * 4 + 1] = "", sb[31 * 4 + 1] = "";
        seed = seed * 1103515245u + 12345u;
        size_t m = (seed >> 16) % 14;
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 14;
        for (size_t i = 0; i < m + n; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned letter = (seed >> 16) % ((round % 3) + 2 + (round % 4)); /* vary the alphabet size */
            letter %= ARRAY_LEN(alphabet);
            if (i < m) {
                ca[i] = letter;
                strcat(sa, alphabet[letter]);
            } else {
                cb[i - m] = letter;
                strcat(sb, alphabet[letter]);
            }
        }
        unsigned want = naive_distance(ca, m, cb, n);
        static const unsigned caps[] = {0, 1, 2, 3, 5, 8, 13, UINT_MAX};
        for (size_t c = 0; c < ARRAY_LEN(caps); c++) {
            unsigned expect = want <= caps[c] ? want : caps[c] + 1;
            unsigned got = names_distance(sa, strlen(sa), sb, strlen(sb), caps[c]);
            if (got != expect)
                fail_msg("\"%s\" / \"%s\" cap %u: got %u, expected %u", sa, sb, caps[c], got, expect);
        }
    }
}

static void test_distance_long_keys(void **state)
{
    (void)state;
    /* Within the band's room the distance is exact for any cap ... */
    char a[2001], b[2001];
    memset(a, 'a', 500);
    memset(b, 'b', 500);
    assert_int_equal(names_distance(a, 500, b, 500, UINT_MAX), 500);
    assert_int_equal(names_distance(a, 500, b, 500, 499), 500);
    assert_int_equal(names_distance(a, 500, b, 500, 300), 301);
    memset(a, 'a', 2000);
    memcpy(b, a, 2000);
    b[1000] = 'x';
    assert_int_equal(names_distance(a, 2000, b, 2000, 3), 1); /* a narrow band runs along any length */
    assert_int_equal(names_distance(a, 2000, b, 1999, 3), 2);
    assert_int_equal(names_distance(a, 2000, b, 1990, 3), 4);
    /* ... and beyond it (both keys over 510 code points and cap over 255) the cap is lowered to 255. */
    memset(b, 'b', 2000);
    assert_int_equal(names_distance(a, 600, b, 600, UINT_MAX), 256);
    assert_int_equal(names_distance(a, 600, a, 600, UINT_MAX), 0);
}

/* Indic vowel signs spell vowels and stay; accents and other diacritic marks go. */
static void test_vowel_signs_stay(void **state)
{
    (void)state;
    char *a, *b;
    size_t la, lb;
    assert_int_equal(names_key("दिल्ली", strlen("दिल्ली"), NULL, &a, &la, NULL), BOGIE_OK);
    assert_int_equal(names_key("दल्ला", strlen("दल्ला"), NULL, &b, &lb, NULL), BOGIE_OK);
    assert_false(la == lb && memcmp(a, b, la) == 0);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vowel_signs_stay),
        cmocka_unit_test(test_latin_case_accents_punctuation),
        cmocka_unit_test(test_sharp_s_and_fullwidth),
        cmocka_unit_test(test_okina_and_modifier_apostrophes),
        cmocka_unit_test(test_cyrillic),
        cmocka_unit_test(test_greek_final_sigma),
        cmocka_unit_test(test_turkish_dotted_i),
        cmocka_unit_test(test_hangul_and_cjk),
        cmocka_unit_test(test_empty_and_punctuation_only),
        cmocka_unit_test(test_ascii_fast_path_agrees),
        cmocka_unit_test(test_segmented_keys_match_reference),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_long_name),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_distance_examples),
        cmocka_unit_test(test_distance_against_naive),
        cmocka_unit_test(test_distance_long_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
