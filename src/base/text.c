/* text.c: text that is safe to show: control characters found, replaced or spelt out, and the columns a string
 * takes in a terminal. */
#include "base/text.h"

#include <stdio.h>
#include <string.h>
#include <unistr.h>
#include <uniwidth.h>

static bool is_control(ucs4_t c)
{
    return c < 0x20 || (c >= 0x7F && c < 0xA0);
}

/* The character at p (with n bytes left) into *c and its length in bytes; an invalid byte has length 1 and is
 * U+FFFD. */
static size_t next_char(const char *p, size_t n, ucs4_t *c)
{
    int k = u8_mbtoucr(c, (const uint8_t *)p, n);
    if (k <= 0) {
        *c = 0xFFFD;
        return 1;
    }
    return (size_t)k;
}

bool text_has_control(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        size_t k = next_char(s + i, n - i, &c);
        if (is_control(c))
            return true;
        i += k;
    }
    return false;
}

void text_append_clean(strbuf *sb, const char *s, bool keep_newlines)
{
    size_t n = strlen(s), run = 0; /* run: the bytes since the last replacement, appended in one go */
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        int k = u8_mbtoucr(&c, (const uint8_t *)s + i, n - i);
        bool bad = k <= 0 || (is_control(c) && !(keep_newlines && c == '\n'));
        size_t len = k > 0 ? (size_t)k : 1;
        if (bad) {
            sb_append(sb, s + i - run, run);
            sb_puts(sb, "\xEF\xBF\xBD");
            run = 0;
        } else {
            run += len;
        }
        i += len;
    }
    sb_append(sb, s + n - run, run);
}

void text_spell_controls(char *dst, size_t n, const char *s)
{
    if (n == 0)
        return;
    size_t len = strlen(s), used = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < len;) {
        ucs4_t c;
        int k = u8_mbtoucr(&c, (const uint8_t *)s + i, len - i);
        char spelt[8];
        const char *piece = s + i;
        size_t piece_len = k > 0 ? (size_t)k : 1;
        if (k <= 0 || is_control(c)) { /* an invalid byte is spelt as one too */
            if (k <= 0)
                c = (unsigned char)s[i];
            snprintf(spelt, sizeof spelt, k <= 0 || c < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)c);
            piece = spelt;
            piece_len = strlen(spelt);
        }
        if (used + piece_len >= n)
            break;
        memcpy(dst + used, piece, piece_len);
        used += piece_len;
        dst[used] = '\0';
        i += k > 0 ? (size_t)k : 1;
    }
}

size_t text_width(const char *s)
{
    int w = u8_width((const uint8_t *)s, strlen(s), "UTF-8");
    return w > 0 ? (size_t)w : 0;
}

void text_append_padded(strbuf *sb, const char *s, size_t cols)
{
    sb_puts(sb, s);
    for (size_t w = text_width(s); w < cols; w++)
        sb_append(sb, " ", 1);
}
