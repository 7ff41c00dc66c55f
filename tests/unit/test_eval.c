/* test_eval.c - the expression evaluator: operators, three-valued logic, IN/BETWEEN, casts,
 * CASE and lazy evaluation, conditional and numeric functions, EXPLAIN text. */
#include "expr_helpers.h"
#include "expr/func_internal.h"

/* ---- arithmetic ---- */

#define INT_PAIRS "7|2;-7|2;2147483647|1;NULL|3;-2147483648|-1"

TEST(integer_arithmetic_wraps_like_java)
{
    CHECK_EQ_STR(EVAL(CALL("+", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", INT_PAIRS)),
                 "9|-5|-2147483648|NULL|2147483647");
    CHECK_EQ_STR(EVAL(CALL("-", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", INT_PAIRS)),
                 "5|-9|2147483646|NULL|-2147483647");
    CHECK_EQ_STR(EVAL(CALL("*", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", INT_PAIRS)),
                 "14|-14|2147483647|NULL|-2147483648");
    CHECK_EQ_STR(EVAL(CALL("/", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", INT_PAIRS)),
                 "3|-3|2147483647|NULL|-2147483648");
    CHECK_EQ_STR(EVAL(CALL("%", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", INT_PAIRS)), "1|-1|0|NULL|0");
    CHECK_EQ_STR(EVAL(CALL("MOD", LIT("INT", "7"), LIT("INT", "-3")), ONE_ROW()), "1");
    CHECK_EQ_STR(EVAL(CALL("MOD", LIT("INT", "-7"), LIT("INT", "3")), ONE_ROW()), "-1");
    /* BIGINT arithmetic does not wrap at 32 bits */
    CHECK_EQ_STR(EVAL(CALL("+", COL(0, "INT"), COL(1, "BIGINT")), ROWS("INT BIGINT", "2147483647|1")), "2147483648");
}

TEST(arithmetic_result_types)
{
    CHECK_EQ_INT(CALL("+", COL(0, "INT"), COL(1, "INT"))->type.id, TY_INT);
    CHECK_EQ_INT(CALL("+", COL(0, "INT"), COL(1, "BIGINT"))->type.id, TY_BIGINT);
    CHECK_EQ_INT(CALL("/", COL(0, "BIGINT"), COL(1, "INT"))->type.id, TY_BIGINT);
    CHECK_EQ_INT(CALL("%", COL(0, "BIGINT"), COL(1, "INT"))->type.id, TY_INT);
    CHECK_EQ_INT(CALL("*", COL(0, "INT"), LIT("DOUBLE", "0.5"))->type.id, TY_DOUBLE);
    CHECK_EQ_INT(CALL("+", COL(0, "DECIMAL(10,2)"), LIT("DOUBLE", "0.5"))->type.id, TY_DOUBLE);
    char buf[64];
    CHECK_EQ_STR(type_name(CALL("+", COL(0, "DECIMAL(10,2)"), COL(1, "DECIMAL(10,3)"))->type, buf, 64), "DECIMAL(12, 3)");
    CHECK_EQ_STR(type_name(CALL("*", COL(0, "DECIMAL(10,2)"), COL(1, "DECIMAL(10,3)"))->type, buf, 64), "DECIMAL(18, 5)");
    CHECK_EQ_STR(type_name(CALL("/", COL(0, "DECIMAL(10,2)"), COL(1, "DECIMAL(10,3)"))->type, buf, 64), "DECIMAL(18, 7)");
    CHECK_EQ_STR(type_name(CALL("%", COL(0, "DECIMAL(10,2)"), COL(1, "DECIMAL(10,3)"))->type, buf, 64), "DECIMAL(10, 3)");
    CHECK_EQ_STR(type_name(CALL("+", COL(0, "DECIMAL(10,2)"), COL(1, "INT"))->type, buf, 64), "DECIMAL(13, 2)");
    CHECK_EQ_STR(type_name(CALL("/", LIT("DECIMAL(3,2)", "2.00"), LIT("INT", "3"))->type, buf, 64), "DECIMAL(14, 13)");
    CHECK_EQ_STR(CHECK_ERROR(CALL("+", COL(0, "STRING"), COL(1, "INT"))), "cannot apply '+' to STRING and INT");
    CHECK_EQ_STR(CHECK_ERROR(CALL("-", COL(0, "BOOLEAN"))), "cannot apply '-' to BOOLEAN");
    CHECK_EQ_STR(CHECK_ERROR(CALL("*", COL(0, "INT"))), "* takes 2 arguments, got 1");
}

TEST(division_by_zero)
{
    CHECK_EQ_STR(EVAL(CALL("/", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", "6|3;1|0")), "ERROR: division by zero");
    CHECK_EQ_STR(EVAL(CALL("%", COL(0, "BIGINT"), COL(1, "BIGINT")), ROWS("BIGINT BIGINT", "1|0")), "ERROR: division by zero");
    CHECK_EQ_STR(EVAL(CALL("/", COL(0, "DECIMAL(5,2)"), COL(1, "INT")), ROWS("DECIMAL(5,2) INT", "1.00|0")),
                 "ERROR: division by zero");
    /* a NULL operand is NULL, not an error */
    CHECK_EQ_STR(EVAL(CALL("/", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", "6|3;NULL|0")), "2|NULL");
    /* DOUBLE follows IEEE */
    CHECK_EQ_STR(EVAL(CALL("/", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", "1.5|2;1|0;0|0;-1|0")),
                 "0.75|Infinity|NaN|-Infinity");
    CHECK_EQ_STR(EVAL(CALL("*", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", "1.5|2;-1|0")), "3.0|-0.0");
    CHECK_EQ_STR(EVAL(CALL("%", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", "5.5|2;1|0")), "1.5|NaN");
}

TEST(lazy_evaluation_guards_errors)
{
    expr_t *a = COL(0, "INT"), *b = COL(1, "INT");
    expr_t *guarded = CASE("INT", CALL("<>", b, LIT("INT", "0")), CALL("/", a, b));
    CHECK_EQ_STR(EVAL(guarded, ROWS("INT INT", "6|3;1|0;NULL|NULL")), "2|NULL|NULL");
    expr_t *and_guard = CALL("AND", CALL("<>", b, LIT("INT", "0")), CALL(">", CALL("/", a, b), LIT("INT", "1")));
    CHECK_EQ_STR(EVAL(and_guard, ROWS("INT INT", "6|3;1|0;1|1")), "TRUE|FALSE|FALSE");
    expr_t *or_guard = CALL("OR", CALL("=", b, LIT("INT", "0")), CALL(">", CALL("/", a, b), LIT("INT", "1")));
    CHECK_EQ_STR(EVAL(or_guard, ROWS("INT INT", "6|3;1|0;1|1")), "TRUE|TRUE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("COALESCE", a, CALL("/", a, b)), ROWS("INT INT", "1|0;NULL|2")), "1|NULL");
    CHECK_EQ_STR(EVAL(CALL("IF", CALL("=", b, LIT("INT", "0")), LIT("INT", "0"), CALL("/", a, b)),
                      ROWS("INT INT", "6|3;1|0")), "2|0");
    /* the failing branch still fails where it is taken */
    CHECK_EQ_STR(EVAL(CALL("IF", CALL("=", b, LIT("INT", "0")), CALL("/", a, b), LIT("INT", "0")),
                      ROWS("INT INT", "6|3;1|0")), "ERROR: division by zero");
    /* a cast in a branch that is not taken does not fail */
    expr_t *s = COL(0, "STRING");
    expr_t *safe = CASE("INT", CALL("=", s, LIT("STRING", "n/a")), LIT("NULL", "NULL"), CAST_TO(s, "INT", 0));
    CHECK_EQ_STR(EVAL(safe, ROWS("STRING", "5;n/a")), "5|NULL");
}

TEST(decimal_arithmetic)
{
    const char *rows = "1.25|2.125;-1.25|0.005;NULL|1";
    const char *types = "DECIMAL(10,2) DECIMAL(10,3)";
    expr_t *a = COL(0, "DECIMAL(10,2)"), *b = COL(1, "DECIMAL(10,3)");
    CHECK_EQ_STR(EVAL(CALL("+", a, b), ROWS(types, rows)), "3.375|-1.245|NULL");
    CHECK_EQ_STR(EVAL(CALL("-", a, b), ROWS(types, rows)), "-0.875|-1.255|NULL");
    CHECK_EQ_STR(EVAL(CALL("*", a, b), ROWS(types, rows)), "2.65625|-0.00625|NULL");
    CHECK_EQ_STR(EVAL(CALL("/", a, b), ROWS(types, rows)), "0.5882353|-250.0000000|NULL");
    CHECK_EQ_STR(EVAL(CALL("%", a, b), ROWS(types, rows)), "1.250|0.000|NULL");
    CHECK_EQ_STR(EVAL(CALL("+", COL(0, "DECIMAL(10,2)"), COL(1, "INT")), ROWS("DECIMAL(10,2) INT", "1.25|1")), "2.25");
    CHECK_EQ_STR(EVAL(CALL("/", LIT("DECIMAL(3,2)", "-2.00"), LIT("INT", "3")), ONE_ROW()), "-0.6666666666667");
    CHECK_EQ_STR(EVAL(CALL("/", LIT("DECIMAL(3,2)", "2.00"), LIT("INT", "3")), ONE_ROW()), "0.6666666666667");
    /* a result beyond the precision is NULL */
    CHECK_EQ_STR(EVAL(CALL("*", COL(0, "DECIMAL(18,0)"), LIT("INT", "10")), ROWS("DECIMAL(18,0)", "999999999999999999;5")),
                 "NULL|50");
    /* long division: the numerator needs 10^24, beyond 128 bits with an 18-digit dividend */
    CHECK_EQ_STR(EVAL(CALL("/", LIT("DECIMAL(18,0)", "1"), COL(0, "DECIMAL(18,18)")),
                      ROWS("DECIMAL(18,18)", "0.5;0.3;-0.3;0.000000000000000003")), "2.000000|3.333333|-3.333333|NULL");
    CHECK_EQ_STR(EVAL(CALL("/", LIT("DECIMAL(18,9)", "1.000000000"), LIT("DECIMAL(18,9)", "3.000000000")), ONE_ROW()),
                 "0.333333");
}

TEST(unary_minus)
{
    const char *rows = "-2147483648|1.5|1.25;3|-0.0|-1.00";
    const char *types = "INT DOUBLE DECIMAL(5,2)";
    CHECK_EQ_STR(EVAL(CALL("-", COL(0, "INT")), ROWS(types, rows)), "-2147483648|-3");
    CHECK_EQ_STR(EVAL(CALL("-", COL(1, "DOUBLE")), ROWS(types, rows)), "-1.5|0.0");
    CHECK_EQ_STR(EVAL(CALL("-", COL(2, "DECIMAL(5,2)")), ROWS(types, rows)), "-1.25|1.00");
    CHECK_EQ_STR(EVAL(CALL("+", COL(2, "DECIMAL(5,2)")), ROWS(types, rows)), "1.25|-1.00");
    CHECK_EQ_STR(EVAL(CALL("NEGATE", COL(0, "INT")), ROWS(types, rows)), "-2147483648|-3");
    CHECK_EQ_STR(EVAL(CALL("NEGATE", LIT("INTERVAL_DT", "5000000")), ONE_ROW()), "-0 00:00:05.000");
    CHECK_EQ_STR(CHECK_ERROR(CALL("NEGATE", COL(0, "STRING"))), "cannot apply 'NEGATE' to STRING");
}

TEST(datetime_plus_interval)
{
    const char *rows = "2020-01-31 10:00:00|2021-03-31;2020-02-29 23:59:59.5|2020-02-29";
    const char *types = "TIMESTAMP(3) DATE";
    expr_t *ts = COL(0, "TIMESTAMP(3)"), *d = COL(1, "DATE");
    CHECK_EQ_STR(EVAL(CALL("+", ts, LIT("INTERVAL_YM", "1")), ROWS(types, rows)),
                 "2020-02-29 10:00:00.000|2020-03-29 23:59:59.500");
    CHECK_EQ_STR(EVAL(CALL("-", d, LIT("INTERVAL_YM", "1")), ROWS(types, rows)), "2021-02-28|2020-01-29");
    CHECK_EQ_STR(EVAL(CALL("+", d, LIT("INTERVAL_YM", "12")), ROWS(types, rows)), "2022-03-31|2021-02-28");
    CHECK_EQ_STR(EVAL(CALL("+", ts, LIT("INTERVAL_DT", "5000000")), ROWS(types, rows)),
                 "2020-01-31 10:00:05.000|2020-03-01 00:00:04.500");
    CHECK_EQ_STR(EVAL(CALL("-", ts, LIT("INTERVAL_DT", "36000000000")), ROWS(types, rows)),
                 "2020-01-31 00:00:00.000|2020-02-29 13:59:59.500");
    CHECK_EQ_STR(EVAL(CALL("+", LIT("INTERVAL_DT", "86400000000"), d), ROWS(types, rows)), "2021-04-01|2020-03-01");
    CHECK_EQ_STR(EVAL(CALL("+", d, LIT("INTERVAL_DT", "3600000000")), ROWS(types, rows)), "2021-03-31|2020-02-29");
    CHECK_EQ_INT(CALL("+", ts, LIT("INTERVAL_DT", "1"))->type.id, TY_TIMESTAMP);
    CHECK_EQ_STR(EVAL(CALL("+", LIT("INTERVAL_DT", "1000000"), LIT("INTERVAL_DT", "2000000")), ONE_ROW()),
                 "+0 00:00:03.000");
    /* TIMESTAMP_LTZ + months works on the wall clock of the session zone */
    test_exec.local_tz = tz_get("+08:00", NULL, 0);
    CHECK_EQ_STR(EVAL(CALL("+", COL(0, "TIMESTAMP_LTZ(3)"), LIT("INTERVAL_YM", "1")),
                      ROWS("TIMESTAMP_LTZ(3)", "2020-01-30 20:00:00")), "2020-02-28 20:00:00.000");
    test_exec.local_tz = NULL;
    CHECK_EQ_STR(CHECK_ERROR(CALL("-", LIT("INTERVAL_DT", "1"), COL(0, "DATE"))), "cannot apply '-' to INTERVAL DAY TO SECOND and DATE");
}

/* ---- comparisons ---- */

TEST(numeric_comparisons)
{
    const char *rows = "1|1.00;2|1.50;NULL|1.00;1|NULL";
    expr_t *a = COL(0, "INT"), *b = COL(1, "DECIMAL(5,2)");
    CHECK_EQ_STR(EVAL(CALL("=", a, b), ROWS("INT DECIMAL(5,2)", rows)), "TRUE|FALSE|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("<>", a, b), ROWS("INT DECIMAL(5,2)", rows)), "FALSE|TRUE|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL(">", a, b), ROWS("INT DECIMAL(5,2)", rows)), "FALSE|TRUE|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("<=", a, b), ROWS("INT DECIMAL(5,2)", rows)), "TRUE|FALSE|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL(">=", a, b), ROWS("INT DECIMAL(5,2)", rows)), "TRUE|TRUE|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("<", a, b), ROWS("INT DECIMAL(5,2)", rows)), "FALSE|FALSE|NULL|NULL");
    /* INT and BIGINT and DECIMAL compare without casts; DOUBLE converts the other side */
    expr_t *cmp = CALL("=", COL(0, "BIGINT"), LIT("DECIMAL(18,9)", "3.000000000"));
    CHECK(cmp && cmp->args[0]->kind == EX_COL && cmp->args[1]->kind == EX_CONST);
    CHECK_EQ_STR(EVAL(cmp, ROWS("BIGINT", "3;4")), "TRUE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("<", COL(0, "DOUBLE"), COL(1, "INT")), ROWS("DOUBLE INT", "1.5|2;2.5|2")), "TRUE|FALSE");
    /* NaN is unordered: only <> holds */
    const char *nan = "NaN|NaN;1|2";
    CHECK_EQ_STR(EVAL(CALL("=", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", nan)), "FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("<>", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", nan)), "TRUE|TRUE");
    CHECK_EQ_STR(EVAL(CALL(">=", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", nan)), "FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("<", COL(0, "DOUBLE"), COL(1, "DOUBLE")), ROWS("DOUBLE DOUBLE", nan)), "FALSE|TRUE");
}

TEST(string_bool_time_comparisons)
{
    const char *rows = "a|b;abc|abd;|a;a very long string here|a very long string here;b|a;é|z";
    expr_t *a = COL(0, "STRING"), *b = COL(1, "STRING");
    CHECK_EQ_STR(EVAL(CALL("<", a, b), ROWS("STRING STRING", rows)), "TRUE|TRUE|TRUE|FALSE|FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("=", a, b), ROWS("STRING STRING", rows)), "FALSE|FALSE|FALSE|TRUE|FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("<", COL(0, "BOOLEAN"), COL(1, "BOOLEAN")), ROWS("BOOLEAN BOOLEAN", "false|true;true|false")),
                 "TRUE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("<", COL(0, "DATE"), COL(1, "TIMESTAMP(3)")),
                      ROWS("DATE TIMESTAMP(3)", "2020-01-01|2020-01-01 00:00:01;2020-01-02|2020-01-01 23:00:00")),
                 "TRUE|FALSE");
    /* TIMESTAMP against TIMESTAMP_LTZ: the wall clock is read in the session zone */
    test_exec.local_tz = tz_get("+08:00", NULL, 0);
    CHECK_EQ_STR(EVAL(CALL("=", COL(0, "TIMESTAMP(3)"), COL(1, "TIMESTAMP_LTZ(3)")),
                      ROWS("TIMESTAMP(3) TIMESTAMP_LTZ(3)", "2020-01-01 08:00:00|2020-01-01 00:00:00;2020-01-01 00:00:00|2020-01-01 00:00:00")),
                 "TRUE|FALSE");
    test_exec.local_tz = NULL;
    /* a string against a typed value converts the string; constants convert at bind time */
    CHECK_EQ_STR(EVAL(CALL("=", COL(0, "STRING"), LIT("INT", "10")), ROWS("STRING", "10;9; 10 ")), "TRUE|FALSE|TRUE");
    CHECK_EQ_STR(EVAL(CALL("=", COL(0, "STRING"), LIT("INT", "10")), ROWS("STRING", "x")), "ERROR: cannot cast 'x' to INT");
    expr_t *since = CALL(">=", COL(0, "TIMESTAMP(3)"), LIT("STRING", "2021-03-25 00:00:00"));
    CHECK(since && since->args[1]->kind == EX_CONST && since->args[1]->type.id == TY_TIMESTAMP);
    CHECK_EQ_STR(EVAL(since, ROWS("TIMESTAMP(3)", "2021-03-24 23:59:59.999;2021-03-25 00:00:00")), "FALSE|TRUE");
    CHECK_EQ_STR(CHECK_ERROR(CALL("=", COL(0, "INT"), LIT("STRING", "abc"))), "cannot cast 'abc' to INT");
    CHECK_EQ_STR(CHECK_ERROR(CALL("=", COL(0, "INT"), COL(1, "BOOLEAN"))), "cannot apply '=' to INT and BOOLEAN");
    CHECK_EQ_STR(CHECK_ERROR(CALL("<", COL(0, "DATE"), COL(1, "INT"))), "cannot apply '<' to DATE and INT");
    CHECK_EQ_STR(EVAL(CALL("=", LIT("NULL", "NULL"), COL(0, "INT")), ROWS("INT", "1")), "NULL");
}

/* ---- logic ---- */

#define TRUTH_ROWS "true|true;true|false;true|NULL;false|true;false|false;false|NULL;NULL|true;NULL|false;NULL|NULL"

TEST(three_valued_logic)
{
    expr_t *a = COL(0, "BOOLEAN"), *b = COL(1, "BOOLEAN");
    CHECK_EQ_STR(EVAL(CALL("AND", a, b), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "TRUE|FALSE|NULL|FALSE|FALSE|FALSE|NULL|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("OR", a, b), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "TRUE|TRUE|TRUE|TRUE|FALSE|NULL|TRUE|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("AND", a, b, LIT("BOOLEAN", "true")), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "TRUE|FALSE|NULL|FALSE|FALSE|FALSE|NULL|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("NOT", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "FALSE|FALSE|FALSE|TRUE|TRUE|TRUE|NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("IS NULL", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "FALSE|FALSE|FALSE|FALSE|FALSE|FALSE|TRUE|TRUE|TRUE");
    CHECK_EQ_STR(EVAL(CALL("IS NOT NULL", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "TRUE|TRUE|TRUE|TRUE|TRUE|TRUE|FALSE|FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("IS TRUE", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "TRUE|TRUE|TRUE|FALSE|FALSE|FALSE|FALSE|FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("IS NOT TRUE", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "FALSE|FALSE|FALSE|TRUE|TRUE|TRUE|TRUE|TRUE|TRUE");
    CHECK_EQ_STR(EVAL(CALL("IS FALSE", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "FALSE|FALSE|FALSE|TRUE|TRUE|TRUE|FALSE|FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("IS NOT FALSE", a), ROWS("BOOLEAN BOOLEAN", TRUTH_ROWS)),
                 "TRUE|TRUE|TRUE|FALSE|FALSE|FALSE|TRUE|TRUE|TRUE");
    CHECK_EQ_STR(EVAL(CALL("IS NULL", COL(0, "STRING")), ROWS("STRING", "x;NULL")), "FALSE|TRUE");
    CHECK_EQ_STR(CHECK_ERROR(CALL("AND", a, COL(1, "INT"))), "cannot apply 'AND' to BOOLEAN and INT");
    CHECK_EQ_STR(CHECK_ERROR(CALL("IS TRUE", COL(0, "INT"))), "cannot apply 'IS TRUE' to INT");
}

TEST(in_and_not_in)
{
    expr_t *x = COL(0, "INT");
    const char *rows = "1;5;NULL;7";
    CHECK_EQ_STR(EVAL(CALL("IN", x, LIT("INT", "1"), LIT("INT", "2")), ROWS("INT", rows)), "TRUE|FALSE|NULL|FALSE");
    CHECK_EQ_STR(EVAL(CALL("IN", x, LIT("INT", "1"), LIT("INT", "2"), LIT("NULL", "NULL")), ROWS("INT", rows)),
                 "TRUE|NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("NOT IN", x, LIT("INT", "1"), LIT("INT", "2")), ROWS("INT", rows)), "FALSE|TRUE|NULL|TRUE");
    CHECK_EQ_STR(EVAL(CALL("NOT IN", x, LIT("INT", "1"), LIT("INT", "2"), LIT("NULL", "NULL")), ROWS("INT", rows)),
                 "FALSE|NULL|NULL|NULL");
    /* long constant lists are sorted once and searched */
    expr_t *big = CALL("IN", x, LIT("INT", "9"), LIT("INT", "1"), LIT("INT", "8"), LIT("INT", "2"), LIT("INT", "7"),
                       LIT("INT", "3"), LIT("INT", "6"), LIT("INT", "4"), LIT("INT", "5"), LIT("INT", "12"));
    CHECK(big && big->state);
    CHECK_EQ_STR(EVAL(big, ROWS("INT", "1;5;NULL;11;12")), "TRUE|TRUE|NULL|FALSE|TRUE");
    expr_t *big_null = CALL("NOT IN", x, LIT("INT", "9"), LIT("INT", "1"), LIT("INT", "8"), LIT("INT", "2"),
                            LIT("INT", "7"), LIT("INT", "3"), LIT("INT", "6"), LIT("INT", "4"), LIT("NULL", "NULL"));
    CHECK_EQ_STR(EVAL(big_null, ROWS("INT", "1;5;NULL;11")), "FALSE|NULL|NULL|NULL");
    expr_t *s = COL(0, "STRING");
    expr_t *words = CALL("IN", s, LIT("STRING", "alpha"), LIT("STRING", "bravo"), LIT("STRING", "charlie"),
                         LIT("STRING", "delta"), LIT("STRING", "echo"), LIT("STRING", "foxtrot"), LIT("STRING", "golf"),
                         LIT("STRING", "hotel"), LIT("STRING", "india is a long word"));
    CHECK(words && words->state);
    CHECK_EQ_STR(EVAL(words, ROWS("STRING", "delta;zulu;india is a long word")), "TRUE|FALSE|TRUE");
    /* mixed numeric types and non-constant lists */
    CHECK_EQ_STR(EVAL(CALL("IN", x, LIT("DECIMAL(2,1)", "1.5"), LIT("DECIMAL(2,1)", "5.0")), ROWS("INT", rows)),
                 "FALSE|TRUE|NULL|FALSE");
    CHECK_EQ_STR(EVAL(CALL("IN", COL(0, "STRING"), COL(1, "STRING"), LIT("STRING", "x")),
                      ROWS("STRING STRING", "a|a;x|b;c|NULL;d|e")), "TRUE|TRUE|NULL|FALSE");
    CHECK_EQ_STR(CHECK_ERROR(CALL("IN", x, LIT("BOOLEAN", "true"))), "cannot apply 'IN' to INT and BOOLEAN");
}

TEST(between)
{
    const char *rows = "5|1|10;5|NULL|3;5|NULL|10;NULL|1|2;0|1|10;10|1|10";
    expr_t *v = COL(0, "INT"), *lo = COL(1, "INT"), *hi = COL(2, "INT");
    CHECK_EQ_STR(EVAL(CALL("BETWEEN", v, lo, hi), ROWS("INT INT INT", rows)), "TRUE|FALSE|NULL|NULL|FALSE|TRUE");
    CHECK_EQ_STR(EVAL(CALL("NOT BETWEEN", v, lo, hi), ROWS("INT INT INT", rows)), "FALSE|TRUE|NULL|NULL|TRUE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("BETWEEN", COL(0, "DOUBLE"), LIT("INT", "1"), LIT("DECIMAL(3,1)", "2.5")),
                      ROWS("DOUBLE", "2.5;2.6")), "TRUE|FALSE");
}

/* ---- casts ---- */

TEST(casts_between_numbers)
{
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DOUBLE"), "INT", 0), ROWS("DOUBLE", "2.7;-2.7;1e20;NaN;-1e20")),
                 "2|-2|2147483647|0|-2147483648");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DOUBLE"), "BIGINT", 0), ROWS("DOUBLE", "1e20;-0.5")), "9223372036854775807|0");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "BIGINT"), "INT", 0), ROWS("BIGINT", "4294967297;-1")), "1|-1");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DECIMAL(5,2)"), "INT", 0), ROWS("DECIMAL(5,2)", "-1.99;1.99")), "-1|1");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DECIMAL(5,2)"), "DOUBLE", 0), ROWS("DECIMAL(5,2)", "-1.99;1.99")), "-1.99|1.99");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DECIMAL(5,2)"), "DECIMAL(5,1)", 0), ROWS("DECIMAL(5,2)", "-1.95;1.94")), "-2.0|1.9");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DECIMAL(5,2)"), "DECIMAL(1,1)", 0), ROWS("DECIMAL(5,2)", "-1.99;0.04")), "NULL|0.0");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DOUBLE"), "DECIMAL(14,2)", 0), ROWS("DOUBLE", "2.675;1.005;0.125;-0.125;1e10;NaN;0.3")),
                 "2.68|1.01|0.13|-0.13|10000000000.00|NULL|0.30");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "INT"), "DECIMAL(3,1)", 0), ROWS("INT", "99;100;-99")), "99.0|NULL|-99.0");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "BOOLEAN"), "INT", 0), ROWS("BOOLEAN", "true;false;NULL")), "1|0|NULL");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "INT"), "BOOLEAN", 0), ROWS("INT", "0;-3")), "FALSE|TRUE");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DOUBLE"), "BOOLEAN", 0), ROWS("DOUBLE", "0;0.1")), "FALSE|TRUE");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "INT"), "DOUBLE", 0), ROWS("INT", "-7")), "-7.0");
    /* Casts to the same type keep the value (DOUBLE is the one non-integer payload). */
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DOUBLE"), "DOUBLE", 0), ROWS("DOUBLE", "50.5;-0.25")), "50.5|-0.25");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "BIGINT"), "BIGINT", 0), ROWS("BIGINT", "-9")), "-9");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "BOOLEAN"), "BOOLEAN", 0), ROWS("BOOLEAN", "true;false")), "TRUE|FALSE");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DECIMAL(5,2)"), "DECIMAL(5,2)", 0), ROWS("DECIMAL(5,2)", "-1.99")), "-1.99");
    CHECK_EQ_STR(EVAL(CAST_TO(LIT("NULL", "NULL"), "INT", 0), ONE_ROW()), "NULL");
}

TEST(casts_to_string)
{
    const char *types = "INT DOUBLE DECIMAL(6,3) BOOLEAN DATE TIMESTAMP(3) TIMESTAMP(0) DOUBLE";
    const char *rows = "-12|10000000|1.500|true|2021-03-25|2021-03-25 12:03:00.5|2021-03-25 12:03:00.5|0.1";
    const char *want[] = {"-12", "1.0E7", "1.500", "TRUE", "2021-03-25", "2021-03-25 12:03:00.500", "2021-03-25 12:03:00", "0.1"};
    const char *col_types[] = {"INT", "DOUBLE", "DECIMAL(6,3)", "BOOLEAN", "DATE", "TIMESTAMP(3)", "TIMESTAMP(0)", "DOUBLE"};
    for (int i = 0; i < 8; i++) CHECK_EQ_STR(EVAL(CAST_TO(COL(i, col_types[i]), "STRING", 0), ROWS(types, rows)), want[i]);
    test_exec.local_tz = tz_get("+08:00", NULL, 0);
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "TIMESTAMP_LTZ(3)"), "STRING", 0), ROWS("TIMESTAMP_LTZ(3)", "2021-03-25 00:00:00")),
                 "2021-03-25 08:00:00.000");
    test_exec.local_tz = NULL;
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "VARCHAR(3)", 0), ROWS("STRING", "你好世界;ab;NULL")), "你好世|ab|NULL");
    CHECK_EQ_STR(EVAL(CAST_TO(LIT("INTERVAL_DT", "90000000"), "STRING", 0), ONE_ROW()), "+0 00:01:30.000");
}

