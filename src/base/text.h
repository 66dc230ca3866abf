/* text.h: text that is safe to show: control characters found, replaced or spelt out, and the columns a string
 * takes in a terminal. */
#ifndef BOGIE_TEXT_H
#define BOGIE_TEXT_H

#include "base/util.h"

#include <stdbool.h>
#include <stddef.h>

/* The reason the import gives for a name that holds control characters (in its report, and in `bogie import`'s
 * warnings, which look for it). */
#define TEXT_CONTROLS_REASON "holds control characters; shown as U+FFFD"

/* Whether s holds a control character: C0 (U+0000 to U+001F), DEL, or C1 (U+0080 to U+009F, in UTF-8). */
bool text_has_control(const char *s);

/* Appends s to sb with every control character, and every byte that is not part of a valid UTF-8 character,
 * replaced by U+FFFD; with keep_newlines, '\n' is kept. */
void text_append_clean(strbuf *sb, const char *s, bool keep_newlines);

/* Copies s into dst (of size n, always NUL-terminated, cut on a character boundary) with each control character
 * spelt out, "\x1b" for C0 and DEL and "\u0085" for C1, so that a report shows what the data holds. */
void text_spell_controls(char *dst, size_t n, const char *s);

/* The columns s (UTF-8) takes in a terminal: two for East Asian wide characters, none for combining marks and
 * control characters, one for the others (libunistring's u8_width). */
size_t text_width(const char *s);

/* Appends s and then spaces up to cols columns of text_width (none when s is as wide or wider). */
void text_append_padded(strbuf *sb, const char *s, size_t cols);

#endif
