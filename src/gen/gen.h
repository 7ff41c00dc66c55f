/* gen.h - `eddy gen SCENARIO ...`: generators of realistic input data for the scenario jobs
 * (files a filesystem source reads, plus dimension tables for lookup joins).
 *
 * Every generator takes its own argv (argv[0] = the scenario name), writes its files, prints a
 * one-line summary on stderr and returns 0; on bad arguments it records a precise message with
 * err_msg (base/err.h) and returns 2, on I/O failures it records the message and returns 1.
 * The output is a pure function of the arguments (the seed included). */
#ifndef EDDY_GEN_H
#define EDDY_GEN_H

/* argv[0] = "gen", argv[1] = the scenario: runs that scenario's generator with argv + 1 and
 * prints any error on stderr. "gen --help" lists the scenarios. */
int gen_main(int argc, char **argv);

/* Shopping-mall WiFi-probe data (seed 000): user_wifidata, area_shop, place_info. */
int gen_mall(int argc, char **argv);

#endif