TEST(casts_from_string)
{
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 0), ROWS("STRING", " 42 ;1.9;-7.5;+3;NULL")), "42|1|-7|3|NULL");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 0), ROWS("STRING", "1;abc")), "ERROR: cannot cast 'abc' to INT");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 0), ROWS("STRING", "2147483648")),
                 "ERROR: cannot cast '2147483648' to INT");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 0), ROWS("STRING", "-2147483648")), "-2147483648");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "BIGINT", 0), ROWS("STRING", "2147483648")), "2147483648");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 0), ROWS("STRING", "1.2.3")), "ERROR: cannot cast '1.2.3' to INT");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 1), ROWS("STRING", "abc;12;-")), "NULL|12|NULL");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "BOOLEAN", 0), ROWS("STRING", "yes;N;TRUE;0; t ")), "TRUE|FALSE|TRUE|FALSE|TRUE");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "BOOLEAN", 0), ROWS("STRING", "off")), "ERROR: cannot cast 'off' to BOOLEAN");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "DOUBLE", 0), ROWS("STRING", "1e3;NaN;-Infinity; 2.5 ;1d")),
                 "1000.0|NaN|-Infinity|2.5|1.0");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "DOUBLE", 0), ROWS("STRING", "inf")), "ERROR: cannot cast 'inf' to DOUBLE");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "DECIMAL(10,2)", 0), ROWS("STRING", "12.345;-0.005;100")),
                 "12.35|-0.01|100.00");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "DECIMAL(10,2)", 0), ROWS("STRING", "123456789")),
                 "ERROR: cannot cast '123456789' to DECIMAL(10, 2)");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "DATE", 0), ROWS("STRING", "2021-03-25;2021-3-5;2021-03-25 12:03:00")),
                 "2021-03-25|2021-03-05|2021-03-25");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "DATE", 0), ROWS("STRING", "2021-02-30")),
                 "ERROR: cannot cast '2021-02-30' to DATE");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "TIMESTAMP(3)", 0),
                      ROWS("STRING", "2021-03-25 12:03:00;2021-03-25T12:03:00.123456;2021-03-25")),
                 "2021-03-25 12:03:00.000|2021-03-25 12:03:00.123|2021-03-25 00:00:00.000");
    test_exec.local_tz = tz_get("+08:00", NULL, 0);
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "TIMESTAMP_LTZ(3)", 0),
                      ROWS("STRING", "2021-03-25 08:00:00;2021-03-25 08:00:00Z")),
                 "2021-03-25 00:00:00.000|2021-03-25 08:00:00.000");
    test_exec.local_tz = NULL;
    /* table.exec.legacy-cast-behaviour turns failures into NULL */
    config_entry legacy = {"table.exec.legacy-cast-behaviour", "ENABLED"};
    test_exec.config = &legacy;
    test_exec.nconfig = 1;
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "STRING"), "INT", 0), ROWS("STRING", "abc;7")), "NULL|7");
    test_exec.config = NULL;
    test_exec.nconfig = 0;
}

