/* test_func_string.c - string functions, LIKE and the regular expression functions. */
#include "expr_helpers.h"

static expr_t *S(const char *text) { return LIT("STRING", text); }
static expr_t *I(const char *text) { return LIT("INT", text); }
static expr_t *SCOL(int i) { return COL(i, "STRING"); }

TEST(concat)
{
    CHECK_EQ_STR(EVAL(CALL("CONCAT", SCOL(0), S("-"), SCOL(1)), ROWS("STRING STRING", "a|b;NULL|b;a long left part|and a long right part")),
                 "a-b|NULL|a long left part-and a long right part");
    CHECK_EQ_STR(EVAL(CALL("CONCAT", COL(0, "INT"), S("x"), COL(1, "DATE")), ROWS("INT DATE", "12|2021-03-25")), "12x2021-03-25");
    CHECK_EQ_STR(EVAL(CALL("CONCAT", CALL("SUBSTR", S("2021-03-25 12:03:00"), I("1"), I("10")), S(" 00:00:00")), ONE_ROW()),
                 "2021-03-25 00:00:00");
    CHECK_EQ_STR(EVAL(CALL("||", SCOL(0), SCOL(1)), ROWS("STRING STRING", "ab|cd;|;x|NULL")), "abcd||NULL");
    /* 12 bytes fit in the view itself, 13 do not */
    CHECK_EQ_STR(EVAL(CALL("CONCAT", SCOL(0), SCOL(1)), ROWS("STRING STRING", "abcdef|ghijkl;abcdef|ghijklm")),
                 "abcdefghijkl|abcdefghijklm");
    CHECK_EQ_STR(EVAL(SCOL(0), ROWS("STRING", "short;a string longer than twelve bytes;NULL")),
                 "short|a string longer than twelve bytes|NULL");
    CHECK_EQ_STR(EVAL(CALL("CONCAT_WS", SCOL(0), SCOL(1), SCOL(2), S("")),
                      ROWS("STRING STRING STRING", ",|a|b;,|NULL|b;NULL|a|b;--|NULL|NULL")), "a,b,|b,|NULL|");
}

TEST(substr)
{
    const char *rows = "hello world;;你好世界";
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("2"), I("3")), ROWS("STRING", rows)), "ell||好世界");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("7")), ROWS("STRING", rows)), "world||");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("-3")), ROWS("STRING", rows)), "rld||好世界");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("-2"), I("1")), ROWS("STRING", rows)), "l||世");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("0"), I("2")), ROWS("STRING", rows)), "he||你好");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("20")), ROWS("STRING", rows)), "||");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("-20"), I("2")), ROWS("STRING", rows)), "||");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), I("1"), I("-1")), ROWS("STRING", rows)), "NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("SUBSTRING", SCOL(0), I("3"), I("100")), ROWS("STRING", rows)), "llo world||世界");
    CHECK_EQ_STR(EVAL(CALL("SUBSTR", SCOL(0), COL(1, "BIGINT"), COL(2, "INT")), ROWS("STRING BIGINT INT", "abcdef|2|NULL;abcdef|NULL|1;abcdef|3|2")),
                 "NULL|NULL|cd");
    CHECK_EQ_STR(CHECK_ERROR(CALL("SUBSTR", SCOL(0), LIT("DOUBLE", "1.5"))), "SUBSTR: argument 2 must be an integer, got DOUBLE");
}

TEST(case_mapping)
{
    CHECK_EQ_STR(EVAL(CALL("UPPER", SCOL(0)), ROWS("STRING", "Hello World 1;ärger über straße;αβγ ς;привет;NULL")),
                 "HELLO WORLD 1|ÄRGER ÜBER STRAßE|ΑΒΓ Σ|ПРИВЕТ|NULL");
    CHECK_EQ_STR(EVAL(CALL("LOWER", SCOL(0)), ROWS("STRING", "Hello WORLD;ÄRGER ÜBER;ΑΒΓ;ПРИВЕТ Ё;中文ABC")),
                 "hello world|ärger über|αβγ|привет ё|中文abc");
    CHECK_EQ_STR(EVAL(CALL("INITCAP", SCOL(0)), ROWS("STRING", "hello wORLD;it's a 1st-class test;")),
                 "Hello World|It'S A 1st-Class Test|");
    CHECK_EQ_STR(EVAL(CALL("REVERSE", SCOL(0)), ROWS("STRING", "abc;你好x;")), "cba|x好你|");
}

