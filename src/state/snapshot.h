/* snapshot.h - byte-stream writer/reader for operator state (checkpoints, round-trip tests).
 * The format is little-endian fixed-width integers and length-prefixed bytes; readers check
 * bounds and report a truncated or corrupt snapshot as an error instead of crashing. */
#ifndef EDDY_SNAPSHOT_H
#define EDDY_SNAPSHOT_H
#include <stdint.h>
#include <stddef.h>
#include "data/value.h"

typedef struct snap_writer {
    uint8_t *buf;
    size_t len;
    size_t cap;
} snap_writer;

typedef struct snap_reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int failed;           /* set on the first out-of-bounds read */
} snap_reader;

void snap_put_u8(snap_writer *w, uint8_t v);
void snap_put_u32(snap_writer *w, uint32_t v);
void snap_put_i64(snap_writer *w, int64_t v);
void snap_put_f64(snap_writer *w, double v);
void snap_put_bytes(snap_writer *w, const void *p, uint32_t n);    /* u32 length + bytes */
void snap_put_value(snap_writer *w, type_t t, const value_t *v);   /* null flag + payload */
void snap_writer_free(snap_writer *w);

void snap_reader_init(snap_reader *r, const void *buf, size_t len);
uint8_t snap_get_u8(snap_reader *r);
uint32_t snap_get_u32(snap_reader *r);
int64_t snap_get_i64(snap_reader *r);
double snap_get_f64(snap_reader *r);
/* Returns a pointer into the reader's buffer (valid while it lives), sets *n. */
const void *snap_get_bytes(snap_reader *r, uint32_t *n);
/* Strings are copied into arena a. */
void snap_get_value(snap_reader *r, type_t t, value_t *v, arena_t *a);
/* 0 if every read so far was in bounds, else records an error and returns -1. */
int snap_check(snap_reader *r, const char *what);

#endif
