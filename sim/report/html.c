/*
 * report/html - escaped text and reader-facing numbers (see html.h).
 */
#include "report/html.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/num.h"

void html_textn(buf *b, const char *s, size_t n)
{
    if (!s)
        return;
    size_t start = 0, i;
    for (i = 0; i < n && s[i]; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            /* Control characters are not allowed in HTML text (and 0x01
             * marks figures in the report's body): U+FFFD instead. */
            if (((unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') || s[i] == 0x7f)
                rep = "\xef\xbf\xbd";
            break;
        }
        if (rep) {
            buf_append(b, s + start, i - start);
            buf_puts(b, rep);
            start = i + 1;
        }
    }
    buf_append(b, s + start, i - start);
}

void html_text(buf *b, const char *s)
{
    if (s)
        html_textn(b, s, strlen(s));
}

/*
 * The C locale for the current thread while numbers are printed: the report
 * is written by one thread and the switch is per thread (uselocale), as
 * base/num does.  c_end() restores the caller's locale.
 */
typedef struct {
    locale_t c, old;
} c_locale;

static c_locale c_begin(void)
{
    c_locale l;
    l.c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    l.old = l.c ? uselocale(l.c) : (locale_t)0;
    return l;
}

static void c_end(c_locale l)
{
    if (l.c) {
        uselocale(l.old);
        freelocale(l.c);
    }
}

void html_fixed(buf *b, double v, int decimals)
{
    if (isnan(v)) {
        buf_puts(b, "NA");
        return;
    }
    /* No "-0.000": a value that rounds to zero is written without sign. */
    double scale = pow(10.0, decimals);
    if (fabs(v) * scale < 0.5)
        v = 0.0;
    char tmp[400];
    c_locale l = c_begin();
    snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    c_end(l);
    buf_puts(b, tmp);
}

void html_signed(buf *b, double v)
{
    if (isnan(v)) {
        buf_puts(b, "NA");
        return;
    }
    char tmp[400];
    c_locale l = c_begin();
    if (v != 0.0 && fabs(v) < 0.0005)
        snprintf(tmp, sizeof tmp, "%+.0e", v);
    else if (fabs(v) < 0.0005)
        snprintf(tmp, sizeof tmp, "0.000");
    else
        snprintf(tmp, sizeof tmp, "%+.3f", v);
    c_end(l);
    buf_puts(b, tmp);
}

void html_exact(buf *b, double v)
{
    if (isnan(v)) {
        buf_puts(b, "NA");
        return;
    }
    char tmp[NUM_DOUBLE_BUFSIZE];
    num_format_double(tmp, sizeof tmp, v);
    buf_puts(b, tmp);
}

void html_interval(buf *b, double lo, double hi, int decimals)
{
    if (isnan(lo) && isnan(hi)) {
        buf_puts(b, "NA");
        return;
    }
    buf_puts(b, "[");
    html_fixed(b, lo, decimals);
    buf_puts(b, ", ");
    html_fixed(b, hi, decimals);
    buf_puts(b, "]");
}

void html_month_year(buf *b, double year)
{
    static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (!isfinite(year)) {
        buf_puts(b, "NA");
        return;
    }
    double y = floor(year);
    int m = (int)floor((year - y) * 12.0);
    if (m < 0)
        m = 0;
    if (m > 11)
        m = 11;
    buf_printf(b, "%s %.0f", months[m], y);
}

void html_utc(buf *b, long long epoch_seconds)
{
    time_t t = (time_t)epoch_seconds;
    struct tm tm;
    char tmp[64];
    if (!gmtime_r(&t, &tm) || strftime(tmp, sizeof tmp, "%Y-%m-%d %H:%M UTC", &tm) == 0) {
        buf_puts(b, "NA");
        return;
    }
    buf_puts(b, tmp);
}
