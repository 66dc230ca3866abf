/* names.h: match keys for station names in any script, so that a query matches a name whatever its case, accents,
 * punctuation and spacing, and an edit distance between keys for "did you mean" suggestions.
 *
 * A key is the name compatibility-decomposed (NFKD) and fully case-folded, keeping only letters and digits:
 * "Köln Hbf" and "KOLN-HBF" both give "kolnhbf", "Straße" gives "strasse", "ＴＵＭＡＮ" gives "tuman", "Озёрная" gives
 * "озерная", Hangul syllables become conjoining jamo. No transliteration is done: "Köln" and "Koeln", "Sankt" and
 * "St.", "Туманган" and "Tumangang" get different keys, and letters that have no decomposition keep their identity
 * ("ł", "ø", "đ", "æ" and the dotless "ı" stay as they are). Keys depend on the Unicode version of the libunistring
 * bogie is linked with: characters unassigned in that version are dropped. */
#ifndef BOGIE_NAMES_H
#define BOGIE_NAMES_H

#include "bogie.h"

#include <stddef.h>

/* Writes the match key of the UTF-8 string s (len bytes; s may be NULL when len is 0) into a new NUL-terminated string
 * *out allocated with alloc (NULL means malloc); the caller owns it and frees it with util_free(alloc, *out, *out_len
 * + 1). *out_len receives its length in bytes. The key is s compatibility-decomposed (NFKD) and case-folded (full
 * Unicode case folding, language-independent: "İ" gives "i", "ß" gives "ss"), with every diacritic mark (general
 * category M with the Diacritic property: accents, dakuten, nukta, virama), punctuation (P), separator (Z), symbol (S)
 * and control, format, private-use or unassigned (C) character removed. Letters (L), numbers (N) and the marks that
 * are not diacritics (Indic vowel signs, so that "दिल्ली" and "दल्ला" stay apart) remain, as UTF-8, except the apostrophe- and tone-like modifier
 * letters left in U+02B0..U+02FF after NFKD (the okina U+02BB, the modifier apostrophe U+02BC, primes ...) and the
 * Arabic tatweel U+0640, which are removed as punctuation would be. An input with no letters or digits gives an
 * empty key "". Invalid UTF-8 gives BOGIE_ERR_INPUT and a message naming the byte offset of the first bad byte; out
 * of memory gives BOGIE_ERR_NOMEM; NULL out or out_len, or NULL s with len > 0, gives BOGIE_ERR_ARG. On failure *out
 * is NULL and *out_len 0 (when they can be written). Safe to call from any number of threads. */
bogie_status names_key(const char *s, size_t len, const bogie_allocator *alloc, char **out, size_t *out_len,
                       bogie_diag *diag);

/* How well a query key matches a name key; a larger value is a better match. */
typedef enum { NAMES_NONE = 0, NAMES_CONTAINS, NAMES_PREFIX, NAMES_EXACT } names_match;

/* Compares the query key (qlen bytes) with a name key (nlen bytes), both made by names_key(): NAMES_EXACT when they
 * are equal, NAMES_PREFIX when the name key starts with the query key, NAMES_CONTAINS when it contains it elsewhere,
 * NAMES_NONE otherwise. An empty query matches nothing. Nothing is allocated. */
names_match names_compare(const char *query_key, size_t qlen, const char *name_key, size_t nlen);

/* names_distance() keeps its dynamic-programming band on the stack, in at most this many cells. */
#define NAMES_DISTANCE_MAX_BAND 512u

/* Returns the Levenshtein distance between the keys a (alen bytes) and b (blen bytes), counted in Unicode code points
 * (insertions, deletions and substitutions of one code point each cost 1), capped: the result is
 * min(distance, cap + 1), so that "more than cap" reads as cap + 1. Takes O((alen + blen) * cap) time and no heap
 * memory. The result is exact for any cap when the shorter key has at most NAMES_DISTANCE_MAX_BAND - 2 code points
 * or when cap <= (NAMES_DISTANCE_MAX_BAND - 2) / 2 (255); only when both are exceeded is the cap lowered to 255. A
 * cap of UINT_MAX is read as UINT_MAX - 1. Bytes that are not valid UTF-8 are read as U+FFFD, one per maximal
 * invalid sequence. */
unsigned names_distance(const char *a, size_t alen, const char *b, size_t blen, unsigned cap);

#endif