TEST(trim_and_length)
{
    CHECK_EQ_STR(EVAL(CALL("TRIM", SCOL(0)), ROWS("STRING", "  a b  ;   ;x;\tx ")), "a b||x|\tx");
    CHECK_EQ_STR(EVAL(CALL("LTRIM", SCOL(0)), ROWS("STRING", "  a b  ")), "a b  ");
    CHECK_EQ_STR(EVAL(CALL("RTRIM", SCOL(0)), ROWS("STRING", "  a b  ")), "  a b");
    CHECK_EQ_STR(EVAL(CALL("CHAR_LENGTH", SCOL(0)), ROWS("STRING", "hello;;你好世界;NULL")), "5|0|4|NULL");
    CHECK_EQ_STR(EVAL(CALL("CHARACTER_LENGTH", S("ab")), ONE_ROW()), "2");
}

TEST(position_locate_replace)
{
    CHECK_EQ_STR(EVAL(CALL("POSITION", S("lo"), SCOL(0)), ROWS("STRING", "hello;lo;x;你好lo")), "4|1|0|3");
    CHECK_EQ_STR(EVAL(CALL("POSITION", S(""), SCOL(0)), ROWS("STRING", "abc")), "1");
    CHECK_EQ_STR(EVAL(CALL("LOCATE", S("a"), SCOL(0), COL(1, "INT")), ROWS("STRING INT", "banana|1;banana|3;banana|7;banana|-5")),
                 "2|4|0|2");
    CHECK_EQ_STR(EVAL(CALL("REPLACE", SCOL(0), S("ab"), S("X")), ROWS("STRING", "abcab;aaa;ababab")), "XcX|aaa|XXX");
    CHECK_EQ_STR(EVAL(CALL("REPLACE", SCOL(0), S("aa"), S("b")), ROWS("STRING", "aaa")), "ba");
    CHECK_EQ_STR(EVAL(CALL("REPLACE", SCOL(0), S(""), S("-")), ROWS("STRING", "ab;")), "-a-b-|-");
    CHECK_EQ_STR(EVAL(CALL("REPLACE", SCOL(0), S("a"), S("")), ROWS("STRING", "banana")), "bnn");
}

TEST(lpad_rpad)
{
    CHECK_EQ_STR(EVAL(CALL("LPAD", SCOL(0), COL(1, "INT"), S("xy")), ROWS("STRING INT", "hi|5;hello|3;hi|0;hi|-1;你好|4")),
                 "xyxhi|hel||NULL|xy你好");
    CHECK_EQ_STR(EVAL(CALL("RPAD", SCOL(0), COL(1, "INT"), S("xy")), ROWS("STRING INT", "hi|5;hello|3;hi|0;hi|-1;你好|3")),
                 "hixyx|hel||NULL|你好x");
    CHECK_EQ_STR(EVAL(CALL("LPAD", S("hi"), I("4"), S("")), ONE_ROW()), "NULL");
    CHECK_EQ_STR(EVAL(CALL("RPAD", S("a"), I("20"), S("好")), ONE_ROW()), "a好好好好好好好好好好好好好好好好好好好");
}

TEST(split_index)
{
    const char *rows = "a,b,,c;,a;a,;;abc";
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", SCOL(0), S(","), I("0")), ROWS("STRING", rows)), "a||a|NULL|abc");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", SCOL(0), S(","), I("1")), ROWS("STRING", rows)), "b|a||NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", SCOL(0), S(","), I("2")), ROWS("STRING", rows)), "|NULL|NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", SCOL(0), S(","), I("3")), ROWS("STRING", rows)), "c|NULL|NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", SCOL(0), S(","), I("-1")), ROWS("STRING", rows)), "NULL|NULL|NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", S("a--b--c"), S("--"), I("2")), ONE_ROW()), "c");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", S("a b"), S(""), I("1")), ONE_ROW()), "b");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", S("a|b"), I("124"), I("1")), ONE_ROW()), "b");
    CHECK_EQ_STR(EVAL(CALL("SPLIT_INDEX", S("a|b"), I("300"), I("1")), ONE_ROW()), "NULL");
}