TEST(casts_between_times)
{
    const char *rows = "1969-12-31 23:59:59.999999;2021-03-25 12:03:00.123456";
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "TIMESTAMP(6)"), "DATE", 0), ROWS("TIMESTAMP(6)", rows)), "1969-12-31|2021-03-25");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "TIMESTAMP(6)"), "TIMESTAMP(3)", 0), ROWS("TIMESTAMP(6)", rows)),
                 "1969-12-31 23:59:59.999|2021-03-25 12:03:00.123");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DATE"), "TIMESTAMP(3)", 0), ROWS("DATE", "2021-03-25")), "2021-03-25 00:00:00.000");
    test_exec.local_tz = tz_get("+08:00", NULL, 0);
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "DATE"), "TIMESTAMP_LTZ(3)", 0), ROWS("DATE", "2021-03-25")), "2021-03-24 16:00:00.000");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "TIMESTAMP(3)"), "TIMESTAMP_LTZ(3)", 0), ROWS("TIMESTAMP(3)", "2021-03-25 08:00:00")),
                 "2021-03-25 00:00:00.000");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "TIMESTAMP_LTZ(3)"), "TIMESTAMP(3)", 0), ROWS("TIMESTAMP_LTZ(3)", "2021-03-25 00:00:00")),
                 "2021-03-25 08:00:00.000");
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "TIMESTAMP_LTZ(3)"), "DATE", 0), ROWS("TIMESTAMP_LTZ(3)", "2021-03-24 20:00:00")),
                 "2021-03-25");
    test_exec.local_tz = NULL;
}

