/*
 * diff - settings differences of resolved scenario texts (see diff.h).
 *
 * Moved here from study/compare.c: the flattening knows the layout the
 * loader writes, so it belongs with the scenario language.
 */
#include "scenario/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "model/spec.h"

/* One setting of a flattened resolved text: a leaf, or a whole element of
 * a list (its leaves joined). */
typedef struct {
    char *path;    /* "model.w_threat", or the list's path for an element */
    char *value;
    int element;   /* 1: an element of list `path` */
} flat;

typedef struct {
    flat *v;
    size_t n, cap;
    int failed;
} flats;

static void flats_clear(flats *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].value);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

static void flats_add(flats *f, const char *path, const char *value, int element)
{
    if (f->failed)
        return;
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 256;
        flat *nv = realloc(f->v, ncap * sizeof *nv);
        if (!nv) {
            f->failed = 1;
            return;
        }
        f->v = nv;
        f->cap = ncap;
    }
    char *p = strdup(path), *v = strdup(value);
    if (!p || !v) {
        free(p);
        free(v);
        f->failed = 1;
        return;
    }
    f->v[f->n++] = (flat){p, v, element};
}

/* Trims leading and trailing blanks in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/*
 * Flattens a resolved scenario text as the loader writes it: one setting
 * per line, groups "NAME = {" ... "};", lists "NAME = (" ... ");" whose
 * elements are "{" ... "}" blocks or one-line "( ... )" rows.  Leaves
 * become (path, value); list elements become one entry each whose value is
 * the element's leaves, "key = value; ...".
 */
static void flatten(const char *textin, flats *out)
{
    char *copy = strdup(textin);
    if (!copy) {
        out->failed = 1;
        return;
    }
    enum { MAXD = 16, PLEN = MAXD * (SPEC_PATH_LEN + 1) + 1 };
    char names[MAXD][SPEC_PATH_LEN];
    int is_list[MAXD];
    int depth = 0;
    /* The element being collected: depth at which it started (-1: none). */
    int elem_depth = -1;
    buf elem = {0};
    char elem_path[PLEN];
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *l = trim(line);
        if (!*l || *l == '#')
            continue;
        char path[PLEN];
        path[0] = '\0';
        for (int i = 0; i < depth; i++) {
            size_t used = strlen(path);
            snprintf(path + used, sizeof path - used, "%s%s", used ? "." : "", names[i]);
        }
        size_t n = strlen(l);
        if (strcmp(l, "{") == 0) {
            /* A group element of the list at the top of the stack. */
            if (depth < MAXD) {
                snprintf(names[depth], sizeof names[depth], "[]");
                is_list[depth] = 0;
                if (elem_depth < 0) {
                    elem_depth = depth;
                    snprintf(elem_path, sizeof elem_path, "%s", path);
                    buf_clear(&elem);
                }
                depth++;
            }
            continue;
        }
        if (l[0] == '}' || l[0] == ')') {
            if (depth > 0)
                depth--;
            if (elem_depth >= 0 && depth == elem_depth) {
                char *v = buf_take(&elem);
                flats_add(out, elem_path, v ? v : "", 1);
                free(v);
                elem_depth = -1;
            }
            continue;
        }
        if (l[0] == '(' && depth > 0 && is_list[depth - 1]) {
            /* A one-line row of a list of rows. */
            if (n && l[n - 1] == ',')
                l[--n] = '\0';
            if (elem_depth >= 0)
                buf_printf(&elem, "%s%s", elem.len ? "; " : "", l);
            else
                flats_add(out, path, l, 1);
            continue;
        }
        char *eq = strstr(l, " = ");
        if (!eq)
            continue;
        *eq = '\0';
        char *name = l, *value = eq + 3;
        size_t vn = strlen(value);
        if ((strcmp(value, "{") == 0 || strcmp(value, "(") == 0) && depth < MAXD) {
            snprintf(names[depth], sizeof names[depth], "%s", name);
            is_list[depth] = value[0] == '(';
            depth++;
            continue;
        }
        if (vn && value[vn - 1] == ';')
            value[--vn] = '\0';
        if (elem_depth >= 0) {
            /* Inside an element: its leaves, with paths relative to it. */
            char rel[PLEN];
            rel[0] = '\0';
            for (int i = elem_depth + 1; i < depth; i++) {
                size_t used = strlen(rel);
                snprintf(rel + used, sizeof rel - used, "%s.", names[i]);
            }
            buf_printf(&elem, "%s%s%s = %s", elem.len ? "; " : "", rel, name, value);
            continue;
        }
        char full[PLEN + SPEC_PATH_LEN + 2];
        snprintf(full, sizeof full, "%s%s%s", path, path[0] ? "." : "", name);
        flats_add(out, full, value, 0);
    }
    if (elem.failed)
        out->failed = 1;
    buf_clear(&elem);
    free(copy);
}

/* Appends value, cut to max characters with "...". */
static void put_cut(buf *t, const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n <= max)
        buf_puts(t, v);
    else
        buf_printf(t, "%.*s...", (int)max, v);
}

