/* tz.h - time zones for TIMESTAMP_LTZ and table.local-time-zone: IANA names read from the
 * system tz database (/usr/share/zoneinfo, TZif files) and fixed offsets. */
#ifndef EDDY_TZ_H
#define EDDY_TZ_H
#include <stdint.h>

typedef struct tz tz_t;

/* Accepts "UTC", "Z", IANA names ("Asia/Shanghai", "America/New_York"), and fixed offsets
 * "+08:00", "-0530", "GMT+8", "UTC+08:00", "GMT-03:30". Returns NULL and writes a message to
 * err (naming the accepted forms) when the zone is unknown. Zones are cached for the process;
 * never freed by callers. */
const tz_t *tz_get(const char *name, char *err, int errcap);
/* The system's default zone (TZ variable, /etc/localtime, else UTC). */
const tz_t *tz_default(void);
const char *tz_name(const tz_t *tz);
/* Offset from UTC in seconds at the UTC instant utc_us (microseconds). */
int32_t tz_offset_at_utc(const tz_t *tz, int64_t utc_us);
/* Wall-clock reading (microseconds, zone-less) -> UTC instant. For a gap (spring forward)
 * the reading is shifted forward like java.time; for an overlap the earlier offset is used. */
int64_t tz_local_to_utc(const tz_t *tz, int64_t local_us);
static inline int64_t tz_utc_to_local(const tz_t *tz, int64_t utc_us)
{
    return utc_us + (int64_t)tz_offset_at_utc(tz, utc_us) * 1000000LL;
}

#endif