TEST(cast_rules)
{
    CHECK_EQ_INT(cast_allowed(TY("INT"), TY("TIMESTAMP(3)")), 0);
    CHECK_EQ_INT(cast_allowed(TY("BIGINT"), TY("TIMESTAMP_LTZ(3)")), 0);
    CHECK_EQ_INT(cast_allowed(TY("TIMESTAMP(3)"), TY("BIGINT")), 0);
    CHECK_EQ_INT(cast_allowed(TY("DATE"), TY("INT")), 0);
    CHECK_EQ_INT(cast_allowed(TY("STRING"), TY("INTERVAL_DT")), 0);
    CHECK_EQ_INT(cast_allowed(TY("INTERVAL_DT"), TY("STRING")), 1);
    CHECK_EQ_INT(cast_allowed(TY("NULL"), TY("DATE")), 1);
    CHECK_EQ_INT(cast_allowed(TY("DOUBLE"), TY("BOOLEAN")), 1);
    CHECK_EQ_INT(cast_allowed(TY("STRING"), TY("TIMESTAMP_LTZ(3)")), 1);
    CHECK_EQ_INT(cast_allowed(TY("TIMESTAMP_LTZ(3)"), TY("DATE")), 1);
    CHECK_EQ_INT(cast_allowed(TY("BOOLEAN"), TY("DATE")), 0);
    CHECK_EQ_STR(EVAL(CAST_TO(COL(0, "INT"), "DATE", 0), ROWS("INT", "1")), "ERROR: cannot cast INT to DATE");
}

