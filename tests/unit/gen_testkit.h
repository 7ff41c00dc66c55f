/* gen_testkit.h - scaffolding shared by the `eddy gen` unit tests: a fresh temporary directory
 * for a generator's output, removing it again (with the files in it), and reading one of its
 * files whole. Header-only like check.h: everything is static inline. */
#ifndef EDDY_GEN_TESTKIT_H
#define EDDY_GEN_TESTKIT_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new directory /tmp/eddy_<name>_XXXXXX (malloc'd path), or NULL. */
static inline char *make_temp_dir_for(const char *name)
{
    char tmpl[128];
    snprintf(tmpl, sizeof tmpl, "/tmp/eddy_%s_XXXXXX", name);
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

/* Removes dir and the files in it (generators write no subdirectories). */
static inline void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* The whole of dir/name, NUL-terminated (malloc'd; its length in *len), or NULL. */
static inline char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len) *len = got;
    return buf;
}

#endif
