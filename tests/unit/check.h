/* check.h - a tiny unit-test harness: CHECK / CHECK_EQ_* record failures with file:line,
 * TEST(name) defines a test, RUN(name) runs it; main returns non-zero on any failure and
 * prints "N passed, N failed". */
#ifndef EDDY_CHECK_H
#define EDDY_CHECK_H
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static int check_failed_ = 0, check_passed_ = 0, check_cur_failed_ = 0;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); check_cur_failed_ = 1; } } while (0)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); check_cur_failed_ = 1; } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
    fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); check_cur_failed_ = 1; } } while (0)
#define CHECK_EQ_DBL(a, b, eps) do { double a_ = (a), b_ = (b); if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps))) { \
    fprintf(stderr, "%s:%d: %s == %.17g, expected %.17g\n", __FILE__, __LINE__, #a, a_, b_); check_cur_failed_ = 1; } } while (0)

#define TEST(name) static void test_##name(void)
#define RUN(name) do { check_cur_failed_ = 0; test_##name(); \
    if (check_cur_failed_) { check_failed_++; fprintf(stderr, "FAIL %s\n", #name); } else check_passed_++; } while (0)
#define CHECK_DONE() (printf("%s: %d passed, %d failed\n", __FILE__, check_passed_, check_failed_), check_failed_ != 0)

#endif