/* ---- CASE and conditional functions ---- */

TEST(case_when)
{
    expr_t *a = COL(0, "INT");
    expr_t *c = CASE("STRING", CALL("=", a, LIT("INT", "1")), LIT("STRING", "one"), CALL(">", a, LIT("INT", "1")),
                     LIT("STRING", "many"), LIT("STRING", "none"));
    CHECK_EQ_STR(EVAL(c, ROWS("INT", "1;2;3;NULL;0")), "one|many|many|none|none");
    expr_t *no_else = CASE("STRING", CALL("=", a, LIT("INT", "1")), LIT("STRING", "one"));
    CHECK_EQ_STR(EVAL(no_else, ROWS("INT", "1;2;NULL")), "one|NULL|NULL");
    expr_t *first_wins = CASE("STRING", CALL(">=", a, LIT("INT", "1")), LIT("STRING", "x"), CALL(">=", a, LIT("INT", "2")),
                              LIT("STRING", "y"));
    CHECK_EQ_STR(EVAL(first_wins, ROWS("INT", "1;2;NULL")), "x|x|NULL");
    /* a branch of another type is converted to the CASE's type */
    expr_t *widen = CASE("BIGINT", CALL("IS NULL", a), LIT("BIGINT", "9999999999"), a);
    CHECK_EQ_STR(EVAL(widen, ROWS("INT", "1;NULL")), "1|9999999999");
    /* strings from columns survive the input chunk: they are copied to the output arena */
    expr_t *pick = CASE("STRING", CALL("IS NOT NULL", COL(0, "STRING")), COL(0, "STRING"), COL(1, "STRING"));
    CHECK_EQ_STR(EVAL(pick, ROWS("STRING STRING", "a string longer than twelve|b;NULL|another long string value")),
                 "a string longer than twelve|another long string value");
}

