/* civil.h - proleptic Gregorian calendar arithmetic on days since 1970-01-01. */
#ifndef EDDY_CIVIL_H
#define EDDY_CIVIL_H
#include <stdint.h>

typedef struct civil {
    int64_t year;
    int month;      /* 1..12 */
    int day;        /* 1..31 */
    int hour, minute, second;
    int micros;     /* 0..999999 */
} civil_t;

int64_t days_from_civil(int64_t y, int m, int d);
void civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* Microseconds since epoch <-> broken-down time (no zone involved). */
void civil_from_us(int64_t us, civil_t *c);
int64_t civil_to_us(const civil_t *c);
int days_in_month(int64_t y, int m);
/* Floor division helpers for negative times. */
static inline int64_t floor_div(int64_t a, int64_t b) { int64_t q = a / b; return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q; }
static inline int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

#endif
