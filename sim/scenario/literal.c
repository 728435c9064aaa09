/*
 * literal - libconfig string and float literals, and numbers in messages,
 * appended to a buf.
 */
#include "scenario/literal.h"

#include <math.h>
#include <string.h>

#include "base/num.h"

void lit_quoted(buf *b, const char *s)
{
    buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                buf_printf(b, "\\x%02X", (unsigned)*p);
            else
                buf_append(b, p, 1);
        }
    }
    buf_puts(b, "\"");
}

void lit_float(buf *b, double v)
{
    char text[NUM_DOUBLE_BUFSIZE + 2];
    num_format_double(text, NUM_DOUBLE_BUFSIZE, v);
    /* libconfig reads "2030" as an integer: make every float look like one. */
    if (!strpbrk(text, ".eEn"))
        strcat(text, ".0");
    buf_puts(b, text);
}

void lit_num(buf *b, double v)
{
    if (isinf(v))
        buf_puts(b, v > 0 ? "inf" : "-inf");
    else
        buf_printf(b, "%.15g", v);
}
