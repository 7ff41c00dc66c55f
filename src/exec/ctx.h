/* ctx.h - what every operator and function may read about the running job:
 * configuration, the session time zone, the clock, and counters. */
#ifndef EDDY_CTX_H
#define EDDY_CTX_H
#include <stdint.h>
#include "base/tz.h"

typedef struct config_entry {
    char *key;
    char *value;
} config_entry;

typedef struct exec_ctx {
    const tz_t *local_tz;        /* table.local-time-zone (default: the system zone) */
    int64_t (*now_us)(void);     /* wall clock, UTC microseconds (tests may replace it) */
    config_entry *config;        /* SET 'k' = 'v' and -D k=v, in order */
    int nconfig;
    int64_t query_start_us;      /* NOW()/CURRENT_TIMESTAMP in batch are per record in streaming;
                                    kept for functions that want a stable per-query time */
} exec_ctx;

/* The value of a configuration key or NULL. */
const char *ctx_config(const exec_ctx *ctx, const char *key);
int64_t ctx_wall_clock_us(void);

#endif
