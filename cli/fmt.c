// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl: the printing every noun shares (see fmt.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"

/* ---- JSON access ---- */

/* A field as text: strings as they are, numbers and booleans in their
 * JSON spelling (so "table": 254 and "table": "main" both print), NULL
 * when missing or null. */
const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	if (json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return NULL;
	return json_object_get_string(v);
}

uint64_t ju64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_uint64(v);
}

bool jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v &&
	       json_object_get_boolean(v);
}

json_object *jobj(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* The top-level array @key of @doc, or NULL with the error set. */
json_object *fmt_top_array(json_object *doc, const char *key, char *err,
			   size_t errlen)
{
	json_object *a;

	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, key, &a) ||
	    !json_object_is_type(a, json_type_array)) {
		snprintf(err, errlen,
			 "unexpected response from sluiced: no '%s' array",
			 key);
		return NULL;
	}
	return a;
}

int fmt_not_object(json_object *doc, const char *what, char *err, size_t errlen)
{
	if (json_object_is_type(doc, json_type_object))
		return 0;
	snprintf(err, errlen,
		 "unexpected response from sluiced: %s is not an object", what);
	return -EPROTO;
}

int fmt_nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

const char *cli_error_message(json_object *doc)
{
	const char *m;

	if (!json_object_is_type(doc, json_type_object))
		return NULL;
	m = jstr(doc, "error");
	return str_empty(m) ? NULL : m;
}

int cli_json_print(json_object *doc, FILE *out)
{
	const char *s = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	fprintf(out, "%s\n", s);
	return 0;
}

void cli_fmt_duration(uint64_t s, char *buf, size_t len)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	s %= 60;
	if (d)
		snprintf(buf, len,
			 "%" PRIu64 "d %" PRIu64 "h %" PRIu64 "m %" PRIu64 "s",
			 d, h, m, s);
	else if (h)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m %" PRIu64 "s", h,
			 m, s);
	else if (m)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", m, s);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

void fmt_nonzero(FILE *out, const char *label, json_object *o)
{
	bool any = false;

	if (!o || !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, name, v) {
		if (!json_object_get_int64(v))
			continue;
		fprintf(out, "%s%s %" PRId64, any ? "  " : label, name,
			json_object_get_int64(v));
		any = true;
	}
	if (any)
		fputc('\n', out);
}

/* ---- aligned tables ---- */

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* @ncols cells; NULL prints as "-", "" as nothing. */
int table_add(struct table *t, ...)
{
	va_list ap;
	int r = 0;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c)
			return -ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		char *d = strdup(s ? s : "-");

		if (!d)
			r = -ENOMEM;
		t->cells[t->nrows * t->ncols + i] = d;
	}
	va_end(ap);
	t->nrows++;
	return r;
}

static void table_row(const struct table *t, const size_t *w,
		      const char *const *cells, FILE *out)
{
	size_t last = 0;

	/* Stop at the last non-empty cell: no trailing blanks. */
	for (size_t c = 0; c < t->ncols; c++)
		if (*cells[c])
			last = c;
	for (size_t c = 0; c <= last; c++) {
		int width = (int)w[c];

		if (c)
			fputs("  ", out);
		if (t->right & (1u << c))
			fprintf(out, "%*s", width, cells[c]);
		else if (c == last)
			fputs(cells[c], out);
		else
			fprintf(out, "%-*s", width, cells[c]);
	}
	fputc('\n', out);
}

/* Prints nothing when there are no rows, as `ip` does. */
void table_print(const struct table *t, FILE *out)
{
	size_t w[TABLE_MAX_COLS] = { 0 };

	if (!t->nrows)
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->head)
			w[c] = strlen(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	}
	if (t->head)
		table_row(t, w, t->head, out);
	for (size_t r = 0; r < t->nrows; r++)
		table_row(t, w, (const char *const *)&t->cells[r * t->ncols],
			  out);
}

/* ---- tables of named fields ---- */

static const struct field *field_find(const struct field *fields, size_t n,
				      const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

int fields_add(struct table *t, json_object *doc, const struct field *fields,
	       size_t n)
{
	char buf[64];
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		const struct field *f = &fields[i];
		const char *v = jstr(doc, f->key);

		if (!v)
			continue;
		if (f->kind == F_DURATION) {
			cli_fmt_duration(ju64(doc, f->key), buf, sizeof(buf));
			v = buf;
		} else if (f->kind == F_BOOL) {
			v = jbool(doc, f->key) ? "yes" : "no";
		} else if (f->kind == F_OPTIONAL && !*v) {
			v = "none";
		}
		r = table_add(t, f->label, v);
	}
	/* Whatever a newer daemon adds, under its own key. */
	json_object_object_foreach(doc, key, val) {
		const char *v;

		(void)val;
		if (r || field_find(fields, n, key) || !(v = jstr(doc, key)))
			continue;
		r = table_add(t, key, v);
	}
	return r;
}

int fields_print(json_object *doc, const struct field *fields, size_t n,
		 FILE *out, char *err, size_t errlen)
{
	struct table t = { .ncols = 2 };
	int r = fields_add(&t, doc, fields, n);

	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? fmt_nomem(err, errlen) : 0;
}

void fmt_endpoint(json_object *o, const char *addr, const char *port, char *buf,
		  size_t len)
{
	const char *a = jstr(o, addr), *p = jstr(o, port);
	bool v6 = a && strchr(a, ':');

	if (!p)
		snprintf(buf, len, "%s", a ? a : "-");
	else
		snprintf(buf, len, v6 ? "[%s]:%s" : "%s:%s", a ? a : "-", p);
}