TEST(case_typing)
{
    expr_t *a = COL(0, "INT");
    expr_t *args[] = {CALL("IS NULL", a), LIT("BIGINT", "9999999999"), a};
    expr_t *c = expr_case(&plan, args, 3, 1, SP);
    CHECK(c && c->type.id == TY_BIGINT && c->args[2]->kind == EX_CAST);
    CHECK_EQ_STR(EVAL(c, ROWS("INT", "1;NULL")), "1|9999999999");
    expr_t *nulls[] = {CALL("=", a, LIT("INT", "1")), LIT("NULL", "NULL"), LIT("DECIMAL(3,1)", "2.5")};
    c = expr_case(&plan, nulls, 3, 1, SP);
    CHECK(c && c->type.id == TY_DECIMAL && c->args[1]->type.id == TY_DECIMAL);
    CHECK_EQ_STR(EVAL(c, ROWS("INT", "1;2")), "NULL|2.5");
    expr_t *bad_cond[] = {a, LIT("INT", "1")};
    CHECK(!expr_case(&plan, bad_cond, 2, 0, SP));
    CHECK_EQ_STR(CHECK_ERROR(NULL), "CASE: a WHEN condition must be BOOLEAN, got INT");
    expr_t *mixed[] = {CALL("IS NULL", a), LIT("INT", "1"), LIT("STRING", "x")};
    CHECK(!expr_case(&plan, mixed, 3, 1, SP));
    CHECK_EQ_STR(CHECK_ERROR(NULL), "CASE branches have no common type: INT and STRING");
    expr_t *all_null[] = {CALL("IS NULL", a), LIT("NULL", "NULL")};
    CHECK(!expr_case(&plan, all_null, 2, 0, SP));
    CHECK_EQ_STR(CHECK_ERROR(NULL), "CASE needs at least one THEN or ELSE value that is not NULL");
}

TEST(constant_casts_and_empty_chunks)
{
    CHECK_EQ_STR(EVAL(CAST_TO(LIT("STRING", "12"), "INT", 0), ROWS("INT", "1;2;3")), "12|12|12");
    expr_t *a = COL(0, "INT");
    expr_t *lazy = CASE("INT", CALL(">", a, LIT("INT", "5")), CAST_TO(LIT("STRING", "abc"), "INT", 0), LIT("INT", "0"));
    CHECK_EQ_STR(EVAL(lazy, ROWS("INT", "1;2")), "0|0");
    CHECK_EQ_STR(EVAL(lazy, ROWS("INT", "1;6")), "ERROR: cannot cast 'abc' to INT");
    chunk_t *empty = chunk_new_types(1, (type_t[]){TY("INT")}, 4);
    CHECK_EQ_STR(EVAL(CALL("+", a, LIT("INT", "1")), empty), "");
}

TEST(coalesce_if_nullif)
{
    expr_t *a = COL(0, "INT"), *b = COL(1, "INT");
    CHECK_EQ_STR(EVAL(CALL("COALESCE", a, b, LIT("INT", "0")), ROWS("INT INT", "NULL|2;1|NULL;NULL|NULL")), "2|1|0");
    CHECK_EQ_INT(CALL("COALESCE", COL(0, "INT"), COL(1, "BIGINT"))->type.id, TY_BIGINT);
    CHECK_EQ_STR(EVAL(CALL("IFNULL", COL(0, "STRING"), LIT("STRING", "a default value, long")),
                      ROWS("STRING", "x;NULL")), "x|a default value, long");
    CHECK_EQ_STR(EVAL(CALL("IF", CALL(">", a, LIT("INT", "1")), LIT("STRING", "big"), LIT("STRING", "small")),
                      ROWS("INT", "1;2;NULL")), "small|big|small");
    CHECK_EQ_STR(EVAL(CALL("IF", LIT("NULL", "NULL"), LIT("INT", "1"), LIT("DECIMAL(3,1)", "2.5")), ONE_ROW()), "2.5");
    CHECK_EQ_STR(EVAL(CALL("NULLIF", a, LIT("INT", "0")), ROWS("INT", "0;3;NULL")), "NULL|3|NULL");
    CHECK_EQ_STR(EVAL(CALL("NULLIF", COL(0, "STRING"), LIT("STRING", "")), ROWS("STRING", ";x")), "NULL|x");
    CHECK_EQ_STR(CHECK_ERROR(CALL("COALESCE", a, LIT("STRING", "x"))),
                 "COALESCE has no common type for its arguments: INT and STRING");
    CHECK_EQ_STR(CHECK_ERROR(CALL("IF", a, a, a)), "IF: the condition must be BOOLEAN, got INT");
}

TEST(greatest_least)
{
    const char *rows = "1|5|3;NULL|1|2;-1|-5|-3";
    expr_t *a = COL(0, "INT"), *b = COL(1, "INT"), *c = COL(2, "INT");
    CHECK_EQ_STR(EVAL(CALL("GREATEST", a, b, c), ROWS("INT INT INT", rows)), "5|NULL|-1");
    CHECK_EQ_STR(EVAL(CALL("LEAST", a, b, c), ROWS("INT INT INT", rows)), "1|NULL|-5");
    CHECK_EQ_STR(EVAL(CALL("GREATEST", LIT("INT", "1"), LIT("DECIMAL(2,1)", "2.5")), ONE_ROW()), "2.5");
    CHECK_EQ_STR(EVAL(CALL("LEAST", COL(0, "STRING"), COL(1, "STRING")),
                      ROWS("STRING STRING", "banana split sundae|apple pie with cream")), "apple pie with cream");
}

