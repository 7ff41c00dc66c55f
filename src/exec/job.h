/* job.h - a job from SQL text to results: parse, declare, bind, plan, build, run, report. */
#ifndef EDDY_JOB_H
#define EDDY_JOB_H
#include "sql/bind.h"
#include "plan/build.h"
#include <stdio.h>

typedef struct job {
    const char *file_name;
    char *text;                  /* the SQL, owned */
    arena_t arena;               /* AST and plan lifetime */
    exec_ctx ctx;
    catalog cat;
    plan_job plan;
    built_job ops;
    int nstatements;
    double run_seconds;
    volatile int *stop;          /* set asynchronously to end a live run */
} job;

/* Load and plan a job. `overrides` are "-D key=value" settings (applied after the file's
 * SET statements). Returns 0, or -1 with the error recorded. */
int job_load(job *j, const char *file_name, const char *text, char **overrides, int noverrides);
int job_explain(job *j, sb_t *out);
int job_run(job *j);
/* One line per source and sink: rows, skipped, late, time. */
void job_summary(job *j, FILE *out);
void job_free(job *j);

#endif
