/* main.c - the eddy command line: run and explain Flink SQL jobs. */
#include "exec/job.h"
#include "gen/gen.h"
#include "base/util.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define EDDY_VERSION "0.1.0"

static volatile int stop_requested;

/* The first Ctrl-C / SIGTERM stops the run after the current chunk (sinks are flushed);
 * a second one ends the process at once. */
static void on_signal(int sig)
{
    if (stop_requested) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "eddy %s - Flink SQL jobs as one small native process\n"
            "\n"
            "usage:\n"
            "  eddy run JOB.sql [-D key=value ...] [--config FILE] [--quiet]\n"
            "                       run the job; bounded inputs run to completion, live ones until Ctrl-C;\n"
            "                       prints a summary line per source and sink on stderr\n"
            "  eddy explain JOB.sql [-D key=value ...] [--config FILE]\n"
            "                       print the physical plan: each operator with its changelog mode,\n"
            "                       upsert key and time attributes\n"
            "  eddy gen SCENARIO --out DIR [options]\n"
            "                       write realistic input data for a scenario as files (eddy gen --help\n"
            "                       lists them, eddy gen mall --help its options)\n"
            "  eddy gen SCENARIO [--to -|FILE|kafka://HOST:PORT|mqtt://HOST:PORT] [--rate N|max]\n"
            "           [--speedup X] [--disorder DURATION] [options]\n"
            "                       stream its events live instead: all its streams merged in event-time\n"
            "                       order, with bounded disorder, paced; one message per line (stdout\n"
            "                       by default, a Kafka or MQTT topic per stream)\n"
            "  eddy gen replay --file PATH --time-column N [--to ...]\n"
            "                       stream any file of events live the same way\n"
            "  eddy --version       print the version\n"
            "  eddy --help          this text\n"
            "\n"
            "-D key=value sets a configuration key as SET 'key' = 'value' would, after the job's own\n"
            "SET statements (e.g. -D table.local-time-zone=Asia/Shanghai).\n"
            "--config FILE reads such keys from a file, one 'key: value' or 'key = value' per line\n"
            "('#' starts a comment); -D options given on the command line win over it.\n",
            EDDY_VERSION);
}

/* "key: value" or "key = value" lines; appends "key=value" strings (malloc'ed) to out. */
static int read_config(const char *path, char ***out, int *n, int *cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "eddy: cannot read config file '%s': %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || !*p) continue;
        char *end = p + strlen(p);
        while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) *--end = 0;
        char *sep = strpbrk(p, ":=");
        if (!sep) {
            fprintf(stderr, "%s:%d: error: expected 'key: value' or 'key = value'\n", path, lineno);
            fclose(f);
            return -1;
        }
        char *k_end = sep;
        while (k_end > p && k_end[-1] == ' ') k_end--;
        char *v = sep + 1;
        while (*v == ' ') v++;
        size_t vlen = strlen(v);
        if (vlen >= 2 && (v[0] == '\'' || v[0] == '"') && v[vlen - 1] == v[0]) { v[vlen - 1] = 0; v++; }
        sb_t kv = {0};
        sb_printf(&kv, "%.*s=%s", (int)(k_end - p), p, v);
        if (*n == *cap) { *cap *= 2; *out = xrealloc(*out, sizeof **out * (size_t)*cap); }
        (*out)[(*n)++] = sb_take(&kv);
    }
    fclose(f);
    return 0;
}

/* The first nconfig entries came from config files and are owned. */
static void free_overrides(char **overrides, int nconfig)
{
    for (int i = 0; i < nconfig; i++) free(overrides[i]);
    free(overrides);
}

static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    sb_t b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_append(&b, buf, n);
    if (f != stdin) fclose(f);
    return sb_take(&b);
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) { printf("eddy %s\n", EDDY_VERSION); return 0; }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) { usage(stdout); return 0; }
    if (!strcmp(cmd, "gen")) return gen_main(argc - 1, argv + 1);
    if (strcmp(cmd, "run") && strcmp(cmd, "explain")) {
        fprintf(stderr, "eddy: unknown command '%s'; commands: run, explain, gen (see eddy --help)\n", cmd);
        return 2;
    }
    const char *path = NULL;
    int cap = argc + 16, nconfig = 0;
    char **overrides = xcalloc((size_t)cap, sizeof *overrides);
    int noverrides = 0, quiet = 0;
    /* Config files first, so that -D wins. */
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config") && read_config(argv[i + 1], &overrides, &noverrides, &cap)) {
            free_overrides(overrides, noverrides);
            return 2;
        }
    nconfig = noverrides;
    for (int i = 2; i < argc; i++) {
        if (noverrides + 1 >= cap) { cap *= 2; overrides = xrealloc(overrides, sizeof *overrides * (size_t)cap); }
        if (!strcmp(argv[i], "--config") && i + 1 < argc) i++;
        else if (!strcmp(argv[i], "-D") && i + 1 < argc) overrides[noverrides++] = argv[++i];
        else if (!strncmp(argv[i], "-D", 2) && argv[i][2]) overrides[noverrides++] = argv[i] + 2;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "eddy: unknown option '%s' (see eddy --help)\n", argv[i]);
            free_overrides(overrides, nconfig);
            return 2;
        } else if (!path) path = argv[i];
        else {
            fprintf(stderr, "eddy: only one job file, got '%s' and '%s'\n", path, argv[i]);
            free_overrides(overrides, nconfig);
            return 2;
        }
    }
    if (!path) { fprintf(stderr, "eddy %s: missing JOB.sql\n", cmd); free_overrides(overrides, nconfig); return 2; }
    char *text = read_file(path);
    if (!text) { fprintf(stderr, "eddy: cannot read '%s': %s\n", path, strerror(errno)); free_overrides(overrides, nconfig); return 1; }
    job j;
    int rc = job_load(&j, path, text, overrides, noverrides);
    free(text);
    if (rc == 0 && !strcmp(cmd, "explain")) {
        sb_t out = {0};
        job_explain(&j, &out);
        fputs(sb_str(&out), stdout);
        sb_free(&out);
    } else if (rc == 0) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        j.stop = &stop_requested;
        rc = job_run(&j);
        signal(SIGINT, SIG_DFL);      /* closing the connections is not interruptible by request */
        signal(SIGTERM, SIG_DFL);
        fflush(stdout);
        if (!quiet || rc) job_summary(&j, stderr);
    }
    if (rc) err_print(stderr);
    job_free(&j);
    free_overrides(overrides, nconfig);
    return rc ? 1 : 0;
}
