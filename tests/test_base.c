/*
 * test_base - base/buf, base/num and base/status: the growable buffer keeps
 * its contents NUL-terminated and its failure sticky, packed words are
 * little-endian whatever the host, the number parser is strict and the
 * formatter round-trips every double bit for bit; shell words read back
 * as themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "base/buf.h"
#include "base/num.h"
#include "base/status.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void buf_builds_text_and_bytes(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(buf_str(&b), "");
    buf_puts(&b, "year");
    buf_printf(&b, "\t%d\t%s", 1969, "china-russia");
    assert_string_equal(buf_str(&b), "year\t1969\tchina-russia");
    assert_int_equal(b.len, strlen("year\t1969\tchina-russia"));
    /* Enough appends to force several reallocations keep every byte. */
    buf_reset(&b);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%03d,", i % 1000);
    assert_int_equal(b.len, 4000);
    assert_memory_equal(b.data + 4 * 737, "737,", 4);
    assert_int_equal(b.data[b.len], '\0');
    char *s = buf_take(&b);
    assert_non_null(s);
    assert_int_equal(strlen(s), 4000);
    assert_null(b.data);
    free(s);
    /* An empty buffer hands over "" rather than NULL. */
    s = buf_take(&b);
    assert_string_equal(s, "");
    free(s);
    buf_clear(&b);
}

static void buf_failure_is_sticky(void **state)
{
    (void)state;
    buf b = {0};
    buf_puts(&b, "abc");
    assert_int_equal(buf_reserve(&b, SIZE_MAX - 2), -1);
    assert_true(b.failed);
    buf_puts(&b, "def");
    assert_int_equal(b.len, 3);
    assert_null(buf_take(&b));
    assert_null(b.data);
    assert_false(b.failed);
}

