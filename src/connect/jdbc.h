/* jdbc.h - the 'jdbc' connector's database drivers: what SQLite, PostgreSQL and MySQL each
 * provide to the shared part in jdbc.c.
 *
 * jdbc.c owns everything that does not depend on the database: the options, the sink's
 * buffer (the latest change per primary key), when to flush, retrying a failed flush or
 * lookup with a fresh connection, and the lookup cache. A driver owns one connection and the
 * SQL dialect: creating the sink table, writing a batch of changes in one transaction,
 * selecting rows by key, and scanning the whole table.
 *
 * Errors: every driver function that fails records the error (base/err.h) naming the table
 * and the server, and returns -1. jdbc.c then asks `retryable` whether reconnecting and
 * trying again may help (the connection was lost, the server is starting or shutting down,
 * a deadlock or serialization failure); if so it prints the error as a warning, clears it,
 * waits, reconnects and retries, up to sink.max-retries / lookup.max-retries times. */
#ifndef EDDY_JDBC_H
#define EDDY_JDBC_H
#include "connect/connector.h"
#include "base/strbuf.h"

typedef struct jdbc_conn jdbc_conn;     /* a driver's connection, defined by the driver */

typedef struct jdbc_driver {
    const char *name;                   /* "SQLite", "PostgreSQL", "MySQL" */
    const char *url_prefix;             /* "jdbc:sqlite:", "jdbc:postgresql:", "jdbc:mysql:" */
    /* Connects for table t (options url, username, password). */
    jdbc_conn *(*connect)(const connector_table *t);
    void (*disconnect)(jdbc_conn *c);
    /* Sink set-up: creates the table named by 'table-name' when it does not exist (with the
     * PRIMARY KEY when t has one) and prepares what write() needs. Called again after every
     * reconnect. */
    int (*open_sink)(jdbc_conn *c, const connector_table *t);
    /* Writes every row of batch (physical columns) in one transaction. With a primary key,
     * +I/+U rows upsert and -D rows delete by key, and no key occurs twice in a batch;
     * without one every row (+I) is inserted. On failure nothing is committed. */
    int (*write)(jdbc_conn *c, const connector_table *t, const chunk_t *batch);
    /* Appends to out every row whose columns key_cols[0..nkeys) equal keys[]; a row more
     * than out has room for is an error. */
    int (*lookup)(jdbc_conn *c, const connector_table *t, const int *key_cols, int nkeys,
                  const value_t *keys, chunk_t *out);
    /* The bounded scan: scan_open starts SELECT of every physical column; scan_next appends
     * rows until out is full; returns 1 while rows may follow, 0 at the end, -1 on error. */
    int (*scan_open)(jdbc_conn *c, const connector_table *t);
    int (*scan_next)(jdbc_conn *c, const connector_table *t, chunk_t *out);
    /* After a failure: 1 when reconnecting and retrying may succeed. */
    int (*retryable)(jdbc_conn *c);
} jdbc_driver;

extern const jdbc_driver jdbc_sqlite_driver;
extern const jdbc_driver jdbc_postgres_driver;
extern const jdbc_driver jdbc_mysql_driver;

/* ---- helpers for drivers ---- */

/* A parsed server URL: jdbc:postgresql://host:port/db?k=v&... or jdbc:mysql://...
 * (host defaults to localhost; port 0 when absent; an IPv6 host loses its brackets; a list
 * of servers "h1:p1,h2:p2" stays whole in host with port 0; params point into a private copy). */
typedef struct jdbc_url {
    char *host;
    int port;
    char *database;
    char *params;                       /* the text after '?', or NULL */
    char *buf;                          /* owns the strings above */
} jdbc_url;

/* Parses t's 'url' after prefix ("jdbc:postgresql:"); records an error at the option's value
 * and returns -1 when it is not "//host[:port]/database[?params]". */
int jdbc_url_parse(const connector_table *t, const char *prefix, jdbc_url *u);
void jdbc_url_free(jdbc_url *u);

/* The table the sink writes / the lookup reads ('table-name'). */
const char *jdbc_table_name(const connector_table *t);
/* name quoted with quote ('"' or '`'), the quote doubled inside. */
void jdbc_put_ident(sb_t *b, const char *name, char quote);
/* The physical column names, quoted, separated by ", ". */
void jdbc_put_columns(sb_t *b, const connector_table *t, char quote);
/* 1 when physical column col is part of the primary key. */
int jdbc_is_pk(const connector_table *t, uint32_t col);
/* Appends row out->nrows (op +I) from text cells (NULL cell = SQL NULL), converting each with
 * value_parse; booleans also accept t/f/1/0 as servers print them. An unconvertible cell is
 * an error naming the column and the value. */
int jdbc_append_text_row(const connector_table *t, chunk_t *out, const char *const *cells,
                         const size_t *lens);

#endif