/* ---- numeric functions ---- */

TEST(abs_floor_ceil)
{
    const char *types = "INT DOUBLE DECIMAL(5,2)";
    const char *rows = "-3|-1.5|-2.25;-2147483648|2|1";
    CHECK_EQ_STR(EVAL(CALL("ABS", COL(0, "INT")), ROWS(types, rows)), "3|-2147483648");
    CHECK_EQ_STR(EVAL(CALL("ABS", COL(1, "DOUBLE")), ROWS(types, rows)), "1.5|2.0");
    CHECK_EQ_STR(EVAL(CALL("ABS", COL(2, "DECIMAL(5,2)")), ROWS(types, rows)), "2.25|1.00");
    CHECK_EQ_STR(EVAL(CALL("FLOOR", COL(0, "DOUBLE")), ROWS("DOUBLE", "1.5;-1.5")), "1.0|-2.0");
    CHECK_EQ_STR(EVAL(CALL("CEIL", COL(0, "DOUBLE")), ROWS("DOUBLE", "1.5;-1.5")), "2.0|-1.0");
    expr_t *fl = CALL("FLOOR", COL(0, "DECIMAL(5,2)"));
    char buf[64];
    CHECK_EQ_STR(type_name(fl->type, buf, 64), "DECIMAL(4, 0)");
    CHECK_EQ_STR(EVAL(fl, ROWS("DECIMAL(5,2)", "1.25;-1.25;3.00")), "1|-2|3");
    CHECK_EQ_STR(EVAL(CALL("CEILING", COL(0, "DECIMAL(5,2)")), ROWS("DECIMAL(5,2)", "1.25;-1.25;3.00")), "2|-1|3");
    CHECK_EQ_STR(EVAL(CALL("FLOOR", COL(0, "BIGINT")), ROWS("BIGINT", "-7")), "-7");
    CHECK_EQ_STR(CHECK_ERROR(CALL("ABS", COL(0, "STRING"))), "ABS: argument 1 must be numeric, got STRING");
}

TEST(round_half_up)
{
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "DOUBLE"), LIT("INT", "2")), ROWS("DOUBLE", "2.675;-2.5;1.005;0.5;NaN")),
                 "2.68|-2.5|1.01|0.5|NaN");
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "DOUBLE")), ROWS("DOUBLE", "2.675;-2.5;1.005;0.5;0.49999999999999994")),
                 "3.0|-3.0|1.0|1.0|0.0");
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "DOUBLE"), LIT("INT", "-2")), ROWS("DOUBLE", "1250;1249.9")), "1300.0|1200.0");
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "INT"), LIT("INT", "-2")), ROWS("INT", "1250;-1250;1249;7")),
                 "1300|-1300|1200|0");
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "INT"), COL(1, "INT")), ROWS("INT INT", "1250|-1;1250|2")), "1250|1250");
    char buf[64];
    expr_t *r2 = CALL("ROUND", COL(0, "DECIMAL(5,3)"), LIT("INT", "2"));
    CHECK_EQ_STR(type_name(r2->type, buf, 64), "DECIMAL(5, 2)");
    CHECK_EQ_STR(EVAL(r2, ROWS("DECIMAL(5,3)", "12.345;-12.345;12.344")), "12.35|-12.35|12.34");
    expr_t *rneg = CALL("ROUND", COL(0, "DECIMAL(5,3)"), LIT("INT", "-1"));
    CHECK_EQ_STR(type_name(rneg->type, buf, 64), "DECIMAL(3, 0)");
    CHECK_EQ_STR(EVAL(rneg, ROWS("DECIMAL(5,3)", "12.345;-15.000")), "10|-20");
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "DECIMAL(5,3)")), ROWS("DECIMAL(5,3)", "12.5;-12.499")), "13|-12");
    CHECK_EQ_STR(EVAL(CALL("ROUND", COL(0, "DECIMAL(5,3)"), LIT("INT", "4")), ROWS("DECIMAL(5,3)", "12.345")), "12.345");
    CHECK_EQ_STR(CHECK_ERROR(CALL("ROUND", COL(0, "DECIMAL(5,3)"), COL(1, "INT"))),
                 "ROUND of a DECIMAL needs a constant number of digits");
}

TEST(math_functions)
{
    CHECK_EQ_STR(EVAL(CALL("POWER", LIT("INT", "2"), LIT("INT", "10")), ONE_ROW()), "1024.0");
    CHECK_EQ_STR(EVAL(CALL("POWER", LIT("DOUBLE", "1"), LIT("DOUBLE", "NaN")), ONE_ROW()), "NaN");
    CHECK_EQ_STR(EVAL(CALL("SQRT", COL(0, "DOUBLE")), ROWS("DOUBLE", "16;-1;NULL")), "4.0|NaN|NULL");
    CHECK_EQ_STR(EVAL(CALL("LN", COL(0, "DOUBLE")), ROWS("DOUBLE", "1;0")), "0.0|-Infinity");
    CHECK_EQ_STR(EVAL(CALL("LOG10", COL(0, "INT")), ROWS("INT", "1000")), "3.0");
    CHECK_EQ_STR(EVAL(CALL("EXP", LIT("DECIMAL(2,1)", "0.0")), ONE_ROW()), "1.0");
    CHECK_EQ_STR(EVAL(CALL("LOG", LIT("DOUBLE", "1")), ONE_ROW()), "0.0");
}

TEST(rand_follows_java_random)
{
    expr_t *r = CALL("RAND", LIT("INT", "42"));
    CHECK(r && !expr_is_const(r));
    CHECK_EQ_STR(EVAL(r, ONE_ROW()), "0.7275636800328681");
    expr_t *ri = CALL("RAND_INTEGER", LIT("INT", "42"), LIT("INT", "10"));
    CHECK_EQ_STR(EVAL(ri, ROWS("INT", "0;0;0;0;0")), "0|3|8|4|0");
    expr_t *unseeded = call_v("RAND", 0, NULL);
    const char *v = EVAL(unseeded, ONE_ROW());
    double d = atof(v);
    CHECK(d >= 0 && d < 1);
    CHECK_EQ_STR(EVAL(CALL("RAND_INTEGER", LIT("INT", "0")), ONE_ROW()), "ERROR: RAND_INTEGER: the bound must be a positive INT, got 0");
}

/* ---- registry, constants, EXPLAIN ---- */

TEST(registry)
{
    CHECK(func_lookup("substr") == func_lookup("SUBSTR"));
    CHECK(func_lookup("Coalesce") != NULL);
    CHECK(func_lookup("no_such_function") == NULL);
    const char **names;
    int n = func_names(&names);
    int seen = 0;
    for (int i = 0; i < n; i++) seen += strcmp(names[i], "REGEXP_EXTRACT") == 0 || strcmp(names[i], "IS NOT NULL") == 0;
    CHECK_EQ_INT(seen, 2);
    CHECK_EQ_STR(CHECK_ERROR(CALL("SUBSTR", LIT("STRING", "x"))), "SUBSTR takes 2 or 3 arguments, got 1");
}

