/* dialect.h - the three WITH-option dialects and service bindings.
 *
 * Tables may be declared in Flink >= 1.11 style ('connector' = 'kafka'), in Flink <= 1.10 /
 * Huawei DLI style ("connector.type" = "kafka", "format.type" = "json"), or in Alibaba Blink
 * style (type = 'datahub' | 'rds' | 'ots' ...). dialect_bind rewrites a table's options into
 * the first style and applies bindings from the configuration (SET / -D / --config):
 *
 *   eddy.binding.<service>.<option> = value    every table of a service (datahub, rds, ots,
 *                                              or a connector name such as kafka)
 *   eddy.binding.table.<table>.<option> = value  one table
 *
 * Blink's RDS and OTS tables bind by default to SQLite (jdbc:sqlite:rds.db / ots.db), so a
 * Blink job runs with no server; a DataHub table has no default and must be bound. */
#ifndef EDDY_DIALECT_H
#define EDDY_DIALECT_H
#include "sql/catalog.h"

/* Rewrites t->conn.opts in place (the new array is owned by the table). */
int dialect_bind(catalog *c, catalog_table *t);

#endif
