/* print.h - where the print connector writes (tests and the test runner redirect it). */
#ifndef EDDY_PRINT_H
#define EDDY_PRINT_H
#include <stdio.h>

/* Every print sink created afterwards writes to f instead of stdout / stderr; NULL restores
 * the default. The FILE is borrowed: the caller keeps it open while sinks use it. */
void print_sink_set_output(FILE *f);

#endif
