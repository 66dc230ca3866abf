/* test_text.c: unit tests of text made safe to show: control characters (C0, DEL, C1) found, replaced by U+FFFD,
 * and spelt out, invalid UTF-8 replaced, and display widths of Latin, Cyrillic, Hangul (composed and decomposed),
 * CJK inside and outside the BMP, and combining marks; and numbers written with fixed decimals (sb_fixed). */
#include "testutil.h"

#include "base/text.h"

#include <math.h>
#include <stdio.h>

/* s cleaned by text_append_clean, in a string the caller frees. */
static char *clean(const char *s, bool keep_newlines)
{
    strbuf sb;
    sb_init(&sb, NULL);
    text_append_clean(&sb, s, keep_newlines);
    assert_false(sb.failed);
    char *out = strdup(sb.s ? sb.s : "");
    sb_free(&sb);
    return out;
}

#define assert_clean(s, keep, expected)                                                                            \
    do {                                                                                                           \
        char *c_ = clean((s), (keep));                                                                             \
        assert_string_equal(c_, (expected));                                                                       \
        free(c_);                                                                                                  \
    } while (0)

static void test_finds_controls(void **state)
{
    (void)state;
    assert_false(text_has_control("Pyongyang (평양)"));
    assert_false(text_has_control(""));
    assert_true(text_has_control("A\x1b[2J"));
    assert_true(text_has_control("A\rB"));
    assert_true(text_has_control("A\a"));
    assert_true(text_has_control("A\tB"));
    assert_true(text_has_control("A\x7f"));
    assert_true(text_has_control("A\xc2\x9b" "2J")); /* U+009B, the C1 control sequence introducer */
    assert_false(text_has_control("\xc2\xa0"));       /* U+00A0, no-break space: not a control */
}

static void test_replaces_controls(void **state)
{
    (void)state;
    assert_clean("Alpha\x1b[2J", false, "Alpha\xEF\xBF\xBD[2J");
    assert_clean("a\r\nb", false, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
    assert_clean("a\r\nb", true, "a\xEF\xBF\xBD\nb");
    assert_clean("\a", false, "\xEF\xBF\xBD");
    assert_clean("x\xc2\x85y", false, "x\xEF\xBF\xBDy");
    assert_clean("Хабаровск 서울 北京", false, "Хабаровск 서울 北京");
    assert_clean("bad \xff\xfe byte", false, "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
    assert_clean("cut \xe2\x82", false, "cut \xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_spells_controls(void **state)
{
    (void)state;
    char buf[64];
    text_spell_controls(buf, sizeof buf, "Omega\x1b]0;owned\a");
    assert_string_equal(buf, "Omega\\x1b]0;owned\\x07");
    text_spell_controls(buf, sizeof buf, "a\xc2\x9b" "b\xff");
    assert_string_equal(buf, "a\\u009bb\\xff");
    text_spell_controls(buf, 8, "abc\x1b\x1b");
    assert_string_equal(buf, "abc\\x1b"); /* a spelt character is never cut */
    text_spell_controls(buf, 4, "서울");
    assert_string_equal(buf, "서");
}

static void test_widths(void **state)
{
    (void)state;
    assert_int_equal(text_width("Khasan"), 6);
    assert_int_equal(text_width("Хабаровск"), 9);
    assert_int_equal(text_width("서울"), 4);
    assert_int_equal(text_width("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"), 2); /* 한, decomposed into three jamo */
    assert_int_equal(text_width("北京"), 4);
    assert_int_equal(text_width("𠮷野家"), 6); /* U+20BB7 is outside the BMP */
    assert_int_equal(text_width("Tumanga\xcc\x81ng"), 9); /* a combining acute takes no column */
    assert_int_equal(text_width("ＡＢ"), 4);                /* fullwidth forms */
    assert_int_equal(text_width(""), 0);
}

static void test_padding(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb, NULL);
    text_append_padded(&sb, "서울", 6);
    text_append_padded(&sb, "|", 0);
    text_append_padded(&sb, "Khabarovsk", 4);
    assert_false(sb.failed);
    assert_string_equal(sb.s, "서울  |Khabarovsk");
    sb_free(&sb);
}

static void test_fixed_decimals(void **state)
{
    (void)state;
    /* Fixed cases: zeros in front of the decimals, no sign on what rounds to zero, rounding half away from zero on
     * the scaled value, the integer part of every length, and printf beyond 9e15. */
    static const struct {
        double v;
        int decimals;
        const char *text;
    } cases[] = {{0, 0, "0"},           {0, 3, "0.000"},          {-0.0004, 3, "0.000"},
                 {-0.0005, 3, "-0.001"}, {2.5, 0, "3"},            {-2.5, 0, "-3"},
                 {1.05, 7, "1.0500000"}, {125.7363900, 7, "125.7363900"}, {-8.000001, 7, "-8.0000010"},
                 {39.0047200, 7, "39.0047200"}, {1234567.891, 2, "1234567.89"}, {99.995, 9, "99.995000000"},
                 {123456789012.5, 1, "123456789012.5"}, {1e17, 1, "100000000000000000.0"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strbuf sb;
        sb_init(&sb, NULL);
        sb_fixed(&sb, cases[i].v, cases[i].decimals);
        assert_false(sb.failed);
        assert_string_equal(sb.s, cases[i].text);
        sb_free(&sb);
    }
    /* Against printf's %.*f on values a quarter step off the last decimal (no ties, where the two round apart): the
     * same text, for every count of decimals and magnitudes up to 1e12. */
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        int d = (int)(seed >> 8) % 10;
        double scale = pow(10, d), step = (double)(seed % 1000003u) * pow(10, (int)(seed >> 20) % 13 - 3);
        double v = (floor(step * scale) + 0.25) / scale * ((seed >> 5) & 1 ? -1 : 1);
        if (!(fabs(v) * scale < 1e15))
            continue;
        char want[64];
        snprintf(want, sizeof want, "%.*f", d, v);
        strbuf sb;
        sb_init(&sb, NULL);
        sb_fixed(&sb, v, d);
        const char *w = want; /* printf's "-0.00" is written without its sign */
        if (w[0] == '-' && strspn(w + 1, "0.") == strlen(w + 1))
            w++;
        assert_string_equal(sb.s, w);
        sb_free(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_controls), cmocka_unit_test(test_replaces_controls),
        cmocka_unit_test(test_spells_controls), cmocka_unit_test(test_widths), cmocka_unit_test(test_padding),
        cmocka_unit_test(test_fixed_decimals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