TEST(like)
{
    const char *rows = "abc;ab;abcd;xabc;;a_c;a%c;NULL";
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("abc")), ROWS("STRING", rows)), "TRUE|FALSE|FALSE|FALSE|FALSE|FALSE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("ab%")), ROWS("STRING", rows)), "TRUE|TRUE|TRUE|FALSE|FALSE|FALSE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("%bc")), ROWS("STRING", rows)), "TRUE|FALSE|FALSE|TRUE|FALSE|FALSE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("%b%")), ROWS("STRING", rows)), "TRUE|TRUE|TRUE|TRUE|FALSE|FALSE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("%")), ROWS("STRING", rows)), "TRUE|TRUE|TRUE|TRUE|TRUE|TRUE|TRUE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("")), ROWS("STRING", rows)), "FALSE|FALSE|FALSE|FALSE|TRUE|FALSE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("a_c")), ROWS("STRING", rows)), "TRUE|FALSE|FALSE|FALSE|FALSE|TRUE|TRUE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("_%_")), ROWS("STRING", rows)), "TRUE|TRUE|TRUE|TRUE|FALSE|TRUE|TRUE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("a%c%")), ROWS("STRING", rows)), "TRUE|FALSE|TRUE|FALSE|FALSE|TRUE|TRUE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("%a%c")), ROWS("STRING", rows)), "TRUE|FALSE|FALSE|TRUE|FALSE|TRUE|TRUE|NULL");
    /* escapes make % and _ literal */
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("a!_c"), S("!")), ROWS("STRING", rows)),
                 "FALSE|FALSE|FALSE|FALSE|FALSE|TRUE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("a!%%"), S("!")), ROWS("STRING", rows)),
                 "FALSE|FALSE|FALSE|FALSE|FALSE|FALSE|TRUE|NULL");
    CHECK_EQ_STR(EVAL(CALL("LIKE", S("a!b"), S("a!!b"), S("!")), ONE_ROW()), "TRUE");
    /* without ESCAPE a backslash is an ordinary character */
    CHECK_EQ_STR(EVAL(CALL("LIKE", S("a\\b"), S("a\\b")), ONE_ROW()), "TRUE");
    /* _ is one character, not one byte */
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), S("你_界")), ROWS("STRING", "你好界;你界;你好好界")), "TRUE|FALSE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("NOT LIKE", SCOL(0), S("ab%")), ROWS("STRING", rows)), "FALSE|FALSE|FALSE|TRUE|TRUE|TRUE|TRUE|NULL");
    /* patterns from a column are matched per row */
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), SCOL(1)), ROWS("STRING STRING", "abc|a%;abc|%d;abc|NULL;x|_")), "TRUE|FALSE|NULL|TRUE");
    CHECK_EQ_STR(EVAL(CALL("LIKE", SCOL(0), SCOL(1), S("#")), ROWS("STRING STRING", "a%|a#%;ab|a#b")),
                 "ERROR: invalid escape sequence in LIKE pattern 'a#b' at position 2: the escape character must be followed by %, _ or itself");
    CHECK_EQ_STR(CHECK_ERROR(CALL("LIKE", SCOL(0), S("ab!"), S("!"))),
                 "invalid escape sequence in LIKE pattern 'ab!' at position 3: the escape character must be followed by %, _ or itself");
    CHECK_EQ_STR(CHECK_ERROR(CALL("LIKE", SCOL(0), S("ab"), S("!!"))),
                 "invalid escape character '!!': ESCAPE takes exactly one character");
    /* a check run again replaces the compiled pattern */
    expr_t *again = CALL("LIKE", SCOL(0), S("ab%"));
    CHECK(again && again->state && again->fn->check(again, &plan) == 0 && again->state);
    CHECK_EQ_STR(EVAL(again, ROWS("STRING", "abc;x")), "TRUE|FALSE");
    /* backtracking over several % */
    CHECK_EQ_STR(EVAL(CALL("LIKE", S("mississippi"), S("%iss%ppi")), ONE_ROW()), "TRUE");
    CHECK_EQ_STR(EVAL(CALL("LIKE", S("mississippi"), S("m%ss_s%i_")), ONE_ROW()), "FALSE");
    CHECK_EQ_STR(EVAL(CALL("LIKE", S("mississippi"), S("m%ss_s%p_")), ONE_ROW()), "TRUE");
}