static void words_are_little_endian(void **state)
{
    (void)state;
    buf b = {0};
    buf_append_u64(&b, 0x0102030405060708ULL);
    const unsigned char want[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_memory_equal(b.data, want, 8);
    buf_append(&b, "xy", 2);
    buf_reader r = buf_reader_of(b.data, b.len);
    assert_true(buf_read_u64(&r) == 0x0102030405060708ULL);
    const unsigned char *p = buf_read_bytes(&r, 2);
    assert_non_null(p);
    assert_memory_equal(p, "xy", 2);
    assert_false(r.failed);
    assert_true(buf_read_u64(&r) == 0);
    assert_true(r.failed);
    buf_clear(&b);
}

static void doubles_keep_every_bit(void **state)
{
    (void)state;
    buf b = {0};
    const double v[] = {2.385, -0.0, INFINITY, -INFINITY, NAN, 4.9406564584124654e-324};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        buf_append_double(&b, v[i]);
    /* 1.0 is 0x3ff0000000000000: its last byte comes last */
    buf_append_double(&b, 1.0);
    const unsigned char one[8] = {0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
    assert_memory_equal(b.data + b.len - 8, one, 8);
    buf_reader r = buf_reader_of(b.data, b.len);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        double x = buf_read_double(&r);
        assert_memory_equal(&x, &v[i], sizeof x);
    }
    assert_true(buf_read_double(&r) == 1.0);
    assert_true(buf_read_double(&r) == 0.0);
    assert_true(r.failed);
    buf_clear(&b);
}

/* Published FNV-1a 64 test vectors (Fowler, Noll and Vo). */
static void fnv1a_matches_reference_vectors(void **state)
{
    (void)state;
    assert_true(buf_fnv1a(BUF_FNV_OFFSET, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(buf_fnv1a(BUF_FNV_OFFSET, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(buf_fnv1a(BUF_FNV_OFFSET, "foobar", 6) == 0x85944171f73967e8ULL);
}

static void doubles_round_trip_in_shortest_form(void **state)
{
    (void)state;
    char s[NUM_DOUBLE_BUFSIZE];
    num_format_double(s, sizeof s, 0.1);
    assert_string_equal(s, "0.1");
    num_format_double(s, sizeof s, 1950.12);
    assert_string_equal(s, "1950.12");
    num_format_double(s, sizeof s, -0.0);
    assert_string_equal(s, "-0");
    num_format_double(s, sizeof s, NAN);
    assert_string_equal(s, "nan");
    num_format_double(s, sizeof s, -INFINITY);
    assert_string_equal(s, "-inf");
    const double hard[] = {1.0 / 3.0, DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 2.385,
                           0.30000000000000004, -1.2345678901234567e-300};
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        double back;
        num_format_double(s, sizeof s, hard[i]);
        assert_int_equal(num_parse_double(s, &back), 0);
        assert_memory_equal(&back, &hard[i], sizeof back);
    }
}

static void number_parser_is_strict(void **state)
{
    (void)state;
    double d;
    assert_int_equal(num_parse_double("2.385", &d), 0);
    assert_close(d, 2.385, 0);
    assert_int_equal(num_parse_double("-1e-3", &d), 0);
    assert_close(d, -0.001, 0);
    assert_int_equal(num_parse_double("inf", &d), 0);
    assert_true(isinf(d));
    const char *bad[] = {"", " 1", "1 ", "1.5x", "0,5", "1e999", "--1", "e5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(num_parse_double(bad[i], &d), -1);

    uint64_t u;
    assert_int_equal(num_parse_u64("18446744073709551615", UINT64_MAX, &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(num_parse_u64("18446744073709551616", UINT64_MAX, &u), -1);
    assert_int_equal(num_parse_u64("99999999999999999999999", UINT64_MAX, &u), -1);
    assert_int_equal(num_parse_u64("1001", 1000, &u), -1);
    assert_int_equal(num_parse_u64("-1", UINT64_MAX, &u), -1);
    assert_int_equal(num_parse_u64("+1", UINT64_MAX, &u), -1);
    assert_int_equal(num_parse_u64("12a", UINT64_MAX, &u), -1);

    int64_t i;
    assert_int_equal(num_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &i), 0);
    assert_true(i == INT64_MIN);
    assert_int_equal(num_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &i), -1);
    assert_int_equal(num_parse_i64("+42", 0, 100, &i), 0);
    assert_int_equal(i, 42);
    assert_int_equal(num_parse_i64("-1", 0, 100, &i), -1);
}

static void status_codes_are_distinct_and_named(void **state)
{
    (void)state;
    const int codes[] = {AS_OK, AS_EUSAGE, AS_EIO, AS_ENOMEM, AS_ELIMIT, AS_ERUNTIME, AS_ESTOPPED, AS_EBUSY};
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t a = 0; a < n; a++) {
        assert_true(a == 0 ? codes[a] == 0 : codes[a] < 0);
        assert_string_not_equal(as_status_name(codes[a]), "unknown");
        for (size_t b = a + 1; b < n; b++) {
            assert_int_not_equal(codes[a], codes[b]);
            assert_string_not_equal(as_status_name(codes[a]), as_status_name(codes[b]));
        }
    }
    assert_string_equal(as_status_name(-99), "unknown");
}

/* Shell words: known answers, and every odd word read back by sh as itself. */
static void shell_words_quote_only_when_needed(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"out/run-1", "out/run-1"},
        {"--set=a.b=1e-3", "--set=a.b=1e-3"},
        {"", "''"},
        {"two words", "'two words'"},
        {"it's", "'it'\\''s'"},
        {"$HOME;rm", "'$HOME;rm'"},
        {"a\nb", "'a\nb'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b = {0};
        buf_put_shell_word(&b, cases[i].in);
        assert_false(b.failed);
        assert_string_equal(buf_str(&b), cases[i].out);

        buf cmd = {0};
        buf_puts(&cmd, "printf %s ");
        buf_put_shell_word(&cmd, cases[i].in);
        const char *argv[] = {"sh", "-c", buf_str(&cmd), NULL};
        testutil_result r = testutil_exec(argv);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, cases[i].in);
        testutil_result_clear(&r);
        buf_clear(&cmd);
        buf_clear(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_builds_text_and_bytes),
        cmocka_unit_test(buf_failure_is_sticky),
        cmocka_unit_test(shell_words_quote_only_when_needed),
        cmocka_unit_test(words_are_little_endian),
        cmocka_unit_test(doubles_keep_every_bit),
        cmocka_unit_test(fnv1a_matches_reference_vectors),
        cmocka_unit_test(doubles_round_trip_in_shortest_form),
        cmocka_unit_test(number_parser_is_strict),
        cmocka_unit_test(status_codes_are_distinct_and_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