TEST(constant_evaluation)
{
    value_t v;
    CHECK_EQ_INT(expr_eval_const(CALL("+", LIT("INT", "1"), LIT("INT", "2")), NULL, &plan, &v), 0);
    CHECK_EQ_INT(v.i, 3);
    CHECK_EQ_INT(expr_eval_const(CALL("CONCAT", LIT("STRING", "abcdefgh"), LIT("STRING", "ijklmnop")), NULL, &plan, &v), 0);
    CHECK_EQ_INT(v.s.len, 16);
    CHECK(memcmp(str_ptr(&v.s), "abcdefghijklmnop", 16) == 0);
    CHECK_EQ_INT(expr_eval_const(CALL("+", COL(0, "INT"), LIT("INT", "2")), NULL, &plan, &v), -1);
    CHECK_EQ_STR(err_message(), "expression must be a constant, it reads input columns");
    err_clear();
    CHECK(expr_is_const(CALL("+", LIT("INT", "1"), LIT("INT", "2"))));
    CHECK(!expr_is_const(CALL("+", COL(0, "INT"), LIT("INT", "2"))));
    CHECK(expr_uses_col(CALL("+", COL(3, "INT"), LIT("INT", "2")), 3));
    CHECK(!expr_uses_col(CALL("+", COL(3, "INT"), LIT("INT", "2")), 2));
}

static const char *FMT(expr_t *e, const schema_t *s)
{
    static char out[4][512];
    static int next;
    char *res = out[next++ % 4];
    sb_t sb = {0};
    if (e) expr_format(e, s, &sb);
    snprintf(res, 512, "%s", e ? sb_str(&sb) : "(null)");
    sb_free(&sb);
    return res;
}

TEST(explain_text)
{
    schema_t s;
    schema_init(&s, 3);
    s.names[0] = xstrdup("a");
    s.names[1] = xstrdup("b");
    s.names[2] = xstrdup("s");
    s.types[0] = s.types[1] = TY("INT");
    s.types[2] = TY("STRING");
    expr_t *a = COL(0, "INT"), *b = COL(1, "INT"), *str = COL(2, "STRING");
    CHECK_EQ_STR(FMT(CALL("+", a, LIT("INT", "1")), &s), "a + 1");
    CHECK_EQ_STR(FMT(CALL("+", a, LIT("INT", "1")), NULL), "$0 + 1");
    CHECK_EQ_STR(FMT(CALL("*", CALL("+", a, LIT("INT", "1")), LIT("INT", "2")), &s), "(a + 1) * 2");
    CHECK_EQ_STR(FMT(CALL("-", CALL("+", a, b)), &s), "-(a + b)");
    CHECK_EQ_STR(FMT(CALL("NEGATE", a), &s), "-a");
    CHECK_EQ_STR(FMT(CALL("NOT", CALL(">", a, b)), &s), "NOT (a > b)");
    CHECK_EQ_STR(FMT(CALL("AND", CALL(">", a, b), CALL("IS NULL", str), LIT("BOOLEAN", "true")), &s),
                 "(a > b) AND (s IS NULL) AND TRUE");
    CHECK_EQ_STR(FMT(CAST_TO(a, "BIGINT", 0), &s), "CAST(a AS BIGINT)");
    CHECK_EQ_STR(FMT(CAST_TO(str, "DECIMAL(10,2)", 1), &s), "TRY_CAST(s AS DECIMAL(10, 2))");
    CHECK_EQ_STR(FMT(CALL("SUBSTR", str, LIT("INT", "1"), LIT("INT", "2")), &s), "SUBSTR(s, 1, 2)");
    CHECK_EQ_STR(FMT(CALL("IN", a, LIT("INT", "1"), LIT("INT", "2")), &s), "a IN (1, 2)");
    CHECK_EQ_STR(FMT(CALL("NOT BETWEEN", a, LIT("INT", "1"), b), &s), "a NOT BETWEEN 1 AND b");
    CHECK_EQ_STR(FMT(CALL("LIKE", str, LIT("STRING", "a!%"), LIT("STRING", "!")), &s), "s LIKE 'a!%' ESCAPE '!'");
    CHECK_EQ_STR(FMT(CALL("||", str, LIT("STRING", "it's")), &s), "s || 'it''s'");
    CHECK_EQ_STR(FMT(CALL("NOT LIKE", str, LIT("STRING", "a%")), &s), "s NOT LIKE 'a%'");
    CHECK_EQ_STR(FMT(CALL("=", CALL("UPPER", str), LIT("STRING", "X")), &s), "UPPER(s) = 'X'");
    CHECK_EQ_STR(FMT(LIT("TIMESTAMP(3)", "2021-03-25 12:03:00"), &s), "TIMESTAMP '2021-03-25 12:03:00.000'");
    CHECK_EQ_STR(FMT(LIT("DATE", "2021-03-25"), &s), "DATE '2021-03-25'");
    CHECK_EQ_STR(FMT(LIT("INTERVAL_DT", "5000000"), &s), "INTERVAL '5' SECOND");
    CHECK_EQ_STR(FMT(LIT("INTERVAL_DT", "5400000000"), &s), "INTERVAL '90' MINUTE");
    CHECK_EQ_STR(FMT(LIT("INTERVAL_DT", "1500000"), &s), "INTERVAL '1.500' SECOND");
    CHECK_EQ_STR(FMT(LIT("INTERVAL_YM", "24"), &s), "INTERVAL '2' YEAR");
    CHECK_EQ_STR(FMT(LIT("DECIMAL(4,2)", "1.50"), &s), "1.50");
    CHECK_EQ_STR(FMT(LIT("DOUBLE", "1.5"), &s), "1.5");
    CHECK_EQ_STR(FMT(LIT("NULL", "NULL"), &s), "NULL");
    CHECK_EQ_STR(FMT(CASE("STRING", CALL("=", a, LIT("INT", "1")), LIT("STRING", "x"), LIT("STRING", "y")), &s),
                 "CASE WHEN a = 1 THEN 'x' ELSE 'y' END");
    CHECK_EQ_STR(FMT(CALL("IS NOT NULL", CALL("+", a, b)), &s), "(a + b) IS NOT NULL");
    schema_free(&s);
}

int main(void)
{
    helpers_init();
    RUN(integer_arithmetic_wraps_like_java);
    RUN(arithmetic_result_types);
    RUN(division_by_zero);
    RUN(lazy_evaluation_guards_errors);
    RUN(decimal_arithmetic);
    RUN(unary_minus);
    RUN(datetime_plus_interval);
    RUN(numeric_comparisons);
    RUN(string_bool_time_comparisons);
    RUN(three_valued_logic);
    RUN(in_and_not_in);
    RUN(between);
    RUN(casts_between_numbers);
    RUN(casts_to_string);
    RUN(casts_from_string);
    RUN(casts_between_times);
    RUN(cast_rules);
    RUN(case_when);
    RUN(case_typing);
    RUN(constant_casts_and_empty_chunks);
    RUN(coalesce_if_nullif);
    RUN(greatest_least);
    RUN(abs_floor_ceil);
    RUN(round_half_up);
    RUN(math_functions);
    RUN(rand_follows_java_random);
    RUN(registry);
    RUN(constant_evaluation);
    RUN(explain_text);
    helpers_done();
    return CHECK_DONE();
}
