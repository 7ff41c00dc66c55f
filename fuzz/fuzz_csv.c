/* fuzz_csv.c - libFuzzer entry point for the csv format's decoder: the first bytes choose the
 * csv.* options, the rest is a file decoded into a table with a column of every type, once
 * in one block and once in two blocks, which must agree (see fuzz_decode.h).
 *
 * Input: [flags] [delimiter] [null literal] [split lo] [split hi] [chunk rows] file...
 *   flags: 1 disable quote, 2 allow comments, 4 ignore parse errors, 8 null literal,
 *          16 ignore first line, 32 escape '\', 64 quote "'", 128 session zone with DST
 * Build and run:
 *   make fuzz
 *   UBSAN_OPTIONS=halt_on_error=1 build/fuzz/fuzz_csv -max_len=4096 -max_total_time=180 <corpus dir> */
#include "fuzz_decode.h"

#define HEADER_LEN 6

static const char *const delimiters[] = {
    ",", ";", "|", "\\t", " ", "#", "\\\\", "'", "\"", "0", "-", ":", ".", "\\u0001", "a", "\\u0000", "\xff",
};
static const char *const null_literals[] = {"", "NULL", "null", "\\N", "n/a", "1"};

static void choose_options(fuzz_table *f, const uint8_t *h)
{
    uint8_t flags = h[0];
    fuzz_table_opt(f, "csv.field-delimiter", delimiters[h[1] % ARRAY_LEN(delimiters)]);
    if (flags & 1) fuzz_table_opt(f, "csv.disable-quote-character", "true");
    if (flags & 2) fuzz_table_opt(f, "csv.allow-comments", "true");
    if (flags & 4) fuzz_table_opt(f, "csv.ignore-parse-errors", "true");
    if (flags & 8) fuzz_table_opt(f, "csv.null-literal", null_literals[h[2] % ARRAY_LEN(null_literals)]);
    if (flags & 16) fuzz_table_opt(f, "csv.ignore-first-line", "true");
    if (flags & 32) fuzz_table_opt(f, "csv.escape-character", "\\\\");
    if ((flags & 64) && !(flags & 1)) fuzz_table_opt(f, "csv.quote-character", "'");
    fuzz_session_zone(flags & 128);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) return 0;
    fuzz_table f;
    fuzz_table_init(&f);
    choose_options(&f, data);
    const uint8_t *text = data + HEADER_LEN;
    size_t len = size - HEADER_LEN;
    size_t split = fuzz_u16(data, 3) % (len + 1);
    uint32_t small_cap = 1 + data[5] % 4;
    fuzz_check_decoder(&format_csv, &f, text, len, split, small_cap);
    return 0;
}
