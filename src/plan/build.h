/* build.h - turns a physical plan into wired operators. */
#ifndef EDDY_BUILD_H
#define EDDY_BUILD_H
#include "plan/plan.h"

typedef struct built_job {
    op_t **ops;          /* every operator once, sources first */
    int nops;
    op_t **scans;
    int nscans;
    op_t **sinks;
    int nsinks;
} built_job;

int plan_build(plan_job *plan, exec_ctx *ctx, built_job *out);
void built_job_free(built_job *b);

#endif
