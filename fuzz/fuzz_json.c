/* fuzz_json.c - libFuzzer entry point for the json format's decoder: the first bytes choose
 * the json.* options, the rest is a file of JSON lines decoded into a table with a column of
 * every type (members "bool", "int", "big", "dbl", "dec", "str", "date", "ts", "ltz"), once
 * in one block and once in two blocks, which must agree (see fuzz_decode.h).
 *
 * Input: [flags] [split lo] [split hi] [chunk rows] file...
 *   flags: 1 fail on missing field, 2 ignore parse errors (both: an option error),
 *          4 timestamp standard ISO-8601 (else SQL), 8 session zone with DST
 * Build and run:
 *   make fuzz
 *   UBSAN_OPTIONS=halt_on_error=1 build/fuzz/fuzz_json -max_len=4096 -max_total_time=180 <corpus dir> */
#include "fuzz_decode.h"

#define HEADER_LEN 4

static void choose_options(fuzz_table *f, uint8_t flags)
{
    if (flags & 1) fuzz_table_opt(f, "json.fail-on-missing-field", "true");
    if (flags & 2) fuzz_table_opt(f, "json.ignore-parse-errors", "true");
    fuzz_table_opt(f, "json.timestamp-format.standard", flags & 4 ? "ISO-8601" : "SQL");
    fuzz_session_zone(flags & 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) return 0;
    fuzz_table f;
    fuzz_table_init(&f);
    choose_options(&f, data[0]);
    const uint8_t *text = data + HEADER_LEN;
    size_t len = size - HEADER_LEN;
    size_t split = fuzz_u16(data, 1) % (len + 1);
    uint32_t small_cap = 1 + data[3] % 4;
    fuzz_check_decoder(&format_json, &f, text, len, split, small_cap);
    return 0;
}