/* Element diff of one list (indices ia[], ib[] into A's and B's entries)
 * by longest common subsequence, as a line diff does. */
static void diff_list(buf *t, size_t *lines, size_t max_lines, size_t *more, const flats *A, const size_t *ia,
                      size_t na, const flats *B, const size_t *ib, size_t nb)
{
    /* The LCS table is na x nb; lists here are at most a few hundred. */
    size_t w = nb + 1;
    unsigned *L = calloc((na + 1) * w, sizeof *L);
    if (!L) {
        t->failed = 1;
        return;
    }
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            L[i * w + j] = strcmp(A->v[ia[i]].value, B->v[ib[j]].value) == 0
                               ? L[(i + 1) * w + j + 1] + 1
                               : (L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j] : L[i * w + j + 1]);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int take_a;
        if (i < na && j < nb && strcmp(A->v[ia[i]].value, B->v[ib[j]].value) == 0) {
            i++;
            j++;
            continue;
        }
        take_a = j >= nb || (i < na && L[(i + 1) * w + j] >= L[i * w + j + 1]);
        const flat *f = take_a ? &A->v[ia[i]] : &B->v[ib[j]];
        if (*lines < max_lines) {
            buf_printf(t, "  %s: %c { ", f->path, take_a ? '-' : '+');
            put_cut(t, f->value, 160);
            buf_puts(t, " }\n");
            (*lines)++;
        } else {
            (*more)++;
        }
        if (take_a)
            i++;
        else
            j++;
    }
    free(L);
}

static long find_leaf(const flats *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (!f->v[i].element && strcmp(f->v[i].path, path) == 0)
            return (long)i;
    return -1;
}

char *scenario_settings_diff(const char *text_a, const char *text_b, size_t max_lines)
{
    flats A = {0}, B = {0};
    buf t = {0};
    size_t lines = 0, more = 0;
    size_t *ia = NULL, *ib = NULL;
    flatten(text_a, &A);
    flatten(text_b, &B);
    if (A.failed || B.failed)
        goto fail;
    ia = malloc((A.n + 1) * sizeof *ia);
    ib = malloc((B.n + 1) * sizeof *ib);
    if (!ia || !ib)
        goto fail;

    /* Leaves, in A's order, then those only in B. */
    for (size_t i = 0; i < A.n; i++) {
        if (A.v[i].element)
            continue;
        long j = find_leaf(&B, A.v[i].path);
        if (j >= 0 && strcmp(A.v[i].value, B.v[j].value) == 0)
            continue;
        if (lines >= max_lines) {
            more++;
            continue;
        }
        buf_printf(&t, "  %s: ", A.v[i].path);
        if (j < 0) {
            buf_puts(&t, "only in A = ");
            put_cut(&t, A.v[i].value, 160);
        } else {
            put_cut(&t, A.v[i].value, 76);
            buf_puts(&t, " -> ");
            put_cut(&t, B.v[j].value, 76);
        }
        buf_puts(&t, "\n");
        lines++;
    }
    for (size_t j = 0; j < B.n; j++) {
        if (B.v[j].element || find_leaf(&A, B.v[j].path) >= 0)
            continue;
        if (lines >= max_lines) {
            more++;
            continue;
        }
        buf_printf(&t, "  %s: only in B = ", B.v[j].path);
        put_cut(&t, B.v[j].value, 160);
        buf_puts(&t, "\n");
        lines++;
    }

    /* Lists, each once, in order of first appearance (A, then B). */
    for (int side = 0; side < 2; side++) {
        const flats *S = side ? &B : &A;
        for (size_t k = 0; k < S->n; k++) {
            if (!S->v[k].element)
                continue;
            const char *lp = S->v[k].path;
            int seen = 0;
            for (size_t q = 0; q < k && !seen; q++)
                seen = S->v[q].element && strcmp(S->v[q].path, lp) == 0;
            for (size_t q = 0; side && q < A.n && !seen; q++)
                seen = A.v[q].element && strcmp(A.v[q].path, lp) == 0;
            if (seen)
                continue;
            size_t na = 0, nb = 0;
            for (size_t q = 0; q < A.n; q++)
                if (A.v[q].element && strcmp(A.v[q].path, lp) == 0)
                    ia[na++] = q;
            for (size_t q = 0; q < B.n; q++)
                if (B.v[q].element && strcmp(B.v[q].path, lp) == 0)
                    ib[nb++] = q;
            diff_list(&t, &lines, max_lines, &more, &A, ia, na, &B, ib, nb);
        }
    }
    if (more)
        buf_printf(&t, "  ... and %zu more difference%s\n", more, more == 1 ? "" : "s");
    free(ia);
    free(ib);
    flats_clear(&A);
    flats_clear(&B);
    return buf_take(&t);
fail:
    free(ia);
    free(ib);
    flats_clear(&A);
    flats_clear(&B);
    buf_clear(&t);
    return NULL;
}