TEST(regexp_extract)
{
    const char *rows = "foothebar;foobar;nothing;NULL";
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("foo(.*?)(bar)"), I("2")), ROWS("STRING", rows)), "bar|bar|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("foo(.*?)(bar)"), I("1")), ROWS("STRING", rows)), "the||NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("o+")), ROWS("STRING", rows)), "oo|oo|o|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("foo(x)?(bar)"), I("1")), ROWS("STRING", "foobar")), "NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("foo(.*?)(bar)"), I("3")), ROWS("STRING", rows)), "NULL|NULL|NULL|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("(\\d+)-(\\d+)"), COL(1, "INT")),
                      ROWS("STRING INT", "tel 010-1234|2;tel 010-1234|0;tel 010-1234|-1")), "1234|010-1234|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), S("(.)界")), ROWS("STRING", "你好世界")), "世界");
    /* per-row patterns; a row whose pattern does not compile gives NULL */
    CHECK_EQ_STR(EVAL(CALL("REGEXP_EXTRACT", SCOL(0), SCOL(1)), ROWS("STRING STRING", "abc123|[0-9]+;abc123|[0-9]+;abc|([;abc|b")),
                 "123|123|NULL|b");
    CHECK_EQ_STR(CHECK_ERROR(CALL("REGEXP_EXTRACT", SCOL(0), S("a(b"))),
                 "invalid regular expression 'a(b': missing closing parenthesis at offset 3");
}

TEST(regexp_replace_and_match)
{
    CHECK_EQ_STR(EVAL(CALL("REGEXP_REPLACE", SCOL(0), S("[0-9]+"), S("#")), ROWS("STRING", "a1b22c333;none;NULL")),
                 "a#b#c#|none|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_REPLACE", S("abc"), S("x*"), S("-")), ONE_ROW()), "-a-b-c-");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_REPLACE", S("aab"), S("a*"), S("-")), ONE_ROW()), "--b-");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_REPLACE", S("a1b2"), S("([a-z])([0-9])"), S("$2\\1")), ONE_ROW()), "$2\\1$2\\1");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_REPLACE", S("你好 世界"), S("\\s"), S("")), ONE_ROW()), "你好世界");
    CHECK_EQ_STR(EVAL(CALL("REGEXP_REPLACE", S("你好"), S(""), S("-")), ONE_ROW()), "-你-好-");
    CHECK_EQ_STR(EVAL(CALL("REGEXP", SCOL(0), S("^a.c")), ROWS("STRING", "abc;xabc;NULL")), "TRUE|FALSE|NULL");
    CHECK_EQ_STR(EVAL(CALL("REGEXP", SCOL(0), S("b")), ROWS("STRING", "abc;xyz")), "TRUE|FALSE");
    CHECK_EQ_STR(EVAL(CALL("REGEXP", SCOL(0), SCOL(1)), ROWS("STRING STRING", "abc|;abc|(;abc|c$")), "FALSE|FALSE|TRUE");
    /* subjects that are not valid UTF-8 do not fail */
    CHECK_EQ_STR(EVAL(CALL("REGEXP", S("a\xff" "b"), S("b")), ONE_ROW()), "TRUE");
}

int main(void)
{
    helpers_init();
    RUN(concat);
    RUN(substr);
    RUN(case_mapping);
    RUN(trim_and_length);
    RUN(position_locate_replace);
    RUN(lpad_rpad);
    RUN(split_index);
    RUN(like);
    RUN(regexp_extract);
    RUN(regexp_replace_and_match);
    helpers_done();
    return CHECK_DONE();
}
